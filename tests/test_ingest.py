"""Ingest: encodings, headers, every kind, quarantine of bad values, idempotence, newest-wins, atomicity."""

import datetime as dt
import hashlib
import json
import threading

import openpyxl
import pytest
from builders import UNITS_CSV, to_cp1258
from conftest import cchc
from harness import published

from dashboard.db import Database
from dashboard.ingest.load import UnreadableFile, ingest
from dashboard.metrics.period import Period
from dashboard.metrics.form import quarterly_form
from dashboard.reader import Reader

HEAD = "Mã hồ sơ,Mã đơn vị,Mã TTHC,Lĩnh vực,Hình thức tiếp nhận,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả,Trạng thái,Ngày cập nhật"
GOOD = "A1,X01,1.001612,Hộ tịch,truc_tuyen,02/04/2024 08:00,10/04/2024 16:30,09/04/2024 10:00,da_giai_quyet,09/04/2024 11:00"


@pytest.fixture
def db(tmp_path):
    units = tmp_path / "units.csv"
    units.write_text(UNITS_CSV, encoding="utf-8")
    return published([units], tmp_path / "cchc.duckdb")


def _write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(to_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return p


def _rejects(db):
    return json.loads(cchc("rejects", "--format", "json", db=db).stdout)


def _dossiers(db):
    snap = Database(db).snapshot()
    cur = snap.cursor()
    return {
        r[0]: r for r in cur.execute("SELECT dossier_id, field, status, completed_at, handler FROM dossiers").fetchall()
    }


BAD_ROWS = {  # what is wrong: (the CSV record, the column named in the rejection, a word of its reason)
    "31/02/2024 08:00 as received date": ("B1,X01,1.001612,Hộ tịch,truc_tuyen,31/02/2024 08:00,10/04/2024 16:30,,,", "Ngày tiếp nhận", "không hợp lệ"),
    "unknown unit": ("B2,ZZ9,1.001612,Hộ tịch,truc_tuyen,02/04/2024,10/04/2024,,,", "Mã đơn vị", "không có trong danh mục"),
    "missing dossier id": (",X01,1.001612,Hộ tịch,truc_tuyen,02/04/2024,10/04/2024,,,", "Mã hồ sơ", "thiếu"),
    "unknown channel": ("B4,X01,1.001612,Hộ tịch,fax,02/04/2024,10/04/2024,,,", "Hình thức tiếp nhận", "«fax»"),
    "completed before received": ("B5,X01,1.001612,Hộ tịch,truc_tiep,02/04/2024,10/04/2024,01/04/2024,,", "Ngày có kết quả", "trước ngày tiếp nhận"),
    "due before received": ("B6,X01,1.001612,Hộ tịch,truc_tiep,02/04/2024,01/03/2024,,,", "Ngày hẹn trả", "trước ngày tiếp nhận"),
    "unknown status": ("B7,X01,1.001612,Hộ tịch,truc_tiep,02/04/2024,10/04/2024,,xong roi,", "Trạng thái", "«xong roi»"),
    "resolved without date": ("B8,X01,1.001612,Hộ tịch,truc_tiep,02/04/2024,10/04/2024,,da_giai_quyet,", "Ngày có kết quả", "thiếu ngày có kết quả"),
    "garbage date": ("B9,X01,1.001612,Hộ tịch,truc_tiep,hôm qua,10/04/2024,,,", "Ngày tiếp nhận", "«hôm qua»"),
    "missing field": ("B10,X01,1.001612,,truc_tiep,02/04/2024,10/04/2024,,,", "Lĩnh vực", "thiếu"),
}


def test_each_bad_value_is_quarantined_with_line_column_reason(db, tmp_path):
    lines = [HEAD, GOOD] + [row for row, _, _ in BAD_ROWS.values()] + [GOOD.replace("A1", "A2")]
    f = _write(tmp_path, "mixed.csv", "\n".join(lines) + "\n")
    out = cchc("ingest", str(f), db=db).stdout.decode()
    assert "đọc 12 dòng" in out and "nhận 2" in out and f"loại {len(BAD_ROWS)}" in out
    rejects = {r["line"]: r for r in _rejects(db)}
    for i, (name, (_, header, words)) in enumerate(BAD_ROWS.items(), start=3):
        r = rejects[i]
        assert r["file_name"] == "mixed.csv", name
        assert r["header"] == header, name
        assert words in r["reason"], (name, r["reason"])
    assert set(_dossiers(db)) == {"A1", "A2"}
    text = cchc("rejects", db=db).stdout.decode()
    assert "mixed.csv:3 [B1] cột «Ngày tiếp nhận»" in text


def test_accepted_plus_rejected_equals_rows_read_with_broken_csv_lines(db, tmp_path):
    lines = [HEAD, GOOD, "A3,X01,only,three", GOOD.replace("A1", "A4"), GOOD.replace("A1", "A5") + ",extra,cells"]
    f = _write(tmp_path, "broken.csv", "\n".join(lines) + "\n")
    [res] = ingest([f], db)
    assert (res.rows_read, res.accepted, res.rejected) == (4, 2, 2)
    rej = {r["line"]: r["reason"] for r in _rejects(db)}
    assert "thiếu cột" in rej[3] and "thừa cột" in rej[5]
    assert set(_dossiers(db)) == {"A1", "A4"}


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("cp1258", False)])
def test_encodings_give_the_same_nfc_text(db, tmp_path, encoding, bom):
    text = HEAD + "\n" + GOOD.replace("Hộ tịch", "Đất đai - Tài nguyên") + ",Nguyễn Thị Lan\n"
    text = text.replace("Ngày cập nhật", "Ngày cập nhật,Cán bộ xử lý")
    p = _write(tmp_path, "enc.csv", text, encoding)
    if bom:
        p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    [res] = ingest([p], db)
    assert res.accepted == 1
    row = _dossiers(db)["A1"]
    assert row[1] == "Đất đai - Tài nguyên" and row[4] == "Nguyễn Thị Lan"
    import unicodedata

    assert unicodedata.is_normalized("NFC", row[4])


