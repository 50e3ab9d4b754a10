"""Exact figures on fixtures built from the seeds' published counts, and the form's invariants."""
import json

import openpyxl
import pytest
from builders import SEED003_TOTAL, seed000_files
from conftest import cchc

from dashboard.db import Database
from dashboard.ingest.load import ingest
from dashboard.metrics.period import Period
from dashboard.metrics.form import COUNT_KEYS, quarterly_form
from dashboard.metrics.kpis import kpi_rows
from dashboard.reader import Reader


def test_seed003_quarter_exact(seed003_db):
    form = json.loads(cchc("report", "quarterly", "--period", "2021-Q3", db=seed003_db).stdout)
    assert form["period"] == "2021-Q3"
    assert {k: form["total"][k] for k in SEED003_TOTAL} == SEED003_TOTAL


def test_seed003_same_figures_for_every_period_syntax(seed003_db):
    q = json.loads(cchc("report", "quarterly", "--period", "2021-Q3", db=seed003_db).stdout)["total"]
    r = json.loads(cchc("report", "quarterly", "--from", "2021-07-01", "--to", "2021-09-30",
                        db=seed003_db).stdout)["total"]
    assert q == r


@pytest.mark.parametrize("by,key", [("unit", "unit_code"), ("field", "field"), ("level", "level")])
def test_total_is_sum_of_rows_and_balances(seed003_db, by, key):
    form = quarterly_form(Reader(Database(seed003_db).snapshot()), Period.parse("2021-Q3"), by=by)
    for k in COUNT_KEYS:
        assert sum(r[k] for r in form["rows"]) == form["total"][k], k
    for r in form["rows"] + [form["total"]]:
        assert r["received_total"] == r["resolved_total"] + r["pending_total"]
        assert r["received_total"] == r["carried_over"] + r["received_new"]
        assert r["received_new"] == r["received_online"] + r["received_in_person"] + r["received_postal"]
        assert r["resolved_total"] == r["resolved_early"] + r["resolved_on_time"] + r["resolved_late"]
        assert r["pending_total"] == r["pending_in_time"] + r["pending_overdue"]
    assert all(key in r for r in form["rows"])


def test_unit_filter(seed003_db):
    snap = Reader(Database(seed003_db).snapshot())
    per_unit = {r["unit_code"]: r for r in quarterly_form(snap, Period.parse("2021-Q3"))["rows"]}
    one = quarterly_form(snap, Period.parse("2021-Q3"), unit="X01")
    assert [r["unit_code"] for r in one["rows"]] == ["X01"]
    assert one["total"]["received_total"] == per_unit["X01"]["received_total"] > 0


def test_seed000_levels(tmp_path):
    db = tmp_path / "db.duckdb"
    ingest(seed000_files(tmp_path), db)
    form = json.loads(cchc("report", "quarterly", "--period", "2024-Q1", "--by", "level", db=db).stdout)
    lv = {r["level"]: r for r in form["rows"]}
    assert (lv["city"]["resolved_total"], lv["city"]["resolved_late"]) == (1245, 3)
    assert lv["city"]["resolved_early"] + lv["city"]["resolved_on_time"] == 1242
    assert (lv["ward"]["resolved_total"], lv["ward"]["resolved_late"]) == (5032, 9)
    assert lv["ward"]["resolved_early"] + lv["ward"]["resolved_on_time"] == 5023


def test_on_time_rate_kpi_seed003(seed003_db):
    rows = json.loads(cchc("kpi", "--period", "2021-Q3", db=seed003_db).stdout)
    on_time = next(r for r in rows if r["kpi"] == "on_time_rate" and r["unit_code"] == "ALL")
    assert on_time["actual"] == pytest.approx((2631 + 2162) / 5028)
    online = next(r for r in rows if r["kpi"] == "online_rate")
    assert online["actual"] == pytest.approx(2608 / 4952)


