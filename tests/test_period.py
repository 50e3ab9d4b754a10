import datetime as dt
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.metrics.period import MAX_YEAR, MIN_YEAR, NAMED, Period, PeriodError, from_cli, weeks_back
from harness import examples


@pytest.mark.parametrize("text,start,end,key", [
    ("2024-W15", dt.date(2024, 4, 8), dt.date(2024, 4, 14), "2024-W15"),
    ("2024-04", dt.date(2024, 4, 1), dt.date(2024, 4, 30), "2024-04"),
    ("2024-Q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31), "2024-Q1"),
    ("2024-H2", dt.date(2024, 7, 1), dt.date(2024, 12, 31), "2024-H2"),
    ("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31), "2024"),
    ("2024-02-10..2024-03-05", dt.date(2024, 2, 10), dt.date(2024, 3, 5), "2024-02-10..2024-03-05"),
])
def test_parse_and_key_round_trip(text, start, end, key):
    p = Period.parse(text)
    assert (p.start, p.end, p.key) == (start, end, key)
    assert Period.parse(p.key) == p


def test_half_open_timestamps():
    p = Period.parse("2024-Q2")
    assert p.start_ts == dt.datetime(2024, 4, 1) and p.end_ts == dt.datetime(2024, 7, 1)


def test_previous_and_year_before():
    q = Period.parse("2024-Q1")
    assert q.previous().key == "2023-Q4"
    assert q.year_before().key == "2023-Q1"
    assert Period.parse("2024-W01").previous().key == "2023-W52"
    r = Period.between(dt.date(2024, 3, 1), dt.date(2024, 3, 10))
    assert (r.previous().start, r.previous().end) == (dt.date(2024, 2, 20), dt.date(2024, 2, 29))
    assert Period.parse("2024-02-29..2024-03-01").year_before().start == dt.date(2023, 2, 28)


def test_to_date_and_labels():
    p = Period.to_date("quarter", dt.date(2026, 11, 22))
    assert (p.start, p.end) == (dt.date(2026, 10, 1), dt.date(2026, 11, 22))
    assert Period.parse("2024-Q2").label == "Quý 2/2024"
    assert Period.parse("2024-04").label == "Tháng 4/2024"


@pytest.mark.parametrize("bad", ["2024-Q5", "2024-13", "24-Q1", "", "2024-W60", "quý 1"])
def test_bad_periods(bad):
    with pytest.raises(PeriodError):
        Period.parse(bad)


def test_from_cli_range():
    p = from_cli(None, "2024-01-01", "2024-03-31")
    assert p.days == 91
    with pytest.raises(PeriodError):
        from_cli(None, "2024-01-01", None)


def test_weeks_back_starts_on_the_monday_of_whole_weeks():
    # Friday 20/11/2026: 12 calendar weeks = Monday 31/08 .. the week of 16/11, the last one holding the end
    assert weeks_back(dt.date(2026, 11, 20), 12) == dt.date(2026, 8, 31)
    assert weeks_back(dt.date(2026, 11, 16), 1) == dt.date(2026, 11, 16)  # a Monday: its own week
    assert weeks_back(dt.date(2026, 11, 22), 1) == dt.date(2026, 11, 16)  # a Sunday: the week it ends
    for n in (1, 12, 26):
        for day in range(60):
            end = dt.date(2026, 1, 1) + dt.timedelta(days=day)
            start = weeks_back(end, n)
            assert start.weekday() == 0 and (end - start).days // 7 == n - 1


# Captured once from the if-chains that NAMED replaced (commit cdcd6d6): every week, month, quarter, half and year of
# 1970–2100 with its key, label, label cut halfway and bounds, and a range with its labels.
LABELS_BEFORE_TABLE = "ef1574792a8780c1af80b4d4228faee7d2b3c047ca379701456ff339dcc27d4c"


def test_every_named_period_keeps_its_key_and_labels():
    out, step = [], {"week": 1}
    for kind in NAMED:
        seen, day = set(), dt.date(1970, 1, 1)
        while day.year <= 2100:
            p = Period.containing(kind, day)
            if p.key not in seen:
                seen.add(p.key)
                cut = p.clipped(p.start + dt.timedelta(days=(p.days - 1) // 2))
                out.append((p.key, p.label, cut.label, str(p.start), str(p.end)))
            day += dt.timedelta(days=step.get(kind, 13))
    r = Period.between(dt.date(2024, 2, 10), dt.date(2024, 3, 5))
    out.append((r.key, r.label, r.clipped(dt.date(2024, 2, 20)).label))
    assert len(out) == 9326
    assert hashlib.sha256(repr(out).encode()).hexdigest() == LABELS_BEFORE_TABLE


@settings(max_examples=examples(300, 5000), deadline=None, derandomize=True)
@given(kind=st.sampled_from([*NAMED, "to_date"]),
       day=st.dates(dt.date(MIN_YEAR + 1, 1, 1), dt.date(MAX_YEAR - 1, 12, 31)))
def test_a_period_of_every_kind_reads_back_from_its_key(kind, day):
    p = Period.to_date("quarter", day) if kind == "to_date" else Period.containing(kind, day)
    assert p.start <= day <= p.end
    assert Period.parse(p.key) == p
    if p.kind in NAMED:  # the period of its kind holding its last day is itself; its label names its year
        assert Period.containing(p.kind, p.end) == p
        assert f"{NAMED[p.kind].number(day)[0]}" in p.label
    else:
        assert (p.start, p.end) == (Period.containing("quarter", day).start, day)