def test_headers_any_case_and_accents_and_date_formats(db, tmp_path):
    text = (
        "MA HO SO;mã đơn vị;MÃ TTHC;LĨNH VỰC;hinh thuc tiep nhan;Ngày Tiếp Nhận;ngay hen tra;NGÀY CÓ KẾT QUẢ;Có phí, lệ phí;Thanh toán trực tuyến\n"
        "C1;X01;1.1;Hộ tịch;Trực tuyến;2024-04-02T08:00:00;2024-04-10 16:30;09/04/2024;có;x\n"
        "C2;X01;1.1;Hộ tịch;Bưu chính công ích;2/4/2024;10/4/2024 16:30;;không;\n"
    )
    [res] = ingest([_write(tmp_path, "h.csv", text)], db)
    assert (res.accepted, res.rejected) == (2, 0)
    snap = Database(db).snapshot()
    rows = dict(
        (r[0], r[1:])
        for r in snap.cursor()
        .execute("SELECT dossier_id, channel, received_at, has_fee, paid_online, status FROM dossiers")
        .fetchall()
    )
    assert rows["C1"] == ("truc_tuyen", dt.datetime(2024, 4, 2, 8, 0), True, True, "da_giai_quyet")
    assert rows["C2"] == ("buu_chinh", dt.datetime(2024, 4, 2), False, None, "dang_xu_ly")


