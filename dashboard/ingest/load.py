"""Validate and load inputs into a new database file, then publish it atomically.

A batch never writes to the published database: it builds `<db>.building-*` next to
it (copying the published tables in), loads every file, merges, stamps a new data
version and `os.replace`s the file. Readers keep the snapshot they have open and
see the new one when they re-attach. If anything fails, the temporary file is
removed and the published database is untouched.
"""

from __future__ import annotations

import contextlib

import datetime as dt
import fcntl
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from .. import audit
from .. import db as dbq
from ..tempdirs import ingest_dir
from ..config import ENUMS, INPUT_KINDS, KIND_BY_NAME, KPIS, PARTIAL_REJECT_SHARE, InputKind
from .profiles import Profile, fold, fold_key, load_profiles
from .boundaries import KIND as BOUNDARIES
from .boundaries import LABEL as BOUNDARIES_LABEL
from .boundaries import GeoSource, is_geojson, read_geojson
from .boundaries import refusal as boundary_refusal
from .read import MAX_LINE_CHARS, XLSX_LINE_COLUMN, Source, UnreadableFile, check_path, open_source
from ..metrics.targets import target_problem
from .resolve import lookups


class ImportFailed(UnreadableFile):
    """The machine could not complete the import (disk full, no permission, out of memory): nothing is published,
    the message names the files and the cause."""


def _failure(paths, exc: BaseException) -> str:
    import errno

    names = ", ".join(Path(p).name for p in paths)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if getattr(exc, "errno", None) == errno.ENOSPC or "No space left" in text or "disk is full" in text.lower():
        why = "hết chỗ trên đĩa"
    elif isinstance(exc, PermissionError) or "Permission denied" in text:
        why = "không có quyền ghi"
    elif isinstance(exc, (duckdb.OutOfMemoryException, MemoryError)):
        why = "hết bộ nhớ"
    else:
        why = "lỗi đọc/ghi"
    return f"{names}: {why} khi dựng cơ sở dữ liệu mới ({text[:200]})"


class PartialRefused(UnreadableFile):
    """A file would reject more than PARTIAL_REJECT_SHARE of its rows: nothing is published without
    accept_partial (the message names the file, the share and the top reasons)."""


# The tables a batch writes (each collects the batch's rows in `staged_<table>` first), with the key for which the
# later import wins and the order a reference table is stored in: the input kinds (dashboard/input_kinds.csv) and
# the boundaries (a unit's boundary: the newest file's). No order: the dossiers, merged by merge_staged.sql.
STAGED: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    *((k.name, k.key, k.order) for k in INPUT_KINDS), (BOUNDARIES, ("unit_code",), ("unit_code",)))


def kind_label(kind: str) -> str:
    """The Vietnamese name of an input kind (the tabular ones of config, and the GeoJSON boundaries)."""
    return BOUNDARIES_LABEL if kind == BOUNDARIES else KIND_BY_NAME[kind].label


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
    skipped: int = 0
    profile: str = ""
    profile_label: str = ""
    mapping: list[tuple[str, str]] = field(default_factory=list)  # (file header, contract column)
    version_rule: str = ""
    timeliness_mismatch: int = 0
    top_rejects: list[dict] = field(default_factory=list)  # {reason, n, line, example}
    top_skips: list[dict] = field(default_factory=list)
    header_rows: int = 1
    title_unit: str | None = None
    import_seq: int = 0
    conflicts: int = 0  # rows not applied: they would move a completed dossier back to open (`cchc conflicts`)

    def counts(self) -> dict[str, int | str]:
        """The file's kind, row counts and profile, as the import log (`record_import`) and the audit log name them."""
        return {
            "kind": self.kind,
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "profile": self.profile,
        }

    def line(self) -> str:
        skipped = f", bỏ qua {_n(self.skipped)}" if self.skipped else ""
        return (
            f"{self.file}: {kind_label(self.kind)} ({self.encoding}) — đọc {_n(self.rows_read)} dòng, "
            f"nhận {_n(self.accepted)}, loại {_n(self.rejected)}{skipped}"
        )

    @property
    def reject_share(self) -> float:
        """Rejected among the data rows (accepted + rejected): skipped rows (titles, totals, signatures, blank
        lines) are not data, so a file with a long footer is judged by its records alone."""
        data_rows = self.accepted + self.rejected
        return self.rejected / data_rows if data_rows else 0.0

    def details(self) -> list[str]:
        """The preview's lines: profile, header mapping, the version rule, top reasons with an example line."""
        out = [
            f"mẫu: {self.profile_label} [{self.profile}]"
            + (f", tiêu đề {self.header_rows} dòng" if self.header_rows > 1 else "")
        ]
        if self.title_unit:
            out.append(f"đơn vị (tiêu đề tệp): {self.title_unit}")
        if self.mapping:
            out.append("cột: " + "; ".join(f"«{h}» → {c}" for h, c in self.mapping))
        if self.version_rule:
            out.append(f"phiên bản dòng: {self.version_rule}")
        for r in self.top_rejects:
            out.append(f"loại {_n(r['n'])} dòng: {r['reason']} (vd. dòng {r['line']})")
        for r in self.top_skips:
            out.append(f"bỏ qua {_n(r['n'])} dòng: {r['reason']} (vd. dòng {r['line']})")
        if self.conflicts:
            out.append(
                f"không áp dụng {_n(self.conflicts)} dòng: sẽ đưa hồ sơ đã có kết quả về chưa giải quyết "
                "(xem `cchc conflicts`)"
            )
        if self.timeliness_mismatch:
            out.append(
                f"cảnh báo: {_n(self.timeliness_mismatch)} dòng ghi «Tình trạng» trái với ngày hẹn / ngày có kết quả "
                "(vẫn nhận, tính theo ngày)"
            )
        return out


