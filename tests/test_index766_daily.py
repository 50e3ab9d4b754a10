"""Aggregates built at publication against the scans they replace on a page render:
queries/index766_counts.sql reads index766_daily, index766_counts_scan.sql counts the dossiers themselves;
queries/lateness_summary.sql reads lateness_daily, lateness_summary_scan.sql judges every dossier of
raw_clock_set. Each pair agrees exactly on every column: on the hand-counted fixture (multi-supplement, waiting
for a supplement, withdrawn, returned, open at the end), the demo city and the seed, for weeks, months, quarters,
halves, years, single days and random ranges, both paper-result defaults, city-wide, per unit and through a ward's
scoped reader; and on generated dossiers (hypothesis, derandomised) with midnights, due and completion at the same
moment, 0-day procedures received after 15:00, procedures missing from the catalogue and holidays."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from harness import examples, fast_tier
from hypothesis import strategies as st
from test_form_conventions import conv_db  # noqa: F401  (the fixture)

from dashboard.db import FULL, Database, Scope, df, run_script
from dashboard.metrics.period import Period
from dashboard.reader import Reader


def _pair(get, params: dict, paper: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    agg = get("index766_counts", paper_default=paper, **params)
    scan = get("index766_counts_scan", paper_default=paper, **params)
    return agg.reset_index(drop=True), scan.reset_index(drop=True)


def _lateness_pair(get, params: dict, unit: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    def rows(name):  # the scan has no order: both sorted the same way
        out = get(name, unit=unit, **params).sort_values(["grp", "unit_code", "reason"], na_position="first")
        return out.reset_index(drop=True)

    return rows("lateness_summary"), rows("lateness_summary_scan")


def _assert_lateness_equal(get, params: dict, unit: str | None, obj: str) -> int:
    agg, scan = _lateness_pair(get, params, unit)
    pd.testing.assert_frame_equal(agg, scan, obj=obj)
    return len(scan)


def _periods(rnd: random.Random, first: dt.date, days: int, named: list[str]) -> list[str]:
    out = list(named)
    for _ in range(8):
        a = first + dt.timedelta(days=rnd.randrange(0, days))
        out.append(f"{a}..{a + dt.timedelta(days=rnd.randrange(0, 120))}")
    return out


def test_hand_fixture_aggregate_equals_scan_and_the_hand_count(conv_db):  # noqa: F811
    """The eleven hand-counted dossiers of 2024-Q2 (test_index766's docstring): 2.1 = 4/9, X02 2/4."""
    r = Reader(Database(conv_db).snapshot())
    agg, scan = _pair(r.q, Period.parse("2024-Q2").params(), True)
    pd.testing.assert_frame_equal(agg, scan)
    total = agg[["p21_num", "p21_den", "multi_supplement", "open_at_end"]].sum()
    assert (total.p21_num, total.p21_den) == (4, 9)
    assert total.multi_supplement >= 1 and total.open_at_end >= 1
    x02 = agg.set_index("unit_code").loc["X02"]
    assert (x02.p21_num, x02.p21_den) == (2, 4)
    for key in ("2024-04", "2024-05", "2024-06", "2024-W20", "2024", "2024-H1", "2024-Q3", "2024-05-15..2024-05-15",
                "2024-05-16..2024-07-10", "2023-12-01..2024-04-30"):
        for paper in (True, False):
            pd.testing.assert_frame_equal(*_pair(r.q, Period.parse(key).params(), paper), obj=f"{key} {paper}")
        for unit in (None, "X01", "X02"):
            _assert_lateness_equal(r.q, Period.parse(key).params(), unit, f"lateness {key} {unit}")


@pytest.mark.parametrize("which", ["demo", "seed003"])
def test_aggregate_equals_scan_over_many_periods_units_and_scopes(which, demo_db, seed003_db):
    db = demo_db if which == "demo" else seed003_db
    snap = Database(db).snapshot()
    rnd = random.Random(766)
    if which == "demo":
        periods = _periods(rnd, dt.date(2024, 1, 1), 1050, [
            "2024", "2025", "2026", "2025-Q1", "2025-Q3", "2026-Q3", "2026-Q4", "2024-H2", "2026-H2", "2025-02",
            "2026-11", "2025-W07", "2026-W47", "2026-11-20..2026-11-20", "2023-12-31..2024-01-02"])
    else:
        periods = _periods(rnd, dt.date(2021, 5, 15), 120, ["2021-Q3", "2021-07", "2021", "2021-06-20..2021-07-05"])
    full = Reader(snap)
    codes = sorted(full.q("units").unit_code)
    scopes = [FULL] + [Scope(units=frozenset({c}), personal=False, imports=False) for c in rnd.sample(codes, 3)]
    non_empty = 0
    for scope in scopes:
        reader = Reader(snap, scope, full.cache)
        for key in periods:
            agg, scan = _pair(reader.q, Period.parse(key).params(), rnd.random() < 0.5)
            pd.testing.assert_frame_equal(agg, scan, obj=f"{which} {key} {scope.units}")
            non_empty += len(scan) > 0
            if scope.units is not None:
                assert set(agg.unit_code) <= set(reader.q("units").unit_code)
            unit = rnd.choice([None, *sorted(agg.unit_code)]) if len(agg) else None
            non_empty += _assert_lateness_equal(reader.q, Period.parse(key).params(), unit, f"{which} {key} {unit}") > 0
    assert non_empty >= 4 * len(periods)


# ----------------------------------------------------------------------------- generated dossiers
T0 = dt.datetime(2024, 1, 1)
_flag = st.sampled_from([None, True, False])
_dossier = st.fixed_dictionaries({
    "unit_code": st.sampled_from(["A", "B", "C"]),
    "channel": st.sampled_from(["truc_tuyen", "truc_tiep", "buu_chinh"]),
    "received_h": st.one_of(st.integers(0, 24 * 200), st.integers(0, 200).map(lambda d: 24 * d)),  # hours from T0
    "due_h": st.one_of(st.integers(0, 24 * 40), st.sampled_from([0, 9, 24, 33, 48])),
    # "due": exactly at due_at; ("midnight", k): at midnight k days after receipt
    "completed_h": st.one_of(st.none(), st.just("due"), st.integers(0, 24 * 80),
                             st.tuples(st.just("midnight"), st.integers(0, 40))),
    "status": st.sampled_from(["da_xu_ly", "dang_xu_ly", "tra_lai", "tam_dung", "rut"]),
    "procedure_code": st.sampled_from(["P0", "P3", "P10", "PX"]),  # PX: not in the catalogue (no raw clock)
    "late_reason": st.sampled_from([None, "Lỗi phần mềm", "Chờ ý kiến"]),
    "supp_h": st.one_of(st.none(), st.just("due"), st.integers(-48, 24 * 60)),
    "supplement_count": st.one_of(st.none(), st.integers(0, 3)),
    "has_fee": _flag, "paid_online": _flag, "e_result": _flag, "digitized": _flag,
    "reused_data": _flag, "synced_national": _flag, "paper_result_required": _flag,
})


def _at(h, rec: dt.datetime, due: dt.datetime) -> dt.datetime | None:
    if isinstance(h, tuple):
        return dt.datetime.combine(rec.date(), dt.time()) + dt.timedelta(days=h[1] + 1)
    return None if h is None else due if h == "due" else rec + dt.timedelta(hours=h)


def _database(rows: list[dict]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    run_script(con, "schema")
    con.execute("INSERT INTO procedures (procedure_code, statutory_days) VALUES ('P0', 0), ('P3', 3), ('P10', 10)")
    con.execute("INSERT INTO holidays (date, name) VALUES (DATE '2024-02-12', 'Tết'), (DATE '2024-04-30', 'Lễ'), "
                "(DATE '2024-05-01', 'Lễ')")
    for i, r in enumerate(rows):
        rec = T0 + dt.timedelta(hours=r["received_h"])
        due = rec + dt.timedelta(hours=r["due_h"])

        con.execute(
            "INSERT INTO dossiers (dossier_id, unit_code, procedure_code, late_reason, field, channel, received_at, "
            "due_at, completed_at, status, has_fee, paid_online, e_result, digitized, supplement_requested_at, "
            "supplement_count, reused_data, synced_national, paper_result_required) "
            "VALUES (?, ?, ?, ?, 'F', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [f"D{i}", r["unit_code"], r["procedure_code"], r["late_reason"], r["channel"], rec, due,
             _at(r["completed_h"], rec, due), r["status"],
             r["has_fee"], r["paid_online"], r["e_result"], r["digitized"], _at(r["supp_h"], rec, due),
             r["supplement_count"],
             r["reused_data"], r["synced_national"], r["paper_result_required"]],
        )
    run_script(con, "build_calendar")
    run_script(con, "build_daily")
    return con


@settings(max_examples=examples(60, 300, fast=12), deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(_dossier, min_size=0, max_size=60),
    periods=st.lists(st.tuples(st.integers(-5, 260), st.integers(0, 120)), min_size=1, max_size=10),
    paper=st.booleans(),
)
def test_aggregate_equals_scan_on_generated_dossiers(rows, periods, paper):
    con = _database(rows)
    try:
        for start, length in periods:
            a = (T0 + dt.timedelta(days=start)).date()
            params = Period.between(a, a + dt.timedelta(days=length)).params()
            agg, scan = _pair(lambda name, **p: df(con, name, **p), params, paper)
            pd.testing.assert_frame_equal(agg, scan, obj=f"{a} +{length}")
            for unit in (None, "A"):
                _assert_lateness_equal(lambda name, **p: df(con, name, **p), params, unit, f"lateness {a} +{length}")
    finally:
        con.close()


def _random_rows(rnd: random.Random, n: int) -> list[dict]:
    def pick(*options):
        return rnd.choice(options)

    return [{
        "unit_code": pick("A", "B", "C"), "channel": pick("truc_tuyen", "truc_tiep", "buu_chinh"),
        "received_h": pick(rnd.randrange(0, 24 * 200), 24 * rnd.randrange(0, 200)),
        "due_h": pick(rnd.randrange(0, 24 * 40), pick(0, 9, 24, 33, 48)),
        "completed_h": pick(None, "due", rnd.randrange(0, 24 * 80), ("midnight", rnd.randrange(0, 40))),
        "status": pick("da_xu_ly", "dang_xu_ly", "tra_lai", "tam_dung", "rut"),
        "procedure_code": pick("P0", "P3", "P10", "PX"), "late_reason": pick(None, "Lỗi phần mềm", "Chờ ý kiến"),
        "supp_h": pick(None, "due", rnd.randrange(-48, 24 * 60)), "supplement_count": pick(None, 0, 1, 2),
        **{k: pick(None, True, False) for k in ("has_fee", "paid_online", "e_result", "digitized", "reused_data",
                                                "synced_national", "paper_result_required")},
    } for _ in range(n)]


def test_aggregates_equal_scans_for_every_end_day():
    """600 seeded random dossiers, a period ending on every day of 2024 (of 1, 7, 30 or 100 days): the day-bucket
    decomposition is exact at every end date, not only at the ones hypothesis happens to draw. `make test-fast`
    takes every third day (every weekday, both paper defaults still alternate); `make test` every day."""
    rnd = random.Random(20261124)
    con = _database(_random_rows(rnd, 600))
    try:
        get = lambda name, **p: df(con, name, **p)  # noqa: E731
        for k in range(0, 250, 3 if fast_tier() else 1):
            end = T0.date() + dt.timedelta(days=k)
            params = Period.between(end - dt.timedelta(days=rnd.choice([0, 6, 29, 99])), end).params()
            pd.testing.assert_frame_equal(*_pair(get, params, k % 2 == 0), obj=f"766 {end}")
            _assert_lateness_equal(get, params, rnd.choice([None, "B"]), f"lateness {end}")
    finally:
        con.close()


def test_by_unit_rows_equal_each_unit_alone(demo_db):
    """index766(by_unit=True) takes each unit's counts from one groupby; index766(unit=U) sums U's rows: the same
    rows, every unit (including one with no dossier in the period), three periods."""
    from dashboard.metrics.index766 import index766

    reader = Reader(Database(demo_db).snapshot())
    for key in ("2025-Q3", "2026-11", "2024-W02"):
        p = Period.parse(key)
        rows = index766(reader, p, by_unit=True)
        codes = list(dict.fromkeys(r["unit_code"] for r in rows))[1:]
        assert len(codes) == len(reader.q("units"))
        for code in codes:
            alone = [{**r, "unit_code": code} for r in index766(reader, p, unit=code)]
            assert [r for r in rows if r["unit_code"] == code] == alone, (key, code)


def test_aggregates_equal_scans_where_the_dates_coincide():
    """Every combination, on a small grid, of the days at which an open dossier's state may change (receipt, due
    day, raw-clock day, start of a wait, completion, a returned dossier completed at midnight) falling on the same
    day or on neighbouring days, across a weekend, 0-day procedures after 15:00 and one missing from the
    catalogue: the aggregate equals the scan at every end day around them, for periods of 1 and 7 days."""
    rows = [
        {"unit_code": "A", "channel": "truc_tiep", "received_h": rec, "due_h": due, "completed_h": comp,
         "status": status, "procedure_code": proc, "late_reason": "Lỗi phần mềm" if due == 24 else None,
         "supp_h": supp, "supplement_count": 1,
         **dict.fromkeys(("has_fee", "paid_online", "e_result", "digitized", "reused_data", "synced_national",
                          "paper_result_required"))}
        for rec in (24 * 3 + 9, 24 * 4 + 16)  # Thursday 09:00, Friday 16:00 (the weekend follows)
        for due in (0, 24, 48, 72)
        for comp in (None, "due", *(("midnight", k) for k in range(5)))
        for status in ("da_xu_ly", "dang_xu_ly", "tra_lai", "tam_dung")
        for proc in ("P0", "P3", "PX")
        for supp in (None, 0, "due", 30, 54, 72, 120)
    ]
    con = _database(rows)
    try:
        get = lambda name, **p: df(con, name, **p)  # noqa: E731
        assert con.execute("SELECT count(*) FROM dossiers").fetchone()[0] == 4704
        for k in range(1, 16):
            end = T0.date() + dt.timedelta(days=k)
            for length in (0, 6):
                params = Period.between(end - dt.timedelta(days=length), end).params()
                _assert_lateness_equal(get, params, None, f"lateness {end} {length}")
                pd.testing.assert_frame_equal(*_pair(get, params, True), obj=f"766 {end} {length}")
    finally:
        con.close()
