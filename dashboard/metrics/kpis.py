"""Every KPI of the catalogue (`config.KPIS`) with actual, target and status — for the city (`ALL`), one unit or
every unit — and what the pages build on it: cards, weekly series, the units matrix, the worst units.

A KPI's actual is Σ numerator / Σ denominator over the rows of its named query for the units in scope (a rank
KPI's actual is its numerator), its target the one in force (metrics.targets), its status `status_of`. Nothing
is special-cased by name: adding a KPI is adding a catalogue entry whose columns its query returns (checked at
start-up by `validate`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from ..config import (
    KPI_BY_NAME,
    KPI_DIRECTIONS,
    KPI_FORMATS,
    KPI_PARAMS,
    KPIS,
    SPARK_WEEKS,
    WORST_MIN_RESOLVED,
    WORST_UNITS,
    Kpi,
)
from .form import counts, quarterly_form, units_of_period
from .period import Period, weeks_back
from .status import status_of
from .targets import target_index
from .units import permit, units

KpiRow = MappingProxyType  # a read-only dict: rows are memoised and shared


class CatalogueError(ValueError):
    pass


def _query_params(reader, kpi: Kpi, period: Period, unit: str | None) -> dict[str, Any]:
    if kpi.params == "par":
        return {"year": period.year, "peer": reader.settings.get("city_peer_code") or None}
    if kpi.params == "index766":
        from ..config import INDEX766_ASSUME_PAPER_RESULT

        return {"paper_default": INDEX766_ASSUME_PAPER_RESULT, **period.params()}
    if kpi.query == "report_form":  # the form's query takes the unit (one scan per period and unit)
        return {"unit": unit, **period.params()}
    return period.params()


def _sums(reader, period: Period, unit: str | None) -> dict[str, tuple[dict[str, dict[str, float]], bool]]:
    """Per KPI query: {unit code: {column: value}} of the columns the catalogue reads from it, and whether the query
    is per unit at all (a query without unit_code is one row for the city: "ALL"). One pass per query."""
    out = {}
    for query in dict.fromkeys(k.query for k in KPIS):
        kpis = [k for k in KPIS if k.query == query]
        cols = list(dict.fromkeys(c for k in kpis for c in (k.numerator, k.denominator)))
        if kpis[0].params == "par" and not (reader.settings.get("city_peer_code") or None):
            out[query] = ({}, False)
            continue
        frame = (
            counts(reader, period, unit)
            if query == "report_form"
            else reader.q(query, **_query_params(reader, kpis[0], period, unit))
        )
        if "unit_code" not in frame.columns:
            out[query] = ({"ALL": {c: frame[c].iloc[0] for c in cols}} if len(frame) else {}), False
        else:
            out[query] = frame.groupby("unit_code")[cols].sum().to_dict("index"), True
    return out


def _total(
    per_unit: dict[str, dict[str, float]], cols: tuple[str, str], codes: list[str] | None
) -> tuple[float, float]:
    num = den = 0.0
    for r in per_unit.values() if codes is None else (per_unit[c] for c in codes if c in per_unit):
        num += float(r[cols[0]])
        den += float(r[cols[1]])
    return num, den


def kpi_rows(
    reader, period: Period, by_unit: bool = False, unit: str | None = None, rollup: bool = False
) -> tuple[KpiRow, ...]:
    """Every KPI with actual, target and status for the whole city (`ALL`, or `unit` alone) and, with
    `by_unit`, for every unit too (only the KPIs meaningful per unit). `rollup`: per unit of today, each with
    the history of the units merged or renamed into it (metrics.rollup; `--units current`)."""
    permit(reader, unit)
    return reader.memo(
        "kpi_rows",
        {"period": period, "by_unit": by_unit, "unit": unit, "rollup": rollup},
        lambda: tuple(_kpi_rows(reader, period, by_unit, unit, rollup)),
    )


def _unit_codes(reader, rollup: bool) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The units to list and, per unit, the codes whose figures it sums (itself, and with `rollup` its
    predecessors; retired units with a successor are then left out)."""
    u = units(reader)
    if not rollup:
        return u, {c: [c] for c in u.unit_code}
    from .rollup import successor_map

    moved = successor_map(reader)
    codes: dict[str, list[str]] = {c: [c] for c in u.unit_code if c not in moved}
    for old, new in moved.items():
        codes.setdefault(new, [new]).append(old)
    return u[u.unit_code.isin(list(codes))], codes


