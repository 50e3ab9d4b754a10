"""The official form's conventions (data-contract §2) on a fixture of ten hand-counted dossiers, 2024-Q2:
returned (tra_lai) after due counts on time and apart; waiting for the citizen's supplement (tam_dung) at the
period's end is in time and apart (a supplement requested only after the end does not count); withdrawn apart;
a running period cut at the data's as-of date; `at-risk --as-of` in the past; the printable XLSX cell by cell.

  A1  early (completed 09/04, due 10/04)                 A6  open, due 20/05: overdue
  A2  tra_lai completed 12/04, due 10/04: on time        A7  tam_dung, no request date, due 20/07: in time
  A3  completed 12/04, due 10/04: late                   A8  tam_dung, requested 05/07, due 20/06: overdue
  A4  tra_lai completed 08/04, due 10/04: early              at the end of Q2, waiting in Q3
  A5  tam_dung requested 15/05, due 20/05: in time       A9  withdrawn (rut)
  A10 received 20/03, due 28/03, completed 02/04: carried over, late
  A11 received 10/07/2024 12:00 (in Q3): the data's as-of moment, so 2024-Q3 is cut at 10/07/2024."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from builders import UNITS_CSV
from conftest import cchc

from dashboard.db import Database
from dashboard.metrics import late_set
from dashboard.metrics.form import quarterly_form
from dashboard.metrics.period import Period
from dashboard.reader import Reader

HEAD = ("dossier_id,unit_code,procedure_code,field,channel,received_at,due_at,completed_at,status,"
        "supplement_requested_at,supplement_count\n")
ROWS = """A1,X01,P1,Hộ tịch,truc_tuyen,02/04/2024 08:00,10/04/2024 16:30,09/04/2024 10:00,da_giai_quyet,,
A2,X01,P1,Hộ tịch,truc_tiep,02/04/2024 08:00,10/04/2024 16:30,12/04/2024 10:00,tra_lai,,
A3,X01,P1,Hộ tịch,truc_tiep,02/04/2024 08:00,10/04/2024 16:30,12/04/2024 10:00,da_giai_quyet,,
A4,X01,P1,Hộ tịch,buu_chinh,02/04/2024 08:00,10/04/2024 16:30,08/04/2024 10:00,tra_lai,,
A5,X02,P2,Đất đai,truc_tuyen,03/05/2024 08:00,20/05/2024 16:30,,tam_dung,15/05/2024 09:00,1
A6,X02,P2,Đất đai,truc_tiep,03/05/2024 08:00,20/05/2024 16:30,,dang_xu_ly,,
A7,X02,P2,Đất đai,truc_tiep,03/05/2024 08:00,20/07/2024 16:30,,tam_dung,,
A8,X02,P2,Đất đai,truc_tuyen,10/06/2024 08:00,20/06/2024 16:30,,tam_dung,05/07/2024 09:00,2
A9,X01,P1,Hộ tịch,truc_tuyen,05/04/2024 08:00,15/04/2024 16:30,,rut,,
A10,X01,P1,Hộ tịch,truc_tiep,20/03/2024 08:00,28/03/2024 16:30,02/04/2024 10:00,da_giai_quyet,,
A11,X01,P1,Hộ tịch,truc_tuyen,10/07/2024 12:00,20/07/2024 16:30,,dang_xu_ly,,
"""
Q2 = {"received_total": 9, "carried_over": 1, "received_new": 8, "received_online": 3, "received_in_person": 4,
      "received_postal": 1, "resolved_total": 5, "resolved_early": 2, "resolved_on_time": 1, "resolved_late": 2,
      "pending_total": 4, "pending_in_time": 2, "pending_overdue": 2, "pending_awaiting_supplement": 2,
      "returned": 2, "withdrawn": 1}


@pytest.fixture(scope="module")
def conv_db(tmp_path_factory):
    from dashboard.ingest.load import ingest

    tmp = tmp_path_factory.mktemp("conv")
    (tmp / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    (tmp / "d.csv").write_text(HEAD + ROWS, encoding="utf-8")
    db = tmp / "cchc.duckdb"
    ingest([tmp / "units.csv", tmp / "d.csv"], db)
    cchc("settings", "report_unit_name=UBND huyện Châu Thành", "report_preparer=Nguyễn Văn A",
         "report_head=Trần Thị B", "report_place=Châu Thành", db=db)
    return db


def _reader(db):
    return Reader(Database(db).snapshot())


def test_q2_every_rule_exact(conv_db):
    form = json.loads(cchc("report", "quarterly", "--period", "2024-Q2", "--format", "json", db=conv_db).stdout)
    assert {k: form["total"][k] for k in Q2} == Q2
    rows = {r["unit_code"]: r for r in form["rows"]}
    assert (rows["X02"]["pending_awaiting_supplement"], rows["X02"]["pending_overdue"]) == (2, 2)
    assert (rows["X01"]["returned"], rows["X01"]["resolved_late"], rows["X01"]["withdrawn"]) == (2, 2, 1)


def test_running_period_cut_at_as_of_in_cli_and_pages(conv_db):
    r = _reader(conv_db)
    assert r.as_of.date() == dt.date(2024, 7, 10)
    form = json.loads(cchc("report", "quarterly", "--period", "2024-Q3", "--format", "json", db=conv_db).stdout)
    assert form["to"] == "2024-07-10" and form["period_label"].endswith("(đến 10/07/2024)")
    t = form["total"]
    # at 11/07 00:00 A8's supplement (requested 05/07) is under way: in time; only A6 is overdue
    assert (t["carried_over"], t["received_new"], t["pending_total"], t["pending_awaiting_supplement"],
            t["pending_in_time"], t["pending_overdue"]) == (4, 1, 5, 3, 4, 1)
    full = json.loads(cchc("report", "quarterly", "--period", "2024-Q3", "--format", "json", db=conv_db).stdout)
    assert full == form
    from dashboard.metrics.period import resolve_period

    assert quarterly_form(r, resolve_period(r, "2024-Q3"))["total"] == t


@pytest.mark.parametrize("period", ["2024-Q2", "2024-04", "2024-05", "2024-06", "2024-07-01..2024-07-10",
                                    "2024-W20", "2024-H1"])
def test_daily_aggregate_equals_the_scan(conv_db, period):
    r = _reader(conv_db)
    p = Period.parse(period)
    agg = r.q("report_form", unit=None, **p.params()).set_index(["unit_code", "field"])
    scan = r.q("report_form_scan", unit=None, **p.params()).set_index(["unit_code", "field"])
    cols = [c for c in scan.columns if c in agg.columns]
    idx = agg.index.union(scan.index)
    a = agg.reindex(idx)[cols].fillna(0).astype(int)
    b = scan.reindex(idx)[cols].fillna(0).astype(int)
    assert a.equals(b) and len(cols) == 22


def test_drill_down_says_why(conv_db):
    r, p = _reader(conv_db), Period.parse("2024-Q2")

    def rows(view):
        df, _ = late_set.page(r, p, late_set.LateFilter(view=view), sort="dossier_id", desc=False)
        return dict(zip(df.dossier_id, df.count_reason))

    assert rows("late") == {"A3": "completed_after_due", "A10": "completed_after_due"}
    assert rows("overdue") == {"A6": "open_past_due", "A8": "open_past_due_supplement_later"}
    assert rows("excused") == {"A2": "returned_after_due", "A5": "awaiting_supplement"}
    from dashboard.config import COUNT_REASONS

    assert set(COUNT_REASONS) >= {"completed_after_due", "open_past_due", "awaiting_supplement"}


@pytest.mark.parametrize("as_of,want", [("2024-04-09T08:00", ["A1", "A2", "A3"]), ("2024-05-17T08:00", ["A5", "A6"]),
                                        ("2024-07-10T12:00", [])])
def test_at_risk_in_the_past(conv_db, as_of, want):
    out = json.loads(cchc("at-risk", "--as-of", as_of, "--format", "json", db=conv_db).stdout)
    assert sorted(x["dossier_id"] for x in out) == want
    assert late_set.at_risk_count(_reader(conv_db), dt.datetime.fromisoformat(as_of)) == len(want)


def test_printable_form_cell_by_cell(conv_db, tmp_path):
    out = tmp_path / "f.xlsx"
    cchc("report", "quarterly", "--period", "2024-Q2", "--format", "xlsx", "--out", str(out), db=conv_db)
    ws = openpyxl.load_workbook(out).active
    v = lambda ref: ws[ref].value  # noqa: E731
    assert v("A1") == "Biểu số II.06a/VPCP/KSTT"
    assert v("E1") == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and v("E2") == "Độc lập - Tự do - Hạnh phúc"
    assert v("M1") == "Đơn vị báo cáo: UBND huyện Châu Thành"
    assert v("M2") == "Đơn vị nhận báo cáo: Văn phòng Ủy ban nhân dân tỉnh"
    assert v("A5") == "Kỳ báo cáo: Quý 2/2024 (từ ngày 01/04/2024 đến ngày 30/06/2024)"
    assert v("N7") == "Đơn vị tính: Số hồ sơ"
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A9:A11", "B9:B11", "C9:F9", "G9:M9", "N9:P9", "C10:C11", "D10:F10", "G10:J10", "K10:M10",
            "N10:P10", "A1:D1", "E1:L1", "M1:P1"} <= merged
    assert (v("A9"), v("B9"), v("C9"), v("G9")) == ("STT", "Đơn vị", "Số hồ sơ nhận giải quyết", "Kết quả giải quyết")
    assert (v("C10"), v("D10"), v("G10"), v("K10")) == ("Tổng số", "Trong đó", "Số hồ sơ đã giải quyết",
                                                         "Số hồ sơ đang giải quyết")
    assert [c.value for c in ws[11]][6:13] == ["Tổng số", "Trả trước hạn", "Trả đúng thời hạn", "Trả quá hạn",
                                               "Tổng số", "Trong hạn", "Quá hạn"]
    assert [c.value for c in ws[12]][:16] == [f"({i})" for i in range(1, 17)]
    body = [[c.value for c in ws[r]][:16] for r in range(13, 13 + 5)]
    # every configured unit, city offices then wards, by code (PTP, UBND; X01, X02), then the total
    assert [b[:2] for b in body] == [["1", "Phòng Tư pháp"], ["2", "UBND huyện Châu Thành"], ["3", "Xã Tân Lý Tây"],
                                     ["4", "Xã Bình Đức"], [None, "Tổng cộng"]]
    assert body[2][2:] == [5, 1, 3, 1, 5, 2, 1, 2, 0, 0, 0, 0, 2, 1]
    assert body[3][2:] == [4, 2, 2, 0, 0, 0, 0, 0, 4, 2, 2, 2, 0, 0]
    assert body[4][2:] == [9, 3, 5, 1, 5, 2, 1, 2, 4, 2, 2, 2, 2, 1]
    sign = {c.value for row in ws.iter_rows(min_row=18) for c in row if c.value}
    assert {"Châu Thành, ngày 30 tháng 06 năm 2024", "NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "Nguyễn Văn A",
            "Trần Thị B"} <= sign
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$9:$12"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
