"""The Reader: one reader's view of one data version, and the one cache.

`Reader(snapshot, scope).q(name, **params)` runs `queries/<name>.sql` on a cursor bound to the scope and
memoises the frame on (data version, scope, name, params). Every metric is `fn(reader, period, unit)`, so a
number on screen is three hops from its SQL: page → metric → `reader.q("named_query")`.

Frames come back copy-on-write (pandas 3): a caller that adds a column or changes a value changes its own copy,
never the cached frame. `memo(name, params, fn)` keeps a derived value (the data's as-of moment, a KPI table)
under the same kind of key, in the same bounded store; `memo_private` keeps a mutable one (a rendered page's
component tree) pickled and hands every caller its own copy.

Readers hang off the app (`AppData`, in `state.py`); pages ask `current_reader()`, which is the reader set by
`reading(reader)` if any (tests, the warmer, the PDF export) or the current request's app and signed-in scope.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from functools import cached_property
from typing import Any

import pandas as pd

from .config import DEFAULT_SETTINGS
from . import timing
from .db import FULL, Scope, Snapshot, df

CACHE_SIZE = 1024


class Cache:
    """A thread-safe LRU store of computed values, bounded by entry count."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = compute()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


def _freeze(params: dict[str, Any]) -> tuple:
    out = []
    for k, v in sorted(params.items()):
        if isinstance(v, list | set | frozenset | tuple):
            v = tuple(sorted(v)) if isinstance(v, set | frozenset) else tuple(v)
        out.append((k, v))
    return tuple(out)


class Reader:
    """A data version as one reader may see it (see auth.current_scope: default deny)."""

    def __init__(
        self,
        snapshot: Snapshot,
        scope: Scope = FULL,
        cache: Cache | None = None,
        on_render: Callable[[Scope, str, dict], None] | None = None,
    ):
        self.snapshot = snapshot
        self.scope = scope
        self.cache = cache if cache is not None else Cache()
        self._on_render = on_render

    # ------------------------------------------------------------------ identity
    @property
    def data_version(self) -> str:
        return self.snapshot.data_version

    @property
    def scoped(self) -> bool:
        """Limited to some units (a ward's staff)."""
        return self.scope.units is not None

    @cached_property
    def whole(self) -> Reader:
        """The same data version unscoped, for facts about the version itself (its as-of moment, its coverage)
        which must be the same for every reader. Never for rows shown to a reader."""
        return self if self.scope.full else Reader(self.snapshot, FULL, self.cache, self._on_render)

    def _key(self, name: str, params: dict[str, Any]) -> tuple:
        return (self.data_version, self.scope.key, name, _freeze(params))

    # ------------------------------------------------------------------ the one cache
    def q(self, name: str, **params: Any) -> pd.DataFrame:
        """The rows of `queries/<name>.sql` with `params` bound, through this reader's scope; memoised."""
        frame = self.cache.get(self._key(name, params), lambda: self._run(name, params))
        return frame.copy(deep=False)  # copy-on-write: the caller's changes stay the caller's

    def _run(self, name: str, params: dict[str, Any]) -> pd.DataFrame:
        cur = self.cursor()
        t = time.perf_counter()
        try:
            return df(cur, name, **params)
        finally:
            cur.close()
            timing.query(time.perf_counter() - t)  # the request's Server-Timing header counts it

    def memo(self, name: str, params: dict[str, Any], compute: Callable[[], Any]) -> Any:
        """A value derived from this reader's data (immutable by convention), under the same kind of key."""
        return self.cache.get(self._key("memo:" + name, params), compute)

    def memo_private(self, name: str, params: dict[str, Any], compute: Callable[[], Any]) -> Any:
        """`memo` for a mutable value (a rendered page's component tree): kept pickled, and every caller gets
        its own copy, so a request that changes its tree never changes another's. Unpickling the overview's
        tree costs ~0.6 ms (a deep copy ~30 ms)."""
        blob = self.memo(name, params, lambda: pickle.dumps(compute(), pickle.HIGHEST_PROTOCOL))
        return pickle.loads(blob)

    def is_memoised(self, name: str, params: dict[str, Any]) -> bool:
        return self._key("memo:" + name, params) in self.cache

    def cursor(self):
        """A raw scoped cursor (data-layer tests and the security checks use it; metrics use q)."""
        return self.snapshot.cursor(self.scope)

    def rendered(self, page: str, query: dict) -> None:
        """Tell the app which page this reader looked at (the warmer re-renders it after an import)."""
        if self._on_render is not None:
            self._on_render(self.scope, page, query)

    # ------------------------------------------------------------------ facts of the data version
    @property
    def coverage(self) -> dict:
        return self.whole.memo("coverage", {}, lambda: self.whole.q("data_coverage").iloc[0].to_dict())

    @property
    def as_of(self) -> dt.datetime:
        """The moment the data reaches (latest receipt or completion; now if there are no dossiers). It belongs
        to the data version, not to the reader: a ward is judged at the city's moment."""

        def compute() -> dt.datetime:
            v = self.coverage["data_as_of"]
            return (
                dt.datetime.now().replace(microsecond=0) if v is None or pd.isna(v) else pd.Timestamp(v).to_pydatetime()
            )

        return self.whole.memo("as_of", {}, compute)

    @property
    def settings(self) -> dict[str, str]:
        return self.whole.memo(
            "settings",
            {},
            lambda: {**DEFAULT_SETTINGS, **dict(self.whole.q("settings").itertuples(index=False, name=None))},
        )

    @property
    def city(self) -> str:
        return self.settings.get("city_name") or "Thành phố"


# ----------------------------------------------------------------------------- the current reader
_current: contextvars.ContextVar[Reader | None] = contextvars.ContextVar("cchc_reader", default=None)


@contextlib.contextmanager
def reading(reader: Reader) -> Iterator[Reader]:
    """Pages and callbacks inside this block read through `reader` (tests, the warmer, the PDF export)."""
    token = _current.set(reader)
    try:
        yield reader
    finally:
        _current.reset(token)


def current_reader() -> Reader:
    """The reader set by `reading()`, else the current request's: its app's data, the signed-in reader's scope."""
    reader = _current.get()
    if reader is not None:
        return reader
    import flask

    from .auth import current_scope

    if not flask.has_request_context():
        raise RuntimeError("no reader: call pages inside reading(reader) or a request of an app")
    return flask.current_app.extensions["cchc_data"].reader(current_scope())


def current_db_path():
    """The published database file of the current request's app (where its background jobs and state live)."""
    import flask

    return flask.current_app.extensions["cchc_data"].database.path
