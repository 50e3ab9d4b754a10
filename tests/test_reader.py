"""The Reader (one cache, read-only frames, keyed by data version and scope), pages rendered with
`layout(**query)` on a fixture database without Flask, two apps in one process, the KPI catalogue checked
against the queries, scoping as data, parameter binding by DuckDB's own parser, the one status rule."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from dashboard.db import FULL, Database, Scope
from dashboard.reader import Reader, reading
from test_ui import _text  # the text a component tree shows


def test_q_is_memoised_and_its_frames_are_read_only(seed003_db):
    reader = Reader(Database(seed003_db).snapshot())
    a = reader.q("units")
    n = len(reader.cache)
    a["unit_name"] = "changed"  # the caller's copy
    a.loc[0, "unit_code"] = "XX"
    a["extra"] = 1
    b = reader.q("units")
    assert len(reader.cache) == n  # served from the cache, not run again
    assert "extra" not in b.columns and "XX" not in set(b.unit_code) and "changed" not in set(b.unit_name)
    assert list(b.unit_code) == ["PTP", "UBND", "X01", "X02"]


def test_keys_hold_data_version_scope_and_params(seed003_db):
    snap = Database(seed003_db).snapshot()
    full = Reader(snap)
    ward = Reader(snap, Scope(units=frozenset({"X01"}), personal=False, imports=False), full.cache)
    assert list(full.q("units").unit_code) != list(ward.q("units").unit_code) == ["X01"]
    assert len(full.q("report_form", unit=None, **_q3())) > len(full.q("report_form", unit="X01", **_q3()))
    assert ward.as_of == full.as_of  # the as-of moment belongs to the data version
    assert len(full.cache) == len({k for k in full.cache._data})  # noqa: SLF001  one entry per key


def _q3():
    from dashboard.metrics.period import Period

    return Period.parse("2021-Q3").params()


def test_pages_render_from_layout_query_on_a_fixture_without_flask(seed003_db):
    import dash

    from dashboard.app import create_app

    create_app(seed003_db)  # registers the pages; the reader below is not the app's
    layouts = {p["path"]: p["layout"] for p in dash.page_registry.values()}
    reader = Reader(Database(seed003_db).snapshot())
    with reading(reader):
        overview = _text(layouts["/"](period="2021-Q3"))
        form = _text(layouts["/bao-cao-quy"](period="2021-Q3"))
        n = len(reader.cache)
        layouts["/"](period="2021-Q3", x="1")  # unknown URL parameters neither reach the page nor split the cache
        layouts["/"](period="2021-Q3", x="2")
        assert len(reader.cache) == n
    assert "5.047" in overview and "5.028" in overview  # received and resolved in Q3/2021 (report 479/BC-UBND)
    assert "2.631" in form and "2.162" in form and "235" in form
    assert reader.is_memoised("layout:overview", {"period": "2021-Q3"})


def test_two_apps_in_one_process_read_their_own_database(seed003_db, tmp_path):
    from builders import UNITS_CSV, seed003_dossiers, write_csv

    from dashboard.app import create_app
    from dashboard.ingest.load import ingest
    from dashboard.reader import current_reader

    other = tmp_path / "other.duckdb"
    (tmp_path / "u.csv").write_text(UNITS_CSV, encoding="utf-8")
    ingest([tmp_path / "u.csv", write_csv(tmp_path / "d.csv", seed003_dossiers()[:30])], other)
    a, b = create_app(seed003_db, no_auth=True), create_app(other, no_auth=True)
    seen = []
    for app in (a, b):
        with app.server.test_request_context("/"):
            app.server.preprocess_request()  # signs in the local operator (--no-auth)
            seen.append(int(current_reader().coverage["dossiers"]))
    assert seen == [5047, 30]


def test_kpi_catalogue_matches_the_queries_and_a_mismatch_fails_at_start_up(tmp_path):
    from dashboard.config import KPIS
    from dashboard.metrics.kpis import CatalogueError, validate, validate_against_schema

    validate_against_schema()
    broken = tuple(dataclasses.replace(k, numerator="resolved_in_tim") if k.name == "on_time_rate" else k for k in KPIS)
    form = ["resolved_in_time", "resolved_total", "received_online", "received_new", "paid_online", "fee_dossiers",
            "e_result", "digitized"]
    columns = {
        "report_form": ["unit_code", *form],
        "weekly_counts": ["week", "satisfied", "responses", *form],
        "satisfaction": ["unit_code", "satisfied", "responses"],
        "plan_completion": ["unit_code", "tasks_done_on_time", "tasks_due"],
        "par_index_rank": ["rank", "peers"],
        "index766_counts": ["unit_code", "p21_num", "p21_den"],
    }
    validate(columns.__getitem__)  # the catalogue itself is consistent with these columns
    with pytest.raises(CatalogueError, match="on_time_rate: query 'report_form' has no column resolved_in_tim"):
        validate(columns.__getitem__, broken)
    with pytest.raises(CatalogueError, match="direction"):
        validate(columns.__getitem__, (dataclasses.replace(KPIS[0], direction="up"),))


def test_every_table_of_a_built_database_is_classified_for_scoping(demo_db, seed003_db):
    from dashboard.db import Scoping

    rules = Scoping.load()
    classes = [set(rules.public), set(rules.imports), set(rules.unit_column)]
    assert all(not (x & y) for i, x in enumerate(classes) for y in classes[i + 1 :]), "a table in two classes"
    for db in (demo_db, seed003_db):
        tables = {r[0] for r in Database(db).snapshot().rows("snapshot_columns")}
        assert tables - rules.classified() == set(), f"unclassified tables in {db.name}"
        cols = {}
        for t, c in Database(db).snapshot().rows("snapshot_columns"):
            cols.setdefault(t, set()).add(c)
        for table, column in rules.unit_column.items():
            assert column in cols.get(table, {column}), (table, column)
        for column in rules.masked:
            assert any(column in c for c in cols.values())


def test_parameters_are_bound_by_duckdbs_parser_not_a_regex(seed003_db):
    import duckdb

    from dashboard.db import QueryError, _parse

    stmts = _parse("SELECT '$not_a_param; -- nor a comment' AS s, $x AS v; -- $neither\nSELECT $y AS w")
    assert [s.params for s in stmts] == [frozenset({"x"}), frozenset({"y"})]
    con = duckdb.connect()
    assert con.execute(stmts[0].text, stmts[0].bind({"x": 7, "unused": 1})).fetchall() == [
        ("$not_a_param; -- nor a comment", 7)
    ]
    with pytest.raises(QueryError, match="missing parameters: x"):
        stmts[0].bind({})


def test_one_status_rule_for_kpis_and_projections():
    from dashboard.metrics.insight import Projection, projection_status
    from dashboard.metrics.status import status_of

    assert status_of(0.985, ">=", 0.99, 0.01) == "at_risk" and status_of(0.95, ">=", 0.99, 0.03) == "missed"
    assert status_of(0.991, ">=", 0.99, interval=(0.99, 0.995)) == "met"
    assert status_of(0.985, ">=", 0.99, interval=(0.98, 0.992)) == "at_risk"
    assert status_of(0.97, ">=", 0.99, interval=(0.96, 0.98)) == "missed"
    assert status_of(0.97, ">=", 0.99, interval=(0.96, 0.995), reachable=False) == "unreachable"
    p = Projection("W01", 1000, 980, 0.98, 100, 0, 0.99, False, 0.02, 0.98, 0.97, 0.99, 30)
    assert projection_status(p) == "unreachable"
    assert projection_status(dataclasses.replace(p, reachable=True)) == "at_risk"


def test_the_cli_and_the_page_read_the_same_kpi(seed003_db, tmp_path):
    import json

    from conftest import cchc

    from dashboard.metrics.kpis import kpi_rows
    from dashboard.metrics.period import Period

    db = tmp_path / "s.duckdb"
    shutil.copy(seed003_db, db)
    cli = json.loads(cchc("kpi", "--period", "2021-Q3", "--by", "unit", db=db).stdout)
    rows = [dict(r) for r in kpi_rows(Reader(Database(db).snapshot(), FULL), Period.parse("2021-Q3"), by_unit=True)]
    assert cli == json.loads(json.dumps(rows, default=str))


def test_every_number_is_three_hops_from_its_sql():
    """Pages hold no SQL and open no database: they call metrics (or, for a plain list, `reader.q`), and every
    query a page, a metric or the CLI names by literal is a file of queries/ (page → metric → named query)."""
    import re
    from pathlib import Path

    from dashboard.config import KPIS, QUERIES_DIR

    root = Path(__file__).resolve().parents[1] / "dashboard"
    named: set[str] = set()
    for path in [*root.glob("pages/*.py"), *root.glob("metrics/*.py"), root / "cli.py", root / "export_pdf.py"]:
        text = path.read_text(encoding="utf-8")
        named |= set(re.findall(r"\.q\(\s*\"([a-z0-9_]+)\"", text))
        if path.parent.name == "pages":
            assert not re.search(r"\bimport duckdb\b|\bfrom \.\.db import\b|\bSELECT\b", text), path.name
    named |= {k.query for k in KPIS}
    assert len(named) > 15  # the walk did find the queries
    assert sorted(n for n in named if not (QUERIES_DIR / f"{n}.sql").exists()) == []