def test_csv_and_xlsx_formats(seed003_db, tmp_path):
    out = cchc("report", "quarterly", "--period", "2021-Q3", "--format", "csv", db=seed003_db).stdout.decode()
    lines = out.strip().splitlines()
    assert lines[0].startswith("period,unit_code,unit_name,level,received_total")
    total = lines[-1].split(",")
    assert total[1] == "ALL" and int(total[4]) == 5047
    xlsx = tmp_path / "bieu.xlsx"
    cchc("report", "quarterly", "--period", "2021-Q3", "--format", "xlsx", "--out", str(xlsx), db=seed003_db)
    ws = openpyxl.load_workbook(xlsx).active
    assert ws["A1"].value == "Biểu số II.06a/VPCP/KSTT"
    total = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "Tổng cộng")
    last = [c.value for c in ws[total]]
    # the 13 numbered columns (STT, unit, 3–13), then awaiting supplement, returned, withdrawn (seed 003: none)
    assert last[2:] == [5047, 2608, 2344, 95, 5028, 2631, 2162, 235, 19, 0, 19, 0, 0, 0]


def test_demo_city_invariants_every_unit_and_quarter(demo_db):
    snap = Reader(Database(demo_db).snapshot())
    units = snap.q("units")
    assert 12 <= len(units) <= 18 and set(units.level) == {"city", "ward"}
    checked = 0
    for year in (2024, 2025, 2026):
        for q in (1, 2, 3, 4):
            form = quarterly_form(snap, Period.parse(f"{year}-Q{q}"))
            t = form["total"]
            if year < 2026 or q < 4:
                assert 5000 <= t["received_new"] <= 10000, (year, q, t["received_new"])
            for r in form["rows"] + [t]:
                assert r["received_total"] == r["resolved_total"] + r["pending_total"]
                assert r["resolved_total"] == r["resolved_early"] + r["resolved_on_time"] + r["resolved_late"]
                assert r["pending_total"] == r["pending_in_time"] + r["pending_overdue"]
                assert r["received_new"] == r["received_online"] + r["received_in_person"] + r["received_postal"]
                checked += 1
            # the next quarter's carried-over equals this quarter's pending
            nxt = Period.parse(f"{year}-Q{q}").end_ts
            if nxt.year <= 2026 and not (year == 2026 and q == 4):
                after = quarterly_form(snap, Period.parse(f"{nxt.year}-Q{(nxt.month - 1) // 3 + 1}"))["total"]
                assert after["carried_over"] == t["pending_total"]
    assert checked > 100


def test_demo_kpis_have_targets_and_statuses(demo_db):
    rows = kpi_rows(Reader(Database(demo_db).snapshot()), Period.parse("2025-Q2"), by_unit=True)
    city = {r["kpi"]: r for r in rows if r["unit_code"] == "ALL"}
    assert city["on_time_rate"]["target"] == 0.99 and city["on_time_rate"]["comparator"] == ">="
    assert city["par_index_rank"]["comparator"] == "top" and city["par_index_rank"]["actual"] >= 1
    # every KPI with a target has a status; the portal's 766 rate (no city target) is shown beside, named apart
    assert all(r["status"] in ("met", "at_risk", "missed") for r in city.values() if r["kpi"] != "portal_on_time_rate")
    assert city["portal_on_time_rate"]["status"] == "no_target" and 0.9 < city["portal_on_time_rate"]["actual"] <= 1
    per_unit = [r for r in rows if r["unit_code"] != "ALL" and r["kpi"] == "on_time_rate"]
    assert {r["status"] for r in per_unit} >= {"met"}
    assert any(r["status"] != "met" for r in per_unit), "the demo has wards clearly worse"


