"""Validate and load inputs into a new database file, then publish it atomically.

A batch never writes to the published database: it builds `<db>.building-*` next to
it (copying the published tables in), loads every file, merges, stamps a new data
version and `os.replace`s the file. Readers keep the snapshot they have open and
see the new one when they re-attach. If anything fails, the temporary file is
removed and the published database is untouched.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from .. import audit
from .. import db as dbq
from ..config import ENUMS, KIND_BY_NAME, KPIS, InputKind
from .read import MAX_LINE_CHARS, XLSX_LINE_COLUMN, Source, UnreadableFile, fold, open_source


@dataclass
class FileResult:
    file: str
    kind: str
    encoding: str
    rows_read: int
    accepted: int
    rejected: int
    warnings: list[str] = field(default_factory=list)
    sha256: str = ""

    def line(self) -> str:
        return (f"{self.file}: {KIND_BY_NAME[self.kind].label} ({self.encoding}) — đọc {self.rows_read:,} dòng, "
                f"nhận {self.accepted:,}, loại {self.rejected:,}").replace(",", ".")


def _enum_aliases() -> pd.DataFrame:
    rows = [(kind, fold(alias).replace(" ", "_"), value)
            for kind, values in ENUMS.items() for value, aliases in values.items() for alias in (value, *aliases)]
    # comparators are symbols: fold() would erase them, keep them literally too
    rows += [("comparator", alias, value) for value, aliases in ENUMS["comparator"].items() for alias in aliases]
    return pd.DataFrame(rows, columns=["kind", "alias", "value"]).drop_duplicates(["kind", "alias"])


def _template(kind: InputKind) -> pd.DataFrame:
    cols = [c.name for c in kind.columns] + [XLSX_LINE_COLUMN]
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols}).astype("string")


class Batch:
    """One import: files and/or trusted frames in, one new published database out.

    Use it as a context manager: leaving the block publishes; an exception inside it (an unreadable file, a
    failed query, Ctrl-C) aborts, removes the half-built file and leaves the published database untouched."""

    def __init__(self, db_path: str | os.PathLike, *, fresh: bool = False, imported_by: str | None = None):
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        # One import at a time per database, across processes (CLI, web workers): two batches copying the
        # same old file would each publish without the other's rows. Waits for the running one to finish.
        self._lock_fd = os.open(self.db_path.with_name(f".{self.db_path.name}.import-lock"), os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        # Under the lock no other batch is building: leftovers are from a killed import (kill -9, power loss).
        for stale in self.db_path.parent.glob(f".{self.db_path.name}.building-*"):
            stale.unlink(missing_ok=True)
        self.tmp_path = self.db_path.with_name(f".{self.db_path.name}.building-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        self.imported_by = imported_by or audit.os_user()
        self.results: list[FileResult] = []
        self._tmpdir = tempfile.TemporaryDirectory(prefix="cchc-ingest-")
        self.workdir = Path(self._tmpdir.name)
        self.con = duckdb.connect(str(self.tmp_path))
        try:
            dbq.run_script(self.con, "schema")
            if not fresh and self.db_path.exists():
                dbq.run_script(self.con, "attach_old", path=str(self.db_path))
                dbq.run_script(self.con, "copy_old")
                dbq.run_script(self.con, "detach_old")
            self.con.register("_enum_alias", _enum_aliases())
            self.con.register("_kpis", pd.DataFrame({"name": [k.name for k in KPIS]}))
            dbq.run_script(self.con, "ingest_macros")
            dbq.run_script(self.con, "staging")
            self.seq = int(dbq.one(self.con, "next_import_seq")[0])
        except BaseException:
            self.abort()
            raise

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.publish()
        else:
            self.abort()

    # -- loading ---------------------------------------------------------------
    def add_source(self, src: Source) -> FileResult:
        con, seq, name = self.con, self.seq, src.path.name
        self.seq += 1
        con.register("_template", _template(src.kind))
        dbq.run_script(con, "read_csv_raw", path=str(src.csv_path), skip=src.skip, names=src.names,
                       delim=src.delimiter)
        n_records = int(dbq.one(con, "raw_count")[0])
        bad_lines = int(dbq.one(con, "csv_error_lines")[0])
        dbq.run_script(con, "raw_lines", first_line=src.header_line + 1, n_records=n_records)
        if src.oversize:
            con.register("_oversize", pd.DataFrame(src.oversize, columns=["line", "chars"]))
            dbq.run_script(con, "oversize_rejects", seq=seq, file_name=src.path.name, kind=src.kind.name,
                           limit=MAX_LINE_CHARS)
        con.register("_headers", pd.DataFrame({"canonical": list(src.labels), "label": list(src.labels.values())}))
        params = dict(seq=seq, file_name=name, kind=src.kind.name)
        if bad_lines:
            dbq.run_script(con, "csv_errors", **params)
        dbq.run_script(con, f"check_{src.kind.name}", seq=seq, file_name=name)
        records, accepted, rejected = dbq.one(con, "checked_counts")
        dbq.run_script(con, "insert_rejects", **params)
        extra = bad_lines + len(src.oversize)
        result = FileResult(name, src.kind.name, src.encoding, int(records) + extra, int(accepted),
                            int(rejected) + extra, list(src.warnings), src.sha256 or "")
        dbq.run_script(con, "record_import", seq=seq, file_name=name, file_path=str(src.path.resolve()),
                       sha256=src.sha256, kind=src.kind.name, encoding=src.encoding, rows_read=result.rows_read,
                       accepted=result.accepted, rejected=result.rejected, imported_at=_now(),
                       imported_by=self.imported_by)
        self.results.append(result)
        return result

    def add_frame(self, kind: str, frame: pd.DataFrame, label: str) -> None:
        """Trusted rows (the demo generator): straight into the staging table."""
        table = f"staged_{KIND_BY_NAME[kind].name}"
        cols = self.con.table(table).columns
        frame = frame.copy()
        frame["import_seq"] = self.seq
        if kind == "dossiers":
            frame["source_file"] = label
            frame["source_line"] = pd.RangeIndex(2, len(frame) + 2)
        self.con.from_df(frame[cols]).insert_into(table)

    def record_frames(self, label: str, rows: int) -> None:
        dbq.run_script(self.con, "record_import", seq=self.seq, file_name=label, file_path=None, sha256=None,
                       kind="demo", encoding=None, rows_read=rows, accepted=rows, rejected=0,
                       imported_at=_now(), imported_by=self.imported_by)
        self.seq += 1

    def set_setting(self, key: str, value: str) -> None:
        dbq.run_script(self.con, "set_setting", key=key, value=value)

    # -- publishing --------------------------------------------------------------
    def publish(self) -> str:
        try:
            dbq.run_script(self.con, "merge_staged")
            dbq.run_script(self.con, "build_calendar")
            dbq.run_script(self.con, "build_daily")
            version = f"{dt.datetime.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
            dbq.run_script(self.con, "set_meta", data_version=version, published_at=_now().isoformat())
            dbq.run_script(self.con, "checkpoint")
            self.con.close()
            _fsync(self.tmp_path)
            os.replace(self.tmp_path, self.db_path)
            _fsync(self.db_path.parent)
            return version
        except BaseException:
            self.abort()
            raise
        finally:
            self._tmpdir.cleanup()
            self._unlock()

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def abort(self) -> None:
        try:
            self.con.close()
        except Exception:
            pass
        for p in (self.tmp_path, Path(str(self.tmp_path) + ".wal")):
            p.unlink(missing_ok=True)
        self._tmpdir.cleanup()
        self._unlock()


def ingest(paths: list[str | os.PathLike], db_path: str | os.PathLike, imported_by: str | None = None,
           via: str = "cli") -> list[FileResult]:
    """Load files (any kind, detected) and publish. A file that cannot be read at all
    raises UnreadableFile before anything is published. Every import, published or not, goes to the
    audit log next to the database (file, SHA-256, counts, who, `via` web or cli)."""
    who = imported_by or audit.os_user()
    log = audit.path_for(db_path)
    try:
        with Batch(db_path, imported_by=who) as batch:
            sources = [open_source(p, batch.workdir) for p in paths]  # every file readable before any is loaded
            for src in sources:
                batch.add_source(src)
    except Exception as exc:
        reason = str(exc)[:300] if isinstance(exc, UnreadableFile) else type(exc).__name__
        audit.record("import_failed", who, log, files=[Path(p).name for p in paths], reason=reason, via=via)
        raise
    for r in batch.results:
        audit.record("import", who, log, file=r.file, sha256=r.sha256, kind=r.kind, rows_read=r.rows_read,
                     accepted=r.accepted, rejected=r.rejected, via=via)
    return batch.results


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["Batch", "FileResult", "UnreadableFile", "ingest"]