def test_newest_export_wins_in_any_import_order(db, tmp_path):
    old = _write(
        tmp_path,
        "old.csv",
        HEAD
        + "\n"
        + GOOD.replace("09/04/2024 10:00,da_giai_quyet,09/04/2024 11:00", ",dang_xu_ly,03/04/2024 09:00")
        + "\n",
    )
    new = _write(tmp_path, "new.csv", HEAD + "\n" + GOOD + "\n")
    ingest([new], db)
    ingest([old], db)  # an old export imported last must not undo the newer state
    assert _dossiers(db)["A1"][2] == "da_giai_quyet"
    ingest([old, new], db)
    assert _dossiers(db)["A1"][2] == "da_giai_quyet"


def test_reimport_changes_nothing(seed003_db, tmp_path):
    import shutil

    from builders import seed003_files

    copy = tmp_path / "copy.duckdb"
    shutil.copy(seed003_db, copy)
    before = quarterly_form(Reader(Database(copy).snapshot()), Period.parse("2021-Q3"))
    ingest(seed003_files(tmp_path), copy)
    after = quarterly_form(Reader(Database(copy).snapshot()), Period.parse("2021-Q3"))
    assert before["rows"] == after["rows"] and before["total"] == after["total"]


def test_unreadable_file_exits_nonzero_and_database_is_unchanged(db, tmp_path):
    good = _write(tmp_path, "good.csv", HEAD + "\n" + GOOD + "\n")
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    junk = _write(tmp_path, "junk.csv", "khong,phai,ho so\n1,2,3\n")
    r = cchc("ingest", str(good), str(junk), db=db, check=False, process=True)  # the real entry point's exit
    assert r.returncode != 0
    err = r.stderr.decode().strip().splitlines()
    assert len(err) == 1 and "junk.csv" in err[0] and "không nhận ra loại tệp" in err[0]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    truncated = tmp_path / "cut.xlsx"
    truncated.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    r = cchc("ingest", str(truncated), db=db, check=False)
    assert r.returncode != 0 and "cut.xlsx" in r.stderr.decode()
    missing = _write(tmp_path, "nofield.csv", "Mã hồ sơ,Mã đơn vị,Ngày tiếp nhận\nA,X01,02/04/2024\n")
    with pytest.raises(UnreadableFile, match="thiếu cột bắt buộc"):
        ingest([missing], db)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest


