"""What the pages show, computed from the same functions as the CLI (report.py, late.py)
and cached per data version. Pure data in, data out: the ui builders do the drawing."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
import pandas as pd
from werkzeug.exceptions import Forbidden

from .. import state
from ..config import KPIS, PLAN_AREAS
from ..db import Snapshot
from . import insight, late
from .period import Period, PeriodError
from .report import COUNT_KEYS, TargetIndex, kpi_rows, par_rank, quarterly_form, settings, unit_field_counts, units

# weekly series: kpi -> (numerator, denominator) columns of weekly_counts
WEEKLY_RATIOS = {
    "on_time_rate": ("resolved_in_time", "resolved_total"),
    "satisfaction_rate": ("satisfied", "responses"),
    "online_rate": ("received_online", "received_new"),
    "online_payment_rate": ("paid_online", "fee_dossiers"),
    "e_result_rate": ("e_result", "resolved_total"),
    "digitization_rate": ("digitized", "received_new"),
}


@dataclass(frozen=True)
class Context:
    """What every page needs: the snapshot, the data's as-of moment and the settings."""
    snap: Snapshot
    as_of: dt.datetime
    settings: dict
    coverage: dict

    @property
    def city(self) -> str:
        return self.settings.get("city_name") or "Thành phố"


def data_as_of(snap: Snapshot, coverage: dict | None = None) -> dt.datetime:
    """The moment the data reaches (latest receipt or completion); now if there are no dossiers."""
    v = (coverage if coverage is not None else snap.df("data_coverage").iloc[0].to_dict())["data_as_of"]
    return dt.datetime.now().replace(microsecond=0) if v is None or pd.isna(v) else pd.Timestamp(v).to_pydatetime()


def context() -> Context:
    snap = state.snapshot()
    # The as-of moment belongs to the data version, not to the reader: a ward whose last dossier moved at
    # 16:22 is still judged (overdue, early warning, period cut) at the city's 16:55. Computed once per version.
    whole = snap.whole

    def compute():
        cov = whole.df("data_coverage").iloc[0].to_dict()
        return data_as_of(whole, cov), settings(whole), cov

    as_of, cfg, cov = state.cached(whole, ("context",), compute)
    return Context(snap, as_of, cfg, cov)


def resolve_period(text: str | None, ctx: Context, default_kind: str = "quarter") -> Period:
    """The URL's period (or the current one to date), cut at the data's as-of date."""
    day = ctx.as_of.date()
    try:
        p = Period.parse(text) if text else Period.containing(default_kind, day)
    except PeriodError:
        p = Period.containing(default_kind, day)
    return p.clipped(day)


def period_options(ctx: Context) -> list[dict]:
    """Choices for the period picker: running periods first, then past quarters, months and years."""
    day = ctx.as_of.date()
    first = ctx.coverage.get("first_received")
    first_year = pd.Timestamp(first).year if first is not None and not pd.isna(first) else day.year
    opts: list[dict] = []
    seen: set[str] = set()

    def add(p: Period, label: str | None = None):
        if p.key not in seen:
            seen.add(p.key)
            opts.append({"label": label or p.clipped(day).label, "value": p.key})

    this_week = Period.containing("week", day)
    add(this_week, f"Tuần này — {this_week.clipped(day).label}")
    add(this_week.previous(), f"Tuần trước — {this_week.previous().label}")
    add(Period.containing("month", day), f"Tháng này — {Period.containing('month', day).clipped(day).label}")
    add(Period.containing("quarter", day), f"Quý này — {Period.containing('quarter', day).clipped(day).label}")
    add(Period.containing("year", day), f"Năm nay — {Period.containing('year', day).clipped(day).label}")
    q = Period.containing("quarter", day).previous()
    while q.end.year >= first_year:
        add(q)
        q = q.previous()
    m = Period.containing("month", day).previous()
    for _ in range(12):
        add(m)
        m = m.previous()
    for y in range(day.year - 1, first_year - 1, -1):
        add(Period.parse(str(y)))
    return opts


