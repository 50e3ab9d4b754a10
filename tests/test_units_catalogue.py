"""Units from the official catalogue (`cchc units catalogue`) and units that change over time (`unit_changes`,
`cchc units list`). Figures are checked against the `vietnam-provinces` package itself, read independently of
dashboard/catalogue.py, and against fixtures whose rows are counted by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from conftest import cchc
from vietnam_provinces import Province, ProvinceCode, Ward

from dashboard.catalogue import UnknownProvince, find_province, units_of


def _package_wards(code: ProvinceCode) -> dict[str, str]:
    """{5-digit official code: name} straight from the package's full ward list."""
    return {f"{int(w.code):05d}": w.name for w in Ward.iter_all() if w.province_code == code}


@pytest.mark.parametrize(
    "province, code, wards",
    [("Thành phố Đà Nẵng", ProvinceCode.P_48, 94), ("hue", ProvinceCode.P_46, 40)],
)
def test_catalogue_ingest_list_round_trip(tmp_path, province, code, wards):
    expected = _package_wards(code)
    assert len(expected) == wards  # the official counts after 1 July 2025 (Đà Nẵng 94, Huế 40)
    out = cchc("units", "catalogue", "--province", province)
    path = tmp_path / "units.csv"
    path.write_bytes(out.stdout)
    rows = list(csv.DictReader(io.StringIO(out.stdout.decode("utf-8"))))
    assert list(rows[0]) == ["unit_code", "unit_name", "unit_kind", "parent_code", "level"]
    assert len(rows) == wards + 1
    db = tmp_path / "u.duckdb"
    ingested = cchc("ingest", str(path), db=db).stdout.decode()
    assert f"đọc {wards + 1} dòng, nhận {wards + 1}, loại 0" in ingested
    listed = json.loads(cchc("units", "list", "--format", "json", db=db).stdout)
    prov = f"{int(code):02d}"
    assert [r for r in listed if r["level"] == "city"] == [
        {"unit_code": prov, "unit_name": Province.from_code(code).name, "level": "city", "parent_code": None,
         "valid_from": None, "valid_to": None, "successor": None}
    ]
    ward_rows = [r for r in listed if r["level"] == "ward"]
    assert {r["unit_code"]: r["unit_name"] for r in ward_rows} == expected
    assert {r["parent_code"] for r in ward_rows} == {prov}
    assert all(r["valid_to"] is None and r["successor"] is None for r in ward_rows)


def test_every_province_and_every_ward():
    """34 provinces and 3,321 wards, communes and special zones; codes unique, kinds from the contract's enum."""
    from vietnam_provinces import VietNamDivisionType

    all_units = [u for p in Province.iter_all() for u in units_of(p)]
    assert sum(u.level == "city" for u in all_units) == 34
    ward_units = [u for u in all_units if u.level == "ward"]
    assert len(ward_units) == 3321
    assert len({u.unit_code for u in all_units}) == len(all_units)
    by_kind = {k: sum(u.unit_kind == k for u in ward_units) for k in ("phuong", "xa", "dac_khu")}
    package = {t: sum(w.division_type == t for w in Ward.iter_all()) for t in VietNamDivisionType}
    assert by_kind == {
        "phuong": package[VietNamDivisionType.PHUONG],
        "xa": package[VietNamDivisionType.XA],
        "dac_khu": package[VietNamDivisionType.DAC_KHU],
    }


@pytest.mark.parametrize(
    "spelling",
    ["Thành phố Đà Nẵng", "Đà Nẵng", "TP Đà Nẵng", "TP. Đà Nẵng", "da nang", "DA NANG", "thanh pho da nang", "48"],
)
def test_province_spellings(spelling):
    assert find_province(spelling).code == ProvinceCode.P_48


def test_province_prefix_tinh_and_hcm():
    assert find_province("Tỉnh Gia Lai").code == ProvinceCode.P_52
    assert find_province("TP. HCM").code == ProvinceCode.P_79
    assert find_province("thanh hoa").code == ProvinceCode.P_38


def test_unknown_province_is_one_line_with_close_names():
    out = cchc("units", "catalogue", "--province", "Tây Ninhh", check=False)
    assert out.returncode == 2 and out.stdout == b""
    err = out.stderr.decode().strip()
    assert "\n" not in err and "Traceback" not in err
    assert "«Tây Ninhh»" in err and "Tây Ninh" in err
    with pytest.raises(UnknownProvince, match="Thành phố Đà Nẵng"):
        find_province("Đà Nẳng x")


