"""The national service index (Decision 766) as the portal computes it, on the hand-counted fixture of
test_form_conventions (2024-Q2), and the portal's published results compared with ours.

2.1 by hand: 9 dossiers received or handled in Q2 (A1–A8, A10; A9 withdrawn, A11 received in Q3). On time or
in time: A1 and A4 (completed by due_at), A5 (waiting for a supplement requested 15/05, before its due date
20/05), A7 (open, due 20/07 after the end) = 4. Not: A2 (returned after due: the portal has no returned rule),
A3, A10 (late), A6 (open past due), A8 (two supplement requests; the second after the end) → 4/9, 8.89 points.
The form's on-time rate is 3/5 (early + on time over resolved)."""

from __future__ import annotations

import json

import pytest
from conftest import cchc
from test_form_conventions import conv_db  # noqa: F401  (the fixture)

from dashboard.config import INDEX766
from dashboard.metrics.index766 import MAX_TOTAL, points_for


@pytest.fixture(scope="module")
def idx_db(conv_db):  # noqa: F811  (pytest injects the imported fixture)
    return conv_db  # the same eleven dossiers (a database of this module's own: the fixture is module-scoped)


def _rows(db, *extra):
    out = json.loads(cchc("index766", "--period", "2024-Q2", *extra, db=db).stdout)
    return {(r["unit_code"], r["indicator"]): r for r in out["rows"]}


def test_progress_21_by_the_portal_rules(idx_db):
    r = _rows(idx_db, "--by", "unit")
    p = r[("ALL", "2.1")]
    assert (p["numerator"], p["denominator"], p["points"], p["max_points"]) == (4, 9, 8.89, 20)
    assert p["rate"] == pytest.approx(4 / 9) and p["points_lost"] == 11.11
    assert (r[("X02", "2.1")]["numerator"], r[("X02", "2.1")]["denominator"]) == (2, 4)
    kpi = json.loads(cchc("kpi", "--period", "2024-Q2", "--format", "json", db=idx_db).stdout)
    rates = {k["kpi"]: k for k in kpi if k["unit_code"] == "ALL"}
    assert rates["portal_on_time_rate"]["actual"] == pytest.approx(4 / 9)
    assert rates["on_time_rate"]["actual"] == pytest.approx(3 / 5)


def test_other_indicators_and_the_total_never_rescaled(idx_db):
    r = _rows(idx_db)
    assert (r[("ALL", "3.3")]["numerator"], r[("ALL", "3.3")]["denominator"]) == (0, 8)  # online needs an e-result
    assert (r[("ALL", "4.1")]["numerator"], r[("ALL", "4.1")]["denominator"]) == (0, 5)
    assert (r[("ALL", "4.2")]["numerator"], r[("ALL", "4.2")]["denominator"]) == (0, 8)
    for code in ("3.6", "1.4", "4.3", "5.4", "1.1", "5.2"):  # no fee, columns absent, no survey, not one-stop data
        assert r[("ALL", code)]["computed"] is False and r[("ALL", code)]["points"] is None
    t = r[("ALL", "total")]
    assert (t["points"], t["max_points"], t["computed_max_points"]) == (8.89, 100.0, 34.0)
    assert MAX_TOTAL == 100


def test_points_formula_from_configuration():
    by = {i.code: i for i in INDEX766}
    assert points_for(by["3.3"], 0.25) == 2.0  # 4 × 0.25 / 0.5
    assert points_for(by["3.3"], 0.7) == 4.0  # capped
    assert points_for(by["2.1"], 0.5) == 10.0  # no threshold: max × rate
    assert points_for(by["4.2"], 0.4) == 2.0  # 4 × 0.4 / 0.8
    assert sum(i.max_points for i in INDEX766) == 100


def test_portal_results_input_and_compare(idx_db, tmp_path):
    f = tmp_path / "portal.csv"
    f.write_text("Kỳ đánh giá,Mã đơn vị,Chỉ số,Điểm,Điểm tối đa,Xếp hạng\n"
                 "2024-Q2,ALL,total,61.5,100,12\n2024-Q2,X02,2.1,15,20,3\n2024-Q2,X01,2,12,20,\n"
                 "2024-Q2,NOPE,2.1,1,20,\n2024-Q2,X01,2.1,25,20,\n", encoding="utf-8")
    out = cchc("ingest", str(f), db=idx_db).stdout.decode()
    assert "đọc 5 dòng, nhận 3, loại 2" in out
    r = _rows(idx_db, "--by", "unit", "--compare")
    x = r[("X02", "2.1")]
    assert (x["points"], x["portal_score"], x["portal_rank"], x["gap"]) == (10.0, 15.0, 3, -5.0)
    assert "bổ sung" in x["likely_cause"]
    t = r[("ALL", "total")]
    assert (t["portal_score"], t["gap"]) == (61.5, -52.61) and t["likely_cause"].startswith("66 điểm")
    g = r[("X01", "2")]  # a group: ours = 2.1 for X01 (A1, A4 of A1–A4, A10: 2/5 → 8 points)
    assert (g["points"], g["portal_score"], g["gap"]) == (8.0, 12.0, -4.0)
    assert r[("ALL", "3.3")]["portal_score"] is None


PETITIONS_CSV = """Mã PAKN,Mã đơn vị,Ngày tiếp nhận,Phân loại,Ngày xử lý xong,Từ chối tiếp nhận,Đánh giá
K1,X01,01/04/2024 08:00,Đất đai,19/04/2024 10:00,,hai_long
K2,X01,01/04/2024 08:00,Đất đai,23/04/2024 10:00,,
K3,X01,02/04/2024 08:00,Hộ tịch,05/04/2024 10:00,x,
K4,X02,20/06/2024 08:00,Hộ tịch,,,
K5,X02,03/05/2024 08:00,Hộ tịch,06/05/2024 10:00,,khong_hai_long
K6,X01,05/07/2024 08:00,Hộ tịch,,,
K7,X01,31/02/2024 08:00,Hộ tịch,,,
"""


def test_petitions_52_53(idx_db, tmp_path):
    """K1 handled in 14 working days, K2 in 16 (late), K3 refused after 3 (> 2: late), K4 open 6 working days at
    the end of Q2 (in time), K5 in 1 day but rated dissatisfied, K6 received in Q3, K7 an impossible date."""
    f = tmp_path / "pakn.csv"
    f.write_text(PETITIONS_CSV, encoding="utf-8")
    assert "đọc 7 dòng, nhận 6, loại 1" in cchc("ingest", str(f), db=idx_db).stdout.decode()
    r = _rows(idx_db, "--by", "unit")
    p52 = r[("ALL", "5.2")]
    assert (p52["numerator"], p52["denominator"], p52["points"]) == (3, 5, 3.6)
    assert (r[("ALL", "5.3")]["numerator"], r[("ALL", "5.3")]["points"]) == (2, 2.4)
    assert (r[("X02", "5.2")]["points"], r[("X02", "5.3")]["points"]) == (6.0, 3.0)
    q1 = {(x["unit_code"], x["indicator"]): x for x in json.loads(
        cchc("index766", "--period", "2024-Q1", db=idx_db).stdout)["rows"]}
    assert q1[("ALL", "5.2")]["computed"] and q1[("ALL", "5.2")]["points"] == 6.0  # no petition in the period: full
    assert q1[("ALL", "5.2")]["rate"] is None
