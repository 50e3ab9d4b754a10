"""One rule for every reference table (queries/staging.sql, merge_reference.sql run per table by db.run_per_table):
the later import wins for the kind's key, the table is stored in the kind's order; identifiers only from the
configuration, plain names, quoted."""

import datetime as dt

import duckdb
import pytest

from dashboard import db as dbq
from dashboard.config import KIND_BY_NAME
from dashboard.ingest.load import STAGED

D = dt.date


@pytest.fixture()
def con():
    c = duckdb.connect()
    dbq.run_script(c, "schema")
    yield c
    c.close()


def _stage(c):
    for table, _key, _order in STAGED:
        dbq.run_per_table(c, "staging", {"table": table, "staged": f"staged_{table}"})


def _merge(c, table):
    key, order = {t: (k, o) for t, k, o in STAGED}[table]
    dbq.run_per_table(c, "merge_reference", {"table": table, "staged": f"staged_{table}", "key": key, "order": order})


def test_every_staged_table_is_like_its_table(con):
    _stage(con)
    for table, _key, _order in STAGED:
        like = con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
                           "ORDER BY column_index", [table]).fetchall()
        staged = con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
                             "ORDER BY column_index", [f"staged_{table}"]).fetchall()
        assert staged == like and con.execute(f'SELECT count(*) FROM "staged_{table}"').fetchone() == (0,)
    assert {t for t, _k, o in STAGED if not o} == {"dossiers"}  # every other table is merged by the one rule


def test_the_later_import_wins_for_a_composite_key_with_a_null_part(con):
    _stage(con)
    assert KIND_BY_NAME["events"].key == ("start_date", "label", "unit_code")
    rows = [  # (start_date, label, kind, unit_code, import_seq)
        (D(2025, 7, 1), "Sắp xếp", "reorganisation", None, 1),
        (D(2025, 7, 1), "Sắp xếp", "reorganisation", "W03", 1),
        (D(2025, 3, 1), "Sự cố", "outage", None, 1),
    ]
    staged = [
        (D(2025, 7, 1), "Sắp xếp", "other", None, 2),  # same key as the first row (NULL unit): replaces it
        (D(2025, 1, 5), "Tết", "holiday", None, 2),
    ]
    for table, values in (("events", rows), ("staged_events", staged)):
        con.executemany(f'INSERT INTO "{table}" (start_date, label, kind, unit_code, import_seq) '
                        "VALUES (?, ?, ?, ?, ?)", values)
    _merge(con, "events")
    got = con.execute("SELECT start_date, label, kind, unit_code, import_seq FROM events").fetchall()
    assert sorted(got, key=str) == sorted([
        (D(2025, 1, 5), "Tết", "holiday", None, 2),
        (D(2025, 3, 1), "Sự cố", "outage", None, 1),
        (D(2025, 7, 1), "Sắp xếp", "other", None, 2),
        (D(2025, 7, 1), "Sắp xếp", "reorganisation", "W03", 1),
    ], key=str)
    assert [r[:2] for r in got] == sorted(r[:2] for r in got)  # stored by start_date, label (the kind's order)


def test_units_keep_the_later_row_and_the_level_order(con):
    _stage(con)
    con.execute("INSERT INTO units (unit_code, unit_name, level, import_seq) VALUES "
                "('W01', 'Phường 1', 'ward', 1), ('C01', 'Văn phòng', 'city', 1)")
    con.execute("INSERT INTO staged_units (unit_code, unit_name, level, import_seq) VALUES "
                "('W01', 'Phường Một', 'ward', 2), ('A09', 'Phòng Tư pháp', 'city', 2)")
    _merge(con, "units")
    assert con.execute("SELECT unit_code, unit_name, import_seq FROM units").fetchall() == [
        ("A09", "Phòng Tư pháp", 2), ("C01", "Văn phòng", 1), ("W01", "Phường Một", 2)]


@pytest.mark.parametrize("idents", [
    {"table": "units; DROP TABLE dossiers", "key": ("unit_code",), "order": ("unit_code",)},
    {"table": "units", "key": ("unit_code",), "order": ("unit_code", 'level" DESC')},
    {"table": "Units", "key": ("unit_code",), "order": ("unit_code",)},
    {"table": "units", "key": ("unit_code",), "order": ()},
    {"table": "units", "key": "unit_code) OR (1=1"},
    {"table": "units", "order": ("unit_code",)},  # a slot left without an identifier
])
def test_identifiers_must_be_plain_names_given_for_every_slot(con, idents):
    _stage(con)
    with pytest.raises(dbq.QueryError):
        dbq.run_per_table(con, "merge_reference", {"staged": "staged_units", **idents})
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'dossiers'").fetchone() == (1,)
