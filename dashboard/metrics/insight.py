"""What generic BI does not give: how many more late dossiers a unit can afford this quarter and still
end at the target, the quarter-end projection with an explained interval, and the index score per unit.

Projection method (said on screen and in the CLI's `method`):
- expected remaining resolutions V = (last year's same quarter, resolved after the same day) × (this year's
  volume to date ÷ last year's volume to the same day); without last year's data, the quarter's pace so far;
- late budget = ⌊in time so far + V − target × (resolved so far + V)⌋: the late dossiers still affordable;
- projection = (in time so far + V × (1 − p)) / (resolved so far + V), p = the unit's late rate over the last
  8 weeks; the interval takes p's 95% binomial interval and V ± 20%."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass

import pandas as pd

from ..config import FALLBACK_ON_TIME_TARGET, INDEX_COMPONENTS, PROJECTION_RECENT_WEEKS, IndexComponent
from .kpis import kpi_rows
from .period import Period
from .status import status_of
from .targets import target_index
from .units import permit, units

METHOD = (
    "V = phần còn lại của cùng quý năm trước × (khối lượng năm nay ÷ năm trước, đến cùng ngày); "
    "ngân sách trễ = ⌊đúng hạn đến nay + V − chỉ tiêu × (đã giải quyết + V)⌋; dự báo = (đúng hạn + V·(1−p)) ÷ "
    "(đã giải quyết + V), p = tỷ lệ trễ 8 tuần gần nhất; khoảng: p theo khoảng tin cậy 95%, V ± 20%."
)


def late_budget(in_time: float, resolved: float, expected_remaining: float, target: float) -> int:
    """Late dossiers still affordable: the largest x with (in_time + V − x) / (resolved + V) ≥ target.
    Negative when the target is out of reach even with no further late dossier."""
    slack = in_time + expected_remaining - target * (resolved + expected_remaining)
    return math.floor(slack + 1e-9)


def projected_rate(in_time: float, resolved: float, remaining: float, p_late: float) -> float | None:
    total = resolved + remaining
    return None if total <= 0 else (in_time + remaining * (1 - p_late)) / total


def wilson(k: float, n: float, z: float = 1.96) -> tuple[float, float]:
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


@dataclass(frozen=True)
class Projection:
    unit_code: str
    resolved_so_far: int
    in_time_so_far: int
    on_time_so_far: float | None
    expected_remaining: int
    late_budget: int
    target: float
    reachable: bool
    recent_late_rate: float | None
    projected_rate: float | None
    projected_low: float | None
    projected_high: float | None
    days_left: int
    method: str = METHOD


def _project(code: str, r: dict, target: float, days_done: int, days_total: int) -> Projection:
    R, T = int(r["resolved_so_far"]), int(r["in_time_so_far"])
    if r["ly_resolved_to_date"] > 0 and r["ly_resolved_quarter"] > 0:
        growth = R / r["ly_resolved_to_date"] if R else 1.0
        V = (r["ly_resolved_quarter"] - r["ly_resolved_to_date"]) * growth
    else:  # no history: the pace so far
        V = R * (days_total - days_done) / max(days_done, 1)
    V = max(0.0, V)
    n, k = float(r["recent_resolved"]), float(r["recent_late"])
    p = k / n if n else (1 - T / R if R else 0.0)
    lo_p, hi_p = wilson(k, n) if n else (p, p)
    budget = late_budget(T, R, V, target)
    rates = [projected_rate(T, R, v, q) for v in (0.8 * V, 1.2 * V) for q in (lo_p, hi_p)]
    rates = [x for x in rates if x is not None]
    return Projection(
        code,
        R,
        T,
        T / R if R else None,
        int(round(V)),
        max(budget, 0),
        target,
        budget >= 0,
        p if (n or R) else None,
        projected_rate(T, R, V, p),
        min(rates) if rates else None,
        max(rates) if rates else None,
        days_total - days_done,
    )


def projections(reader, kpi: str = "on_time_rate") -> tuple[Projection, ...]:
    """The quarter containing the data's as-of moment, for the whole city (`ALL`, first) and per unit."""
    return reader.memo("projections", {"kpi": kpi}, lambda: tuple(_projections(reader, kpi)))


def _projections(reader, kpi: str) -> list[Projection]:
    as_of = reader.as_of
    q = Period.containing("quarter", as_of.date())
    cut = dt.datetime.combine(as_of.date() + dt.timedelta(days=1), dt.time())
    ly = q.year_before()
    ly_cut = dt.datetime.combine(ly.start + (as_of.date() - q.start) + dt.timedelta(days=1), dt.time())
    df = reader.q(
        "quarter_progress",
        start=q.start_ts,
        cut=cut,
        ly_start=ly.start_ts,
        ly_cut=ly_cut,
        ly_end=ly.end_ts,
        recent_start=cut - dt.timedelta(weeks=PROJECTION_RECENT_WEEKS),
    )
    targets = target_index(reader)
    level = dict(units(reader)[["unit_code", "level"]].itertuples(index=False, name=None))
    days_done, days_total = (as_of.date() - q.start).days + 1, q.days
    out = []
    total = df.drop(columns="unit_code").sum().to_dict() if len(df) else None
    t_all = targets.resolve(kpi, q.year, "ALL", None)
    default = (
        t_all.value if t_all and not t_all.problem else FALLBACK_ON_TIME_TARGET
    )  # an invalid target counts as none
    if total:
        out.append(_project("ALL", total, default, days_done, days_total))
    for r in df.to_dict("records"):
        t = targets.resolve(kpi, q.year, r["unit_code"], level.get(r["unit_code"]))
        out.append(_project(r["unit_code"], r, t.value if t and not t.problem else default, days_done, days_total))
    return out


