"""The official quarterly form (Biểu kết quả giải quyết TTHC) and the KPIs with targets.

Both the CLI and the pages call these functions, so screen and CLI cannot disagree.
The SQL is `queries/report_form.sql` (counts per unit × field); grouping by unit,
level or field and the total row are sums of those rows, so the total always equals
the sum of the rows.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..config import DEFAULT_SETTINGS, KPI_BY_NAME, KPIS
from ..db import Snapshot
from .period import Period

FORM_KEYS = (
    "received_total", "carried_over", "received_new", "received_online", "received_in_person", "received_postal",
    "resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
    "pending_total", "pending_in_time", "pending_overdue",
)
EXTRA_KEYS = ("withdrawn", "fee_dossiers", "paid_online", "digitized", "e_result", "postal_return")
COUNT_KEYS = FORM_KEYS + EXTRA_KEYS
GROUPINGS = ("unit", "level", "field")


def unit_field_counts(snap: Snapshot, period: Period, unit: str | None = None) -> pd.DataFrame:
    return snap.df("report_form", unit=unit, **period.params())


def units(snap: Snapshot) -> pd.DataFrame:
    return snap.df("units")


def group_counts(counts: pd.DataFrame, units_df: pd.DataFrame, by: str, unit: str | None = None) -> pd.DataFrame:
    """Sum unit × field counts into rows by unit (every configured unit, zeros included), level or field."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {GROUPINGS}")
    if by == "field":
        out = counts.groupby("field", as_index=False)[list(COUNT_KEYS)].sum().sort_values("field")
    else:
        per_unit = counts.groupby("unit_code", as_index=False)[list(COUNT_KEYS)].sum()
        u = units_df[["unit_code", "unit_name", "level"]]
        if unit:
            u = u[u.unit_code == unit]
        out = u.merge(per_unit, on="unit_code", how="outer")
        out["unit_name"] = out["unit_name"].fillna(out["unit_code"])
        out["level"] = out["level"].fillna("")
        if by == "level":
            out = out.groupby("level", as_index=False)[list(COUNT_KEYS)].sum()
            order = {"city": 0, "ward": 1}
            out = out.sort_values("level", key=lambda s: s.map(order).fillna(9))
        else:
            order = {"city": 0, "ward": 1}
            out = out.assign(_o=out["level"].map(order).fillna(9)).sort_values(["_o", "unit_code"]).drop(columns="_o")
    out[list(COUNT_KEYS)] = out[list(COUNT_KEYS)].fillna(0).astype("int64")
    return out.reset_index(drop=True)


def quarterly_form(snap: Snapshot, period: Period, unit: str | None = None, by: str = "unit",
                   counts: pd.DataFrame | None = None) -> dict[str, Any]:
    if counts is None:
        counts = unit_field_counts(snap, period, unit)
    rows = group_counts(counts, units(snap), by, unit)
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
        "data_version": snap.data_version,
    }


def _jsonable(row: dict) -> dict:
    return {k: (int(v) if k in COUNT_KEYS else (None if pd.isna(v) else v)) for k, v in row.items()}


# ----------------------------------------------------------------------------- KPIs
def settings(snap: Snapshot) -> dict[str, str]:
    return {**DEFAULT_SETTINGS, **dict(snap.rows("settings"))}


def status_of(actual: float | None, comparator: str | None, target: float | None, margin: float) -> str:
    """met / at_risk / missed, with `margin` the distance short of the target still called at risk."""
    if actual is None or pd.isna(actual):
        return "no_data"
    if target is None or comparator is None:
        return "no_target"
    eps = 1e-12
    if comparator == ">=":
        return "met" if actual >= target - eps else "at_risk" if actual >= target - margin - eps else "missed"
    if comparator == ">":
        return "met" if actual > target + eps else "at_risk" if actual >= target - margin - eps else "missed"
    if comparator in ("<=", "top"):
        return "met" if actual <= target + eps else "at_risk" if actual <= target + margin + eps else "missed"
    if comparator == "<":
        return "met" if actual < target - eps else "at_risk" if actual <= target + margin + eps else "missed"
    raise ValueError(f"unknown comparator {comparator!r}")


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
    if k is not None and k.unit == "rank":
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
                Target(int(r.year), str(r.comparator), float("nan") if problem else float(r.value), str(r.scope),
                       None if pd.isna(r.source) else str(r.source), problem))

    def resolve(self, kpi: str, year: int, unit_code: str | None, level: str | None) -> Target | None:
        """The target in force: the latest year ≤ `year`, most specific scope (unit > level > all)."""
        rows = [t for t in self._by_kpi.get(kpi, ()) if t.year <= year]
        scopes = ([unit_code] if unit_code and unit_code != "ALL" else []) + ([f"level:{level}"] if level else []) + ["all"]
        for scope in scopes:
            match = [t for t in rows if t.scope == scope]
            if match:
                return match[-1]
        return None


