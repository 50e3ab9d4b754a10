"""What one app holds: its database, its cache, and the pages to render again after an import.

`create_app` hangs an `AppData` off the Flask app (`server.extensions["cchc_data"]`): no module globals, so two
apps in one process each read their own database and write their own audit log. Cache keys always include the
snapshot's data version, so a new import is never served stale figures: old entries stop being asked for and
age out."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from . import audit
from .db import Database, Scope
from .reader import Cache, Reader, reading

RECENT_SIZE = 48  # pages (scope, page, query) remembered for warming after an import


class AppData:
    def __init__(self, db_path: str | Path, cache_size: int | None = None, warm: bool = True):
        self.database = Database(db_path)
        self.audit_log = audit.path_for(db_path)  # record()/read() inside this app's requests use it
        self.cache = Cache(cache_size) if cache_size else Cache()
        self.warm = warm
        self._recent: OrderedDict[tuple, None] = OrderedDict()
        self._warmed: set[str] = set()
        self._lock = threading.Lock()
        self._layouts: dict[str, Callable] = {}

    def reader(self, scope: Scope) -> Reader:
        """The current data version as `scope` may see it; a new version starts re-rendering recent pages."""
        snap = self.database.snapshot()
        self._maybe_warm(snap.data_version)
        return Reader(snap, scope, self.cache, self._rendered)

    def register_layout(self, page: str, fn: Callable) -> None:
        self._layouts[page] = fn

    def clear(self) -> None:
        self.cache.clear()
        with self._lock:
            self._recent.clear()

    # ------------------------------------------------------------------ warming at start
    WARM_PAGES = ("overview", "units", "late", "report", "targets", "analysis")

    def warm_start(self, scopes: list[Scope], pages: tuple[str, ...] = WARM_PAGES) -> threading.Thread | None:
        """At a server's start: render the pages' default views (what sign-in and the navigation bar open) for
        `scopes` in the background, the overview first, so the first reader after a restart finds them drawn."""
        if not self.warm:
            return None
        version = self.database.snapshot().data_version
        todo = [(scope, page, ()) for page in pages for scope in scopes]
        t = threading.Thread(target=self._warm, args=(version, todo[::-1]), name="cchc-warm-start", daemon=True)
        t.start()
        return t

    # ------------------------------------------------------------------ warming after an import
    def _rendered(self, scope: Scope, page: str, query: dict) -> None:
        key = (scope, page, tuple(sorted(query.items())))
        with self._lock:
            self._recent[key] = None
            self._recent.move_to_end(key)
            while len(self._recent) > RECENT_SIZE:
                self._recent.popitem(last=False)

    def _maybe_warm(self, version: str) -> None:
        if not self.warm or version in self._warmed:
            return
        with self._lock:
            if version in self._warmed:
                return
            first = not self._warmed
            self._warmed.add(version)
            todo = list(self._recent)
        if first or not todo:  # the first snapshot of the process: nobody has asked for anything yet
            return
        threading.Thread(target=self._warm, args=(version, todo), name=f"cchc-warm-{version}", daemon=True).start()

    def _warm(self, version: str, todo: list[tuple]) -> None:
        for scope, page, query in reversed(todo):  # the most recent first
            fn = self._layouts.get(page)
            if fn is None:
                continue
            snap = self.database.snapshot()
            if snap.data_version != version:
                return  # an even newer import arrived: its own warmer takes over
            try:
                with reading(Reader(snap, scope, self.cache, self._rendered)):
                    fn(**dict(query))
            except Exception:  # noqa: S112  a page that fails here fails for its reader too, with the error shown
                continue