# ----------------------------------------------------------------------------- the reader's scope
def permit(ctx: Context, unit: str | None) -> str | None:
    """Refuse (403) a unit outside the reader's scope, whatever sent it (a URL, a forged callback).
    The scoped views return only permitted rows anyway; this makes the refusal explicit and audited."""
    if unit and scoped(ctx) and unit_name(ctx, unit) is None:
        raise Forbidden(f"đơn vị {unit} nằm ngoài phạm vi được giao")
    return unit


def scoped(ctx: Context) -> bool:
    return ctx.snap.scope.units is not None


def home_unit(ctx: Context) -> str | None:
    """A reader scoped to exactly one unit sees that unit by default."""
    units = ctx.snap.scope.units
    return next(iter(units)) if units is not None and len(units) == 1 else None


# ----------------------------------------------------------------------------- KPIs
def counts(ctx: Context, period: Period, unit: str | None = None) -> pd.DataFrame:
    """The form's unit × field counts: one scan per (period, unit), shared by the KPIs and the form."""
    permit(ctx, unit)
    return state.cached(ctx.snap, ("counts", period, unit), lambda: unit_field_counts(ctx.snap, period, unit))


def kpis(ctx: Context, period: Period, by_unit: bool = False, unit: str | None = None) -> list[dict]:
    return state.cached(ctx.snap, ("kpis", period, by_unit, unit),
                        lambda: kpi_rows(ctx.snap, period, by_unit=by_unit, unit=unit, counts=counts(ctx, period, unit),
                                         units_df=units_df(ctx), targets_df=target_index(ctx), cfg=ctx.settings,
                                         par=state.cached(ctx.snap, ("par_rank", period.year),
                                                          lambda: par_rank(ctx.snap, period.year, ctx.settings)),
                                         sat_df=_period_df(ctx, "satisfaction", period),
                                         plan_df=_period_df(ctx, "plan_completion", period)))


def _period_df(ctx: Context, query: str, period: Period) -> pd.DataFrame:
    """A named per-period query, run once per (data version, scope, period) and shared by every caller."""
    return state.cached(ctx.snap, ("query", query, period), lambda: ctx.snap.df(query, **period.params()))


def form(ctx: Context, period: Period, by: str = "unit", unit: str | None = None) -> dict:
    return state.cached(ctx.snap, ("form", period, by, unit),
                        lambda: quarterly_form(ctx.snap, period, unit, by, counts=counts(ctx, period, unit)))


def units_df(ctx: Context) -> pd.DataFrame:
    return state.cached(ctx.snap, ("units",), lambda: units(ctx.snap))


def weekly(ctx: Context, start: dt.date, end: dt.date, unit: str | None = None) -> pd.DataFrame:
    """Weekly counts with each KPI's weekly rate as extra columns."""
    permit(ctx, unit)
    def compute():
        df = ctx.snap.df("weekly_counts", start=dt.datetime.combine(start, dt.time()),
                         end=dt.datetime.combine(end + dt.timedelta(days=1), dt.time()), unit=unit)
        for k, (n, d) in WEEKLY_RATIOS.items():
            df[k] = (df[n] / df[d]).where(df[d] > 0)
        return df
    return state.cached(ctx.snap, ("weekly", start, end, unit), compute)


@dataclass
class KpiCard:
    kpi: str
    label: str
    unit: str
    actual: float | None
    target: float | None
    comparator: str | None
    status: str
    numerator: int | None
    denominator: int | None
    previous: float | None
    year_before: float | None
    spark: list[tuple[dt.date, float]] = field(default_factory=list)
    source: str | None = None
    higher_is_better: bool = True


