"""queries/index766_counts.sql reads the index766_daily aggregate built at publication; index766_counts_scan.sql
counts the dossiers themselves (the reference). They agree exactly on every column: on the hand-counted fixture
(multi-supplement, waiting for a supplement, withdrawn, returned, open at the end), the demo city and the seed,
for weeks, months, quarters, halves, years, single days and random ranges, both paper-result defaults, city-wide
and through a ward's scoped reader; and on generated dossiers (hypothesis, derandomised)."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_form_conventions import conv_db  # noqa: F401  (the fixture)

from dashboard.db import FULL, Database, Scope, df, run_script
from dashboard.metrics.period import Period
from dashboard.reader import Reader


def _pair(get, params: dict, paper: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    agg = get("index766_counts", paper_default=paper, **params)
    scan = get("index766_counts_scan", paper_default=paper, **params)
    return agg.reset_index(drop=True), scan.reset_index(drop=True)


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
    assert non_empty >= 2 * len(periods)


# ----------------------------------------------------------------------------- generated dossiers
T0 = dt.datetime(2024, 1, 1)
_flag = st.sampled_from([None, True, False])
_dossier = st.fixed_dictionaries({
    "unit_code": st.sampled_from(["A", "B", "C"]),
    "channel": st.sampled_from(["truc_tuyen", "truc_tiep", "buu_chinh"]),
    "received_h": st.integers(0, 24 * 200),  # hours from T0: midnights hit often
    "due_h": st.integers(0, 24 * 40),
    "completed_h": st.one_of(st.none(), st.just("due"), st.integers(0, 24 * 80)),  # "due": exactly at due_at
    "status": st.sampled_from(["da_xu_ly", "dang_xu_ly", "tra_lai", "tam_dung", "rut"]),
    "supp_h": st.one_of(st.none(), st.just("due"), st.integers(-48, 24 * 60)),
    "supplement_count": st.one_of(st.none(), st.integers(0, 3)),
    "has_fee": _flag, "paid_online": _flag, "e_result": _flag, "digitized": _flag,
    "reused_data": _flag, "synced_national": _flag, "paper_result_required": _flag,
})


def _at(h, rec: dt.datetime, due: dt.datetime) -> dt.datetime | None:
    return None if h is None else due if h == "due" else rec + dt.timedelta(hours=h)


def _database(rows: list[dict]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    run_script(con, "schema")
    for i, r in enumerate(rows):
        rec = T0 + dt.timedelta(hours=r["received_h"])
        due = rec + dt.timedelta(hours=r["due_h"])

        con.execute(
            "INSERT INTO dossiers (dossier_id, unit_code, procedure_code, field, channel, received_at, due_at, "
            "completed_at, status, has_fee, paid_online, e_result, digitized, supplement_requested_at, "
            "supplement_count, reused_data, synced_national, paper_result_required) "
            "VALUES (?, ?, 'P', 'F', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [f"D{i}", r["unit_code"], r["channel"], rec, due, _at(r["completed_h"], rec, due), r["status"],
             r["has_fee"], r["paid_online"], r["e_result"], r["digitized"], _at(r["supp_h"], rec, due),
             r["supplement_count"],
             r["reused_data"], r["synced_national"], r["paper_result_required"]],
        )
    run_script(con, "build_daily")
    return con


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(_dossier, min_size=0, max_size=40),
    periods=st.lists(st.tuples(st.integers(-5, 260), st.integers(0, 120)), min_size=1, max_size=6),
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
    finally:
        con.close()
