"""A bad target already in a database (NaN, inf, negative, absurd, an unknown comparator) cannot take a page down
or crash `cchc kpi`: the KPI says "chỉ tiêu không hợp lệ" and is never compared against it; other KPIs keep their
status. Checked on the CLI and on every page through the app's request handling."""

from __future__ import annotations

import json
import math
import shutil

import duckdb
import pytest

from conftest import cchc

BAD = {
    "on_time_rate": ("value", "'NaN'::DOUBLE"),
    "online_rate": ("value", "'inf'::DOUBLE"),
    "satisfaction_rate": ("value", "-5"),
    "par_index_rank": ("value", "1e30"),
    "digitization_rate": ("comparator", "'~'"),
}


@pytest.fixture(scope="module")
def bad_db(demo_db, tmp_path_factory):
    from dashboard.auth import UserStore, ensure_demo_users, users_path

    db = tmp_path_factory.mktemp("badtargets") / "demo.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    for kpi, (col, expr) in BAD.items():
        con.execute(f"UPDATE targets SET {col} = {expr} WHERE kpi = ?", [kpi])
    con.close()
    ensure_demo_users(UserStore(users_path(db)), "W08", "Xã Bình Minh")
    return db


def test_target_problem():
    from dashboard.metrics.targets import target_problem

    assert target_problem("on_time_rate", ">=", 0.99) is None and target_problem("par_index_rank", "top", 10) is None
    for kpi, comp, v in [
        ("on_time_rate", ">=", math.nan),
        ("on_time_rate", ">=", math.inf),
        ("on_time_rate", ">=", -0.1),
        ("on_time_rate", ">=", 99),
        ("on_time_rate", "~", 0.9),
        ("on_time_rate", ">=", "abc"),
        ("par_index_rank", "top", 0),
        ("par_index_rank", "top", 2.5),
        ("par_index_rank", "top", 1e30),
    ]:
        assert target_problem(kpi, comp, v), (kpi, comp, v)


def test_cli_kpi_marks_bad_targets_invalid(bad_db, demo_db):
    rows = json.loads(cchc("kpi", "--period", "2026-Q3", db=bad_db).stdout)
    good = {r["kpi"]: r for r in json.loads(cchc("kpi", "--period", "2026-Q3", db=demo_db).stdout)}
    status = {r["kpi"]: r["status"] for r in rows}
    assert {k for k, s in status.items() if s == "invalid_target"} == set(BAD)
    for r in rows:
        if r["kpi"] in BAD:
            assert r["target"] is None and r["target_problem"] and r["actual"] == good[r["kpi"]]["actual"]
        else:  # the other KPIs are judged exactly as before
            assert (r["status"], r["target"]) == (good[r["kpi"]]["status"], good[r["kpi"]]["target"])
    by_unit = json.loads(cchc("kpi", "--period", "2026-Q3", "--by", "unit", db=bad_db).stdout)
    assert {r["kpi"] for r in by_unit if r["status"] == "invalid_target"} == set(BAD)
    assert cchc("kpi", "--period", "2026-Q3", "--by", "unit", "--format", "csv", db=bad_db).returncode == 0
    proj = json.loads(cchc("kpi", "--projection", db=bad_db).stdout)
    assert proj and all(math.isfinite(p["projected_rate"]) for p in proj if p["projected_rate"] is not None)


def test_every_page_survives_bad_targets(bad_db, caplog):
    """Through the app's real request handling in this process (Flask's test client, signed in as the chairman:
    the router's request as the browser sends it); no error logged (a page that fails logs its traceback)."""
    from test_security import page, sign_in

    from dashboard.app import create_app

    caplog.set_level("ERROR")
    c = sign_in(create_app(bad_db), "chutich")
    texts = {}
    pages = [
        ("/", ""),
        ("/don-vi", ""),
        ("/don-vi", "&unit=W03&kpi=on_time_rate"),
        ("/ho-so-tre-han", ""),
        ("/bao-cao-quy", ""),
        ("/chi-tieu", ""),
        ("/phan-tich", ""),
    ] + [("/trinh-chieu", f"&slide={i}") for i in range(1, 14)]
    for path, extra in pages:
        r = page(c, path, "?period=2026-Q3" + extra)
        assert r.status_code == 200, (path, extra, r.text[:300])
        text = json.dumps(r.json, ensure_ascii=False)
        assert "Không hiển thị được trang" not in text, (path, extra)
        texts[path + extra] = text
    assert not [r for r in caplog.records if r.levelname == "ERROR"], [r.getMessage() for r in caplog.records][:5]
    assert "Chỉ tiêu không hợp lệ" in texts["/"]  # the overview's cards
    assert "Chỉ tiêu không hợp lệ" in texts["/chi-tieu"] and "không hữu hạn" in texts["/chi-tieu"]
    assert "Chỉ tiêu không hợp lệ" in texts["/trinh-chieu&slide=1"]
