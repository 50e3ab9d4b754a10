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
    return _db


def database() -> Database:
    if _db is None:
        raise RuntimeError("state.init(db_path) was not called")
    return _db


def snapshot() -> "Snapshot | ScopedSnapshot":
    """The current data as the current reader may see it (see auth.current_scope: default deny)."""
    from .auth import current_scope
    return database().snapshot().scoped(current_scope())


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