# ----------------------------------------------------------------------------- units over time
UNITS = """unit_code,unit_name,unit_kind,parent_code,level
TP,Thành phố Mẫu,ubnd,,city
P1,Phường Một,phuong,TP,ward
P2,Phường Hai,phuong,TP,ward
P3,Phường Ba,phuong,TP,ward
P4,Phường Bốn,phuong,TP,ward
X1,Xã Một,xa,TP,ward
X2,Xã Hai,xa,TP,ward
X3,Xã Ba,xa,TP,ward
"""
# 11 rows read: 1 blank (skipped), 4 accepted, 6 rejected (lines 7-12, one reason each)
CHANGES = """Mã đơn vị cũ,Mã đơn vị mới,Ngày có hiệu lực,Hình thức sắp xếp
P2,P1,01/07/2025,sáp nhập
P3,P1,2025-07-01,merge
P1,P4,01/01/2026,Đổi tên
X1,X2,01/07/2025,chia tách

P9,P1,01/07/2025,merge
P1,Q7,01/07/2025,merge
P4,X3,31/02/2026,merge
P4,X3,01/03/2026,gộp tạm
,X3,01/03/2026,merge
X3,X3,01/03/2026,merge
"""


def test_unit_changes_validated_and_applied(tmp_path):
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "changes.csv").write_text(CHANGES, encoding="utf-8")
    db = tmp_path / "c.duckdb"
    out = cchc("ingest", str(tmp_path / "units.csv"), str(tmp_path / "changes.csv"), db=db).stdout.decode()
    assert "changes.csv: Sắp xếp đơn vị hành chính (utf-8) — đọc 11 dòng, nhận 4, loại 6, bỏ qua 1" in out
    rejects = json.loads(cchc("rejects", "--format", "json", db=db).stdout)
    got = sorted((r["line"], r["column_name"]) for r in rejects if r["file_name"] == "changes.csv")
    assert got == [(7, "old_code"), (8, "new_code"), (9, "effective_date"), (10, "kind"), (11, "old_code"),
                   (12, "new_code")]
    by_line = {r["line"]: r for r in rejects}
    assert by_line[7]["header"] == "Mã đơn vị cũ" and "P9" in by_line[7]["reason"]
    assert "31/02/2026" in by_line[9]["reason"]

    listed = {r["unit_code"]: r for r in json.loads(cchc("units", "list", "--format", "json", db=db).stdout)}
    assert list(listed["P2"]) == ["unit_code", "unit_name", "level", "parent_code", "valid_from", "valid_to",
                                  "successor"]
    # P2 and P3 merged into P1 on 1 July 2025; P1 renamed P4 on 1 January 2026: the successor of today is P4
    assert (listed["P2"]["valid_to"], listed["P2"]["successor"]) == ("2025-06-30", "P4")
    assert (listed["P3"]["valid_to"], listed["P3"]["successor"]) == ("2025-06-30", "P4")
    assert (listed["P1"]["valid_to"], listed["P1"]["successor"]) == ("2025-12-31", "P4")
    # a split retires the unit without naming one successor; the others are current
    assert (listed["X1"]["valid_to"], listed["X1"]["successor"]) == ("2025-06-30", None)
    for code in ("TP", "P4", "X2", "X3"):
        assert (listed[code]["valid_to"], listed[code]["successor"]) == (None, None), code


def test_units_validity_columns_load_and_old_layout_still_loads(tmp_path):
    """valid_from / valid_to are optional: the contract's 5-column units.csv loads as before (round trip
    above), a file with them keeps them, and a stated valid_to wins over a change's date."""
    text = (
        "unit_code,unit_name,unit_kind,parent_code,level,valid_from,valid_to\n"
        "A,Phường A,phuong,,ward,01/01/2020,30/06/2025\n"
        "B,Phường B,phuong,,ward,2025-07-01,\n"
        "C,Phường C,phuong,,ward,01/07/2025,01/01/2025\n"
        "D,Phường D,phuong,,ward,hôm qua,\n"
    )
    (tmp_path / "units.csv").write_text(text, encoding="utf-8")
    db = tmp_path / "v.duckdb"
    out = cchc("ingest", str(tmp_path / "units.csv"), db=db).stdout.decode()
    assert "đọc 4 dòng, nhận 2, loại 2" in out
    rejects = json.loads(cchc("rejects", "--format", "json", db=db).stdout)
    assert sorted((r["line"], r["column_name"]) for r in rejects) == [(4, "valid_to"), (5, "valid_from")]
    listed = {r["unit_code"]: r for r in json.loads(cchc("units", "list", "--format", "json", db=db).stdout)}
    assert (listed["A"]["valid_from"], listed["A"]["valid_to"]) == ("2020-01-01", "2025-06-30")
    assert (listed["B"]["valid_from"], listed["B"]["valid_to"]) == ("2025-07-01", None)


