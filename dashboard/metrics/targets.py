"""Targets in force, the PAR INDEX, the reform plan's tasks and satisfaction by unit (the targets page)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..config import KPI_BY_NAME, PLAN_AREAS
from .period import Period


@dataclass(frozen=True)
class Target:
    year: int
    comparator: str
    value: float
    scope: str
    source: str | None
    problem: str | None = None  # why the stored target cannot be used (NaN, inf, out of range, unknown comparator)


COMPARATORS = (">=", ">", "<=", "<", "top")
MAX_RANK = 10_000


def target_problem(kpi: str, comparator: Any, value: Any) -> str | None:
    """What is wrong with a stored target (None when usable). Checked where targets are read, so a bad value
    that reached a database (an old import, a hand edit) cannot take a page or `cchc kpi` down."""
    k = KPI_BY_NAME.get(kpi)
    if comparator not in COMPARATORS:
        return f"phép so sánh không hợp lệ {comparator!r}"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return f"giá trị không phải số {value!r}"
    if not math.isfinite(v):
        return f"giá trị không hữu hạn ({value})"
    if k is not None and k.format == "rank":
        if not (1 <= v <= MAX_RANK and v == int(v)):
            return f"thứ hạng phải là số nguyên 1–{MAX_RANK:,}".replace(",", ".")
    elif not 0 <= v <= 1:
        return "tỷ lệ phải trong khoảng 0–100%"
    return None


class TargetIndex:
    """Targets indexed by KPI in plain Python: resolving one is a loop over a handful of rows (filtering a
    DataFrame per KPI and unit cost more than the queries behind a page)."""

    def __init__(self, targets: pd.DataFrame):
        self._by_kpi: dict[str, list[Target]] = {}
        for r in targets.sort_values("year").itertuples():
            problem = target_problem(r.kpi, r.comparator, r.value)
            self._by_kpi.setdefault(r.kpi, []).append(
                Target(
                    int(r.year),
                    str(r.comparator),
                    float("nan") if problem else float(r.value),
                    str(r.scope),
                    None if pd.isna(r.source) else str(r.source),
                    problem,
                )
            )

    def resolve(self, kpi: str, year: int, unit_code: str | None, level: str | None) -> Target | None:
        """The target in force: the latest year ≤ `year`, most specific scope (unit > level > all)."""
        rows = [t for t in self._by_kpi.get(kpi, ()) if t.year <= year]
        scopes = ([unit_code] if unit_code and unit_code != "ALL" else []) + ([f"level:{level}"] if level else [])
        for scope in [*scopes, "all"]:
            match = [t for t in rows if t.scope == scope]
            if match:
                return match[-1]
        return None


def resolve_target(
    targets: pd.DataFrame, kpi: str, year: int, unit_code: str | None, level: str | None
) -> Target | None:
    """The target in force: the latest year ≤ `year`, most specific scope (unit > level > all)."""
    return TargetIndex(targets).resolve(kpi, year, unit_code, level)


def target_index(reader) -> TargetIndex:
    return reader.memo("target_index", {}, lambda: TargetIndex(reader.q("targets")))


def targets(reader) -> pd.DataFrame:
    return reader.q("targets")


def par_index(reader) -> pd.DataFrame:
    return reader.q("par_index_all")


def plan_tasks(reader, year: int) -> pd.DataFrame:
    df = reader.q("plan_tasks_year", year=year, as_of=reader.as_of.date())
    df["area_name"] = df["area"].map(PLAN_AREAS)
    return df


def satisfaction_by_unit(reader, period: Period) -> pd.DataFrame:
    from .units import units

    df = reader.q("satisfaction", **period.params())
    u = units(reader)[["unit_code", "unit_name", "level"]]
    df = u.merge(df, on="unit_code", how="left").fillna({"responses": 0, "satisfied": 0})
    df["rate"] = (df["satisfied"] / df["responses"]).where(df["responses"] > 0)
    return df
