"""Closed periods (chốt số liệu): the form as it was published when the period was closed.

`cchc close --period 2026-Q1` freezes the form's unit × field counts (`closed_counts`) with who, when and the data
version (`closures`); both tables are carried into every later build (copy_old_closures), so later imports never
rewrite a quarter already reported upward. For a closed period `official_form` returns the frozen figures, the
closure record (`closed`) and `changed_since_close`: per unit and key, the closed value and the value the current
data gives, where they differ. The CLI (`cchc report`) and the form page both call it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .form import COUNT_KEYS, counts, quarterly_form
from .period import Period
from .units import permit, units

FROZEN_COLUMNS = ("unit_code", "field", *COUNT_KEYS)


def active_closure(reader, period: Period) -> dict | None:
    """The closure in force for the period (its latest closing not reopened), or None. A period still running
    (cut at the data's as-of date) is never closed."""
    if period.cut or period.kind == "range":
        return None
    df = reader.q("closure_active", period=period.key)
    if df.empty:
        return None
    rec = df.iloc[0].to_dict()
    return {
        "closure_seq": int(rec["closure_seq"]),
        "period": rec["period"],
        "closed_at": pd.Timestamp(rec["closed_at"]).to_pydatetime(),
        "closed_by": rec["closed_by"],
        "data_version": rec["data_version"],
    }


def frozen_counts(reader, closure: dict, unit: str | None = None) -> pd.DataFrame:
    """The unit × field counts frozen by a closing, in the shape of metrics.form.counts."""
    df = reader.q("closed_counts", seq=closure["closure_seq"], unit=unit)
    df[list(COUNT_KEYS)] = df[list(COUNT_KEYS)].fillna(0).astype("int64")
    return df


def changes_since_close(reader, frozen: pd.DataFrame, current: pd.DataFrame) -> list[dict]:
    """Per unit and key where the current data differs from the closed figures: closed value, current value."""
    keys = list(COUNT_KEYS)
    a = frozen.groupby("unit_code")[keys].sum()
    b = current.groupby("unit_code")[keys].sum()
    a, b = a.align(b, fill_value=0)
    names = dict(units(reader)[["unit_code", "unit_name"]].itertuples(index=False, name=None))
    out = []
    for code in sorted(a.index):
        for k in keys:
            was, now = int(a.at[code, k]), int(b.at[code, k])
            if was != now:
                out.append(
                    {"unit_code": code, "unit_name": names.get(code, code), "key": k, "closed": was, "current": now}
                )
    return out


def official_form(
    reader, period: Period, unit: str | None = None, by: str = "unit", units_mode: str = "as-of"
) -> dict[str, Any]:
    """The form of the period: the closed figures when the period is closed (with `closed` and
    `changed_since_close`), else the current ones. units_mode 'current' rolls history up to today's units."""
    permit(reader, unit)
    closure = active_closure(reader, period)
    frozen = frozen_counts(reader, closure) if closure else None
    if units_mode == "current":
        from .rollup import current_units_form

        form = current_units_form(reader, period, unit=unit, by=by, rows=frozen)
    else:
        form = quarterly_form(reader, period, unit=unit, by=by, rows=None if frozen is None else _only(frozen, unit))
    if closure is None:
        return form
    current = counts(reader, period, unit)
    form["closed"] = {
        "closed_at": closure["closed_at"].isoformat(timespec="seconds"),
        "closed_by": closure["closed_by"],
        "data_version": closure["data_version"],
    }
    form["changed_since_close"] = changes_since_close(reader, _only(frozen, unit), current)
    return form


def _only(frozen: pd.DataFrame, unit: str | None) -> pd.DataFrame:
    return frozen[frozen.unit_code == unit] if unit else frozen


def closures(reader) -> list[dict]:
    """Every closing, reopened ones included (newest first), for `cchc close --list`."""
    rows = reader.q("closures_list").to_dict("records")
    for r in rows:
        for k, v in list(r.items()):
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                r[k] = None
            elif isinstance(v, pd.Timestamp):
                r[k] = v.to_pydatetime()
    return rows


__all__ = ["active_closure", "changes_since_close", "closures", "frozen_counts", "official_form"]
