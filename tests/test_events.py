"""Timeline events: an input kind (Vietnamese headers, a day or a range, a kind, a unit or the whole city), validated
row by row (accepted + rejected = rows read), carried across imports, read through the reader's scope, drawn on the
time charts and listed under them."""
import datetime as dt
import json
import shutil

import pytest

from dashboard.auth import Principal

EVENTS_CSV = (
    "Ngày bắt đầu,Ngày kết thúc,Sự kiện,Loại sự kiện,Mã đơn vị\n"
    "01/07/2025,,Sắp xếp đơn vị hành chính,sáp nhập,\n"            # 2: accepted, city-wide (beside the demo's)
    "10/03/2026,14/03/2026,Phần mềm một cửa gián đoạn,sự cố phần mềm,W08\n"  # 3: accepted, W08 only
    "01/12/2025,31/12/2025,Cao điểm cấp đổi giấy tờ,chiến dịch,W03\n"         # 4: accepted, W03 only
    "31/02/2026,,Ngày không có,khác,\n"                             # 5: rejected: impossible date
    "05/03/2026,01/03/2026,Kết thúc trước bắt đầu,khác,\n"          # 6: rejected: end before start
    "05/03/2026,,Loại lạ,bão lũ,\n"                                 # 7: rejected: unknown kind
    "05/03/2026,,Đơn vị lạ,khác,NOPE\n"                             # 8: rejected: unknown unit
    ",,Không ngày,khác,\n"                                          # 9: rejected: no start date
)


@pytest.fixture(scope="module")
def events_db(tmp_path_factory):
    from dashboard.demo.build import build_demo
    from dashboard.ingest.load import ingest

    tmp = tmp_path_factory.mktemp("events")
    db = tmp / "cchc.duckdb"
    build_demo(db, n_dossiers=3000, as_of=dt.date(2026, 11, 20), city="legacy")
    path = tmp / "su-kien.csv"
    path.write_text(EVENTS_CSV, encoding="utf-8")
    (r,) = ingest([path], db)
    assert (r.kind, r.rows_read, r.accepted, r.rejected, r.skipped) == ("events", 8, 3, 5, 0)
    return db


def _reader(db, units=None):
    from dashboard.db import Database
    from dashboard.reader import Reader

    snap = Database(db).snapshot()
    if units is None:
        return Reader(snap)
    return Reader(snap, Principal("p", "don_vi", units=tuple(units)).scope)


def test_events_rejects_name_line_and_column(events_db):
    from conftest import cchc

    rejects = json.loads(cchc("rejects", "--format", "json", db=events_db).stdout)
    got = {(r["line"], r["header"]) for r in rejects if r["file_name"] == "su-kien.csv"}
    assert got == {(5, "Ngày bắt đầu"), (6, "Ngày kết thúc"), (7, "Loại sự kiện"), (8, "Mã đơn vị"),
                   (9, "Ngày bắt đầu")}


def test_events_are_read_through_the_scope(events_db):
    from dashboard.metrics.events import events

    span = (dt.date(2025, 1, 1), dt.date(2026, 11, 20))
    city = events(_reader(events_db), *span)
    assert sorted(city.label) == sorted(["Sắp xếp đơn vị hành chính, chính quyền địa phương hai cấp",
                                         "Sắp xếp đơn vị hành chính", "Phần mềm một cửa gián đoạn",
                                         "Cao điểm cấp đổi giấy tờ"])
    w08 = events(_reader(events_db, ["W08"]), *span)
    assert "Phần mềm một cửa gián đoạn" in set(w08.label) and "Cao điểm cấp đổi giấy tờ" not in set(w08.label)
    assert len(w08) == 3  # the two city-wide events and its own
    only_w08 = events(_reader(events_db), *span, unit="W08")
    assert sorted(only_w08.label) == sorted(w08.label)
    outage = only_w08[only_w08.kind == "outage"].iloc[0]
    assert (outage.start_date.date(), outage.end_date.date()) == (dt.date(2026, 3, 10), dt.date(2026, 3, 14))
    # a window that misses them
    assert events(_reader(events_db), dt.date(2024, 1, 1), dt.date(2024, 12, 31)).empty


def test_events_survive_another_import(events_db, tmp_path):
    from dashboard.ingest.load import ingest
    from dashboard.metrics.events import events

    db = tmp_path / "cchc.duckdb"
    shutil.copy(events_db, db)
    h = tmp_path / "holidays.csv"
    h.write_text("date,name\n2026-09-02,Quốc khánh\n", encoding="utf-8")
    ingest([h], db)
    assert len(events(_reader(db), dt.date(2025, 1, 1), dt.date(2026, 11, 20))) == 4


def test_draw_places_days_and_ranges():
    import pandas as pd

    from dashboard.ui import events as ev_ui

    ev = pd.DataFrame({"start_date": [dt.date(2025, 7, 1), dt.date(2026, 3, 10), dt.date(2023, 1, 2)],
                       "end_date": [dt.date(2025, 7, 1), dt.date(2026, 3, 14), dt.date(2023, 1, 2)],
                       "label": ["Sáp nhập", "Sự cố phần mềm một cửa kéo dài cả tuần liền", "Ngoài biểu đồ"],
                       "kind": ["reorganisation", "outage", "other"], "unit_code": [None, "W08", None]})
    fig = ev_ui.draw({"data": [], "layout": {"shapes": [{"type": "line"}]}}, ev, ev_ui.week_of_year(2026))
    shapes = fig["layout"]["shapes"]
    assert len(shapes) == 3 and shapes[0] == {"type": "line"}  # the target line kept, 2 events added, 1 off-chart
    assert (shapes[1]["type"], shapes[1]["x0"]) == ("line", 27)  # 1 July 2025: ISO week 27
    assert (shapes[2]["type"], shapes[2]["x0"], shapes[2]["x1"]) == ("rect", 10.5, 11.5)  # 10–14/03/2026: week 11
    notes = [a["text"] for a in fig["layout"]["annotations"]]
    assert notes == ["◆ Sáp nhập", "◆ Sự cố phần mềm một cửa kéo…"]


def test_par_history_draws_the_events_of_its_years_and_the_deck_lists_a_few():
    import pandas as pd

    from dashboard.ui import events as ev_ui

    ev = pd.DataFrame({"start_date": [dt.date(2025, 7, 1), dt.date(2023, 3, 10), dt.date(2018, 5, 1)],
                       "end_date": [dt.date(2025, 7, 1), dt.date(2024, 2, 1), dt.date(2018, 5, 1)],
                       "label": ["Sáp nhập", "Chương trình CCHC", "Trước biểu đồ"],
                       "kind": ["reorganisation", "campaign", "other"], "unit_code": [None, None, None]})
    fig = ev_ui.draw({"data": [], "layout": {}}, ev, ev_ui.by_year(2019, 2025))
    shapes = fig["layout"]["shapes"]
    assert [(s["type"], s["x0"], s["x1"]) for s in shapes] == [("line", 2025, 2025), ("rect", 2023, 2024)]
    # a day in 2025 on a yearly axis: a line at that year; 2023–2024: from one year to the next; 2018: off chart
    listed = ev_ui.listing(ev, test_id="x", limit=2)
    items = listed.children[1].children
    assert len(items) == 3 and items[-1].children.startswith("… và 1 sự kiện khác")
    assert len(ev_ui.listing(ev, test_id="x").children[1].children) == 3
