"""Ranks among units (competition ranking, "1, 1, 3") and the units a per-unit listing names, on a fixture built
from known counts (on-time = completed no later than due_at; every dossier completed in its quarter):

  unit  Q1/2026 on time / resolved   Q2/2026
  A     10 / 10  (100 %)             10 / 10 (100 %)
  B      5 / 5   (100 %)             20 / 20 (100 %)
  C     10 / 10  (100 %)              9 / 10 (90 %)
  D      9 / 10  (90 %)              10 / 10 (100 %)
  E      8 / 10  (80 %)               8 / 10 (80 %)
  R1     4 / 4   (100 %)             retired 01/04/2026 (merged into A), no dossier in Q2
  R2     3 / 3   (100 %)              1 / 1 (100 %): received 25/03, completed 03/04 under its old code
  TP     the city itself, no dossiers

Q1 ranks: A B C R1 R2 = 1, D = 6, E = 7.  Q2 ranks: A B D R2 = 1, C = 5, E = 6.
Rank change (previous − current): A 0, B 0, R2 0, C −4, D +5, E +1. Units at 100 % in both quarters show "=".
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from conftest import cchc

D = dt.datetime
UNITS = """unit_code,unit_name,unit_kind,parent_code,level
TP,Thành phố Mẫu,ubnd,,city
A,Phường An,phuong,TP,ward
B,Phường Bình,phuong,TP,ward
C,Phường Cầu,phuong,TP,ward
D,Xã Đông,xa,TP,ward
E,Xã Én,xa,TP,ward
R1,Phường Rạch Một (cũ),phuong,TP,ward
R2,Phường Rạch Hai (cũ),phuong,TP,ward
"""
CHANGES = "old_code,new_code,effective_date,kind\nR1,A,2026-04-01,merge\nR2,A,2026-04-01,merge\n"
COUNTS = {  # unit: ((Q1 on time, Q1 late), (Q2 on time, Q2 late))
    "A": ((10, 0), (10, 0)), "B": ((5, 0), (20, 0)), "C": ((10, 0), (9, 1)), "D": ((9, 1), (10, 0)),
    "E": ((8, 2), (8, 2)), "R1": ((4, 0), (0, 0)), "R2": ((3, 0), (0, 0)),
}
RANK_Q1 = {"A": 1, "B": 1, "C": 1, "R1": 1, "R2": 1, "D": 6, "E": 7}
RANK_Q2 = {"A": 1, "B": 1, "D": 1, "R2": 1, "C": 5, "E": 6}
CHANGE_Q2 = {"A": 0, "B": 0, "R2": 0, "C": -4, "D": 5, "E": 1}


def _rows() -> list[dict]:
    rows, i = [], 0

    def add(unit, received, late):
        nonlocal i
        i += 1
        due = received + dt.timedelta(days=5, hours=9)
        done = due + dt.timedelta(days=2) if late else due - dt.timedelta(days=1)
        rows.append(dict(dossier_id=f"R-{i:04d}", unit_code=unit, procedure_code="1.001612",
                         procedure_name="Đăng ký khai sinh", field="Hộ tịch", channel="truc_tiep", received_at=received,
                         due_at=due, completed_at=done, status="da_giai_quyet", handler="", late_reason="",
                         updated_at=done + dt.timedelta(hours=1)))

    for unit, quarters in COUNTS.items():
        for start, (ok, late) in zip((D(2026, 1, 5, 8), D(2026, 4, 6, 8)), quarters):
            for k in range(ok + late):
                add(unit, start + dt.timedelta(days=k % 40), late=k >= ok)
    add("R2", D(2026, 3, 25, 8), late=False)  # carried over: finished in Q2 under its old code, on time
    # updated_at: the extract's moment, after Q2's end
    rows[-1].update(due_at=D(2026, 4, 6, 17), completed_at=D(2026, 4, 3, 10), updated_at=D(2026, 7, 3, 9))
    return rows


@pytest.fixture(scope="module")
def ranks_db(tmp_path_factory):
    from builders import write_csv

    from dashboard.ingest.load import ingest

    tmp = tmp_path_factory.mktemp("ranks")
    (tmp / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp / "changes.csv").write_text(CHANGES, encoding="utf-8")
    rows = _rows()
    write_csv(tmp / "hoso.csv", rows)
    db = tmp / "r.duckdb"
    res = ingest([tmp / "units.csv", tmp / "changes.csv", tmp / "hoso.csv"], db)
    assert [(r.accepted, r.rejected) for r in res] == [(8, 0), (2, 0), (len(rows), 0)], [r.line() for r in res]
    return db


def _reader(db):
    from dashboard.db import Database
    from dashboard.reader import Reader

    return Reader(Database(db).snapshot())


def test_ties_share_the_rank_and_a_unit_kept_at_100_percent_shows_no_change(ranks_db):
    from dashboard.metrics import kpis
    from dashboard.metrics.period import Period
    from dashboard.ui import format as fmt

    reader = _reader(ranks_db)
    q1 = kpis.ranking(reader, Period.parse("2026-Q1"), "on_time_rate").set_index("unit_code")
    assert q1["rank"].dropna().astype(int).to_dict() == RANK_Q1
    q2 = kpis.ranking(reader, Period.parse("2026-Q2"), "on_time_rate").set_index("unit_code")
    assert q2["rank"].dropna().astype(int).to_dict() == RANK_Q2
    assert q2["rank_change"].dropna().astype(int).to_dict() == CHANGE_Q2
    assert pd.isna(q2.at["TP", "rank"])  # no dossiers: no rank
    assert "R1" not in q2.index  # retired before Q2 with no figures in it
    assert {c: fmt.rank_change(v) for c, v in q2["rank_change"].dropna().items()} == {
        "A": "=", "B": "=", "R2": "=", "C": "▼4", "D": "▲5", "E": "▲1"}


def test_rates_are_ranked_as_shown():
    """99,996 % is shown as 100,00 %: it shares rank 1 with 100 %, the next rank is 3 (competition ranking)."""
    from dashboard.metrics.kpis import rank_of
    from dashboard.ui import format as fmt

    m = pd.DataFrame({"on_time_rate": [1.0, 0.99996, 0.5, None, 0.9]})
    assert fmt.pct(0.99996) == fmt.pct(1.0)
    assert rank_of(m, "on_time_rate").tolist()[:3] == [1.0, 1.0, 4.0]
    assert rank_of(m, "on_time_rate").tolist()[4] == 3.0 and pd.isna(rank_of(m, "on_time_rate")[3])


def test_kpi_by_unit_lists_the_units_of_the_period(ranks_db):
    """`cchc kpi --by unit`: the units that existed in the period, plus a retired unit with figures in it."""

    def listed(period: str) -> set[str]:
        rows = json.loads(cchc("kpi", "--period", period, "--by", "unit", db=ranks_db).stdout)
        return {r["unit_code"] for r in rows}

    assert listed("2026-Q1") == {"ALL", "TP", "A", "B", "C", "D", "E", "R1", "R2"}
    assert listed("2026-Q2") == {"ALL", "TP", "A", "B", "C", "D", "E", "R2"}  # R1 retired, R2 finished one dossier
    rows = json.loads(cchc("kpi", "--period", "2026-Q2", "--by", "unit", db=ranks_db).stdout)
    r2 = next(r for r in rows if r["unit_code"] == "R2" and r["kpi"] == "on_time_rate")
    assert (r2["numerator"], r2["denominator"]) == (1, 1)
