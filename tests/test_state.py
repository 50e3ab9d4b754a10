"""The cache: keyed by data version and the reader's scope; pages readers used are rendered again in the
background when an import publishes a new version."""

from __future__ import annotations

import shutil
import threading

from builders import seed003_dossiers, write_csv


def test_pages_are_warmed_for_the_new_version_per_scope(demo_db, tmp_path):
    import dash

    from dashboard.app import create_app
    from dashboard.db import FULL, Scope
    from dashboard.ingest.load import ingest
    from dashboard.reader import reading

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    data = create_app(db).server.extensions["cchc_data"]
    layouts = {p["path"]: p["layout"] for p in dash.page_registry.values()}
    ward = Scope(units=frozenset({"W08"}), personal=False, imports=False)
    old = data.reader(FULL).data_version
    with reading(data.reader(FULL)):
        layouts["/"](period="2026-Q3")  # the operator's view
    with reading(data.reader(ward)):
        layouts["/don-vi"](period="2026-Q3")  # a ward reader's view
    # an import publishes a new version (5 more dossiers for W08)
    rows = [dict(r, unit_code="W08", dossier_id="WARM-" + r["dossier_id"]) for r in seed003_dossiers()[:5]]
    ingest([write_csv(tmp_path / "moi.csv", rows)], db)
    operator = data.reader(FULL)  # the first request after publication starts the warmer
    new = operator.data_version
    assert new != old
    warmer = [t for t in threading.enumerate() if t.name == f"cchc-warm-{new}"]
    assert warmer, "no warming thread started"
    warmer[0].join(60)
    assert operator.is_memoised("layout:overview", {"period": "2026-Q3"})
    assert data.reader(ward).is_memoised("layout:units", {"period": "2026-Q3"})
    # and the warmed tree is what a reader gets: no new render
    before = len(data.cache)
    with reading(operator):
        layouts["/"](period="2026-Q3")
    assert len(data.cache) == before  # served from the warmed entry: nothing new was computed


def test_a_rendered_page_changed_by_one_request_does_not_reach_the_next(app):
    """The memoised tree is kept pickled: each request gets its own copy (a change stays with its request)."""
    import dash
    from plotly.io.json import to_json_plotly

    from dashboard.db import FULL
    from dashboard.reader import reading

    data = app.server.extensions["cchc_data"]
    overview = {p["path"]: p["layout"] for p in dash.page_registry.values()}["/"]
    with reading(data.reader(FULL)):
        first = overview(period="2026-Q2")
        pristine = to_json_plotly(first)  # the whole tree as Dash sends it
        entries = len(data.cache)
        first.className = "changed by a request"
        first.children.append("a component a callback appended")
        second = overview(period="2026-Q2")
    assert len(data.cache) == entries  # served from the memo, not rendered again
    assert second is not first and to_json_plotly(second) == pristine
    assert data.reader(FULL).is_memoised("layout:overview", {"period": "2026-Q2"})


def test_two_apps_in_one_process_keep_their_own_audit_logs(tmp_path):
    import flask

    from dashboard import audit
    from dashboard.state import AppData

    servers = []
    for name in ("a", "b"):
        server = flask.Flask(name)
        server.extensions["cchc_data"] = AppData(tmp_path / name / "cchc.duckdb")
        servers.append(server)
    for server, user in zip(servers, ("an", "binh")):
        with server.test_request_context("/"):
            audit.record("login", user)
    for server, user in zip(servers, ("an", "binh")):
        with server.app_context():
            assert [(e["event"], e["user"]) for e in audit.read()] == [("login", user)]
    assert [e["user"] for e in audit.read(10, tmp_path / "a" / "audit.jsonl")] == ["an"]
    assert audit.read() == [] and audit.record("login", "x")["user"] == "x"  # outside an app: nothing written
    assert not (tmp_path / "audit.jsonl").exists()
