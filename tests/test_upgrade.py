"""A database published by an older release: the server refuses it with one line, `cchc upgrade` (or `make run`'s
`cchc demo --if-missing`) republishes it with this release's tables, the data unchanged."""

from __future__ import annotations

import json
import shutil

import duckdb
from conftest import cchc

from dashboard.db import Snapshot, schema_outdated, schema_version


def _as_if_older(db) -> None:
    """Stamp the file as built by an older release (as every file published before the stamp was)."""
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    con.close()


def test_an_older_database_is_refused_by_serve_and_upgraded_in_place(demo_db, tmp_path):
    db = tmp_path / "old.duckdb"  # also a name that once collided with the importer's own alias
    shutil.copy(demo_db, db)
    assert Snapshot(db).schema == schema_version() and not schema_outdated(db)
    before = json.loads(cchc("report", "quarterly", "--period", "2026-Q3", "--format", "json", db=db).stdout)
    _as_if_older(db)
    assert schema_outdated(db)

    r = cchc("serve", "--port", "1", db=db, check=False)
    err = r.stderr.decode()
    assert r.returncode == 2 and "cchc upgrade" in err and len(err.strip().splitlines()) == 1, err

    out = cchc("upgrade", db=db).stdout.decode()
    assert "Đã công bố lại" in out and not schema_outdated(db)
    assert "đã theo cấu trúc" in cchc("upgrade", db=db).stdout.decode()  # a second time: nothing to do
    after = json.loads(cchc("report", "quarterly", "--period", "2026-Q3", "--format", "json", db=db).stdout)
    assert after["total"] == before["total"] and after["rows"] == before["rows"]


def test_make_runs_demo_step_upgrades_an_existing_database(demo_db, tmp_path):
    db = tmp_path / "cchc.duckdb"
    shutil.copy(demo_db, db)
    _as_if_older(db)
    out = cchc("demo", "--if-missing", db=db).stdout.decode()
    assert "Đã công bố lại" in out and not schema_outdated(db)
