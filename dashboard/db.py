"""Read-only access to the published database, and named queries from `queries/`.

The server never opens the database read-write. Each snapshot is a fresh in-memory
DuckDB connection that ATTACHes the file READ_ONLY; when an import publishes a new
file (os.replace), the next `Database.snapshot()` notices the new file identity and
attaches it, while requests already running finish on the old snapshot (the old
inode stays readable until its last handle closes).
"""
from __future__ import annotations

import functools
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from .config import QUERIES_DIR

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_INCLUDE = re.compile(r"\{\{\s*([a-z0-9_]+)\s*\}\}")


class QueryError(RuntimeError):
    pass


@functools.cache
def sql(name: str, _depth: int = 0) -> str:
    """The text of `queries/<name>.sql` (names are identifiers, never paths).

    `{{ other }}` inside a query is replaced by the text of `queries/other.sql`, so a set
    of rows defined once (e.g. `late_set`) is listed, counted and broken down alike."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise QueryError(f"invalid query name {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.exists():
        raise QueryError(f"no query named {name!r} in {QUERIES_DIR}")
    if _depth > 5:
        raise QueryError(f"includes nested too deep at {name!r}")
    text = path.read_text(encoding="utf-8")
    return _INCLUDE.sub(lambda m: _strip_comments(sql(m[1], _depth + 1)).strip().rstrip(";"), text)


def bind(text: str, params: dict[str, Any]) -> dict[str, Any]:
    """Keep the parameters the statement uses; every one it uses must be given."""
    used = set(_PARAM.findall(_strip_comments(text)))
    missing = used - params.keys()
    if missing:
        raise QueryError(f"missing parameters: {', '.join(sorted(missing))}")
    return {k: params[k] for k in used}


def _strip_comments(text: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in text.splitlines())


def run(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> duckdb.DuckDBPyConnection:
    text = sql(name)
    return con.execute(text, bind(text, params))


def run_script(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> None:
    """Run a multi-statement file (DDL); statements are split on `;` at line ends."""
    for stmt in _statements(sql(name)):
        con.execute(stmt, bind(stmt, params)).fetchall()


def one(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> tuple:
    """The single row a query returns (fully fetched, so the connection is free again)."""
    rows = run(con, name, **params).fetchall()
    return rows[0] if rows else ()


@functools.cache
def _statements(text: str) -> tuple[str, ...]:
    out, buf = [], []
    for line in text.splitlines():
        buf.append(line)
        if line.split("--", 1)[0].rstrip().endswith(";"):
            stmt = "\n".join(buf).strip()
            if _strip_comments(stmt).strip(" ;\n"):
                out.append(stmt)
            buf = []
    tail = "\n".join(buf).strip()
    if _strip_comments(tail).strip():
        out.append(tail)
    return tuple(out)


def df(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame:
    return run(con, name, **params).df()


# ----------------------------------------------------------------------------- snapshots
@dataclass(frozen=True)
class FileId:
    inode: int
    mtime_ns: int
    size: int

    @classmethod
    def of(cls, path: Path) -> "FileId | None":
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        return cls(st.st_ino, st.st_mtime_ns, st.st_size)


class Snapshot:
    """One published database file, attached read-only."""

    def __init__(self, path: Path):
        self.path = path
        self.file_id = FileId.of(path)
        self._con = duckdb.connect(":memory:")
        run_script(self._con, "attach_snapshot", path=str(path))
        run_script(self._con, "use_snapshot")
        meta = dict(run(self._con, "meta").fetchall())
        self.data_version: str = meta.get("data_version", "0")
        self.published_at: str = meta.get("published_at", "")

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection for one thread/request (DuckDB connections are not shared)."""
        cur = self._con.cursor()
        run_script(cur, "use_snapshot")
        return cur

    def df(self, name: str, **params: Any) -> pd.DataFrame:
        cur = self.cursor()
        try:
            return df(cur, name, **params)
        finally:
            cur.close()

    def rows(self, name: str, **params: Any) -> list[tuple]:
        cur = self.cursor()
        try:
            return run(cur, name, **params).fetchall()
        finally:
            cur.close()

    def close(self) -> None:
        self._con.close()


class NoDatabase(FileNotFoundError):
    pass


class Database:
    """Hands out the current snapshot; re-attaches when the file is replaced."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._snap: Snapshot | None = None

    def snapshot(self) -> Snapshot:
        current = FileId.of(self.path)
        if current is None:
            raise NoDatabase(f"Chưa có cơ sở dữ liệu tại {self.path}: chạy `cchc demo` hoặc `cchc ingest`.")
        snap = self._snap
        if snap is not None and snap.file_id == current:
            return snap
        with self._lock:
            if self._snap is None or self._snap.file_id != FileId.of(self.path):
                # The old snapshot is left to the garbage collector: requests still
                # holding it finish on the old file.
                self._snap = Snapshot(self.path)
            return self._snap

    @property
    def data_version(self) -> str:
        return self.snapshot().data_version