def test_unit_changes_successor_cycle_terminates(tmp_path):
    """A → B then B → A (a data error) must not loop: each keeps the one step it has."""
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "cyc.csv").write_text(
        "old_code,new_code,effective_date,kind\nP1,P2,2025-07-01,merge\nP2,P1,2026-01-01,merge\n", encoding="utf-8"
    )
    from dashboard.db import Database
    from dashboard.ingest.load import ingest
    from dashboard.metrics.units import units_validity
    from dashboard.reader import Reader

    db = tmp_path / "cyc.duckdb"
    res = ingest([tmp_path / "units.csv", tmp_path / "cyc.csv"], db)
    assert [(r.kind, r.accepted, r.rejected) for r in res] == [("units", 8, 0), ("unit_changes", 2, 0)]
    rows = {r["unit_code"]: r for r in units_validity(Reader(Database(db).snapshot()))}
    assert rows["P1"]["valid_to"] == dt.date(2025, 6, 30) and rows["P1"]["successor"] in ("P1", "P2")
    assert rows["P2"]["valid_to"] == dt.date(2025, 12, 31) and rows["P2"]["successor"] in ("P1", "P2")


# ----------------------------------------------------------------------------- history rolled up to today's units
MERGER_UNITS = """unit_code,unit_name,unit_kind,parent_code,level,valid_from
TP,Thành phố Mẫu,ubnd,,city,
A,Phường An,phuong,TP,ward,
B,Phường Bình,phuong,TP,ward,
C,Phường An Bình,phuong,TP,ward,01/07/2025
D,Xã Đông,xa,TP,ward,
"""
MERGERS = "old_code,new_code,effective_date,kind\nA,C,01/07/2025,merge\nB,C,01/07/2025,merge\n"


def _dossier(i: int, unit: str, received: dt.datetime, due: dt.datetime, completed: dt.datetime | None) -> dict:
    return dict(dossier_id=f"HS-{i:03d}", unit_code=unit, procedure_code="1.001612", procedure_name="Đăng ký khai sinh",
                field="Hộ tịch", channel="truc_tiep", received_at=received, due_at=due, completed_at=completed,
                status="da_giai_quyet" if completed else "dang_xu_ly", handler="", late_reason="",
                updated_at=(completed or received) + dt.timedelta(hours=1))


@pytest.fixture(scope="module")
def merger_db(tmp_path_factory):
    """Wards A and B merge into C on 1 July 2025. Q2/2025: A receives 3 (1 early, 1 late, 1 still open and in
    time at the quarter's end, finished in July), B receives 2 (1 early, 1 on time), D receives 1 (early).
    Q3/2025: C receives 1 (early)."""
    from builders import write_csv

    from dashboard.ingest.load import ingest

    D = dt.datetime
    tmp = tmp_path_factory.mktemp("merger")
    (tmp / "units.csv").write_text(MERGER_UNITS, encoding="utf-8")
    (tmp / "changes.csv").write_text(MERGERS, encoding="utf-8")
    rows = [
        _dossier(1, "A", D(2025, 4, 2, 8), D(2025, 4, 10, 17), D(2025, 4, 8, 10)),
        _dossier(2, "A", D(2025, 4, 3, 8), D(2025, 4, 12, 17), D(2025, 4, 15, 10)),
        _dossier(3, "A", D(2025, 6, 25, 8), D(2025, 7, 10, 17), D(2025, 7, 3, 10)),
        _dossier(4, "B", D(2025, 5, 5, 8), D(2025, 5, 12, 17), D(2025, 5, 12, 9)),
        _dossier(5, "B", D(2025, 5, 6, 8), D(2025, 5, 13, 17), D(2025, 5, 9, 10)),
        _dossier(6, "D", D(2025, 5, 5, 8), D(2025, 5, 12, 17), D(2025, 5, 11, 10)),
        _dossier(7, "C", D(2025, 7, 2, 8), D(2025, 7, 9, 17), D(2025, 7, 8, 10)),
    ]
    write_csv(tmp / "dossiers.csv", rows)
    db = tmp / "m.duckdb"
    res = ingest([tmp / "units.csv", tmp / "changes.csv", tmp / "dossiers.csv"], db)
    assert [(r.accepted, r.rejected) for r in res] == [(5, 0), (2, 0), (7, 0)]
    return db


