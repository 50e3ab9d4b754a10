"""Read-only access to the published database, and named queries from `queries/`.

The server never opens the database read-write. Each snapshot is a fresh in-memory
DuckDB connection that ATTACHes the file READ_ONLY; when an import publishes a new
file (os.replace), the next `Database.snapshot()` notices the new file identity and
attaches it, while requests already running finish on the old snapshot (the old
inode stays readable until its last handle closes).
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from .config import QUERIES_DIR

if TYPE_CHECKING:
    import pandas as pd

_INCLUDE = re.compile(r"\{\{\s*([a-z0-9_]+)\s*\}\}")  # `{{ other }}`: a template include, not a parameter
_SLOT = re.compile(r"\$\{([a-z_]+)\}")  # `${table}`: an identifier of a per-table script (run_per_table)
_NAME = re.compile(r"[a-z][a-z0-9_]*")


class QueryError(RuntimeError):
    pass


@dataclass(frozen=True)
class Statement:
    """One statement of a query file and the named parameters (`$name`) it uses, as DuckDB's parser sees
    them: `;`, `--` and `$` inside string literals or comments are the parser's business, not a regex's."""
    text: str
    params: frozenset[str]

    def bind(self, params: dict[str, Any]) -> dict[str, Any]:
        missing = self.params - params.keys()
        if missing:
            raise QueryError(f"missing parameters: {', '.join(sorted(missing))}")
        return {k: params[k] for k in self.params}


def _check_name(name: str) -> Path:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise QueryError(f"invalid query name {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.exists():
        raise QueryError(f"no query named {name!r} in {QUERIES_DIR}")
    return path


# The queries that define the published tables: a file built by other versions of them needs `cchc upgrade`.
SCHEMA_QUERIES = ("schema", "merge_reference", "merge_staged", "build_daily", "build_calendar")


def schema_version() -> str:
    """A fingerprint of the published tables' definitions, stamped into `meta` at publication. A rewrite declared
    to build exactly the same tables (`queries/schema_same_tables.toml`) keeps the fingerprint it replaces."""
    version, same = _texts_fingerprint(), _same_tables()
    seen = set()
    while version in same and version not in seen:
        seen.add(version)
        version = same[version]
    return version


def _texts_fingerprint() -> str:
    return hashlib.sha256("\n".join(sql(q) for q in SCHEMA_QUERIES).encode()).hexdigest()[:16]


@functools.cache
def _same_tables() -> dict[str, str]:
    data = tomllib.loads((QUERIES_DIR / "schema_same_tables.toml").read_text(encoding="utf-8"))
    return {e["fingerprint"]: e["same_as"] for e in data.get("same", [])}


def schema_outdated(path: str | os.PathLike) -> bool:
    """Was the published file built by another version of the table definitions (an older release)?"""
    snap = Snapshot(Path(path))
    try:
        return snap.schema != schema_version()
    finally:
        snap.close()


@functools.cache
def sql(name: str, _depth: int = 0) -> str:
    """The text of `queries/<name>.sql` (names are identifiers, never paths).

    `{{ other }}` inside a query is replaced by the one statement of `queries/other.sql`, so a set
    of rows defined once (e.g. `late_set`) is listed, counted and broken down alike."""
    path = _check_name(name)
    if _depth > 5:
        raise QueryError(f"includes nested too deep at {name!r}")
    text = path.read_text(encoding="utf-8")
    return _INCLUDE.sub(lambda m: _included(m[1], _depth + 1), text)


def _included(name: str, depth: int) -> str:
    stmts = _parse(sql(name, depth))
    if len(stmts) != 1:
        raise QueryError(f"an included query must hold one statement: {name!r} has {len(stmts)}")
    return "\n" + stmts[0].text.rstrip().rstrip(";") + "\n"  # newline: a trailing comment ends before the rest


@functools.cache
def _parser() -> tuple[duckdb.DuckDBPyConnection, threading.Lock]:
    """An empty connection whose only use is DuckDB's parser (opened once; parsing needs no data)."""
    return duckdb.connect(":memory:"), threading.Lock()