def resolve_target(targets: pd.DataFrame, kpi: str, year: int, unit_code: str | None, level: str | None) -> Target | None:
    """The target in force: the latest year ≤ `year`, most specific scope (unit > level > all)."""
    return TargetIndex(targets).resolve(kpi, year, unit_code, level)


def par_rank(snap: Snapshot, year: int, cfg: dict) -> list[tuple]:
    """The city's PAR INDEX rank row for the latest year up to `year` ([] without a configured peer code)."""
    peer = cfg.get("city_peer_code")
    return snap.rows("par_index_rank", year=year, peer=peer) if peer else []


def _ratio(num: float, den: float) -> float | None:
    return None if not den else float(num) / float(den)


def kpi_rows(snap: Snapshot, period: Period, by_unit: bool = False, unit: str | None = None,
             counts: pd.DataFrame | None = None, units_df: pd.DataFrame | None = None,
             targets_df: "pd.DataFrame | TargetIndex | None" = None, cfg: dict | None = None,
             par: list[tuple] | None = None, sat_df: pd.DataFrame | None = None,
             plan_df: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    """Every KPI with actual, target and status, for the whole city (`ALL`) and optionally per unit.
    The tables that do not depend on the period (units, targets, settings) may be passed in from a cache."""
    p = period.params()
    if counts is None:
        counts = unit_field_counts(snap, period, unit)
    units_df = units(snap) if units_df is None else units_df
    per_unit = counts.groupby("unit_code")[list(COUNT_KEYS)].sum()
    sat = (snap.df("satisfaction", **p) if sat_df is None else sat_df).set_index("unit_code")
    plan = (snap.df("plan_completion", **p) if plan_df is None else plan_df).set_index("unit_code")
    targets = targets_df if isinstance(targets_df, TargetIndex) else \
        TargetIndex(snap.df("targets") if targets_df is None else targets_df)
    cfg = settings(snap) if cfg is None else cfg
    if par is None:
        par = par_rank(snap, period.year, cfg)

    # plain dicts: one pass per unit instead of pandas reindexing (this runs for every unit on every page)
    per_unit_d = per_unit.to_dict("index")
    sat_d = sat[["responses", "satisfied"]].to_dict("index") if len(sat) else {}
    plan_d = plan[["tasks_due", "tasks_done_on_time"]].to_dict("index") if len(plan) else {}

    def total(d: dict, keys, codes: list[str] | None) -> dict[str, float]:
        out = dict.fromkeys(keys, 0.0)
        for r in (d.values() if codes is None else (d[c] for c in codes if c in d)):
            for k in keys:
                out[k] += float(r[k])
        return out

    def numbers(scope_codes: list[str] | None) -> dict[str, float]:
        n = total(per_unit_d, COUNT_KEYS, scope_codes)
        n["resolved_in_time"] = n["resolved_early"] + n["resolved_on_time"]
        n.update(total(sat_d, ("responses", "satisfied"), scope_codes))
        n.update(total(plan_d, ("tasks_due", "tasks_done_on_time"), scope_codes))
        return n

    def rows_for(code: str, name: str, level: str | None, n: dict[str, float]) -> list[dict[str, Any]]:
        out = []
        for k in KPIS:
            if k.name == "par_index_rank":
                if code != "ALL":
                    continue
                actual = float(par[0][1]) if par else None
                num, den = (par[0][1], par[0][3]) if par else (None, None)
            else:
                num, den = n[k.numerator], n[k.denominator]
                actual = _ratio(num, den)
            tgt = targets.resolve(k.name, period.year, code, level)
            bad = tgt.problem if tgt is not None else None  # "chỉ tiêu không hợp lệ": never compared against
            use = None if bad else tgt
            out.append({
                "unit_code": code, "unit_name": name, "kpi": k.name, "label": k.label,
                "actual": actual, "numerator": None if num is None else int(num),
                "denominator": None if den is None else int(den),
                "target": use.value if use else None, "comparator": use.comparator if use else None,
                "status": "invalid_target" if bad else status_of(actual, use.comparator if use else None,
                                                                 use.value if use else None, k.at_risk_margin),
                "target_source": tgt.source if tgt else None,
                "target_problem": bad,
                "period": period.key,
            })
        return out

    city = cfg.get("city_name") or "Toàn thành phố"
    rows = rows_for("ALL", city, None, numbers([unit] if unit else None))
    if by_unit:
        for u in units_df.itertuples():
            if unit and u.unit_code != unit:
                continue
            rows += rows_for(u.unit_code, u.unit_name, u.level, numbers([u.unit_code]))
    return rows