def kpi_cards(ctx: Context, period: Period, unit: str | None = None) -> list[KpiCard]:
    """Each KPI for the city (or one unit): actual vs target, the previous period, the same period
    last year, and a 12-week sparkline ending at the period's end."""
    code = unit or "ALL"
    now = {r["kpi"]: r for r in kpis(ctx, period, unit=unit, by_unit=bool(unit)) if r["unit_code"] == code}
    prev = {r["kpi"]: r for r in kpis(ctx, period.previous(), unit=unit, by_unit=bool(unit)) if r["unit_code"] == code}
    yoy = {r["kpi"]: r for r in kpis(ctx, period.year_before(), unit=unit, by_unit=bool(unit)) if r["unit_code"] == code}
    wk = weekly(ctx, period.end - dt.timedelta(weeks=12), period.end, unit)
    cards = []
    for k in KPIS:
        if k.name not in now:
            continue
        r = now[k.name]
        spark = []
        if k.name in WEEKLY_RATIOS:
            s = wk[["week", k.name]].dropna()
            spark = [(w, float(v)) for w, v in zip(s["week"], s[k.name])]
        cards.append(KpiCard(
            k.name, k.label, k.unit, r["actual"], r["target"], r["comparator"], r["status"], r["numerator"],
            r["denominator"], prev.get(k.name, {}).get("actual"), yoy.get(k.name, {}).get("actual"), spark,
            r["target_source"], k.higher_is_better))
    return cards


