"""Targets in force, the PAR INDEX, the reform plan's tasks and satisfaction by unit (the targets page)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..config import PLAN_AREAS
from .period import Period


@dataclass(frozen=True)
class Target:
    year: int
    comparator: str
    value: float
    scope: str
    source: str | None


class TargetIndex:
    """Targets indexed by KPI in plain Python: resolving one is a loop over a handful of rows (filtering a
    DataFrame per KPI and unit cost more than the queries behind a page)."""

    def __init__(self, targets: pd.DataFrame):
        self._by_kpi: dict[str, list[Target]] = {}
        for r in targets.sort_values("year").itertuples():
            self._by_kpi.setdefault(r.kpi, []).append(
                Target(
                    int(r.year),
                    str(r.comparator),
                    float(r.value),
                    str(r.scope),
                    None if pd.isna(r.source) else str(r.source),
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