def _kpi_rows(reader, period: Period, by_unit: bool, unit: str | None, rollup: bool = False) -> list[KpiRow]:
    sums = _sums(reader, period, unit)
    targets = target_index(reader)

    def rows_for(code: str, name: str, level: str | None, codes: list[str] | None) -> list[KpiRow]:
        out = []
        for k in KPIS:
            per_unit, unit_grain = sums[k.query]
            if code != "ALL" and not (k.by_unit and unit_grain):
                continue
            if unit_grain:
                num, den = _total(per_unit, (k.numerator, k.denominator), codes)
            elif per_unit:
                num, den = per_unit["ALL"][k.numerator], per_unit["ALL"][k.denominator]
            else:
                num = den = None
            actual = (
                (None if num is None else float(num))
                if k.format == "rank"
                else (None if not den else float(num) / float(den))
            )
            tgt = targets.resolve(k.name, period.year, code, level) if k.has_target else None
            bad = tgt.problem if tgt is not None else None  # "chỉ tiêu không hợp lệ": never compared against
            use = None if bad else tgt
            out.append(
                KpiRow(
                    {
                        "unit_code": code,
                        "unit_name": name,
                        "kpi": k.name,
                        "label": k.label,
                        "actual": actual,
                        "numerator": None if num is None else int(num),
                        "denominator": None if den is None else int(den),
                        "target": use.value if use else None,
                        "comparator": use.comparator if use else None,
                        "status": "invalid_target"
                        if bad
                        else status_of(actual, use.comparator if use else None, use.value if use else None, k.margin),
                        "target_source": tgt.source if tgt else None,
                        "target_problem": bad,
                        "period": period.key,
                    }
                )
            )
        return out

    rows = rows_for("ALL", reader.settings.get("city_name") or "Toàn thành phố", None, [unit] if unit else None)
    if by_unit:
        listed, codes = _unit_codes(reader, rollup)
        # the units of the period (as the form and the matrix list them): a ward retired before the period
        # leaves it unless it still has figures in it; with `rollup` every unit of today is listed
        of_period = None if rollup else set(units_of_period(reader, period).unit_code)
        for u in listed.itertuples():
            if unit and u.unit_code != unit:
                continue
            own = rows_for(u.unit_code, u.unit_name, u.level, codes[u.unit_code])
            listed_then = of_period is None or u.unit_code in of_period or u.unit_code == unit
            if listed_then or any(r["denominator"] for r in own):
                rows += own
    return rows


def kpi(reader, period: Period, name: str, unit: str | None = None) -> KpiRow | None:
    """One KPI's row for the city (or one unit)."""
    code = unit or "ALL"
    return next(
        (
            r
            for r in kpi_rows(reader, period, by_unit=bool(unit), unit=unit)
            if r["kpi"] == name and r["unit_code"] == code
        ),
        None,
    )


# ----------------------------------------------------------------------------- validation at start-up
def validate(columns_of: Callable[[str], list[str]], catalogue: tuple[Kpi, ...] = KPIS) -> None:
    """Every KPI names a query that exists and returns its numerator and denominator columns (and its weekly
    query too); formats, directions and margins are known values. Raises CatalogueError naming the KPI."""
    problems = []
    names = [k.name for k in catalogue]
    if len(set(names)) != len(names):
        problems.append("KPI names repeat")
    for k in catalogue:
        if k.format not in KPI_FORMATS or k.direction not in KPI_DIRECTIONS or k.params not in KPI_PARAMS:
            problems.append(
                f"{k.name}: format/direction/params must be one of {KPI_FORMATS}/{KPI_DIRECTIONS}/{KPI_PARAMS}"
            )
        if k.margin < 0:
            problems.append(f"{k.name}: margin must not be negative")
        for query in (k.query, k.weekly):
            if query is None:
                continue
            try:
                cols = set(columns_of(query))
            except Exception as exc:  # a missing or broken query file
                problems.append(f"{k.name}: query {query!r}: {exc}")
                continue
            missing = [c for c in (k.numerator, k.denominator) if c not in cols]
            if missing:
                problems.append(f"{k.name}: query {query!r} has no column {', '.join(missing)}")
            if query == k.query and k.by_unit and "unit_code" not in cols:
                problems.append(f"{k.name}: by_unit, but query {query!r} has no unit_code column")
    if problems:
        raise CatalogueError("KPI catalogue (config.KPIS) does not match the queries: " + "; ".join(problems))


