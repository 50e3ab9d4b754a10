"""The units a reader sees, their names, and the refusal of a unit outside the reader's scope."""

from __future__ import annotations

import pandas as pd


def units(reader) -> pd.DataFrame:
    return reader.q("units")


def unit_name(reader, code: str | None) -> str | None:
    if not code:
        return None
    names = reader.memo(
        "unit_names", {}, lambda: dict(units(reader)[["unit_code", "unit_name"]].itertuples(index=False, name=None))
    )
    return names.get(code)


def permit(reader, unit: str | None) -> str | None:
    """Refuse (403) a unit outside the reader's scope, whatever sent it (a URL, a forged callback).
    The scoped views return only permitted rows anyway; this makes the refusal explicit and audited."""
    if unit and reader.scoped and unit_name(reader, unit) is None:
        from werkzeug.exceptions import Forbidden  # here: the web stack is no cost of a CLI answer (114 ms)

        raise Forbidden(f"đơn vị {unit} nằm ngoài phạm vi được giao")
    return unit


def home_unit(reader) -> str | None:
    """A reader scoped to exactly one unit sees that unit by default."""
    u = reader.scope.units
    return next(iter(u)) if u is not None and len(u) == 1 else None


VALIDITY_KEYS = ("unit_code", "unit_name", "level", "parent_code", "valid_from", "valid_to", "successor")


def units_validity_frame(reader) -> pd.DataFrame:
    """Every unit with unit_kind, valid_from, valid_to and successor (queries/units_validity.sql: unit_changes
    applied, successors followed transitively)."""
    return reader.q("units_validity")


def current_units(reader, keep: str | None = None) -> pd.DataFrame:
    """The units of the filters: those not retired at the data's as-of date (valid_to empty or on/after it),
    plus `keep` (the unit a link already names, even retired, so the filter shows it). Retired units stay in
    every report and history (units(), units_validity())."""
    v = units_validity_frame(reader)
    day = pd.Timestamp(reader.as_of.date())
    alive = v.valid_to.isna() | (pd.to_datetime(v.valid_to) >= day) | (v.unit_code == (keep or ""))
    return v[alive].reset_index(drop=True)


def units_validity(reader) -> list[dict]:
    """`cchc units list`: every unit with its validity and its successor of today. Dates are `datetime.date`
    or None."""
    frame = units_validity_frame(reader)
    rows = []
    for r in frame.to_dict("records"):
        row = {k: (None if pd.isna(r[k]) else r[k]) for k in VALIDITY_KEYS}
        for k in ("valid_from", "valid_to"):
            if row[k] is not None:
                row[k] = pd.Timestamp(row[k]).date()
        rows.append(row)
    return rows
