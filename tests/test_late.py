"""The late set behind every clickable count: the same numbers as the form, per unit and in total."""
import datetime as dt
import json

from conftest import cchc

from dashboard.db import Database
from dashboard.metrics import late_set as late
from dashboard.metrics.period import Period
from dashboard.metrics.form import quarterly_form
from dashboard.reader import Reader


def test_late_and_overdue_lists_match_the_form_for_every_unit(demo_db):
    snap = Reader(Database(demo_db).snapshot())
    for key in ("2025-Q2", "2026-Q1"):
        p = Period.parse(key)
        as_of = dt.datetime(2026, 11, 20, 17)
        form = quarterly_form(snap, p)
        for row in form["rows"]:
            for view, k in (("late", "resolved_late"), ("overdue", "pending_overdue")):
                n = late.count(snap, p, late.LateFilter(view=view, unit=row["unit_code"]), as_of)
                assert n == row[k], (key, row["unit_code"], view)
        assert late.count(snap, p, late.LateFilter(view="all"), as_of) == \
            form["total"]["resolved_late"] + form["total"]["pending_overdue"]
        page, total = late.page(snap, p, late.LateFilter(view="late"), as_of, limit=10_000)
        assert total == len(page) == form["total"]["resolved_late"]
        assert (page.completed_at > page.due_at).all() and (page.working_days_late >= 1).all()


def test_paging_and_whitelisted_sort(demo_db):
    snap = Reader(Database(demo_db).snapshot())
    p, flt, as_of = Period.parse("2025"), late.LateFilter(view="late"), dt.datetime(2026, 11, 20, 17)
    first, total = late.page(snap, p, flt, as_of, sort="due_at", desc=False, limit=50, offset=0)
    second, _ = late.page(snap, p, flt, as_of, sort="due_at", desc=False, limit=50, offset=50)
    assert total > 100 and len(first) == len(second) == 50
    assert set(first.dossier_id).isdisjoint(second.dossier_id)
    assert first.due_at.is_monotonic_increasing and first.due_at.iloc[-1] <= second.due_at.iloc[0]
    hostile, _ = late.page(snap, p, flt, as_of, sort="1; DROP TABLE dossiers", limit=5)
    assert list(hostile.working_days_late) == sorted(hostile.working_days_late, reverse=True)


def test_working_days_late_skip_weekends_and_holidays(tmp_path):
    from builders import UNITS_CSV

    from dashboard.ingest.load import ingest

    (tmp_path / "u.csv").write_text(UNITS_CSV, encoding="utf-8")
    (tmp_path / "h.csv").write_text("date,name\n30/04/2024,Giải phóng\n01/05/2024,Lao động\n", encoding="utf-8")
    # due Fri 26/04 16:30; completed Thu 02/05: Mon 29/04 is the only working day before it, Thu counts -> 2
    (tmp_path / "d.csv").write_text(
        "dossier_id,unit_code,procedure_code,field,channel,received_at,due_at,completed_at\n"
        "L1,X01,1,Hộ tịch,truc_tiep,22/04/2024 08:00,26/04/2024 16:30,02/05/2024 09:00\n"
        "L2,X01,1,Hộ tịch,truc_tiep,22/04/2024 08:00,26/04/2024 16:30,26/04/2024 17:00\n", encoding="utf-8")
    db = tmp_path / "db.duckdb"
    ingest([tmp_path / "u.csv", tmp_path / "h.csv", tmp_path / "d.csv"], db)
    snap = Reader(Database(db).snapshot())
    page, _ = late.page(snap, Period.parse("2024-Q2"), late.LateFilter(view="late"), dt.datetime(2024, 6, 1),
                        sort="dossier_id", desc=False)
    assert dict(zip(page.dossier_id, page.working_days_late)) == {"L1": 2, "L2": 1}


def test_at_risk_cli_counts_working_days(demo_db):
    rows = json.loads(cchc("at-risk", "--as-of", "2026-11-20T10:00", "--days", "2", db=demo_db).stdout)
    assert rows and all(0 <= r["working_days_left"] <= 2 for r in rows)
    assert all(r["due_at"] > "2026-11-20T10:00" for r in rows)
    one = json.loads(cchc("at-risk", "--as-of", "2026-11-20T10:00", "--days", "1", db=demo_db).stdout)
    assert 0 < len(one) < len(rows)


def test_at_risk_count_equals_the_at_risk_rows(demo_db):
    """The overview's early-warning card (its own fast query) and the list it opens hold the same dossiers."""
    import datetime as dt

    from dashboard.db import Database
    from dashboard.metrics import late_set as late
    from dashboard.metrics.period import Period

    snap = Reader(Database(demo_db).snapshot())
    seen = 0
    for as_of in (dt.datetime(2026, 11, 20, 16, 50), dt.datetime(2026, 11, 13, 9, 0), dt.datetime(2026, 11, 19, 23, 0)):
        p = Period.containing("quarter", as_of.date()).clipped(as_of.date())
        for unit in (None, "W08", "W03", "PTNMT"):
            for days in (1, 2, 5):
                n = late.at_risk_count(snap, as_of, unit, days)
                assert n == late.count(snap, p, late.LateFilter(view="at_risk", unit=unit, days=days), as_of)
                seen += n
    assert seen > 0