def validate_against_schema() -> None:
    """`validate` with the columns the queries return on an empty database built from schema.sql."""
    import duckdb

    from ..db import output_columns, run_script

    con = duckdb.connect(":memory:")
    try:
        run_script(con, "schema")
        run_script(con, "build_calendar")
        run_script(con, "build_daily")
        validate(lambda q: output_columns(con, q))
    finally:
        con.close()


# ----------------------------------------------------------------------------- what the pages show
@dataclass(frozen=True)
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
    spark: tuple[tuple[dt.date, float], ...] = field(default_factory=tuple)
    source: str | None = None
    higher_is_better: bool = True


def weekly(reader, start: dt.date, end: dt.date, unit: str | None = None) -> pd.DataFrame:
    """Weekly counts (`weekly_counts`) with each weekly KPI's rate as an extra column named after the KPI."""
    permit(reader, unit)
    df = reader.q(
        "weekly_counts",
        start=dt.datetime.combine(start, dt.time()),
        end=dt.datetime.combine(end + dt.timedelta(days=1), dt.time()),
        unit=unit,
    )
    for k in KPIS:
        if k.weekly == "weekly_counts":
            df[k.name] = (df[k.numerator] / df[k.denominator]).where(df[k.denominator] > 0)
    return df


def kpi_cards(reader, period: Period, unit: str | None = None) -> list[KpiCard]:
    """Each KPI for the city (or one unit): actual vs target, the previous period, the same period
    last year, and a sparkline of the SPARK_WEEKS calendar weeks ending with the period's end."""
    code = unit or "ALL"

    def by_kpi(p: Period) -> dict[str, KpiRow]:
        return {r["kpi"]: r for r in kpi_rows(reader, p, unit=unit, by_unit=bool(unit)) if r["unit_code"] == code}

    now, prev, yoy = by_kpi(period), by_kpi(period.previous()), by_kpi(period.year_before())
    wk = weekly(reader, weeks_back(period.end, SPARK_WEEKS), period.end, unit)
    cards = []
    for k in KPIS:
        if k.name not in now or not k.card:
            continue
        r = now[k.name]
        spark: tuple = ()
        if k.weekly:
            s = wk[["week", k.name]].dropna()
            spark = tuple((w, float(v)) for w, v in zip(s["week"], s[k.name], strict=True))
        cards.append(
            KpiCard(
                k.name,
                k.label,
                k.format,
                r["actual"],
                r["target"],
                r["comparator"],
                r["status"],
                r["numerator"],
                r["denominator"],
                prev.get(k.name, {}).get("actual"),
                yoy.get(k.name, {}).get("actual"),
                spark,
                r["target_source"],
                k.higher_is_better,
            )
        )
    return cards


