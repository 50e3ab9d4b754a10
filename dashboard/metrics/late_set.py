"""Late, overdue and about-to-be-late dossiers: one definition (`queries/late_set.sql`)
behind the drill-down list, its counts, its breakdowns, the Excel export and `cchc at-risk`.
Every function takes a reader; `as_of` defaults to the data version's as-of moment."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pandas as pd

from ..config import AT_RISK_DAYS
from .period import Period
from .units import permit

VIEWS = ("all", "late", "overdue", "at_risk", "excused")
VIEW_LABELS = {
    "all": "Trễ hạn và quá hạn",
    "late": "Đã giải quyết trễ hạn",
    "overdue": "Đang giải quyết quá hạn",
    "at_risk": "Sắp đến hạn",
    "excused": "Quá hạn theo ngày nhưng tính trong hạn (trả lại, chờ bổ sung)",
}
SORTABLE = (
    "dossier_id",
    "unit_name",
    "procedure_name",
    "field",
    "handler",
    "late_reason",
    "status",
    "received_at",
    "due_at",
    "completed_at",
    "working_days_late",
    "working_days_left",
    "count_reason",
)
EXPORT_LIMIT = 200_000


@dataclass(frozen=True)
class LateFilter:
    view: str = "all"
    unit: str | None = None
    level: str | None = None
    field: str | None = None
    handler: str | None = None
    days: int = AT_RISK_DAYS

    def __post_init__(self):
        if self.view not in VIEWS:
            raise ValueError(f"view must be one of {VIEWS}")


def _params(reader, period: Period, flt: LateFilter, as_of: dt.datetime | None) -> dict:
    permit(reader, flt.unit)
    as_of = as_of or reader.as_of
    ref = min(period.end, as_of.date())
    return dict(period.params(), as_of=as_of, ref_date=ref, **asdict(flt))


def page(
    reader,
    period: Period,
    flt: LateFilter,
    as_of: dt.datetime | None = None,
    sort: str = "working_days_late",
    desc: bool = True,
    limit: int = 100,
    offset: int = 0,
) -> tuple[pd.DataFrame, int]:
    """One page of rows (server-side sort and paging) and the total count."""
    if sort not in SORTABLE:
        sort = "working_days_late"
    df = reader.q(
        "late_dossiers",
        sort=sort,
        desc=bool(desc),
        limit=int(limit),
        offset=int(offset),
        **_params(reader, period, flt, as_of),
    )
    total = int(df["total_rows"].iloc[0]) if len(df) else (count(reader, period, flt, as_of) if offset else 0)
    return df.drop(columns="total_rows"), total


def at_risk_count(reader, as_of: dt.datetime | None = None, unit: str | None = None, days: int = AT_RISK_DAYS) -> int:
    """The early-warning count alone (the overview's card); the same rows as view 'at_risk' of the list."""
    permit(reader, unit)
    return int(reader.q("at_risk_count", as_of=as_of or reader.as_of, days=days, unit=unit).iloc[0, 0])


def count(reader, period: Period, flt: LateFilter, as_of: dt.datetime | None = None) -> int:
    return int(reader.q("late_count", **_params(reader, period, flt, as_of)).iloc[0, 0])


def breakdown(reader, period: Period, flt: LateFilter, as_of: dt.datetime | None = None) -> pd.DataFrame:
    return reader.q("late_breakdown", **_params(reader, period, flt, as_of))


def export(reader, period: Period, flt: LateFilter, as_of: dt.datetime | None = None) -> pd.DataFrame:
    return reader.q("late_export", limit=EXPORT_LIMIT, **_params(reader, period, flt, as_of))


def at_risk(
    reader, as_of: dt.datetime | None = None, days: int = AT_RISK_DAYS, unit: str | None = None
) -> pd.DataFrame:
    """Open dossiers due within `days` working days after `as_of` (contract: `cchc at-risk`)."""
    as_of = as_of or reader.as_of
    p = Period.between(as_of.date(), as_of.date())
    return reader.q("at_risk", **_params(reader, p, LateFilter(view="at_risk", unit=unit, days=days), as_of))


def counts(reader, period: Period, unit: str | None = None) -> dict[str, int]:
    """The counts that link to the drill-down: late (resolved) and overdue (open) are the form's resolved_late
    and pending_overdue (from the daily aggregate); only the early warning reads the open dossiers."""
    from .form import counts as form_counts

    f = form_counts(reader, period, unit)
    return {
        "late": int(f["resolved_late"].sum()),
        "overdue": int(f["pending_overdue"].sum()),
        "at_risk": at_risk_count(reader, None, unit),
    }
