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