def trend_years(ctx: Context, kpi: str, year: int, unit: str | None = None) -> pd.DataFrame:
    """A KPI's weekly rate by ISO week for `year` and the year before (week, year, value, n)."""
    frames = []
    for y in (year - 1, year):
        df = weekly(ctx, dt.date(y, 1, 1), min(dt.date(y, 12, 31), ctx.as_of.date()), unit)
        num, den = WEEKLY_RATIOS[kpi]
        d = df[df[den] > 0].copy()
        iso = pd.to_datetime(d["week"]).dt.isocalendar()
        d = d[(iso["year"] == y).to_numpy()]
        frames.append(pd.DataFrame({"week_no": iso["week"][(iso["year"] == y).to_numpy()].astype(int).to_numpy(),
                                    "week": d["week"].to_numpy(), "year": y, "value": d[kpi].to_numpy(),
                                    "n": d[den].to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def unit_matrix(ctx: Context, period: Period, level: str | None = None) -> pd.DataFrame:
    """One row per unit, a column per KPI (actual) and per KPI status; plus late counts."""
    rows = [r for r in kpis(ctx, period, by_unit=True) if r["unit_code"] != "ALL"]
    u = units_df(ctx)
    if level:
        u = u[u.level == level]
    out = u[["unit_code", "unit_name", "level"]].copy()
    for k in KPIS:
        if not k.by_unit:
            continue
        vals = {r["unit_code"]: r for r in rows if r["kpi"] == k.name}
        out[k.name] = [vals.get(c, {}).get("actual") for c in out.unit_code]
        out[f"{k.name}__status"] = [vals.get(c, {}).get("status", "no_data") for c in out.unit_code]
        out[f"{k.name}__n"] = [vals.get(c, {}).get("denominator") for c in out.unit_code]
    f = form(ctx, period)
    per = {r["unit_code"]: r for r in f["rows"]}
    for key in ("resolved_late", "pending_overdue", "resolved_total", "received_total"):
        out[key] = [per.get(c, {}).get(key, 0) for c in out.unit_code]
    return out.reset_index(drop=True)


def worst_units(ctx: Context, period: Period, n: int = 5, min_resolved: int = 20) -> pd.DataFrame:
    """The units dragging the on-time rate down: lowest on-time rate among units with enough dossiers,
    with their late and overdue counts."""
    m = unit_matrix(ctx, period)
    m = m[(m["resolved_total"] >= min_resolved) & m["on_time_rate"].notna()]
    return m.sort_values(["on_time_rate", "resolved_late"], ascending=[True, False]).head(n).reset_index(drop=True)


def late_counts(ctx: Context, period: Period, unit: str | None = None) -> dict[str, int]:
    """The counts that link to the drill-down: late (resolved), overdue (open) and at risk."""
    permit(ctx, unit)
    def compute():
        # late (resolved) and overdue (open) are the form's resolved_late and pending_overdue, from the daily
        # aggregate; only the early warning needs the open dossiers themselves
        f = counts(ctx, period, unit)
        return {"late": int(f["resolved_late"].sum()), "overdue": int(f["pending_overdue"].sum()),
                "at_risk": late.at_risk_count(ctx.snap, ctx.as_of, unit)}
    return state.cached(ctx.snap, ("late_counts", period, unit), compute)


def late_page(ctx: Context, period: Period, flt: late.LateFilter, sort: str, desc: bool, limit: int, offset: int):
    permit(ctx, flt.unit)
    return state.cached(ctx.snap, ("late_page", period, flt, sort, desc, limit, offset),
                        lambda: late.page(ctx.snap, period, flt, ctx.as_of, sort, desc, limit, offset))


def late_breakdown(ctx: Context, period: Period, flt: late.LateFilter) -> pd.DataFrame:
    permit(ctx, flt.unit)
    return state.cached(ctx.snap, ("late_breakdown", period, flt),
                        lambda: late.breakdown(ctx.snap, period, flt, ctx.as_of))


# ----------------------------------------------------------------------------- insight (analysis page, overview)
def projections(ctx: Context) -> list[insight.Projection]:
    """The running quarter's projection per unit (first item: the whole city)."""
    return state.cached(ctx.snap, ("projections",), lambda: insight.projections(ctx.snap, ctx.as_of))


def projection(ctx: Context, unit: str | None = None) -> insight.Projection | None:
    permit(ctx, unit)
    return next((p for p in projections(ctx) if p.unit_code == (unit or "ALL")), None)


def lateness(ctx: Context, period: Period) -> dict:
    return state.cached(ctx.snap, ("lateness", period), lambda: insight.lateness(ctx.snap, period))


def index_scores(ctx: Context, period: Period) -> pd.DataFrame:
    return state.cached(ctx.snap, ("index", period),
                        lambda: insight.index_scores(ctx.snap, period, kpis(ctx, period, by_unit=True)))


# ----------------------------------------------------------------------------- targets page
def targets_df(ctx: Context) -> pd.DataFrame:
    return state.cached(ctx.snap, ("targets",), lambda: ctx.snap.df("targets"))


def target_index(ctx: Context) -> TargetIndex:
    return state.cached(ctx.snap, ("target_index",), lambda: TargetIndex(targets_df(ctx)))


def par_index(ctx: Context) -> pd.DataFrame:
    return state.cached(ctx.snap, ("par_index",), lambda: ctx.snap.df("par_index_all"))


def plan_tasks(ctx: Context, year: int) -> pd.DataFrame:
    def compute():
        df = ctx.snap.df("plan_tasks_year", year=year, as_of=ctx.as_of.date())
        df["area_name"] = df["area"].map(PLAN_AREAS)
        return df
    return state.cached(ctx.snap, ("plan", year), compute)


def satisfaction_by_unit(ctx: Context, period: Period) -> pd.DataFrame:
    def compute():
        df = _period_df(ctx, "satisfaction", period)
        u = units_df(ctx)[["unit_code", "unit_name", "level"]]
        df = u.merge(df, on="unit_code", how="left").fillna({"responses": 0, "satisfied": 0})
        df["rate"] = (df["satisfied"] / df["responses"]).where(df["responses"] > 0)
        return df
    return state.cached(ctx.snap, ("satisfaction_by_unit", period), compute)


def imports(ctx: Context) -> pd.DataFrame:
    return state.cached(ctx.snap, ("imports",), lambda: ctx.snap.df("imports_list"))


def rejects(ctx: Context, include_resolved: bool = False) -> pd.DataFrame:
    return state.cached(ctx.snap, ("rejects", include_resolved), lambda: ctx.snap.df("rejects_list", all=include_resolved))


def counts_by_field(ctx: Context, period: Period, unit: str | None) -> pd.DataFrame:
    def compute():
        return counts(ctx, period, unit).groupby("field", as_index=False)[list(COUNT_KEYS)].sum()
    return state.cached(ctx.snap, ("by_field", period, unit), compute)


def unit_name(ctx: Context, code: str | None) -> str | None:
    if not code:
        return None
    u = units_df(ctx)
    m = u[u.unit_code == code]
    return m.unit_name.iloc[0] if len(m) else None

