"""Late, overdue and about-to-be-late dossiers: one definition (`queries/late_set.sql`)
behind the drill-down list, its counts, its breakdowns, the Excel export and `cchc at-risk`."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pandas as pd

from ..db import Snapshot
from .period import Period

VIEWS = ("all", "late", "overdue", "at_risk")
VIEW_LABELS = {
    "all": "Trễ hạn và quá hạn",
    "late": "Đã giải quyết trễ hạn",
    "overdue": "Đang giải quyết quá hạn",
    "at_risk": "Sắp đến hạn",
}
SORTABLE = ("dossier_id", "unit_name", "procedure_name", "field", "handler", "late_reason", "status",
            "received_at", "due_at", "completed_at", "working_days_late", "working_days_left")
EXPORT_LIMIT = 200_000


@dataclass(frozen=True)
class LateFilter:
    view: str = "all"
    unit: str | None = None
    level: str | None = None
    field: str | None = None
    handler: str | None = None
    days: int = 2

    def __post_init__(self):
        if self.view not in VIEWS:
            raise ValueError(f"view must be one of {VIEWS}")


def _params(period: Period, flt: LateFilter, as_of: dt.datetime) -> dict:
    ref = min(period.end, as_of.date())
    return dict(period.params(), as_of=as_of, ref_date=ref, **asdict(flt))


def page(snap: Snapshot, period: Period, flt: LateFilter, as_of: dt.datetime, sort: str = "working_days_late",
         desc: bool = True, limit: int = 100, offset: int = 0) -> tuple[pd.DataFrame, int]:
    """One page of rows (server-side sort and paging) and the total count."""
    if sort not in SORTABLE:
        sort = "working_days_late"
    df = snap.df("late_dossiers", sort=sort, desc=bool(desc), limit=int(limit), offset=int(offset),
                 **_params(period, flt, as_of))
    total = int(df["total_rows"].iloc[0]) if len(df) else (count(snap, period, flt, as_of) if offset else 0)
    return df.drop(columns="total_rows"), total


def at_risk_count(snap: Snapshot, as_of: dt.datetime, unit: str | None = None, days: int = 2) -> int:
    """The early-warning count alone (the overview's card); the same rows as view 'at_risk' of the list."""
    return int(snap.rows("at_risk_count", as_of=as_of, days=days, unit=unit)[0][0])


def count(snap: Snapshot, period: Period, flt: LateFilter, as_of: dt.datetime) -> int:
    return int(snap.rows("late_count", **_params(period, flt, as_of))[0][0])


def breakdown(snap: Snapshot, period: Period, flt: LateFilter, as_of: dt.datetime) -> pd.DataFrame:
    return snap.df("late_breakdown", **_params(period, flt, as_of))


def export(snap: Snapshot, period: Period, flt: LateFilter, as_of: dt.datetime) -> pd.DataFrame:
    return snap.df("late_export", limit=EXPORT_LIMIT, **_params(period, flt, as_of))


def at_risk(snap: Snapshot, as_of: dt.datetime, days: int = 2, unit: str | None = None) -> pd.DataFrame:
    """Open dossiers due within `days` working days after `as_of` (contract: `cchc at-risk`)."""
    p = Period.between(as_of.date(), as_of.date())
    return snap.df("at_risk", **_params(p, LateFilter(view="at_risk", unit=unit, days=days), as_of))
