"""The official quarterly form (Biểu kết quả giải quyết TTHC).

The SQL is `queries/report_form.sql` (counts per unit × field); grouping by unit, level or field and the total
row are sums of those rows, so the total always equals the sum of the rows. The CLI and the pages both call
`quarterly_form(reader, period, unit, by)`, so screen and CLI cannot disagree.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .period import Period
from .units import permit, units, units_validity_frame

FORM_KEYS = (
    "received_total",
    "carried_over",
    "received_new",
    "received_online",
    "received_in_person",
    "received_postal",
    "resolved_total",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "pending_total",
    "pending_in_time",
    "pending_overdue",
)
# the newer layouts' columns (data-contract §2): awaiting the citizen's supplement (part of pending_in_time),
# returned (part of resolved_on_time when after due_at), withdrawn (outside every total)
STATUS_KEYS = ("pending_awaiting_supplement", "returned", "withdrawn")
EXTRA_KEYS = STATUS_KEYS + ("fee_dossiers", "paid_online", "digitized", "e_result", "postal_return")
COUNT_KEYS = FORM_KEYS + EXTRA_KEYS
GROUPINGS = ("unit", "level", "field")
LEVEL_ORDER = {"city": 0, "ward": 1}


def counts(reader, period: Period, unit: str | None = None) -> pd.DataFrame:
    """The form's unit × field counts for the period (one query per period and unit, shared by KPIs and form)."""
    permit(reader, unit)
    return reader.q("report_form", unit=unit, **period.params())


def counts_by_field(reader, period: Period, unit: str | None) -> pd.DataFrame:
    return counts(reader, period, unit).groupby("field", as_index=False)[list(COUNT_KEYS)].sum()


def group_counts(rows: pd.DataFrame, units_df: pd.DataFrame, by: str, unit: str | None = None) -> pd.DataFrame:
    """Sum unit × field counts into rows by unit (every configured unit, zeros included), level or field."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {GROUPINGS}")
    if by == "field":
        out = rows.groupby("field", as_index=False)[list(COUNT_KEYS)].sum().sort_values("field")
    else:
        per_unit = rows.groupby("unit_code", as_index=False)[list(COUNT_KEYS)].sum()
        u = units_df[["unit_code", "unit_name", "level"]]
        if unit:
            u = u[u.unit_code == unit]
        out = u.merge(per_unit, on="unit_code", how="outer")
        out["unit_name"] = out["unit_name"].fillna(out["unit_code"])
        out["level"] = out["level"].fillna("")
        if by == "level":
            out = out.groupby("level", as_index=False)[list(COUNT_KEYS)].sum()
            out = out.sort_values("level", key=lambda s: s.map(LEVEL_ORDER).fillna(9))
        else:
            out = (
                out.assign(_o=out["level"].map(LEVEL_ORDER).fillna(9))
                .sort_values(["_o", "unit_code"])
                .drop(columns="_o")
            )
    out[list(COUNT_KEYS)] = out[list(COUNT_KEYS)].fillna(0).astype("int64")
    return out.reset_index(drop=True)


def units_of_period(reader, period: Period) -> pd.DataFrame:
    """The units that existed during the period (valid_from / valid_to, unit_changes applied): a form for a
    quarter before a reorganisation lists the units of then, not the wards formed later (a unit with dossiers
    in the period is listed whatever its validity says)."""
    u = units(reader)
    v = units_validity_frame(reader).set_index("unit_code")
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    born = pd.to_datetime(u.unit_code.map(v.valid_from))
    gone = pd.to_datetime(u.unit_code.map(v.valid_to))
    return u[(born.isna() | (born <= end)) & (gone.isna() | (gone >= start))].reset_index(drop=True)


def quarterly_form(
    reader, period: Period, unit: str | None = None, by: str = "unit", rows: pd.DataFrame | None = None
) -> dict[str, Any]:
    """The form from the period's counts, or from given unit × field `rows` (a closed period's frozen counts,
    metrics.closing); the units listed are those of the period (units_of_period)."""
    if rows is None:
        rows = counts(reader, period, unit)
    rows = group_counts(rows, units_of_period(reader, period), by, unit)
    total = {k: int(rows[k].sum()) for k in COUNT_KEYS}
    return {
        "period": period.key,
        "period_label": period.label,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "unit": unit,
        "by": by,
        "rows": [_jsonable(r) for r in rows.to_dict("records")],
        "total": total,
        "data_version": reader.data_version,
    }


def _jsonable(row: dict) -> dict:
    return {k: (int(v) if k in COUNT_KEYS else (None if pd.isna(v) else v)) for k, v in row.items()}
