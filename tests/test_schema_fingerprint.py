"""The schema fingerprint stamped at publication (dashboard.db.schema_version): any change of the table-defining
queries changes it, except a rewrite declared in queries/schema_same_tables.toml to build exactly the same tables,
which keeps the fingerprint it replaces, so files published before it are served as they are (not refused, not
republished by `cchc upgrade`)."""

from __future__ import annotations

import re
import shutil
import tomllib

import duckdb
import pytest

from dashboard import db as dbq
from dashboard.config import QUERIES_DIR

ENTRIES = tomllib.loads((QUERIES_DIR / "schema_same_tables.toml").read_text(encoding="utf-8")).get("same", [])


def test_declared_rewrites_are_well_formed():
    seen = set()
    for e in ENTRIES:
        assert re.fullmatch(r"[0-9a-f]{16}", e["fingerprint"]) and re.fullmatch(r"[0-9a-f]{16}", e["same_as"]), e
        assert e["fingerprint"] != e["same_as"] and e["fingerprint"] not in seen, e
        assert e["why"].strip() and e["proof"].strip(), e
        seen.add(e["fingerprint"])
    same = {e["fingerprint"]: e["same_as"] for e in ENTRIES}
    for start in same:  # no cycle: every chain ends at a fingerprint that is not itself rewritten
        v, steps = start, 0
        while v in same:
            v, steps = same[v], steps + 1
            assert steps <= len(same), f"cycle through {start}"


@pytest.mark.parametrize("name", dbq.SCHEMA_QUERIES)
def test_any_other_change_of_a_table_definition_changes_the_fingerprint(name, monkeypatch):
    now = dbq.schema_version()
    replaced = {e["same_as"] for e in ENTRIES} | {e["fingerprint"] for e in ENTRIES}
    real = dbq.sql
    for edit in (lambda t: t + "\n-- a comment", lambda t: t.replace("CREATE", "create", 1), lambda t: t[:-2]):
        monkeypatch.setattr(dbq, "sql", lambda q, _edit=edit: _edit(real(q)) if q == name else real(q))
        changed = dbq.schema_version()
        assert changed != now and changed not in replaced and changed == dbq._texts_fingerprint()
    monkeypatch.setattr(dbq, "sql", real)
    assert dbq.schema_version() == now


def test_a_file_stamped_with_a_replaced_fingerprint_is_current_and_an_older_one_is_not(seed003_db, tmp_path):
    """A file published before a declared rewrite carries the fingerprint the rewrite replaced: it is current (the
    server takes it, `cchc upgrade` leaves it); one from before a real change of the tables is outdated."""
    db = tmp_path / "c.duckdb"
    shutil.copy(seed003_db, db)
    assert not dbq.schema_outdated(db)  # published by this version
    same = {e["fingerprint"]: e["same_as"] for e in ENTRIES}
    replaced, v = [], dbq._texts_fingerprint()
    while v in same:  # the fingerprints of the versions this one builds the same tables as
        v = same[v]
        replaced.append(v)
    assert dbq.schema_version() == (replaced[-1] if replaced else dbq._texts_fingerprint())
    for stamp, current in [*((r, r == replaced[-1]) for r in replaced), ("1", False), ("0" * 16, False)]:
        con = duckdb.connect(str(db))
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema'", [stamp])
        con.close()
        assert dbq.schema_outdated(db) is not current, (stamp, replaced)