def test_form_from_daily_aggregate_equals_the_scan_of_dossiers(demo_db, seed003_db):
    """report_form reads the `daily` aggregate; report_form_scan counts the dossiers themselves.
    They agree on every column for days, weeks, months, quarters, years and odd ranges, city-wide and per unit."""
    import datetime as dt
    import random

    import pandas as pd

    from dashboard.db import Database
    from dashboard.metrics.period import Period

    rnd = random.Random(7)
    non_empty = 0
    for db, periods, units in (
        (demo_db, ["2024", "2025-Q1", "2025-02", "2025-W07", "2026-Q3", "2026-11", "2024-H2", "2026-11-20..2026-11-20",
                   "2023-12-31..2024-01-02"], [None, "W08", "PTNMT", "W01"]),
        (seed003_db, ["2021-Q3", "2021-07", "2021-06-20..2021-07-05", "2021"], [None, "X01"]),
    ):
        snap = Database(db).snapshot()
        for _ in range(6):  # and random ranges
            a = (dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(0, 1000))) if db == demo_db else \
                (dt.date(2021, 5, 15) + dt.timedelta(days=rnd.randrange(0, 120)))
            periods.append(f"{a}..{a + dt.timedelta(days=rnd.randrange(0, 120))}")
        for key in periods:
            for unit in units:
                params = Period.parse(key).params()
                agg = snap.df("report_form", unit=unit, **params)
                scan = snap.df("report_form_scan", unit=unit, **params)
                cols = [c for c in scan.columns if c not in ("unit_code", "field")]
                scan = scan[scan[cols].sum(axis=1) > 0].reset_index(drop=True)  # all-zero rows carry nothing
                non_empty += bool(len(scan))
                pd.testing.assert_frame_equal(agg, scan, check_dtype=False, obj=f"{db.name} {key} {unit}")
    assert non_empty >= 50


def test_weekly_series_from_daily_equals_the_scan(demo_db):
    import datetime as dt

    import pandas as pd

    from dashboard.db import Database

    snap = Database(demo_db).snapshot()
    for unit in (None, "W08", "PTNMT"):
        for a, b in ((dt.datetime(2024, 1, 1), dt.datetime(2025, 1, 1)),
                     (dt.datetime(2026, 8, 26), dt.datetime(2026, 11, 21))):
            agg = snap.df("weekly_counts", start=a, end=b, unit=unit)
            scan = snap.df("weekly_counts_scan", start=a, end=b, unit=unit)
            assert len(scan) >= 10
            pd.testing.assert_frame_equal(agg, scan, check_dtype=False)


def test_quarter_progress_from_daily_equals_the_scan(demo_db):
    import datetime as dt

    import pandas as pd

    from dashboard.db import Database
    from dashboard.metrics.period import Period

    snap = Database(demo_db).snapshot()
    for day in (dt.date(2026, 11, 20), dt.date(2025, 2, 3), dt.date(2024, 12, 31), dt.date(2025, 7, 1)):
        q = Period.containing("quarter", day)
        ly = q.year_before()
        cut = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
        params = dict(start=q.start_ts, cut=cut, ly_start=ly.start_ts, ly_end=ly.end_ts,
                      ly_cut=dt.datetime.combine(ly.start + (day - q.start) + dt.timedelta(days=1), dt.time()),
                      recent_start=cut - dt.timedelta(weeks=8))
        agg, scan = snap.df("quarter_progress", **params), snap.df("quarter_progress_scan", **params)
        assert len(scan) >= 10
        pd.testing.assert_frame_equal(agg, scan, check_dtype=False)


def test_satisfaction_from_survey_daily_equals_the_scan(demo_db):
    import pandas as pd

    from dashboard.db import Database
    from dashboard.metrics.period import Period

    snap = Database(demo_db).snapshot()
    for key in ("2024", "2025-Q1", "2026-11", "2026-W40", "2025-06-15..2025-07-20"):
        params = Period.parse(key).params()
        agg, scan = snap.df("satisfaction", **params), snap.df("satisfaction_scan", **params)
        assert len(scan) >= 5
        pd.testing.assert_frame_equal(agg, scan, check_dtype=False)
