"""A database published by an older release: the server refuses it with one line, `cchc upgrade` (or `make run`'s
`cchc demo --if-missing`) brings it to this release's tables: imported data republished unchanged, a database
holding only the demo city built again by this release's generator (same as-of date, size and settings)."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from builders import UNITS_CSV
from conftest import cchc
from harness import copy_folder

from dashboard.db import Snapshot, schema_outdated, schema_version


def _as_if_older(db, late_exports: bool = False) -> None:
    """Stamp the file as built by an older release (as every file published before the stamp was). With
    `late_exports`, also what an older demo generator wrote: rows stamped as exported up to hours after the
    extract's moment (18:00 of the as-of day), the latest at 22:38."""
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    if late_exports:
        con.execute(
            "UPDATE dossiers SET updated_at = TIMESTAMP '2026-11-20 22:38:01' WHERE dossier_id = "
            "(SELECT max(dossier_id) FROM dossiers WHERE completed_at >= TIMESTAMP '2026-11-20 00:00')"
        )
    con.close()


def _as_of(db) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return str(
            con.execute(
                "SELECT greatest(max(received_at), max(completed_at), max(updated_at)) FROM dossiers"
            ).fetchone()[0]
        )
    finally:
        con.close()


def _report(db) -> dict:
    return json.loads(cchc("report", "quarterly", "--period", "2026-Q3", "--format", "json", db=db).stdout)


@pytest.fixture(scope="module")
def imported_demo(demo_db, tmp_path_factory):
    """The demo town with imported data (a units file through `cchc ingest`): not the demo alone. Built once,
    each test changes a copy of its folder."""
    tmp = tmp_path_factory.mktemp("imported")
    db = tmp / "old.duckdb"  # also a name that once collided with the importer's own alias
    shutil.copy(demo_db, db)
    (tmp / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    cchc("ingest", str(tmp / "units.csv"), db=db)
    return db


def test_an_older_database_is_refused_by_serve_and_upgraded_in_place(imported_demo, tmp_path):
    db = copy_folder(imported_demo, tmp_path)
    assert Snapshot(db).schema == schema_version() and not schema_outdated(db)
    before = _report(db)
    _as_if_older(db, late_exports=True)
    assert schema_outdated(db)

    r = cchc("serve", "--port", "1", db=db, check=False, process=False)  # refused before it serves
    err = r.stderr.decode()
    assert r.returncode == 2 and "cchc upgrade" in err and len(err.strip().splitlines()) == 1, err

    out = cchc("upgrade", db=db).stdout.decode()
    assert "Đã công bố lại" in out and "dữ liệu giữ nguyên" in out and not schema_outdated(db)
    assert "đã theo cấu trúc" in cchc("upgrade", db=db).stdout.decode()  # a second time: nothing to do
    after = _report(db)
    assert after["total"] == before["total"] and after["rows"] == before["rows"]
    assert _as_of(db) == "2026-11-20 22:38:01"  # imported data is never rewritten, whatever it says


def test_an_older_demo_database_is_built_again_at_its_as_of_date(demo_db, tmp_path):
    db = tmp_path / "cchc.duckdb"
    shutil.copy(demo_db, db)
    assert _as_of(db) == "2026-11-20 18:00:00"  # the demo's extract moment
    before = _report(db)
    cchc("settings", "city_name=Thành phố Thử", db=db)
    _as_if_older(db, late_exports=True)
    assert _as_of(db) == "2026-11-20 22:38:01"
    out = cchc("upgrade", db=db).stdout.decode()
    assert "chỉ có thành phố mẫu" in out and "20/11/2026" in out and not schema_outdated(db)
    assert _as_of(db) == "2026-11-20 18:00:00"
    after = _report(db)
    assert "(ngày số liệu 20/11/2026, " in out and "hồ sơ, giữ thiết lập)." in out, out  # commas stay commas
    assert after["total"] == before["total"] and after["rows"] == before["rows"]  # the same deterministic city
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT value FROM settings WHERE key = 'city_name'").fetchone() == ("Thành phố Thử",)
        assert (
            con.execute("SELECT count(*) FROM dossiers").fetchone()
            == duckdb.connect(str(demo_db), read_only=True).execute("SELECT count(*) FROM dossiers").fetchone()
        )
    finally:
        con.close()


def test_make_runs_demo_step_upgrades_an_existing_database(demo_db, tmp_path):
    db = tmp_path / "cchc.duckdb"
    shutil.copy(demo_db, db)
    _as_if_older(db, late_exports=True)
    out = cchc("demo", "--if-missing", db=db).stdout.decode()
    assert "chỉ có thành phố mẫu" in out and not schema_outdated(db)
    assert _as_of(db) == "2026-11-20 18:00:00"


def test_an_older_demo_of_a_city_of_today_is_built_again_as_the_same_city(danang_db, tmp_path):
    """The rebuild keeps the demo's city (Đà Nẵng stays Đà Nẵng, not the default Huế), its size and as-of date."""
    db = copy_folder(danang_db[0], tmp_path)  # `cchc demo --city "Đà Nẵng" --dossiers 3000 --as-of 2026-11-20`

    def facts():
        con = duckdb.connect(str(db), read_only=True)
        try:
            return con.execute(
                "SELECT (SELECT min(unit_code) FROM units WHERE level = 'city' AND unit_kind = 'ubnd'), "
                "(SELECT count(*) FROM units), (SELECT count(*) FROM dossiers)"
            ).fetchone()
        finally:
            con.close()

    before = facts()
    _as_if_older(db, late_exports=False)
    assert "chỉ có thành phố mẫu" in cchc("upgrade", db=db).stdout.decode() and not schema_outdated(db)
    assert facts() == before and before[0] == "48"


def test_upgrade_adds_the_766_and_lateness_aggregates_to_a_file_without_them(imported_demo, tmp_path):
    """A file published before index766_daily and lateness_daily existed (imported data, so republished, not
    rebuilt): `cchc upgrade` builds both, and the 766 index and the lateness summary read from them give the
    figures the scans gave before the upgrade (queries/*_scan.sql, the reference)."""
    from dashboard.db import Database
    from dashboard.metrics.period import Period

    db = copy_folder(imported_demo, tmp_path)  # imported data, so republished by the upgrade, not rebuilt
    params = Period.parse("2026-Q3").params()
    snap = Database(db).snapshot()
    scans = (snap.df("index766_counts_scan", paper_default=True, **params),
             snap.df("lateness_summary_scan", unit=None, **params).sort_values(["grp", "unit_code", "reason"]))
    snap.close()
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE index766_daily")
    con.execute("DROP TABLE lateness_daily")
    con.close()
    _as_if_older(db)
    assert "Đã công bố lại" in cchc("upgrade", db=db).stdout.decode() and not schema_outdated(db)
    snap = Database(db).snapshot()
    try:
        assert snap.df("index766_counts", paper_default=True, **params).equals(scans[0])
        lateness = snap.df("lateness_summary", unit=None, **params).sort_values(["grp", "unit_code", "reason"])
        assert lateness.reset_index(drop=True).equals(scans[1].reset_index(drop=True))
        assert len(scans[0]) > 5 and int(scans[1].late_adjusted.sum()) > 0
    finally:
        snap.close()