@functools.cache
def _parse(text: str) -> tuple[Statement, ...]:
    con, lock = _parser()
    try:
        with lock:
            return tuple(Statement(s.query, frozenset(s.named_parameters)) for s in con.extract_statements(text))
    except duckdb.Error as exc:
        raise QueryError(str(exc)) from exc


def statements(name: str) -> tuple[Statement, ...]:
    return _parse(sql(name))


def run(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> duckdb.DuckDBPyConnection:
    """Run a one-statement query with its parameters bound (extra parameters are ignored)."""
    stmts = statements(name)
    if len(stmts) != 1:
        raise QueryError(f"{name!r} holds {len(stmts)} statements: use run_script")
    return con.execute(stmts[0].text, stmts[0].bind(params))


def run_script(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> None:
    """Run a multi-statement file (DDL), statement by statement."""
    for stmt in statements(name):
        con.execute(stmt.text, stmt.bind(params)).fetchall()


def run_per_table(con: duckdb.DuckDBPyConnection, name: str, idents: dict[str, str | tuple[str, ...]],
                  **params: Any) -> None:
    """Run a script written once for many tables (`staging`, `merge_reference`): its `${slot}`s are identifiers
    (a table to create or write, the columns to sort by), which no parameter can stand for. They are names from
    the fixed configuration (the input kinds), never from input: checked to be plain lower-case names, quoted,
    joined by commas when a slot takes several. Values, if any, are bound as parameters, as in `run_script`."""
    def fill(m: re.Match) -> str:
        if m[1] not in idents:
            raise QueryError(f"{name}: no identifier given for ${{{m[1]}}}")
        value = idents[m[1]]
        names = (value,) if isinstance(value, str) else tuple(value)
        if not names or not all(_NAME.fullmatch(n) for n in names):
            raise QueryError(f"{name}: ${{{m[1]}}} must be plain names, not {value!r}")
        return ", ".join(_ident(n) for n in names)

    for stmt in _parse(_SLOT.sub(fill, sql(name))):
        con.execute(stmt.text, stmt.bind(params)).fetchall()


def one(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> tuple:
    """The single row a query returns (fully fetched, so the connection is free again)."""
    rows = run(con, name, **params).fetchall()
    return rows[0] if rows else ()


def df(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame:
    return run(con, name, **params).df()


def output_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    """The columns a query returns (run with every parameter NULL: on an empty schema, instantly)."""
    stmt = statements(name)[-1]
    return [d[0] for d in con.execute(stmt.text, dict.fromkeys(stmt.params)).description]


# ----------------------------------------------------------------------------- snapshots
@dataclass(frozen=True)
class FileId:
    inode: int
    mtime_ns: int
    size: int

    @classmethod
    def of(cls, path: Path) -> FileId | None:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        return cls(st.st_ino, st.st_mtime_ns, st.st_size)


_UNIT_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


@dataclass(frozen=True)
class Scoping:
    """`queries/scoping.toml`: which tables are public, which are the import log, which column says a row's
    unit, which columns are personal and how they are masked."""
    public: frozenset[str]
    imports: frozenset[str]
    unit_column: dict[str, str]
    masked: dict[str, str]

    @classmethod
    @functools.cache
    def load(cls, path: Path | None = None) -> Scoping:
        data = tomllib.loads((path or QUERIES_DIR / "scoping.toml").read_text(encoding="utf-8"))
        return cls(frozenset(data.get("public", ())), frozenset(data.get("imports", ())),
                   dict(data.get("unit_column", {})), dict(data.get("masked", {})))

    def classified(self) -> set[str]:
        return set(self.public) | set(self.imports) | set(self.unit_column)


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
    """One published database file, attached read-only. Pages and metrics read it through a `Reader`
    (`reader.Reader`: scoped and memoised); `df`/`rows` here run a query unscoped and uncached."""

    def __init__(self, path: Path):
        self.path = path
        self.file_id = FileId.of(path)
        self._con = duckdb.connect(":memory:")
        run_script(self._con, "attach_snapshot", path=str(path))
        run_script(self._con, "use_snapshot")
        meta = dict(run(self._con, "meta").fetchall())
        self.data_version: str = meta.get("data_version", "0")
        self.published_at: str = meta.get("published_at", "")
        self.schema: str = meta.get("schema", "")  # SCHEMA_VERSION of the code that published it
        self._schemas: dict[str, str] = {}
        self._schema_lock = threading.Lock()

    def scoped(self, scope: Scope):
        """This snapshot as one reader sees it: a Reader (its own small cache)."""
        from .reader import Reader

        return Reader(self, scope)

    def cursor(self, scope: Scope = FULL) -> duckdb.DuckDBPyConnection:
        """A connection for one thread/request (DuckDB connections are not shared).
        With a scope, unqualified table names resolve to views that hold only the permitted rows."""
        cur = self._con.cursor()
        if scope.full:
            run_script(cur, "use_snapshot")
        else:
            run_script(cur, "use_scope", search_path=f"memory.{self._scope_schema(scope)},db.main")
        return cur

    def _scope_schema(self, scope: Scope) -> str:
        """One schema of views per scope, built once per snapshot. Every table of the database gets a
        view: filtered by unit where it has a unit column, masked where it holds personal data, empty
        where the table is not classified in `queries/scoping.toml` (default deny). The reader's units
        are a table of that schema, filled with bound parameters; only identifiers are spelled out."""
        with self._schema_lock:
            if scope.key in self._schemas:
                return self._schemas[scope.key]
            name = f"s{len(self._schemas) + 1}"
            con = self._con.cursor()
            try:
                run_script(con, "use_snapshot")
                cols: dict[str, list[str]] = {}
                for table, column in run(con, "snapshot_columns").fetchall():
                    cols.setdefault(table, []).append(column)
                con.execute(f"CREATE SCHEMA {_ident('memory', name)}")
                if scope.units is not None:
                    rows = run(con, "scope_units", units=sorted(scope.units)).fetchall()
                    allowed = sorted({r[0] for r in rows} | set(scope.units))
                    con.execute(f"CREATE TABLE {_ident('memory', name, '_allowed_units')} (unit_code VARCHAR)")
                    con.execute(f"INSERT INTO {_ident('memory', name, '_allowed_units')} SELECT unnest($units)",
                                {"units": allowed})
                for table, columns in cols.items():
                    con.execute(f"CREATE VIEW {_ident('memory', name, table)} AS "
                                f"{_scoped_select(name, table, columns, scope, Scoping.load())}")
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


def _ident(*parts: str) -> str:
    """A qualified identifier, each part quoted (table and column names come from the database's catalogue)."""
    return ".".join('"' + p.replace('"', '""') + '"' for p in parts)


def _scoped_select(schema: str, table: str, columns: list[str], scope: Scope, rules: Scoping) -> str:
    masked = [c for c in columns if c in rules.masked and not scope.personal]
    select = "*" if not masked else "* REPLACE (" + ", ".join(
        f"{rules.masked[c].format(c=_ident(c))} AS {_ident(c)}" for c in masked) + ")"
    unit_col = rules.unit_column.get(table)
    if table in rules.imports:
        where = "true" if scope.imports else "false"
    elif unit_col is not None and unit_col in columns:
        where = "true" if scope.units is None else \
            f"{_ident(unit_col)} IN (SELECT unit_code FROM {_ident('memory', schema, '_allowed_units')})"
    elif table in rules.public:
        where = "true"
    else:
        where = "false"  # a table nobody has classified yet is nobody's to read
    return f"SELECT {select} FROM {_ident('db', 'main', table)} WHERE {where}"


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
