"""The input side of the hardening issue, one test per class the attack found: no row lost silently, no traceback
(a reject with its line, or a one-line refusal naming the file), bad numbers and targets rejected on input,
file names never patterns, devices/FIFOs/folders refused before the import lock, temp folders swept."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import pytest

from builders import UNITS_CSV
from harness import published

from dashboard import cli
from dashboard import db as dbq
from dashboard.ingest.load import Batch, ingest
from dashboard.tempdirs import INGEST_PREFIX, sweep_uploads, upload_name

HEAD = "unit_code,unit_name,unit_kind,parent_code,level"


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def q(db: Path, sql: str, *params):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def run_cli(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def base(tmp_path) -> Path:
    (tmp_path / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    return published([tmp_path / "units.csv"], tmp_path / "c.duckdb")


# ----------------------------------------------------------------------------- class 1: silent loss
@pytest.mark.parametrize("ch", ["\f", "\x85", "\u2028", "\u2029", "\v", "\x1c"])
def test_a_title_row_with_a_line_separator_character_loses_no_row(tmp_path, ch):
    p = tmp_path / "units.csv"
    p.write_text(
        f"DANH SÁCH{ch}ĐƠN VỊ\n{HEAD}\nA1,Phường Một,phuong,,ward\nA2,Phường Hai,phuong,,ward\nA3,,x,,moon\n",
        encoding="utf-8",
    )
    r = ingest([p], tmp_path / "c.duckdb")[0]
    assert (r.rows_read, r.accepted, r.rejected, r.skipped) == (3, 2, 1, 0)
    assert q(tmp_path / "c.duckdb", "SELECT unit_code FROM units ORDER BY 1") == [("A1",), ("A2",)]
    # the reject carries the line an editor shows: title 1, header 2, A1 3, A2 4, A3 5
    assert q(tmp_path / "c.duckdb", "SELECT line FROM rejects") == [(5,)]


def test_a_lone_cr_in_a_title_row_is_a_line_break(tmp_path):
    p = tmp_path / "units.csv"
    p.write_bytes(f"DANH SÁCH\rĐƠN VỊ\n{HEAD}\nA1,Phường Một,phuong,,ward\nA2,,x,,moon\n".encode())
    r = ingest([p], tmp_path / "c.duckdb")[0]
    assert (r.rows_read, r.accepted, r.rejected) == (2, 1, 1)
    assert q(tmp_path / "c.duckdb", "SELECT line FROM rejects") == [(5,)]


def test_a_multiline_cell_then_an_overlong_line_deletes_no_valid_row(tmp_path):
    p = tmp_path / "units.csv"
    giant = "x" * 1_000_100
    p.write_text(
        f'{HEAD}\nA1,"Phường\nMột",phuong,,ward\nA2,{giant},phuong,,ward\nA3,Phường Ba,phuong,,ward\n', encoding="utf-8"
    )
    r = ingest([p], tmp_path / "c.duckdb")[0]
    assert (r.rows_read, r.accepted, r.rejected) == (3, 2, 1)
    assert q(tmp_path / "c.duckdb", "SELECT unit_code, unit_name FROM units ORDER BY 1") == [
        ("A1", "Phường\nMột"),
        ("A3", "Phường Ba"),
    ]
    [(line, reason)] = q(tmp_path / "c.duckdb", "SELECT line, reason FROM rejects")
    assert line == 4 and "vượt giới hạn" in reason  # the giant record's own line, after the 2-line record


def test_a_footer_with_fewer_cells_is_skipped_a_short_record_rejected(base, tmp_path):
    from builders import HEADERS_VI

    p = tmp_path / "hoso.csv"
    row = "H1,X01,1.001612,Khai sinh,Hộ tịch,truc_tuyen,01/07/2021 08:00,06/07/2021 17:00,,dang_xu_ly,,,"
    p.write_text(",".join(HEADERS_VI) + f"\n{row}\nH2,X01,1.001612\nTổng cộng,1\n,\nNgười lập biểu\n", encoding="utf-8")
    r = ingest([p], base)[0]
    assert (r.rows_read, r.accepted, r.rejected, r.skipped) == (5, 1, 1, 3)
    [(line, reason)] = q(base, "SELECT line, reason FROM rejects WHERE file_name = 'hoso.csv'")
    assert line == 3 and "thiếu cột" in reason


# ----------------------------------------------------------------------------- class 2: rejects, not tracebacks
NUMBER_CASES = {
    "targets.csv": (
        "year,kpi,comparator,value,scope\n2026,on_time_rate,>=,0.98,all\n",
        [
            "inf,on_time_rate,>=,0.9,all",
            "2026,on_time_rate,>=,nan,PX1",
            "2026,on_time_rate,>=,inf,PX2",
            "1e30,on_time_rate,>=,0.9,PX3",
            "2026,on_time_rate,>=,1e30,PX4",
            "2026,on_time_rate,>=,-0.5,PX5",
        ],
    ),
    "par.csv": (
        "year,peer_code,peer_name,score,rank\n2026,A,Huyện A,80,1\n",
        [
            "2026,B,Huyện B,nan,2",
            "2026,C,Huyện C,inf,3",
            "2026,D,Huyện D,80,1e30",
            "1e30,E,Huyện E,80,2",
            "2026,F,Huyện F,80,inf",
        ],
    ),
    "plan.csv": (
        "year,area,task_id,title,owner_unit,due_date,done_date\n2026,1,T1,Việc một,UBND,30/06/2026,\n",
        ["nan,1,T2,Hai,UBND,30/06/2026,", "2026,inf,T3,Ba,UBND,30/06/2026,", "2026,1e30,T4,Bốn,UBND,30/06/2026,"],
    ),
    "procedures.csv": (
        "procedure_code,procedure_name,field,statutory_days\n1.1,Một,Hộ tịch,3\n",
        ["1.2,Hai,Hộ tịch,inf", "1.3,Ba,Hộ tịch,nan", "1.4,Bốn,Hộ tịch,1e30", "1.5,Năm,Hộ tịch,-1e30"],
    ),
}


@pytest.mark.parametrize("name", sorted(NUMBER_CASES))
def test_non_finite_and_huge_numbers_are_rejected_with_their_line(tmp_path, name):
    good, bad = NUMBER_CASES[name]
    p = tmp_path / name
    p.write_text(good + "\n".join(bad) + "\n", encoding="utf-8")
    code, out, err = run_cli("ingest", str(p), "--db", str(tmp_path / "c.duckdb"))
    assert code == 0, err
    assert f"đọc {1 + len(bad)} dòng, nhận 1, loại {len(bad)}" in out
    lines = [r[0] for r in q(tmp_path / "c.duckdb", "SELECT line FROM rejects ORDER BY line")]
    assert lines == list(range(3, 3 + len(bad)))


def test_a_bad_target_is_rejected_by_the_rule_the_pages_use(tmp_path):
    p = tmp_path / "targets.csv"
    p.write_text("year,kpi,comparator,value,scope\n2026,on_time_rate,>=,1e30,all\n2026,on_time_rate,>=,97%,all\n")
    ingest([p], tmp_path / "c.duckdb")
    [(reason,)] = q(tmp_path / "c.duckdb", "SELECT reason FROM rejects")
    assert "chỉ tiêu không hợp lệ: tỷ lệ phải trong khoảng 0–100%" in reason
    assert q(tmp_path / "c.duckdb", "SELECT value FROM targets") == [(0.97,)]


@pytest.mark.parametrize(
    "data, words",
    [
        (b"\xef\xbb\xbf" + HEAD.encode() + b"\nA1,Ph\xff,phuong,,ward\n", "UTF-8 (có BOM)"),
        (b"\xff\xfe" + (HEAD + "\n").encode("utf-16-le") + b"\x00", "số byte lẻ"),
        (HEAD.encode() + b"\nA1,\x00,phuong,,ward\n", "ký tự nhị phân"),
    ],
)
def test_broken_encodings_are_a_one_line_refusal_naming_the_file(base, tmp_path, data, words):
    p = tmp_path / "hỏng.csv"
    p.write_bytes(data)
    before = sha(base)
    code, _, err = run_cli("ingest", str(p), "--db", str(base))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "hỏng.csv" in err and words in err
    assert sha(base) == before


def test_one_unbalanced_quote_costs_its_own_line_only(tmp_path):
    p = tmp_path / "units.csv"
    p.write_text(f'{HEAD}\nA1,Phường Một,phuong,,ward\n"A2,Phường Hai,phuong,,ward\nA3,Phường Ba,phuong,,ward\n')
    r = ingest([p], tmp_path / "c.duckdb")[0]
    assert (r.rows_read, r.accepted, r.rejected) == (3, 2, 1)
    assert q(tmp_path / "c.duckdb", "SELECT line, reason FROM rejects") == [
        (3, "dòng sai cấu trúc CSV (dấu nháy kép không đóng)")
    ]


def test_a_nul_byte_after_10000_characters_rejects_that_row_only(tmp_path):
    rows = [f"A{i},Phường {i},phuong,,ward" for i in range(500)]
    rows[450] = "A450,Phư\x00ờng,phuong,,ward"
    p = tmp_path / "units.csv"
    p.write_text(HEAD + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert p.read_text().index("\x00") > 10_000
    r = ingest([p], tmp_path / "c.duckdb")[0]
    assert (r.rows_read, r.accepted, r.rejected) == (500, 499, 1)
    assert q(tmp_path / "c.duckdb", "SELECT line FROM rejects") == [(452,)]


def test_disk_full_is_a_one_line_refusal_and_the_database_is_untouched(base, tmp_path, monkeypatch):
    p = tmp_path / "more.csv"
    p.write_text(f"{HEAD}\nA1,Phường Một,phuong,,ward\n", encoding="utf-8")
    before = sha(base)
    real = dbq.run_script

    def full(con, name, **params):
        if name == "checkpoint":
            raise duckdb.IOException('Could not write file "c.duckdb": No space left on device')
        return real(con, name, **params)

    monkeypatch.setattr(dbq, "run_script", full)
    code, _, err = run_cli("ingest", str(p), "--db", str(base))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "more.csv" in err and "hết chỗ trên đĩa" in err
    assert sha(base) == before
    assert not list(tmp_path.glob(".c.duckdb.building-*"))


# ----------------------------------------------------------------------------- class 5: names and paths
def test_a_file_name_is_never_a_pattern(base, tmp_path):
    d = tmp_path / "dir"
    d.mkdir()
    (d / "a1.csv").write_text(f"{HEAD}\nA1,Phường Một,phuong,,ward\n", encoding="utf-8")
    (d / "ab.csv").write_text(f"{HEAD}\nAB,Phường AB,phuong,,ward\n", encoding="utf-8")
    before = sha(base)
    code, _, err = run_cli("ingest", str(d / "a*.csv"), "--db", str(base))
    assert code == 2 and "a*.csv" in err and sha(base) == before
    (d / "a*.csv").write_text(f"{HEAD}\nAS,Phường Sao,phuong,,ward\n", encoding="utf-8")
    code, out, _ = run_cli("ingest", str(d / "a*.csv"), "--db", str(base))
    assert code == 0 and "đọc 1 dòng, nhận 1" in out
    assert q(base, "SELECT unit_code FROM units WHERE unit_code LIKE 'A%'") == [("AS",)]
    assert q(base, "SELECT count(*) FROM imports WHERE file_name = 'a*.csv'") == [(1,)]


@pytest.mark.parametrize("what", ["fifo", "devzero", "dir"])
def test_devices_fifos_and_folders_are_refused_before_the_lock(base, tmp_path, what):
    p = tmp_path / f"x-{what}.csv"
    if what == "fifo":
        os.mkfifo(p)
    elif what == "devzero":
        p.symlink_to("/dev/zero")
    else:
        p.mkdir()
    before = sha(base)
    holder: dict = {}

    def hold_lock():  # another import holds the lock: a refusal must not wait for it
        holder["batch"] = Batch(base)

    t = threading.Thread(target=hold_lock)
    t.start()
    t.join(30)
    try:
        t0 = time.monotonic()
        code, _, err = run_cli("ingest", str(p), "--db", str(base))
        assert time.monotonic() - t0 < 20
    finally:
        holder["batch"].abort()
    assert code == 2 and len(err.strip().splitlines()) == 1 and p.name in err and "không phải tệp dữ liệu" in err
    assert sha(base) == before


def test_upload_names_stay_in_their_folder_and_never_collide():
    taken: set[str] = set()
    names = [upload_name(n, taken) for n in ["..", ".", "*.csv", "*.csv", "../../etc/passwd", "a\\b.csv", "", "\x00x"]]
    assert names == ["upload.csv", "2-upload.csv", "*.csv", "2-*.csv", "passwd", "b.csv", "3-upload.csv", "x"]
    assert all("/" not in n and not n.startswith(".") for n in names)


def test_ingest_temp_folders_of_a_killed_import_are_swept(tmp_path):
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = Path(tempfile.gettempdir()) / f"{INGEST_PREFIX}{dead.pid}-abc"
    left.mkdir(exist_ok=True)
    (left / "src-1.csv").write_text("x")
    mine = Path(tempfile.gettempdir()) / f"{INGEST_PREFIX}{os.getpid()}-mine"
    mine.mkdir(exist_ok=True)
    try:
        assert left.name in sweep_uploads()
        assert not left.exists() and mine.exists()
    finally:
        mine.rmdir()


def test_settings_are_validated_on_input(base):
    code, _, err = run_cli("settings", "--db", str(base), "city_name=A\rB")
    assert code == 2 and "ký tự điều khiển" in err
    code, _, err = run_cli("settings", "--db", str(base), "no_such=1")
    assert code == 2 and "no_such" in err
    code, _, err = run_cli("settings", "--db", str(base), "city_name=" + "x" * 201)
    assert code == 2 and "tối đa 200" in err
    code, out, _ = run_cli("settings", "--db", str(base), "city_name=Thành phố Tây Ninh")
    assert code == 0 and "city_name=Thành phố Tây Ninh" in out