def _pick(row: dict) -> tuple:
    return tuple(row[k] for k in ("carried_over", "received_new", "resolved_total", "resolved_early",
                                  "resolved_on_time", "resolved_late", "pending_total", "pending_in_time"))


def test_report_as_of_keeps_the_units_of_the_period(merger_db):
    form = json.loads(cchc("report", "quarterly", "--period", "2025-Q2", db=merger_db).stdout)
    rows = {r["unit_code"]: _pick(r) for r in form["rows"]}
    assert rows == {
        "TP": (0, 0, 0, 0, 0, 0, 0, 0),
        "A": (0, 3, 2, 1, 0, 1, 1, 1),
        "B": (0, 2, 2, 1, 1, 0, 0, 0),
        "D": (0, 1, 1, 1, 0, 0, 0, 0),
    }  # C (valid from 01/07/2025) did not exist yet: the form of Q2 does not list it
    assert "units" not in form
    q3 = json.loads(cchc("report", "quarterly", "--period", "2025-Q3", db=merger_db).stdout)["rows"]
    q3 = {r["unit_code"] for r in q3}
    assert q3 == {"TP", "A", "C", "D"}  # B retired with nothing open; A still carries dossier 3 into July


def test_report_units_current_rolls_up_to_successors(merger_db):
    asof = json.loads(cchc("report", "quarterly", "--period", "2025-Q2", db=merger_db).stdout)
    form = json.loads(cchc("report", "quarterly", "--period", "2025-Q2", "--units", "current", db=merger_db).stdout)
    rows = {r["unit_code"]: _pick(r) for r in form["rows"]}
    assert rows == {
        "TP": (0, 0, 0, 0, 0, 0, 0, 0),
        "C": (0, 5, 4, 2, 1, 1, 1, 1),
        "D": (0, 1, 1, 1, 0, 0, 0, 0),
    }
    assert form["units"] == "current" and form["rolled_up"] == {"A": "C", "B": "C"}
    assert form["total"] == asof["total"]  # a roll-up moves rows, it never changes the city's figures
    # Q3: the dossier A received in June and finished in July is carried over into C
    q3 = json.loads(cchc("report", "quarterly", "--period", "2025-Q3", "--units", "current", "--unit", "C",
                         db=merger_db).stdout)
    assert [_pick(r) for r in q3["rows"]] == [(1, 1, 2, 2, 0, 0, 0, 0)]


def test_rollup_by_level_and_field_keep_totals(merger_db):
    from dashboard.db import Database
    from dashboard.metrics.form import quarterly_form
    from dashboard.metrics.period import from_cli
    from dashboard.metrics.rollup import current_units_form
    from dashboard.reader import Reader

    reader = Reader(Database(merger_db).snapshot())
    for key in ("2025-Q2", "2025-Q3", "2025"):
        period = from_cli(key, None, None)
        for by in ("unit", "level", "field"):
            assert current_units_form(reader, period, by=by)["total"] == quarterly_form(reader, period, by=by)["total"]


def test_retired_units_leave_the_filter_but_not_history(merger_db, app):
    """`app`: the pages register with the session's one Dash app; the filter is then built on this fixture."""
    from dashboard.db import Database
    from dashboard.metrics.units import current_units, units
    from dashboard.pages.common import unit_filter
    from dashboard.reader import Reader

    reader = Reader(Database(merger_db).snapshot())

    def options(component) -> list[str]:
        found = []

        def walk(c):
            if hasattr(c, "options") and isinstance(c.options, list):
                found.extend(o["value"] for o in c.options)
            kids = getattr(c, "children", None)
            for k in kids if isinstance(kids, list) else [kids]:
                if k is not None and not isinstance(k, str):
                    walk(k)

        walk(component)
        return found

    assert options(unit_filter(reader, None)) == ["", "TP", "C", "D"]
    assert options(unit_filter(reader, "A")) == ["", "TP", "A", "C", "D"]  # a link naming A still shows it
    assert list(current_units(reader).unit_code) == ["TP", "C", "D"]
    assert list(units(reader).unit_code) == ["TP", "A", "B", "C", "D"]