def _enum_aliases() -> pd.DataFrame:
    rows = [
        (kind, fold(alias).replace(" ", "_"), value)
        for kind, values in ENUMS.items()
        for value, aliases in values.items()
        for alias in (value, *aliases)
    ]
    # comparators are symbols: fold() would erase them, keep them literally too
    rows += [("comparator", alias, value) for value, aliases in ENUMS["comparator"].items() for alias in aliases]
    return pd.DataFrame(rows, columns=["kind", "alias", "value"]).drop_duplicates(["kind", "alias"])


# the contract's own status values and the finer status each one means when a file writes it
_CONTRACT_STATUS_DETAIL = {
    "dang_xu_ly": "dang_xu_ly",
    "tam_dung": "cho_bo_sung",
    "tra_lai": "tra_lai",
    "rut": "rut",
    "da_giai_quyet": None,
}


def _vocabulary(profile: Profile) -> pd.DataFrame:
    """(kind, alias, value, detail) for channel, status and timeliness: the profile's words first (profiles/
    _base.toml and its own), then the contract's enum spellings (config.ENUMS)."""
    rows = [("channel", alias, value, None) for alias, value in profile.vocabulary.get("channel", {}).items()]
    rows += [
        ("channel", fold_key(a), value, None) for value, aliases in ENUMS["channel"].items() for a in (value, *aliases)
    ]
    rows += [
        ("status", fold_key(str(w)), st["form"], detail)
        for detail, st in profile.statuses.items()
        for w in st.get("words", [])
    ]
    rows += [
        ("status", fold_key(a), value, _CONTRACT_STATUS_DETAIL[value])
        for value, aliases in ENUMS["status"].items()
        for a in (value, *aliases)
    ]
    rows += [("timeliness", alias, value, None) for alias, value in profile.timeliness.items()]
    return (
        pd.DataFrame(rows, columns=["kind", "alias", "value", "detail"])
        .drop_duplicates(["kind", "alias"])
        .astype(object)
    )


def _template(kind: InputKind) -> pd.DataFrame:
    cols = [c.name for c in kind.columns] + [XLSX_LINE_COLUMN]
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols}).astype("string")


