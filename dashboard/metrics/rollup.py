"""History rolled up to today's units (`--units current`): for trends, comparisons with last year and rankings.

The official record of a past period shows the units as they existed then (`metrics.form.quarterly_form`).
Rolled up, every count of a unit merged or renamed away (unit_changes) is added to its successor of today
(followed transitively, queries/units_validity.sql): the form's keys are sums, so the total is unchanged and
a successor's row is the sum of its own rows and its predecessors'. A unit split into several has no single
successor and keeps its own row.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .form import COUNT_KEYS, _jsonable, counts, group_counts, quarterly_form
from .period import Period
from .units import permit, units_validity_frame


def successor_map(reader) -> dict[str, str]:
    """{retired unit: its unit of today} for the units that have one."""
    v = units_validity_frame(reader)
    v = v[v.successor.notna()]
    return dict(zip(v.unit_code, v.successor))


def current_units_form(
    reader, period: Period, unit: str | None = None, by: str = "unit", rows: pd.DataFrame | None = None
) -> dict[str, Any]:
    """The quarterly form with history rolled up to today's units (same keys as quarterly_form, plus
    `units`: "current" and `rolled_up`: {retired unit: successor} for the units whose rows were moved).
    `rows`: unit × field counts to roll up instead of the period's (a closed period's frozen counts)."""
    permit(reader, unit)
    moved = successor_map(reader)
    rows = (counts(reader, period, None) if rows is None else rows).copy()
    present = set(rows.unit_code)
    rows["unit_code"] = rows["unit_code"].map(lambda c: moved.get(c, c))
    if unit:
        rows = rows[rows.unit_code == unit]
    today = units_validity_frame(reader)
    today = today[~today.unit_code.isin(list(moved))]
    out = group_counts(rows, today, by, unit)
    form = quarterly_form(reader, period, None, by)  # the header keys (period, labels, data version) as the form's
    form.update(
        unit=unit,
        units="current",
        rolled_up={old: new for old, new in sorted(moved.items()) if old in present},
        rows=[_jsonable(r) for r in out.to_dict("records")],
        total={k: int(out[k].sum()) for k in COUNT_KEYS},
    )
    return form


__all__ = ["current_units_form", "successor_map"]