def projection(reader, unit: str | None = None) -> Projection | None:
    permit(reader, unit)
    return next((p for p in projections(reader) if p.unit_code == (unit or "ALL")), None)


def running_projection(reader, period: Period, unit: str | None = None) -> Projection | None:
    """The quarter-end projection when `period` lies within the quarter still running (the overview and the digest
    show the late budget only then); None otherwise or without a projected rate."""
    q = Period.containing("quarter", reader.as_of.date())
    if period.start < q.start or period.end > reader.as_of.date():
        return None
    pr = projection(reader, unit)
    return pr if pr is not None and pr.projected_rate is not None else None


def projection_status(p: Projection) -> str:
    """The projection judged by the one status rule: its interval against the target, unreachable when even no
    further late dossier would do."""
    return status_of(
        p.projected_rate, ">=", p.target, interval=(p.projected_low, p.projected_high), reachable=p.reachable
    )


def projections_json(items: list[Projection]) -> list[dict]:
    return [asdict(p) for p in items]


# ----------------------------------------------------------------------------- index score (Decision 766 style)
def component_points(c: IndexComponent, actual: float | None) -> float | None:
    """Points of one component for a KPI value, by its bands (value ≥ threshold → that share of the points)
    or proportionally up to `full_at`."""
    if actual is None or (isinstance(actual, float) and math.isnan(actual)):
        return None
    if c.bands:
        share = max((s for threshold, s in c.bands if actual >= threshold - 1e-12), default=0.0)
    else:
        share = min(1.0, actual / c.full_at) if c.full_at else 0.0
    return c.points * share


def index_scores(reader, period: Period) -> pd.DataFrame:
    """Per unit and for ALL: each component's points, the points lost, and what one step more would gain."""
    rows = kpi_rows(reader, period, by_unit=True)
    by = {}
    for r in rows:
        by.setdefault((r["unit_code"], r["unit_name"]), {})[r["kpi"]] = r["actual"]
    out = []
    for (code, name), vals in by.items():
        for c in INDEX_COMPONENTS:
            actual = vals.get(c.kpi) if c.kpi else None
            pts = component_points(c, actual) if c.kpi else None
            stepped = component_points(c, min(1.0, actual + c.step)) if (c.kpi and actual is not None) else None
            out.append(
                {
                    "unit_code": code,
                    "unit_name": name,
                    "component": c.name,
                    "label": c.label,
                    "kpi": c.kpi,
                    "actual": actual,
                    "max_points": c.points,
                    "points": pts,
                    "lost": None if pts is None else c.points - pts,
                    "step": c.step,
                    "gain_next_step": None if stepped is None or pts is None else stepped - pts,
                }
            )
    return pd.DataFrame(out)


def index_totals(scores: pd.DataFrame) -> pd.DataFrame:
    """Total points over the measured components, and the same on a 100-point scale."""
    m = scores[scores.points.notna()]
    g = m.groupby(["unit_code", "unit_name"], as_index=False).agg(
        points=("points", "sum"), max_points=("max_points", "sum")
    )
    g["score_100"] = g.points / g.max_points * 100
    return g.sort_values("score_100").reset_index(drop=True)


# ----------------------------------------------------------------------------- raw vs adjusted lateness
LATENESS_KEYS = (
    "dossiers",
    "late_adjusted",
    "late_raw",
    "late_both",
    "raw_only",
    "raw_only_paused",
    "raw_only_returned",
    "adjusted_only",
    "no_statute",
    "late_software",
)


def lateness(reader, period: Period, unit: str | None = None) -> dict:
    """Raw-clock vs adjusted lateness per unit with the total and the reasons; `late_adjusted` reconciles to
    the form (resolved_late + pending_overdue)."""
    permit(reader, unit)
    both = reader.q("lateness_summary", unit=unit, **period.params())  # one scan for both groupings
    rows = both[both.grp == "unit"].sort_values("unit_code")[["unit_code", *LATENESS_KEYS]]
    rows = rows.reset_index(drop=True)
    names = units(reader).set_index("unit_code").unit_name
    rows.insert(1, "unit_name", [names.get(c, c) for c in rows.unit_code])
    total = {k: int(rows[k].sum()) if len(rows) else 0 for k in LATENESS_KEYS}
    reasons = both[(both.grp == "reason") & (both.late_adjusted > 0)][["reason", "late_adjusted", "late_raw_too"]]
    reasons = reasons.sort_values(["late_adjusted", "reason"], ascending=[False, True], kind="stable")
    return {
        "period": period.key,
        "unit": unit,
        "rows": [{k: (int(v) if k in LATENESS_KEYS else v) for k, v in r.items()} for r in rows.to_dict("records")],
        "total": total,
        "reasons": [
            {"reason": r["reason"], "late_adjusted": int(r["late_adjusted"]), "late_raw_too": int(r["late_raw_too"])}
            for r in reasons.to_dict("records")
        ],
    }


def lateness_dossiers(reader, period: Period, unit: str | None = None) -> pd.DataFrame:
    permit(reader, unit)
    return reader.q("lateness_dossiers", unit=unit, **period.params())