class Batch:
    """One import: files and/or trusted frames in, one new published database out.

    Use it as a context manager: leaving the block publishes; an exception inside it (an unreadable file, a
    failed query, Ctrl-C) aborts, removes the half-built file and leaves the published database untouched."""

    def __init__(self, db_path: str | os.PathLike, *, fresh: bool = False, imported_by: str | None = None):
        self.db_path = Path(db_path)
        self.now = _now()  # the import moment: dates after it are typos, rows without a version get it
        self.profiles = load_profiles(self.db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        # One import at a time per database, across processes (CLI, web workers): two batches copying the
        # same old file would each publish without the other's rows. Waits for the running one to finish.
        self._lock_fd = os.open(
            self.db_path.with_name(f".{self.db_path.name}.import-lock"), os.O_RDWR | os.O_CREAT, 0o600
        )
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        # Under the lock no other batch is building: leftovers are from a killed import (kill -9, power loss).
        for stale in self.db_path.parent.glob(f".{self.db_path.name}.building-*"):
            stale.unlink(missing_ok=True)
        self.tmp_path = self.db_path.with_name(f".{self.db_path.name}.building-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        self.imported_by = imported_by or audit.os_user()
        self._aborted = False
        self.results: list[FileResult] = []
        self._tmpdir = ingest_dir()
        self.workdir = Path(self._tmpdir.name)
        self.con = duckdb.connect(str(self.tmp_path))
        try:
            dbq.run_script(self.con, "schema")
            if not fresh and self.db_path.exists():
                dbq.run_script(self.con, "attach_old", path=str(self.db_path))
                dbq.run_script(self.con, "copy_old")
                old_tables = {r[0] for r in dbq.run(self.con, "copy_old_tables").fetchall()}
                # tables added after the first published versions
                later = ("skipped", "conflicts", "portal_results", "petitions", "unit_changes", "events", "closures",
                         "boundaries")
                for table in later:
                    if table in old_tables:
                        dbq.run_script(self.con, f"copy_old_{table}")
                dbq.run_script(self.con, "detach_old")
            self.con.register("_enum_alias", _enum_aliases())
            self.con.register("_kpis", pd.DataFrame({"name": [k.name for k in KPIS]}))
            # one rule for a target, on input and where pages read it (metrics.targets.target_problem)
            self.con.create_function(
                "_target_problem",
                target_problem,
                ["VARCHAR", "VARCHAR", "DOUBLE"],
                "VARCHAR",
                null_handling="special",
                side_effects=False,
            )
            dbq.run_script(self.con, "ingest_macros")
            for table, _key, _order in STAGED:
                dbq.run_per_table(self.con, "staging", {"table": table, "staged": f"staged_{table}"})
            dbq.run_script(self.con, "known_units_view")
            self.seq = int(dbq.one(self.con, "next_import_seq")[0])
        except BaseException:
            self.abort()
            raise

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None and not self._aborted:
            self.publish()
        else:
            self.abort()

    # -- loading ---------------------------------------------------------------
    def open(self, path: str | os.PathLike) -> Source | GeoSource:
        if is_geojson(check_path(path)):
            return read_geojson(path)  # the `boundaries` kind: a GeoJSON, not a table (ingest/boundaries.py)
        return open_source(path, self.workdir, self.profiles, self.now)

    def add_boundaries(self, src: GeoSource) -> FileResult:
        """A boundaries GeoJSON: loaded whole, or refused whole with every problem's feature, line and column."""
        known = {r[0] for r in dbq.run(self.con, "known_unit_codes").fetchall()}
        problem = boundary_refusal(src, known)
        if problem:
            raise UnreadableFile(problem)
        seq, n = self.seq, len(src.features)
        self.seq += 1
        frame = pd.DataFrame(
            {
                "unit_code": [f.unit_code for f in src.features],
                "unit_name": [f.unit_name for f in src.features],
                "geometry": [f.geometry for f in src.features],
                "import_seq": seq,
            }
        )
        self.con.from_df(frame).insert_into("staged_boundaries")
        result = FileResult(src.path.name, BOUNDARIES, src.encoding, n, n, 0, sha256=src.sha256, import_seq=seq)
        dbq.run_script(
            self.con, "record_import", seq=seq, file_name=result.file, file_path=str(src.path.resolve()),
            sha256=src.sha256, kind=BOUNDARIES, encoding=src.encoding, rows_read=n, accepted=n, rejected=0,
            imported_at=self.now, imported_by=self.imported_by, skipped=0, profile=None, version_rule=None, warnings=0,
        )
        self.results.append(result)
        return result

    def _read_raw(self, src: Source) -> tuple[Source, int]:
        """Load the file's records into `raw`, each numbered with its line (`raw_numbered`); returns the source
        (read again through the csv module alone if its plain lines did not read as expected) and how many lines
        DuckDB could not parse in the clean copy."""
        con, name = self.con, src.path.name
        con.register("_template", _template(src.kind))
        dbq.run_script(con, "read_csv_raw", path=str(src.csv_path), skip=src.skip, names=src.names, delim=src.delimiter)
        n_records = int(dbq.one(con, "raw_count")[0])
        if src.records is not None and n_records != src.records:  # never lose a row silently
            raise UnreadableFile(
                f"{name}: đọc được {n_records} bản ghi thay vì {src.records} (ô chứa ký tự điều khiển?): không nạp"
            )
        bad_lines = int(dbq.one(con, "csv_error_lines")[0])
        if src.plain_path is not None:
            try:
                dbq.run_script(
                    con, "read_csv_plain", path=str(src.plain_path), names=src.names[:-1], delim=src.plain_delimiter
                )
                plain = int(dbq.one(con, "raw_plain_count")[0])
            except duckdb.Error:
                plain = -1
            if plain != len(src.plain_lines):  # never trust a plain read that does not add up: the slow, sure way
                return self._read_raw(open_source(src.path, self.workdir, self.profiles, self.now, plain_ok=False))
        con.register("_plain_lines", pd.DataFrame({"line": pd.Series(src.plain_lines, dtype="int64")}))
        dbq.run_script(con, "raw_lines")
        return src, bad_lines

    def add_source(self, src: Source | GeoSource) -> FileResult:
        if isinstance(src, GeoSource):
            return self.add_boundaries(src)
        src, bad_lines = self._read_raw(src)
        con, seq, name = self.con, self.seq, src.path.name
        self.seq += 1
        profile = src.profile
        con.register("_blank_lines", pd.DataFrame({"line": pd.Series(src.blank_lines, dtype="int64")}))
        if src.oversize:
            con.register("_oversize", pd.DataFrame(src.oversize, columns=["line", "chars"]))
            dbq.run_script(
                con, "oversize_rejects", seq=seq, file_name=src.path.name, kind=src.kind.name, limit=MAX_LINE_CHARS
            )
        con.register("_headers", pd.DataFrame({"canonical": list(src.labels), "label": list(src.labels.values())}))
        params = dict(seq=seq, file_name=name, kind=src.kind.name)
        if bad_lines:
            dbq.run_script(con, "csv_errors", **params)
        if src.structure:
            con.register("_structure", pd.DataFrame(src.structure, columns=["line", "reason", "column_name", "header"]))
            dbq.run_script(con, "structure_rejects", **params)
        version_rule = ""
        if src.kind.name == "dossiers":
            version_rule, short_bad = self._check_dossiers(src, seq, name)
        else:
            short_bad = self._short_rows(src, params, classified=False)
            dbq.run_script(con, f"check_{src.kind.name}", seq=seq, file_name=name)
            dbq.run_script(con, "checked_plain")
        records, accepted, rejected, skipped, mismatched = dbq.one(con, "checked_counts")
        dbq.run_script(con, "insert_rejects", **params)
        dbq.run_script(con, "insert_skipped", **params)
        extra = bad_lines + len(src.oversize) + len(src.structure) + short_bad
        top = dbq.df(con, "checked_top_reasons")
        result = FileResult(
            name,
            src.kind.name,
            src.encoding,
            int(records) + extra + len(src.blank_lines),
            int(accepted),
            int(rejected) + extra,
            list(src.warnings),
            src.sha256 or "",
            skipped=int(skipped) + len(src.blank_lines),
            profile=profile.name if profile else "",
            profile_label=profile.label if profile else "",
            mapping=[(label, canon) for canon, label in src.labels.items()],
            version_rule=version_rule,
            timeliness_mismatch=int(mismatched),
            top_rejects=top[top.what == "reject"].drop(columns="what").to_dict("records"),
            top_skips=top[top.what == "skip"].drop(columns="what").to_dict("records"),
            header_rows=src.header_rows,
            title_unit=src.title.unit,
            import_seq=seq,
        )
        structure = sorted([s[0] for s in src.structure] + [ln for ln, _ in src.oversize])
        if bad_lines:
            structure.append(int(dbq.one(con, "csv_first_error_line")[0]))
        if short_bad:
            structure.append(int(dbq.one(con, "short_first_line")[0]))
        if structure:
            result.top_rejects.insert(
                0,
                {
                    "reason": "dòng sai cấu trúc CSV",
                    "n": bad_lines + len(src.structure) + len(src.oversize) + short_bad,
                    "line": min(structure),
                    "example": "",
                },
            )
        if src.blank_lines:
            blank = next((r for r in result.top_skips if r["reason"] == "dòng trống"), None)
            if blank:
                blank.update(n=blank["n"] + len(src.blank_lines), line=min(blank["line"], src.blank_lines[0]))
            else:
                result.top_skips.append(
                    {"reason": "dòng trống", "n": len(src.blank_lines), "line": src.blank_lines[0], "example": ""}
                )
        dbq.run_script(
            con,
            "record_import",
            seq=seq,
            file_name=name,
            file_path=str(src.path.resolve()),
            sha256=src.sha256,
            encoding=src.encoding,
            **result.counts(),
            imported_at=self.now,
            imported_by=self.imported_by,
            version_rule=version_rule or None,
            warnings=result.timeliness_mismatch,
        )
        self.results.append(result)
        return result

    def _short_rows(self, src: Source, params: dict, classified: bool) -> int:
        """Reject the records with fewer cells than the header that are not skipped rows; returns how many."""
        if not src.short:
            return 0
        if not classified:
            dbq.run_script(self.con, "class_none")
        self.con.register("_short", pd.DataFrame(src.short, columns=["line", "cells"]))
        dbq.run_script(self.con, "short_rows", width=len(src.names) - 1, **params)
        return int(dbq.one(self.con, "short_count")[0])

    def _check_dossiers(self, src: Source, seq: int, name: str) -> tuple[str, int]:
        """Classify non-record rows, resolve names into codes, validate; returns the version rule in words and
        how many short records were rejected."""
        con, profile = self.con, src.profile
        skip, dates = profile.skip, profile.dates
        words = lambda xs: [fold_key(x) for x in xs]  # noqa: E731
        dbq.run_script(
            con,
            "classify_rows",
            total_words=words(skip.get("totals", [])),
            signature_words=words(skip.get("signatures", [])),
            field_prefixes=words(profile.groups.get("field_prefixes", [])),
            procedure_prefixes=words(profile.groups.get("procedure_prefixes", [])),
            dated_footer=bool(skip.get("dated_footer", True)),
            column_numbers=bool(skip.get("column_numbers", True)),
        )
        short_bad = self._short_rows(src, dict(seq=seq, file_name=name, kind=src.kind.name), classified=True)
        has_groups = int(dbq.one(con, "group_count")[0]) > 0
        dbq.run_script(con, "group_context" if has_groups else "group_context_none")
        dbq.run_script(con, "catalogue_view")
        title_unit = src.title.unit
        values = dbq.df(con, "resolve_values", title_unit=title_unit)
        catalogues = (
            dbq.df(con, "resolve_catalogues")
            if len(values)
            else pd.DataFrame(columns=["what", "code", "name", "field"])
        )
        con.register("_lookup", lookups(values, catalogues, profile))
        con.register("_vocab", _vocabulary(profile))
        lo = dt.datetime.fromisoformat(str(dates.get("not_before", "2000-01-01")))
        hi = self.now + dt.timedelta(hours=float(dates.get("future_tolerance_hours", 24)))
        due_hi = self.now + dt.timedelta(days=float(dates.get("due_horizon_days", 1830)))
        export_at = src.title.export_at
        dbq.run_script(
            con,
            "check_dossiers",
            seq=seq,
            file_name=name,
            now=self.now,
            lo=lo,
            hi=hi,
            due_hi=due_hi,
            title_unit=title_unit,
            default_channel=profile.defaults.get("channel"),
            export_at=export_at,
            due_eod=dates.get("due_date_only", "end_of_day") == "end_of_day",
        )
        if "updated_at" in src.labels:
            rule = f"cột «{src.labels['updated_at']}» của từng dòng; dòng để trống lấy "
        else:
            rule = "tệp không có cột ngày cập nhật: mọi dòng lấy "
        if export_at:
            rule += f"ngày xuất của tệp {export_at:%d/%m/%Y %H:%M} (từ {src.title.export_from})"
        else:
            rule += (
                f"thời điểm nạp {self.now:%d/%m/%Y %H:%M} (tệp không ghi ngày xuất); dòng chưa giải quyết như vậy "
                "không ghi đè hồ sơ đã có kết quả (xem `cchc conflicts`)"
            )
        return rule, short_bad

    def add_frame(self, kind: str, frame: pd.DataFrame, label: str) -> None:
        """Trusted rows (the demo generator): straight into the staging table."""
        table = f"staged_{KIND_BY_NAME[kind].name}"
        cols = self.con.table(table).columns
        frame = frame.copy()
        for col in cols:  # columns added to the schema later (status_detail, version_at…) stay empty
            if col not in frame.columns:
                frame[col] = None
        frame["import_seq"] = self.seq
        if kind == "dossiers":
            frame["source_file"] = label
            frame["source_line"] = pd.RangeIndex(2, len(frame) + 2)
        self.con.from_df(frame[cols]).insert_into(table)

    def record_frames(self, label: str, rows: int) -> None:
        dbq.run_script(
            self.con,
            "record_import",
            seq=self.seq,
            file_name=label,
            file_path=None,
            sha256=None,
            kind="demo",
            encoding=None,
            rows_read=rows,
            accepted=rows,
            rejected=0,
            imported_at=_now(),
            imported_by=self.imported_by,
            skipped=0,
            profile=None,
            version_rule=None,
            warnings=0,
        )
        self.seq += 1

    def set_setting(self, key: str, value: str) -> None:
        check_setting(key, value)
        dbq.run_script(self.con, "set_setting", key=key, value=value)

    def add_closure(self, record: dict, frozen: pd.DataFrame) -> None:
        """Close a period (chốt số liệu): its record and the form's frozen unit × field counts (closing.py)."""
        self.con.register("_closing", frozen)
        try:
            dbq.run_script(self.con, "closure_insert", **record)
        finally:
            self.con.unregister("_closing")

    def next_closure_seq(self) -> int:
        return int(dbq.one(self.con, "closure_next_seq")[0])

    def reopen_closure(self, period: str, by: str, reason: str) -> None:
        dbq.run_script(self.con, "closure_reopen", period=period, reopened_at=self.now, reopened_by=by, reason=reason)

    # -- publishing --------------------------------------------------------------
    def _count_conflicts(self) -> None:
        if not self.results:
            return
        first = min(r.import_seq for r in self.results)
        found = dict(dbq.run(self.con, "conflicts_by_import", first_seq=first).fetchall())
        for r in self.results:
            r.conflicts = int(found.get(r.import_seq, 0))

    def preview_merge(self) -> None:
        """The dry run: merge into the throw-away building file to count what would not apply, publish nothing."""
        self._merge()
        self._count_conflicts()

    def _merge(self) -> None:
        """Fold the batch's staged rows into the tables: each reference table by its key, then the dossiers."""
        for table, key, order in STAGED:
            if order:
                dbq.run_per_table(self.con, "merge_reference",
                                  {"table": table, "staged": f"staged_{table}", "key": key, "order": order})
        dbq.run_script(self.con, "merge_staged")

    def publish(self) -> str:
        try:
            self._merge()
            self._count_conflicts()
            dbq.run_script(self.con, "build_calendar")
            dbq.run_script(self.con, "build_daily")
            version = f"{dt.datetime.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
            dbq.run_script(
                self.con, "set_meta", data_version=version, published_at=_now().isoformat(), schema=dbq.schema_version()
            )
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
        self._aborted = True
        with contextlib.suppress(Exception):
            self.con.close()
        for p in (self.tmp_path, Path(str(self.tmp_path) + ".wal")):
            p.unlink(missing_ok=True)
        self._tmpdir.cleanup()
        self._unlock()


def ingest(
    paths: list[str | os.PathLike],
    db_path: str | os.PathLike,
    imported_by: str | None = None,
    via: str = "cli",
    *,
    dry_run: bool = False,
    accept_partial: bool = False,
) -> list[FileResult]:
    """Load files (any kind and layout, detected) and publish. A file that cannot be read at all raises
    UnreadableFile before anything is published. A file that would reject too many of its rows
    (`partial_refused`, the one rule of the CLI and the web page) raises PartialRefused unless `accept_partial`.
    `dry_run` checks everything and publishes nothing: the results are the preview. Every import, published or
    not, goes to the audit log next to the database (file, SHA-256, counts, who, `via` web or cli)."""
    who = imported_by or audit.os_user()
    log = audit.path_for(db_path)
    try:
        for p in paths:  # a missing file, a directory, a FIFO or a device: refused before the import lock
            check_path(p)
        try:
            batch = Batch(db_path, imported_by=who)
        except (OSError, duckdb.IOException, duckdb.OutOfMemoryException) as exc:
            raise ImportFailed(_failure(paths, exc)) from exc
        with batch:
            sources = [batch.open(p) for p in paths]  # every file readable before any is loaded
            for src in sources:
                batch.add_source(src)
            too_many = [r for r in batch.results if partial_refused(r, via)]
            if too_many and not accept_partial and not dry_run:
                raise PartialRefused("; ".join(refusal_line(r) for r in too_many))
            if dry_run:
                batch.preview_merge()
                batch.abort()
                return batch.results
    except (OSError, duckdb.IOException, duckdb.OutOfMemoryException) as exc:
        # the machine, not the file: disk full, a read-only folder, out of memory while loading
        if not dry_run:
            audit.record("import_failed", who, log, files=[Path(p).name for p in paths], reason=str(exc)[:300], via=via)
        raise ImportFailed(_failure(paths, exc)) from exc
    except Exception as exc:
        if not dry_run:
            reason = str(exc)[:300] if isinstance(exc, UnreadableFile) else type(exc).__name__
            audit.record("import_failed", who, log, files=[Path(p).name for p in paths], reason=reason, via=via)
        raise
    for r in batch.results:
        audit.record(
            "import",
            who,
            log,
            file=r.file,
            sha256=r.sha256,
            **r.counts(),
            via=via,
        )
    from ..alerts import after_import

    after_import(db_path)  # threshold alerts on the data just published (never fails the import)
    return batch.results


class SettingError(ValueError):
    """A setting refused on input: an unknown key, a control character, an over-long value."""


MAX_SETTING_CHARS = 200


def check_setting(key: str, value: str) -> None:
    """Settings are short texts shown on every page and in exports: a known key, printable, at most 200 characters."""
    from ..config import DEFAULT_SETTINGS

    if key not in DEFAULT_SETTINGS:
        raise SettingError(f"không có thiết lập «{key[:40]}» (có: {', '.join(sorted(DEFAULT_SETTINGS))})")
    if len(value) > MAX_SETTING_CHARS:
        raise SettingError(f"{key}: dài {len(value)} ký tự, tối đa {MAX_SETTING_CHARS}")
    if any(not ch.isprintable() for ch in value):
        raise SettingError(f"{key}: có ký tự điều khiển (xuống dòng, tab…): không nhận")
    if key == "smtp_port" and not (value.isdigit() and 0 < int(value) < 65536):
        raise SettingError(f"smtp_port: cần một số cổng 1–65535, không phải «{value[:40]}»")
    if key == "smtp_starttls" and value not in ("0", "1"):
        raise SettingError(f"smtp_starttls: 1 (dùng STARTTLS) hoặc 0, không phải «{value[:40]}»")
    if key == "base_url" and value and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
        raise SettingError(f"base_url: cần địa chỉ http(s)://máy[:cổng][/đường dẫn], không phải «{value[:80]}»")


def partial_refused(r: FileResult, via: str = "cli") -> bool:
    """The one rule, for `cchc ingest` and the web upload: would this file be refused without --accept-partial
    (the page's «Nhận một phần»)? More than PARTIAL_REJECT_SHARE of its data rows (accepted + rejected; skipped
    rows are not data) rejected.

    One exception, kept on purpose: a file in the contract's own layout (profiles `hop_dong*`) through the
    command line follows data-contract.md §3 — `cchc ingest` exits 0 whenever every file was read, the bad rows
    quarantined in rejects (the contract check loads a file with 1 of 10 rows rejected and expects exit 0). The
    web upload, where an operator confirms what is published, applies the rule to every layout."""
    contract_cli = via == "cli" and r.profile.startswith("hop_dong")
    return not contract_cli and r.reject_share > PARTIAL_REJECT_SHARE


def refusal_line(r: FileResult) -> str:
    top = "; ".join(f"{x['reason']} ({x['n']} dòng, vd. dòng {x['line']})" for x in r.top_rejects[:3])
    share = f"{r.reject_share:.1%}".replace(".", ",")
    return (
        f"{r.file}: loại {_n(r.rejected)} / {_n(r.accepted + r.rejected)} dòng dữ liệu ({share}), quá "
        f"{PARTIAL_REJECT_SHARE:.0%} "
        f"— không công bố (mẫu «{r.profile_label}»: {top}). Sửa tệp, hoặc nạp với --accept-partial "
        "để nhận các dòng hợp lệ"
    )


def _n(x: int) -> str:
    """1.245: Vietnamese thousands separator."""
    return f"{x:,}".replace(",", ".")


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


__all__ = ["Batch", "FileResult", "PartialRefused", "UnreadableFile", "ingest", "partial_refused"]
