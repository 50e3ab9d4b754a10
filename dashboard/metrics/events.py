"""Timeline events (the `events` input kind): what explains a curve — the 1 July 2025 reorganisation, a week of
software outage, a holiday campaign. Read through the reader's scope (queries/events.sql)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .units import permit


def events(reader, start: dt.date, end: dt.date, unit: str | None = None) -> pd.DataFrame:
    """start_date, end_date (= start_date for a single day), label, kind, unit_code; oldest first."""
    permit(reader, unit)
    return reader.q("events", start=start, end=end, unit=unit)
