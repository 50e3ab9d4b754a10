"""The cache: keyed by data version and the reader's scope; pages readers used are rendered again in the
background when an import publishes a new version."""
from __future__ import annotations

import shutil
import threading

from builders import seed003_dossiers, write_csv


def test_pages_are_warmed_for_the_new_version_per_scope(demo_db, tmp_path):
    from dashboard import state
    from dashboard.app import create_app
    from dashboard.auth import reading_as
    from dashboard.db import Scope
    from dashboard.ingest.load import ingest
    import dash

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    create_app(db)
    layouts = {p["path"]: p["layout"] for p in dash.page_registry.values()}
    ward = Scope(units=frozenset({"W08"}), personal=False, imports=False)
    old = state.snapshot().data_version
    layouts["/"](period="2026-Q3")                        # the operator's view
    with reading_as(ward):
        layouts["/don-vi"](period="2026-Q3")              # a ward reader's view
    # an import publishes a new version (5 more dossiers for W08)
    rows = [dict(r, unit_code="W08", dossier_id="WARM-" + r["dossier_id"]) for r in seed003_dossiers()[:5]]
    ingest([write_csv(tmp_path / "moi.csv", rows)], db)
    new = state.snapshot().data_version                   # the first request after publication starts the warmer
    assert new != old
    warmer = [t for t in threading.enumerate() if t.name == f"cchc-warm-{new}"]
    assert warmer, "no warming thread started"
    warmer[0].join(60)
    keys = set(state._cache)
    assert (new, "", "layout", "overview", (("period", "2026-Q3"),)) in keys
    assert (new, ward.key, "layout", "units", (("period", "2026-Q3"),)) in keys
    # and the warmed tree is what a reader gets: no new render
    before = len(state._cache)
    layouts["/"](period="2026-Q3")
    assert len(state._cache) == before  # served from the warmed entry: nothing new was computed
