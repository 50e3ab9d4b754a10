"""The app's one Database handle and a small cache keyed by data version.

Cache keys always include the snapshot's data version, so a new import is never
served stale figures: old entries simply stop being asked for and age out."""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable

from .db import Database, Snapshot, ScopedSnapshot

_db: Database | None = None
_cache: "OrderedDict[tuple, Any]" = OrderedDict()
_lock = threading.Lock()
CACHE_SIZE = 512


def init(db_path: str | Path) -> Database:
    global _db
    _db = Database(db_path)
    clear_cache()
    with _lock:
        _warmed.clear()
    return _db


def database() -> Database:
    if _db is None:
        raise RuntimeError("state.init(db_path) was not called")
    return _db


def snapshot() -> "Snapshot | ScopedSnapshot":
    """The current data as the current reader may see it (see auth.current_scope: default deny)."""
    from .auth import current_scope
    snap = database().snapshot()
    _maybe_warm(snap.data_version)
    return snap.scoped(current_scope())


# ----------------------------------------------------------------------------- warming after an import
# The pages readers opened recently (scope, page, query), newest last. When a new data version appears,
# a background thread renders them again, so the first reader after an import finds them ready.
_recent: "OrderedDict[tuple, None]" = OrderedDict()
_layouts: dict[str, Callable] = {}
_warmed: set[str] = set()
RECENT_SIZE = 48
WARM = True


def register_layout(page: str, fn: Callable) -> None:
    _layouts[page] = fn


def used(scope, page: str, query: dict) -> None:
    key = (scope, page, tuple(sorted(query.items())))
    with _lock:
        _recent[key] = None
        _recent.move_to_end(key)
        while len(_recent) > RECENT_SIZE:
            _recent.popitem(last=False)


def _maybe_warm(version: str) -> None:
    if not WARM or version in _warmed:
        return
    with _lock:
        if version in _warmed:
            return
        first = not _warmed
        _warmed.add(version)
        todo = list(_recent)
    if first or not todo:  # the first snapshot of the process: nobody has asked for anything yet
        return
    threading.Thread(target=_warm, args=(version, todo), name=f"cchc-warm-{version}", daemon=True).start()


def _warm(version: str, todo: list[tuple]) -> None:
    from .auth import reading_as

    for scope, page, query in reversed(todo):  # the most recent first
        fn = _layouts.get(page)
        if fn is None:
            continue
        try:
            if database().snapshot().data_version != version:
                return  # an even newer import arrived: its own warmer takes over
            with reading_as(scope):
                fn(**dict(query))
        except Exception:  # a page that fails here fails for its reader too, with the error shown there
            continue


def cached(snap: "Snapshot | ScopedSnapshot", key: tuple, compute: Callable[[], Any]) -> Any:
    """compute() once per (data version, reader's scope, key); LRU-bounded."""
    full = (snap.data_version, snap.scope_key, *key)
    with _lock:
        if full in _cache:
            _cache.move_to_end(full)
            return _cache[full]
    value = compute()
    with _lock:
        _cache[full] = value
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _recent.clear()
