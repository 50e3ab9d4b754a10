"""Early warning, late budget and projection, raw vs adjusted lateness, the service index: hand-computed cases."""
import json

import pytest
from conftest import cchc

from dashboard.config import IndexComponent
from dashboard.db import Database
from dashboard.metrics import insight
from dashboard.metrics.period import Period
from dashboard.metrics.form import quarterly_form
from dashboard.reader import Reader


@pytest.mark.parametrize("in_time,resolved,remaining,target,budget", [
    (990, 1000, 500, 0.99, 5),      # the example: 990 + 500 − 0.99 × 1,500 = 5
    (1000, 1000, 0, 0.99, 10),      # no more volume expected: 10 of 1,000 may be late
    (985, 1000, 500, 0.99, 0),      # exactly on the edge
    (980, 1000, 100, 0.99, -9),     # out of reach even with no further late dossier
])
def test_late_budget(in_time, resolved, remaining, target, budget):
    assert insight.late_budget(in_time, resolved, remaining, target) == budget


def test_projection_of_a_constructed_quarter():
    # 990/1,000 so far; last year's quarter resolved 1,500 of which 1,000 by the same day; same volume this year
    r = dict(resolved_so_far=1000, in_time_so_far=990, ly_resolved_to_date=1000, ly_resolved_quarter=1500,
             recent_resolved=400, recent_late=4)
    p = insight._project("W01", r, 0.99, 60, 91)
    assert p.expected_remaining == 500 and p.late_budget == 5 and p.reachable
    assert p.projected_rate == pytest.approx((990 + 500 * 0.99) / 1500)
    assert p.projected_low < p.projected_rate < p.projected_high
    no_history = insight._project("W02", dict(r, ly_resolved_to_date=0, ly_resolved_quarter=0), 0.99, 50, 100)
    assert no_history.expected_remaining == 1000  # the pace so far over the rest of the quarter


def test_index_component_points():
    prop = IndexComponent("x", "X", 20, "on_time_rate", full_at=1.0)
    assert insight.component_points(prop, 0.95) == pytest.approx(19.0)
    capped = IndexComponent("y", "Y", 12, "online_rate", full_at=0.5)
    assert insight.component_points(capped, 0.8) == 12 and insight.component_points(capped, 0.25) == 6
    bands = IndexComponent("z", "Z", 22, "digitization_rate", bands=((0.3, 0.25), (0.5, 0.5), (0.7, 0.75), (0.9, 1.0)))
    assert insight.component_points(bands, 0.69) == 11 and insight.component_points(bands, 0.9) == 22
    assert insight.component_points(bands, 0.1) == 0 and insight.component_points(bands, None) is None


def test_index_scores_per_unit_from_the_demo(demo_db):
    out = json.loads(cchc("index", "--period", "2026-Q3", db=demo_db).stdout)
    units = {u["unit_code"]: u for u in out["units"]}
    assert "ALL" in units and len(units) == 17
    for u in units.values():
        comps = {c["component"]: c for c in u["components"]}
        assert comps["publicity"]["points"] is None  # not measurable from the one-stop data
        assert u["points"] == pytest.approx(sum(c["points"] for c in comps.values() if c["points"] is not None))
        assert 0 <= u["score_100"] <= 100
        prog = comps["progress"]
        assert prog["points"] == pytest.approx(20 * prog["actual"])


def test_raw_vs_adjusted_lateness_reconciles_to_the_form_and_the_dossier(demo_db):
    snap = Reader(Database(demo_db).snapshot())
    p = Period.parse("2026-Q3")
    data = insight.lateness(snap, p)
    form = quarterly_form(snap, p)
    t = data["total"]
    assert t["late_adjusted"] == form["total"]["resolved_late"] + form["total"]["pending_overdue"]
    assert t["late_raw"] == t["late_both"] + t["raw_only"]
    assert t["late_adjusted"] == t["late_both"] + t["adjusted_only"]
    # the difference is the lawful pauses and the returned dossiers (tra_lai), which the form counts in time
    assert t["raw_only"] > 0 and t["raw_only_paused"] + t["raw_only_returned"] == t["raw_only"]
    per_unit = {r["unit_code"]: r for r in form["rows"]}
    for r in data["rows"]:
        f = per_unit[r["unit_code"]]
        assert r["late_adjusted"] == f["resolved_late"] + f["pending_overdue"]
    rows = insight.lateness_dossiers(snap, p)
    assert (rows.category == "raw_only").sum() == t["raw_only"]
    raw_only = rows[rows.category == "raw_only"]
    paused = raw_only[raw_only.status != "tra_lai"]
    assert ((paused.due_at > paused.raw_due_at) | (paused.status == "tam_dung")).all()
    assert (raw_only.status == "tra_lai").sum() == t["raw_only_returned"]


def test_raw_clock_skips_weekends_and_holidays(tmp_path):
    from builders import UNITS_CSV

    from dashboard.ingest.load import ingest

    (tmp_path / "u.csv").write_text(UNITS_CSV, encoding="utf-8")
    (tmp_path / "h.csv").write_text("date,name\n30/04/2024,Giải phóng\n01/05/2024,Lao động\n", encoding="utf-8")
    (tmp_path / "p.csv").write_text("Mã TTHC,Thời hạn giải quyết (ngày làm việc)\nP3,3\n", encoding="utf-8")
    # received Fri 26/04; 3 working days skipping the weekend and 30/04–01/05: Mon 29/04, Thu 02/05, Fri 03/05.
    # The due date in force was moved to 08/05 by a pause; completed 06/05: late by the raw clock only.
    (tmp_path / "d.csv").write_text(
        "dossier_id,unit_code,procedure_code,field,channel,received_at,due_at,completed_at,status\n"
        "R1,X01,P3,Hộ tịch,truc_tiep,26/04/2024 09:00,08/05/2024 16:30,06/05/2024 10:00,da_giai_quyet\n",
        encoding="utf-8")
    db = tmp_path / "db.duckdb"
    ingest([tmp_path / n for n in ("u.csv", "h.csv", "p.csv", "d.csv")], db)
    rows = json.loads(cchc("lateness", "--period", "2024-Q2", "--dossiers", db=db).stdout)
    assert [(r["dossier_id"], r["raw_due_at"], r["category"]) for r in rows] == \
        [("R1", "2024-05-03T16:30:00", "raw_only")]


def test_projection_cli(demo_db):
    rows = json.loads(cchc("kpi", "--projection", db=demo_db).stdout)
    city = next(r for r in rows if r["unit_code"] == "ALL")
    assert city["target"] == 0.99 and city["method"]
    for r in rows:
        assert r["late_budget"] >= 0 and (r["reachable"] or r["late_budget"] == 0)
        if r["projected_rate"] is not None:
            assert r["projected_low"] <= r["projected_rate"] <= r["projected_high"]