def trend_years(reader, kpi_name: str, year: int, unit: str | None = None) -> pd.DataFrame:
    """A KPI's weekly rate by ISO week for `year` and the year before (week_no, week, year, value, n)."""
    k = KPI_BY_NAME[kpi_name]
    frames = []
    for y in (year - 1, year):
        df = weekly(reader, dt.date(y, 1, 1), min(dt.date(y, 12, 31), reader.as_of.date()), unit)
        d = df[df[k.denominator] > 0]
        iso = pd.to_datetime(d["week"]).dt.isocalendar()
        this_year = (iso["year"] == y).to_numpy()
        d = d[this_year]
        frames.append(
            pd.DataFrame(
                {
                    "week_no": iso["week"][this_year].astype(int).to_numpy(),
                    "week": d["week"].to_numpy(),
                    "year": y,
                    "value": d[k.name].to_numpy(),
                    "n": d[k.denominator].to_numpy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def unit_matrix(reader, period: Period, level: str | None = None, rollup: bool = False) -> pd.DataFrame:
    """One row per unit, a column per KPI (actual), per KPI status and denominator; plus late counts.
    `rollup`: today's units, each with its predecessors' history (the page toggle "Đơn vị hiện nay")."""
    rows = [r for r in kpi_rows(reader, period, by_unit=True, rollup=rollup) if r["unit_code"] != "ALL"]
    u, _ = _unit_codes(reader, rollup)
    if not rollup:  # the units of the period (a retired ward leaves later periods unless it still has figures)
        with_data = {r["unit_code"] for r in rows if r.get("denominator")}
        u = u[u.unit_code.isin(set(units_of_period(reader, period).unit_code) | with_data)]
    if level:
        u = u[u.level == level]
    out = u[["unit_code", "unit_name", "level", "unit_kind"]].copy()
    for k in KPIS:
        if not k.by_unit:
            continue
        vals = {r["unit_code"]: r for r in rows if r["kpi"] == k.name}
        out[k.name] = [vals.get(c, {}).get("actual") for c in out.unit_code]
        out[f"{k.name}__status"] = [vals.get(c, {}).get("status", "no_data") for c in out.unit_code]
        out[f"{k.name}__n"] = [vals.get(c, {}).get("denominator") for c in out.unit_code]
    if rollup:
        from .rollup import current_units_form

        form = current_units_form(reader, period)
    else:
        form = quarterly_form(reader, period)
    per = {r["unit_code"]: r for r in form["rows"]}
    for key in ("resolved_late", "pending_overdue", "resolved_total", "received_total"):
        out[key] = [per.get(c, {}).get(key, 0) for c in out.unit_code]
    return out.reset_index(drop=True)


RANK_DECIMALS = 4  # rates are ranked as the pages show them (98,56 %: a ratio to 4 decimals)


def rank_of(m: pd.DataFrame, kpi: str) -> pd.Series:
    """Competition ranking by a KPI ("1, 1, 3"), 1 = best: units showing the same figure share the better rank
    (a rate is compared as shown, to RANK_DECIMALS); units without a value have none. Both periods of a rank
    change are ranked by this one function, so a unit that stayed at 100 % among others at 100 % keeps rank 1."""
    k = KPI_BY_NAME[kpi]
    values = m[kpi].astype("float64")
    if k.format == "rate":
        values = values.round(RANK_DECIMALS)
    return values.rank(ascending=not k.higher_is_better, method="min")


def ranking(reader, period: Period, kpi: str, level: str | None = None, rollup: bool = False) -> pd.DataFrame:
    """The unit matrix with `rank` by the KPI (1 = best), `prev_rank` in the previous period and
    `rank_change` = prev_rank − rank (positive: moved up)."""
    m = unit_matrix(reader, period, level, rollup)
    prev = unit_matrix(reader, period.previous(), level, rollup)
    m["rank"] = rank_of(m, kpi)
    m["prev_rank"] = m.unit_code.map(dict(zip(prev.unit_code, rank_of(prev, kpi))))
    m["rank_change"] = m["prev_rank"] - m["rank"]
    return m


def worst_units(reader, period: Period, n: int = WORST_UNITS, min_resolved: int = WORST_MIN_RESOLVED) -> pd.DataFrame:
    """The units dragging the on-time rate down: lowest on-time rate among units with enough dossiers,
    with their late and overdue counts."""
    m = unit_matrix(reader, period)
    m = m[(m["resolved_total"] >= min_resolved) & m["on_time_rate"].notna()]
    return m.sort_values(["on_time_rate", "resolved_late"], ascending=[True, False]).head(n).reset_index(drop=True)
