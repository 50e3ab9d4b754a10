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


_UNIT_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
# Tables any signed-in user may read in full (no unit, no personal data).
PUBLIC_TABLES = frozenset({"targets", "par_index", "procedures", "holidays", "calendar", "settings", "meta"})
# Tables only the import role (Home Affairs) may read: they hold raw rows of the source files.
IMPORT_TABLES = frozenset({"imports", "rejects"})
# Columns that say which unit a row belongs to, by table column name.
UNIT_COLUMNS = ("unit_code", "owner_unit")
# Personal data and how it is shown to roles without the right to it (initials only).
PERSONAL_COLUMNS = {
    "applicant_name": "array_to_string(list_transform(string_split(trim({c}), ' '), lambda w: left(w, 1) || '.'), ' ')",
}


@dataclass(frozen=True)
class Scope:
    """What one reader may see. The data layer applies it to every query (default deny):
    `units` None = all units, otherwise those units and the units under them; `personal` False
    masks personal columns; `imports` False hides the import log and the rejected raw rows."""
    units: frozenset[str] | None = None
    personal: bool = True
    imports: bool = True

    def __post_init__(self):
        for u in self.units or ():
            if not _UNIT_CODE.fullmatch(u):
                raise QueryError(f"invalid unit code in scope: {u!r}")

    @property
    def full(self) -> bool:
        return self.units is None and self.personal and self.imports

    @property
    def key(self) -> str:
        if self.full:
            return ""
        units = ",".join(sorted(self.units)) if self.units is not None else "*"
        return f"{units}|p{int(self.personal)}|i{int(self.imports)}"


FULL = Scope()


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
        self._schemas: dict[str, str] = {}
        self._schema_lock = threading.Lock()

    @property
    def scope(self) -> Scope:
        return FULL

    @property
    def scope_key(self) -> str:
        return ""

    @property
    def whole(self) -> "Snapshot":
        """The unscoped snapshot, for facts about the data version itself (its as-of moment, its coverage),
        which must be the same for every reader. Never for rows shown to a reader."""
        return self

    def scoped(self, scope: Scope) -> "Snapshot":
        """This snapshot as one reader sees it (the same object for full access)."""
        return self if scope.full else ScopedSnapshot(self, scope)

    def cursor(self, scope: Scope = FULL) -> duckdb.DuckDBPyConnection:
        """A connection for one thread/request (DuckDB connections are not shared).
        With a scope, unqualified table names resolve to views that hold only the permitted rows."""
        cur = self._con.cursor()
        if scope.full:
            run_script(cur, "use_snapshot")
        else:
            schema = self._scope_schema(scope)
            cur.execute(f"USE memory.{schema}")
            cur.execute(f"SET search_path = 'memory.{schema},db.main'")  # macros still resolve in db.main
        return cur

    def _scope_schema(self, scope: Scope) -> str:
        """One schema of views per scope, built once per snapshot. Every table of the database gets a
        view: filtered by unit where it has a unit column, masked where it holds personal data, empty
        where the table is neither public nor known (default deny)."""
        with self._schema_lock:
            if scope.key in self._schemas:
                return self._schemas[scope.key]
            name = f"s{len(self._schemas) + 1}"
            con = self._con.cursor()
            try:
                run_script(con, "use_snapshot")
                allowed = None
                if scope.units is not None:
                    rows = run(con, "scope_units", units=sorted(scope.units)).fetchall()
                    allowed = sorted({r[0] for r in rows} | set(scope.units))
                cols: dict[str, list[str]] = {}
                for table, column in run(con, "snapshot_columns").fetchall():
                    cols.setdefault(table, []).append(column)
                con.execute(f"CREATE SCHEMA memory.{name}")
                for table, columns in cols.items():
                    con.execute(f"CREATE VIEW memory.{name}.{table} AS {_scoped_select(table, columns, scope, allowed)}")
            finally:
                con.close()
            self._schemas[scope.key] = name
            return name

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


def _quote(v: str) -> str:
    return "'" + v.replace("'", "''") + "'"


def _scoped_select(table: str, columns: list[str], scope: Scope, allowed: list[str] | None) -> str:
    masked = [c for c in columns if c in PERSONAL_COLUMNS and not scope.personal]
    select = "*" if not masked else "* REPLACE (" + ", ".join(
        f"{PERSONAL_COLUMNS[c].format(c=c)} AS {c}" for c in masked) + ")"
    where = "true"
    unit_col = next((c for c in UNIT_COLUMNS if c in columns), None)
    if table in IMPORT_TABLES:
        where = "true" if scope.imports else "false"
    elif unit_col is not None:
        if allowed is not None:
            where = f"{unit_col} IN ({', '.join(map(_quote, allowed)) or 'NULL'})"
    elif table not in PUBLIC_TABLES:
        where = "false"  # a table nobody has classified yet is nobody's to read
    return f"SELECT {select} FROM db.main.{table} WHERE {where}"


class ScopedSnapshot:
    """A snapshot seen through a reader's scope: same interface, every cursor scoped."""

    def __init__(self, base: Snapshot, scope: Scope):
        self.base = base
        self.scope = scope
        self.path = base.path
        self.file_id = base.file_id
        self.data_version = base.data_version
        self.published_at = base.published_at

    @property
    def scope_key(self) -> str:
        return self.scope.key

    @property
    def whole(self) -> Snapshot:
        return self.base

    def scoped(self, scope: Scope) -> "Snapshot | ScopedSnapshot":
        return self.base.scoped(scope)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.base.cursor(self.scope)

    df = Snapshot.df
    rows = Snapshot.rows


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