def test_xlsx_with_title_rows_real_dates_and_excel_row_numbers(db, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH HỒ SƠ"])
    ws.append([])
    ws.append(HEAD.split(","))
    ws.append(
        [
            "X1",
            "X01",
            "1.1",
            "Chứng thực",
            "truc_tiep",
            dt.datetime(2024, 4, 2, 8),
            dt.datetime(2024, 4, 3, 16, 30),
            dt.datetime(2024, 4, 3, 9),
            "da_giai_quyet",
            None,
        ]
    )
    ws.append([])  # blank row: not a record
    ws.append(["X2", "X01", "1.1", "Chứng thực", "truc_tiep", "30/02/2024", dt.datetime(2024, 4, 3), None, None, None])
    p = tmp_path / "hs.xlsx"
    wb.save(p)
    [res] = ingest([p], db)
    # the blank row between the records is read and skipped (counted), never lost
    assert (res.rows_read, res.accepted, res.rejected, res.skipped) == (3, 1, 1, 1)
    [rej] = _rejects(db)
    assert rej["line"] == 6 and rej["header"] == "Ngày tiếp nhận"


def test_reference_kinds_detected_and_loaded(db, tmp_path):
    files = {
        "targets.csv": 'year,kpi,comparator,value,scope,source\n2024,on_time_rate,>=,"99%",all,KH\n2024,par_index_rank,top,3,all,KH\n2024,satisfaction_rate,>,"0,95",level:ward,KH\n2024,bogus_kpi,>=,1,all,KH\n',
        "surveys.csv": "response_id,unit_code,answered_at,dossier_id,rating\nS1,X01,05/04/2024,,rat_hai_long\nS2,X01,05/04/2024,,4\nS3,X01,05/04/2024,,khong hai long\nS4,X01,05/04/2024,,tuyệt vời\n",
        "par.csv": 'year,peer_code,peer_name,score,rank\n2023,CT,Châu Thành,"85,62",2\n2023,TN,Tây Ninh,80.05,5\n',
        "plan.csv": "year,area,task_id,title,owner_unit,due_date,done_date\n2024,3,T1,Rà soát TTHC,PTP,30/06/2024,20/06/2024\n2024,9,T2,Sai lĩnh vực,PTP,30/06/2024,\n",
        "holidays.csv": "date,name\n30/04/2024,Ngày Giải phóng\n01/05/2024,Quốc tế Lao động\n",
    }
    paths = [_write(tmp_path, n, t) for n, t in files.items()]
    res = {r.file: r for r in ingest(paths, db)}
    assert {n: (r.kind, r.accepted, r.rejected) for n, r in res.items()} == {
        "targets.csv": ("targets", 3, 1),
        "surveys.csv": ("surveys", 3, 1),
        "par.csv": ("par_index", 2, 0),
        "plan.csv": ("plan_tasks", 1, 1),
        "holidays.csv": ("holidays", 2, 0),
    }
    cur = Database(db).snapshot().cursor()
    assert cur.execute("SELECT value FROM targets WHERE kpi='on_time_rate'").fetchall() == [(0.99,)]
    assert cur.execute("SELECT scope, value FROM targets WHERE kpi='satisfaction_rate'").fetchall() == [
        ("level:ward", 0.95)
    ]
    assert cur.execute("SELECT rating FROM surveys ORDER BY response_id").fetchall() == [
        ("rat_hai_long",),
        ("hai_long",),
        ("khong_hai_long",),
    ]
    assert cur.execute("SELECT score FROM par_index WHERE peer_code='CT'").fetchall() == [(85.62,)]
    assert cur.execute("SELECT is_working FROM calendar WHERE date = DATE '2024-04-30'").fetchall() == [(False,)]


def test_reader_sees_old_or_new_never_a_mix(db, tmp_path):
    """Imports publish a new file atomically while a reader keeps querying."""
    snapshots = []
    for n in range(1, 7):
        rows = [GOOD.replace("A1", f"R{n}-{i}") for i in range(n * 50)]
        snapshots.append(_write(tmp_path, f"batch{n}.csv", HEAD + "\n" + "\n".join(rows) + "\n"))
    database = Database(db)
    seen, errors, stop = set(), [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                t = quarterly_form(Reader(database.snapshot()), Period.parse("2024-Q2"))["total"]
                assert t["received_total"] == t["resolved_total"] + t["pending_total"]
                seen.add(t["received_total"])
            except Exception as exc:  # any error is a failure of atomicity
                errors.append(repr(exc))
            stop.wait(0.005)  # many reads per publication, without taking the CPU from the imports

    th = threading.Thread(target=reader)
    th.start()
    for p in snapshots:
        ingest([p], db)
    stop.set()
    th.join()
    assert not errors
    cumulative = {0} | {sum(k * 50 for k in range(1, n + 1)) for n in range(1, 7)}
    assert seen <= cumulative, seen - cumulative  # only whole snapshots were ever seen
    assert len(seen) >= 2  # the reader really ran across publications
    final = quarterly_form(Reader(database.snapshot()), Period.parse("2024-Q2"))["total"]["received_total"]
    assert final == max(cumulative)


def test_settings_publish_a_new_snapshot_and_keep_the_data(db):
    before = Database(db).snapshot()
    out = cchc("settings", "city_name=Thành phố Thử", "city_peer_code=TPT", db=db).stdout.decode()
    assert "city_name=Thành phố Thử" in out and "city_peer_code=TPT" in out
    after = Database(db).snapshot()
    assert after.data_version != before.data_version
    assert after.cursor().execute("SELECT count(*) FROM units").fetchall() == [(4,)]
    bad = cchc("settings", "no-equals-sign", db=db, check=False)
    assert bad.returncode != 0 and "KEY=VALUE" in bad.stderr.decode()
