"""Pure figure builders (data in, plotly figure out), all on the shared `cchc` template.
Targets are drawn as lines; statuses use the shared palette; hover text is Vietnamese."""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
import textwrap
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from . import format as fmt
from .theme import (
    COLORWAY,
    INK,
    LAST_YEAR,
    MUTED,
    PRIMARY,
    STATUS_COLORS,
    STATUS_ICONS,
    STATUS_INK,
    STATUS_TEXT_ON,
    TARGET_LINE,
    TEMPLATE,
    THIS_YEAR,
)

PLAN_STATE_LABELS = {
    "done_on_time": "Hoàn thành đúng hạn",
    "done_late": "Hoàn thành trễ hạn",
    "overdue": "Quá hạn, chưa hoàn thành",
    "not_due": "Chưa đến hạn",
}
PLAN_STATE_COLORS = {
    "done_on_time": STATUS_COLORS["met"],
    "done_late": STATUS_COLORS["at_risk"],
    "overdue": STATUS_COLORS["missed"],
    "not_due": "#bcccdc",
}


def _empty(fig: go.Figure, text: str) -> go.Figure:
    fig.add_annotation(
        text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font=dict(size=16, color=MUTED)
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _template() -> dict:
    """The shared template as plain JSON (figures built as dicts skip plotly's per-property validation,
    ~10x cheaper to build; the overview draws several of them on every cold render)."""
    global _TEMPLATE_JSON
    if _TEMPLATE_JSON is None:
        _TEMPLATE_JSON = TEMPLATE.to_plotly_json()
    return _TEMPLATE_JSON


_TEMPLATE_JSON: dict | None = None


def _empty_dict(text: str) -> dict:
    return {
        "data": [],
        "layout": {
            "template": _template(),
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "annotations": [
                {
                    "text": text,
                    "x": 0.5,
                    "y": 0.5,
                    "xref": "paper",
                    "yref": "paper",
                    "showarrow": False,
                    "font": {"size": 16, "color": MUTED},
                }
            ],
        },
    }


def rate_axis(lo: float, target: float | None = None) -> dict:
    """An honest y axis for a rate drawn as a line: never beyond 100%, ticks at a step that gives distinct
    labels (a 2-point window gets 0,5-point ticks shown with one decimal, never "100%, 100%, 99%")."""
    lo = min([lo] + ([target] if target is not None else []))
    lo = max(0.0, lo - 0.01)
    span = 1.0 - lo
    steps = ((0.001, ".1%"), (0.0025, ".2%"), (0.005, ".1%"), (0.01, ".0%"), (0.02, ".0%"), (0.05, ".0%"),
             (0.1, ".0%"), (0.2, ".0%"))
    step, tickformat = next((st for st in steps if span / st[0] <= 6), steps[-1])
    lo = max(0.0, (lo // step) * step)
    return {"tickformat": tickformat, "dtick": step, "tick0": 0, "range": [lo, 1.0]}


def count_axis(max_value: float) -> dict:
    """Counts get integer ticks only (never 0,5 of a dossier)."""
    return {"tickformat": ",d", "rangemode": "tozero", **({"dtick": 1} if max_value <= 5 else {})}


def _target_rule(axis: str, value: float, label: str, font_size: int | None = None) -> tuple[dict, dict]:
    """A dashed target line across the plot (horizontal on y, vertical on x) and its label: at the right end of a
    horizontal line, under it; above the top of a vertical one (right of it near 100%, inside the plot)."""
    across = "x" if axis == "y" else "y"  # the line spans this axis's whole domain
    if axis == "y":
        place = {"x": 1, "y": value, "xanchor": "right", "yanchor": "top"}
    else:
        place = {"x": value, "y": 1, "xanchor": "right" if value >= 0.85 else "center", "yanchor": "bottom"}
    line = {"color": TARGET_LINE, "width": 2, "dash": "dash"}
    refs = {f"{across}ref": f"{across} domain", f"{axis}ref": axis}
    ends = {f"{across}0": 0, f"{across}1": 1, f"{axis}0": value, f"{axis}1": value}
    shape = {"type": "line", **refs, **ends, "line": line}
    annotation = {"text": label, **refs, **place, "showarrow": False, "font": {"size": font_size} if font_size else {}}
    return shape, annotation


PARTIAL_WEEK = "tuần chưa trọn"


def _day(v) -> dt.date:
    return pd.Timestamp(v).date()


def partial_week(week_start, through: dt.date | None) -> bool:
    """A week (its Monday) that the data do not cover to its Sunday: the week still running at the data's as-of
    date, or cut by the period's end. Its rate rests on a few days' dossiers and is drawn apart."""
    return through is not None and _day(week_start) + dt.timedelta(days=6) > through


def partial_note(week_start, through: dt.date) -> str:
    days = (through - _day(week_start)).days + 1
    return f"{PARTIAL_WEEK}: {days}/7 ngày, đến {fmt.date(through)}"


def partial_first_week(week_start, since: dt.date | None) -> bool:
    """A week (its Monday) that the data cover only from `since` on (a quarter, a year or a window starting
    mid-week): its rate rests on a few days, like the week still running, and is drawn apart the same way."""
    return since is not None and _day(week_start) < since


def partial_first_note(week_start, since: dt.date) -> str:
    days = (_day(week_start) + dt.timedelta(days=7) - since).days
    return f"{PARTIAL_WEEK}: {days}/7 ngày, từ {fmt.date(since)}"


def _whole_weeks(d: pd.DataFrame, through: dt.date | None, since: dt.date | None
                 ) -> tuple[bool, pd.DataFrame, bool]:
    """A weekly series (column `week`, Mondays) split for drawing: (its first week is partial, the whole weeks,
    its last week is partial). The partial ones are drawn apart (_partial_trace)."""
    partial = partial_week(d.week.iloc[-1], through)
    head = len(d) > 1 and partial_first_week(d.week.iloc[0], since)
    return head, d.iloc[(1 if head else 0):(-1 if partial else None)], partial


def _partial_trace(
    x_prev, y_prev, x, y, hover: str, color: str, width: float, label: bool, first: bool = False
) -> dict:
    """A partial week: a dotted segment from the nearest whole week to a hollow point, labelled — the last week
    (after the whole weeks) or, `first`, the first (before them)."""
    xs, ys = ([x_prev] if x_prev is not None else []) + [x], ([y_prev] if y_prev is not None else []) + [y]
    pad = [""] * (len(xs) - 1)
    return {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "name": PARTIAL_WEEK[0].upper() + PARTIAL_WEEK[1:],
        "mode": "lines+markers+text" if label else "lines+markers",
        "line": {"color": color, "width": width * 0.7, "dash": "dot"},
        "marker": {"size": [0] * len(pad) + [11], "symbol": "circle-open", "line": {"width": 2.5, "color": color},
                   "color": color},
        "text": pad + [PARTIAL_WEEK],
        "textposition": "top right" if first else "top left",
        "textfont": {"color": color},
        "customdata": pad + [hover],
        "hovertemplate": "%{customdata}<extra></extra>",
        "showlegend": False,
        "cliponaxis": False,
    }


def trend_vs_last_year(
    df: pd.DataFrame, target: float | None, year: int, title: str = "", through: dt.date | None = None
) -> dict:
    """Weekly on-time rate by ISO week: this year against last year, with the target line. `through`: the last
    day the data cover; a week not covered to its end (the current week) is a hollow point on a dotted
    segment, labelled "tuần chưa trọn", never read as a fall."""
    if df.empty:
        return _empty_dict("Chưa có hồ sơ được giải quyết trong hai năm này.")
    data = []
    for y, color, width in ((year - 1, LAST_YEAR, 2), (year, THIS_YEAR, 3.5)):
        d = df[df.year == y].sort_values("week_no")
        if d.empty:
            continue
        since = dt.date(y, 1, 1) if through is not None else None  # each year's weeks are counted from 1 January
        # last year's weeks are all behind us: only this year's last week can be running
        head, whole, partial = _whole_weeks(d, through if y == year else None, since)
        template = ("Năm " + str(y) + ", tuần %{x} (từ %{customdata[0]}): <b>%{y:.2%}</b>"
                    " của %{customdata[1]} hồ sơ<extra></extra>")
        data.append(
            {
                "type": "scatter",
                "x": [int(v) for v in whole.week_no],
                "y": [float(v) for v in whole.value],
                "name": f"Năm {y}",
                "mode": "lines+markers" if y == year else "lines",
                "line": {"color": color, "width": width},
                "marker": {"size": 6},
                "customdata": [[fmt.date(w), fmt.num(n)] for w, n in zip(whole.week, whole.n)],
                "hovertemplate": template,
            }
        )
        if head:
            first = d.iloc[0]
            hover = (f"Năm {y}, tuần {int(first.week_no)} (từ {fmt.date(first.week)}; "
                     f"{partial_first_note(first.week, since)}): <b>{fmt.pct(float(first.value))}</b> của "
                     f"{fmt.num(first.n)} hồ sơ")
            data.append(_partial_trace(int(whole.week_no.iloc[0]) if len(whole) else None,
                                       float(whole.value.iloc[0]) if len(whole) else None,
                                       int(first.week_no), float(first.value), hover, color, width, label=y == year,
                                       first=True))
        if partial:
            last = d.iloc[-1]
            hover = (f"Năm {y}, tuần {int(last.week_no)} (từ {fmt.date(last.week)}; {partial_note(last.week, through)}"
                     f"): <b>{fmt.pct(float(last.value))}</b> của {fmt.num(last.n)} hồ sơ")
            data.append(_partial_trace(int(whole.week_no.iloc[-1]) if len(whole) else None,
                                       float(whole.value.iloc[-1]) if len(whole) else None,
                                       int(last.week_no), float(last.value), hover, color, width, label=True))
    shapes, annotations = [], []
    if target is not None:
        shape, note = _target_rule("y", target, f"Chỉ tiêu {fmt.pct(target, 0)}", font_size=14)
        shapes.append(shape)
        annotations.append(note)
    lo = float(df.value.min()) if len(df) else 0.9
    layout = {
        "template": _template(),
        "hovermode": "x unified",
        "margin": {"t": 50 if title else 30},
        "yaxis": rate_axis(lo, target),
        "xaxis": {"title": {"text": "Tuần trong năm"}, "range": [0.5, 53.5], "dtick": 4},
        "shapes": shapes,
        "annotations": annotations,
    }
    if title:
        layout["title"] = {"text": title}
    return {"data": data, "layout": layout}


def kpi_trend(
    df: pd.DataFrame, kpi: str, target: float | None, title: str, through: dt.date | None = None,
    since: dt.date | None = None,
) -> go.Figure:
    """A KPI's weekly rate over the weeks in `df` (week, kpi column, and its denominator). `through`: the last
    day the data cover; the week it cuts is drawn apart, as in `trend_vs_last_year`; `since`: the first day they
    cover — a first week it cuts (a quarter starting mid-week) is drawn apart the same way."""
    fig = go.Figure()
    d = df.dropna(subset=[kpi]) if kpi in df else pd.DataFrame()
    if d.empty:
        return _empty(fig, "Chưa có dữ liệu cho chỉ số này trong kỳ.")
    head, whole, partial = _whole_weeks(d, through, since)
    fig.add_trace(
        go.Scatter(
            x=whole.week,
            y=whole[kpi],
            mode="lines+markers",
            name=title,
            line=dict(color=PRIMARY, width=3),
            hovertemplate="Tuần từ %{x|%d/%m/%Y}: <b>%{y:.2%}</b><extra></extra>",
        )
    )
    from ..config import KPI_BY_NAME

    den = KPI_BY_NAME[kpi].denominator if kpi in KPI_BY_NAME else None

    def of(row) -> str:
        return f" của {fmt.num(row[den])} {'phiếu' if den == 'responses' else 'hồ sơ'}" if den in d else ""

    if head:
        first = d.iloc[0]
        hover = (f"Tuần từ {fmt.date(first.week)} ({partial_first_note(first.week, since)}): "
                 f"<b>{fmt.pct(float(first[kpi]))}</b>{of(first)}")
        fig.add_trace(go.Scatter(_partial_trace(whole.week.iloc[0] if len(whole) else None,
                                                float(whole[kpi].iloc[0]) if len(whole) else None,
                                                first.week, float(first[kpi]), hover, PRIMARY, 3, label=True,
                                                first=True)))
    if partial:
        last = d.iloc[-1]
        hover = (f"Tuần từ {fmt.date(last.week)} ({partial_note(last.week, through)}): "
                 f"<b>{fmt.pct(float(last[kpi]))}</b>{of(last)}")
        fig.add_trace(go.Scatter(_partial_trace(whole.week.iloc[-1] if len(whole) else None,
                                                float(whole[kpi].iloc[-1]) if len(whole) else None,
                                                last.week, float(last[kpi]), hover, PRIMARY, 3, label=True)))
    if target is not None:
        fig.add_hline(
            y=target,
            line=dict(color=TARGET_LINE, width=2, dash="dash"),
            annotation_text=f"Chỉ tiêu {fmt.pct(target, 0)}",
            annotation_position="bottom right",
        )
    fig.update_yaxes(**rate_axis(float(d[kpi].min()), target))
    fig.update_xaxes(tickformat="%d/%m/%Y")
    fig.update_layout(title=title, showlegend=False)
    return fig


def ranked_bars(
    labels: list[str],
    values: list[float],
    statuses: list[str],
    target: float | None,
    title: str = "",
    value_format: str = "pct",
    customdata=None,
    font_size: int | None = None,
    height_px: int = 360,
    limit: int | None = None,
) -> dict:
    """Horizontal bars (worst first at the top) from 0, coloured by status and marked with its symbol (never by
    colour alone), with the target line labelled above the plot. The values are a column in the right margin,
    one per bar: a label at the bar's end would sit on the target line whenever the value is near the target, so
    the plot holds only the bars and the line. `height_px`: the least height the chart is drawn at (a slide's
    chart at 720 px); the column's type is kept below the row height so two values never overlap. `limit` N: more
    than 2N + 2 bars are shown as the N first and the N last with one empty row "⋯ k đơn vị khác" between (no chart
    of 170 unreadable bars)."""
    if not labels:
        return _empty_dict("Không có đơn vị nào để xếp hạng trong kỳ.")
    if limit and len(labels) > 2 * limit + 2:
        labels, values, statuses, customdata = _top_bottom(limit, labels, values, statuses, customdata)
    values = [None if v is None or pd.isna(v) else float(v) for v in values]
    text = [
        "" if s == GAP else STATUS_ICONS.get(s, "") + " " + (fmt.pct(v) if value_format == "pct" else fmt.num(v))
        for v, s in zip(values, statuses)
    ]
    names = _short_labels(labels, MAX_BAR_LABEL)  # the full name stays in the hover
    top = 60 if title else 34
    row_px = max(height_px - top - 70, 40) / len(labels)  # 70: the axis, its title and the bottom margin
    size = max(6, min(font_size or 15, int(row_px * 0.72)))
    bar = {
        "type": "bar",
        "y": names,
        "x": values,
        "orientation": "h",
        "text": text,
        "hovertext": list(labels),
        "textposition": "none",  # drawn as the value column
        "marker": {
            "color": [STATUS_COLORS.get(s, PRIMARY) for s in statuses],
            "line": {"color": [STATUS_INK.get(s, PRIMARY) for s in statuses], "width": 1.5},
        },
        "hovertemplate": "%{hovertext}: <b>%{text}</b><extra></extra>",
    }
    if customdata is not None:
        bar["customdata"] = [c.item() if hasattr(c, "item") else c for c in customdata]
    column = [
        {
            "text": t,
            "xref": "paper",
            "x": 1,
            "xanchor": "left",
            "xshift": 6,
            "yref": "y",
            "y": lb,
            "showarrow": False,
            "font": {"color": STATUS_INK.get(s, PRIMARY), "size": size},
            "name": "bar-value",
        }
        for lb, t, s in zip(names, text, statuses)
    ]
    layout = {
        "template": _template(),
        "showlegend": False,
        "bargap": 0.35,
        "margin": {"r": round(0.7 * size * max(len(t) for t in text)) + 14, "t": top},
        "yaxis": {"autorange": "reversed"},
        "shapes": [],
        "annotations": column,
    }
    if target is not None:
        shape, note = _target_rule("x", target, f"Chỉ tiêu {fmt.pct(target, 0)}")
        layout["shapes"].append(shape)
        layout["annotations"].append({**note, "name": "target-label"})
    if value_format == "pct":
        layout["xaxis"] = _bar_rate_axis([v for v in values if v is not None], target)
    else:
        layout["xaxis"] = count_axis(max([v for v in values if v is not None], default=0))
    if title:
        layout["title"] = {"text": title}
    if font_size:
        layout["font"] = {"size": font_size}
    return {"data": [bar], "layout": layout}


MAX_BAR_LABEL = 18  # a unit's name beside a bar, at most (a phone keeps room for the bars and the values)


def _short_labels(labels, limit: int) -> list[str]:
    """Names cut to `limit` characters with "…", still distinct (a bar's category is its label)."""
    out: list[str] = []
    for lb in labels:
        lb = str(lb)
        short = lb if len(lb) <= limit else lb[: limit - 1].rstrip() + "…"
        while short in out:
            short += "\u200b"  # distinct, invisible
        out.append(short)
    return out


GAP = "gap"  # the status of the empty row standing for the units left out between the first and last N


def _top_bottom(n: int, labels, values, statuses, customdata):
    """The n first and n last bars, one empty row naming how many are left out between them."""
    k = len(labels) - 2 * n
    cut = [*range(n), None, *range(len(labels) - n, len(labels))]

    def pick(seq, gap):
        return None if seq is None else [gap if i is None else list(seq)[i] for i in cut]

    return (
        pick(labels, f"⋯ {fmt.num(k)} đơn vị khác"),
        pick(values, None),
        pick(statuses, GAP),
        pick(customdata, None),
    )


def _bar_rate_axis(values: list[float], target: float | None) -> dict:
    """Rates as bars: from 0 when they spread widely; when every bar is above 50% the axis starts at a round
    5-point step below the lowest bar or target, and its title says so (a gap is never silently magnified)."""
    lo = min(values + ([target] if target is not None else []), default=0.0)
    if lo < 0.5:
        return {"tickformat": ".0%", "range": [0, 1.0], "dtick": 0.2}
    start = max(0.0, int((lo - 0.005) * 20) / 20)
    axis = rate_axis(start + 0.01)
    axis["range"] = [start, 1.0]
    # on two lines, with room kept for it under upright tick labels (every second one labelled when there are
    # more than four): a phone's narrow plot neither cuts the title nor turns the labels on their side
    axis["title"] = {"text": f"Trục ngang bắt đầu từ {fmt.pct(start, 0)},<br>không từ 0", "font": {"size": 13},
                     "standoff": 6}
    axis["automargin"] = True
    axis["tickangle"] = 0
    if (1.0 - start) / axis["dtick"] > 4.5:
        axis["ticklabelstep"] = 2
    return axis


def count_bars(
    labels: list[str],
    counts: list[int],
    title: str,
    color: str = STATUS_COLORS["missed"],
    max_label: int | None = None,
    selected: str | None = None,
    wrap: int | None = None,
) -> go.Figure:
    """Counts per category (late dossiers by field, by handler), largest first. Long labels can be shortened
    (`max_label` characters) or broken onto lines of at most `wrap` characters at spaces (a phone's narrow chart
    keeps the whole name); the full label stays in the hover and in customdata (what a click reads)."""
    fig = go.Figure()
    if not labels:
        return _empty(fig, "Không có hồ sơ nào.")
    shown = [lb if not max_label or len(lb) <= max_label else lb[: max_label - 1].rstrip() + "…" for lb in labels]
    if wrap:
        shown = ["<br>".join(textwrap.wrap(lb, wrap, break_long_words=False)) or lb for lb in shown]
    fig.add_trace(
        go.Bar(
            y=shown,
            x=counts,
            orientation="h",
            text=[fmt.num(c) for c in counts],
            textposition="outside",
            cliponaxis=False,
            marker_color=[PRIMARY if lb == selected else color for lb in labels],
            marker_line={"color": INK, "width": [3 if lb == selected else 0 for lb in labels]},
            customdata=labels,
            hovertemplate="%{customdata}: <b>%{text}</b> hồ sơ<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Số hồ sơ", **count_axis(max(counts)))
    fig.update_layout(title=title, showlegend=False, bargap=0.3, margin=dict(r=60))
    return fig


def par_history(df: pd.DataFrame, peer: str, target: float | None = 3) -> go.Figure:
    """PAR INDEX rank of the city by year (rank 1 at the top) with its score in the hover; the band of the
    target's top ranks (the targets' `par_index_rank`, none without one)."""
    fig = go.Figure()
    d = df[df.peer_code == peer].sort_values("year")
    if d.empty:
        return _empty(fig, "Chưa có kết quả PAR INDEX của thành phố.")
    peers = df.groupby("year").size()
    fig.add_trace(
        go.Scatter(
            x=d.year,
            y=d["rank"],
            mode="lines+markers+text",
            text=[f"Hạng {r}" for r in d["rank"]],
            textposition="top center",
            line=dict(color=PRIMARY, width=3),
            marker=dict(size=12),
            customdata=list(zip([fmt.num(s, 2) for s in d.score], [int(peers.get(y, 0)) for y in d.year])),
            hovertemplate="Năm %{x}: hạng <b>%{y}</b>/%{customdata[1]}, điểm %{customdata[0]}<extra></extra>",
        )
    )
    if target:
        fig.add_hrect(
            y0=0.5,
            y1=float(target) + 0.5,
            fillcolor=STATUS_COLORS["met"],
            opacity=0.08,
            line_width=0,
            annotation_text=f"Top {int(target)} (chỉ tiêu)",
            annotation_position="top right",
        )
    fig.update_yaxes(autorange="reversed", dtick=1, title="Thứ hạng", range=[float(peers.max()) + 0.5, 0.5])
    fig.update_xaxes(dtick=1, title=None)
    fig.update_layout(showlegend=False)
    return fig


def par_peers(df: pd.DataFrame, year: int, peer: str) -> go.Figure:
    """Scores of all peers in one year, the city highlighted."""
    d = df[df.year == year].sort_values("rank")
    fig = go.Figure()
    if d.empty:
        return _empty(fig, f"Chưa có kết quả PAR INDEX năm {year}.")
    colors = [PRIMARY if c == peer else "#bcccdc" for c in d.peer_code]
    fig.add_trace(
        go.Bar(
            y=[f"{r}. {n}" for r, n in zip(d["rank"], d.peer_name)],
            x=d.score,
            orientation="h",
            marker_color=colors,
            text=[fmt.num(s, 2) for s in d.score],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: điểm <b>%{text}</b><extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[max(0, float(d.score.min()) - 10), 100], title="Điểm PAR INDEX (%)")
    fig.update_layout(showlegend=False, margin=dict(r=60))
    return fig


def plan_by_area(df: pd.DataFrame) -> go.Figure:
    """Tasks of the plan per reform area, stacked by state."""
    fig = go.Figure()
    if df.empty:
        return _empty(fig, "Chưa có nhiệm vụ kế hoạch CCHC cho năm này.")
    areas = df.drop_duplicates("area").sort_values("area")
    labels = [f"{a}. {n}" for a, n in zip(areas.area, areas.area_name)]
    for state, label in PLAN_STATE_LABELS.items():
        counts = [int(((df.area == a) & (df.state == state)).sum()) for a in areas.area]
        fig.add_trace(
            go.Bar(
                y=labels,
                x=counts,
                name=label,
                orientation="h",
                marker_color=PLAN_STATE_COLORS[state],
                hovertemplate="%{y}: %{x} nhiệm vụ " + label.lower() + "<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", legend=dict(y=1.08))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Số nhiệm vụ", dtick=2)
    return fig


def reason_bars(reasons: list[str], counts: list[int]) -> go.Figure:
    """Late dossiers by reason (the analysis page), largest first."""
    fig = go.Figure(
        go.Bar(
            y=reasons,
            x=counts,
            orientation="h",
            marker_color=STATUS_COLORS["missed"],
            text=[fmt.num(c) for c in counts],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x} hồ sơ<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(**count_axis(max(counts, default=0)))
    fig.update_layout(margin=dict(r=50, t=10))
    return fig


def points_lost(scores: pd.DataFrame, order: list[str], components) -> go.Figure:
    """The service index: points each unit loses, stacked by component (units in `order`, top first)."""
    fig = go.Figure()
    for i, c in enumerate(components):
        s = scores[scores.component == c.name].set_index("unit_name").reindex(order)
        fig.add_trace(
            go.Bar(
                y=order,
                x=s.lost,
                name=f"{c.label} (tối đa {fmt.num(c.points)})",
                orientation="h",
                marker_color=COLORWAY[i % len(COLORWAY)],
                hovertemplate="%{y}: mất %{x:.1f} điểm — " + c.label + "<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", legend=dict(y=1.12), margin=dict(t=60))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Điểm bị mất theo thành phần")
    return fig


def _rings(geometry: dict) -> list[list[list[float]]]:
    """Every ring of a Polygon / MultiPolygon, each polygon's outer ring followed by its holes (GeoJSON interior
    rings). Drawn as the None-separated parts of one filled scatter path, whose even-odd fill leaves a hole
    unfilled (a ward around a lake or around another unit: that unit's own area fills it in its colour)."""
    polys = [geometry["coordinates"]] if geometry.get("type") == "Polygon" else geometry.get("coordinates") or []
    return [ring for p in polys for ring in p if ring]


def unit_map(
    codes: list[str],
    names: list[str],
    lats: list[float],
    lons: list[float],
    statuses: list[str],
    values: list[str],
    font_size: int | None = None,
    shapes: dict[str, dict] | None = None,
) -> dict:
    """Wards and communes at their centroids (longitude × latitude, one degree of latitude drawn 1/cos(latitude)
    times a degree of longitude), coloured by status and carrying its symbol (never colour alone); with `shapes`
    ({unit code: GeoJSON geometry}, the city's `boundaries`) each unit's area is filled in its status colour under
    the symbols. No tiles, no topojson: plain scatter traces (filled areas: fill "toself", one trace per status)
    of the bundled plotly.js basic, which has no geo traces. customdata: the unit code (a click opens the unit)."""
    if not codes:
        return _empty_dict("Chưa có toạ độ của đơn vị nào để vẽ bản đồ.")
    shapes = shapes or {}
    size = 12 if len(codes) > 60 else 20
    far = far_units(lats, lons)
    main = [i for i in range(len(codes)) if i not in far]
    mid = sum(lats[i] for i in main) / len(main)
    axis = {"visible": False, "showgrid": False, "zeroline": False, "fixedrange": True}
    layout = {
        "template": _template(),
        "showlegend": False,
        "margin": {"l": 4, "r": 4, "t": 4, "b": 4},
        "xaxis": {**axis},
        "yaxis": {**axis, "scaleanchor": "x", "scaleratio": 1 / math.cos(math.radians(mid))},
        "hovermode": "closest",
    }
    data = _map_traces(main, codes, names, lats, lons, statuses, values, shapes, size, "x", "y")
    if far:  # islands far offshore (TP HCM's Côn Đảo): an inset in the lower left corner, not to the main scale
        far_mid = sum(lats[i] for i in far) / len(far)
        frame = {**axis, "visible": True, "showticklabels": False, "ticks": "", "showline": True, "mirror": True,
                 "linecolor": "#9aa5b1", "linewidth": 1}
        layout["xaxis"]["domain"] = [INSET_SHARE + 0.02, 1.0]  # the mainland beside the inset, never under it
        layout["xaxis2"] = {**frame, "domain": [0.0, INSET_SHARE], "anchor": "y2"}
        layout["yaxis2"] = {**frame, "domain": [0.0, INSET_SHARE], "anchor": "x2", "scaleanchor": "x2",
                            "scaleratio": 1 / math.cos(math.radians(far_mid))}
        _pad_inset(layout, [lons[i] for i in far], [lats[i] for i in far], shapes, [codes[i] for i in far])
        title = ", ".join(names[i] for i in far) if len(far) <= 2 else "Đảo xa"
        layout["annotations"] = [{"text": f"{title} (khung riêng, không cùng tỉ lệ)", "xref": "paper", "yref": "paper",
                                  "x": 0.0, "y": INSET_SHARE, "xanchor": "left", "yanchor": "bottom",
                                  "showarrow": False, "font": {"size": 13, "color": "#52606d"}}]
        data += _map_traces(far, codes, names, lats, lons, statuses, values, shapes, size, "x2", "y2")
    if font_size:
        layout["font"] = {"size": font_size}
    return {"data": data, "layout": layout}


INSET_SHARE = 0.22  # the islands' inset: this share of the map's width and height, in the lower left corner
FAR_FACTOR = 3.0  # a unit this many times farther from the middle than the 90th percentile of the units is "far"
FAR_MIN_UNITS = 10  # with fewer units there is no telling a far island from a spread-out city


def far_units(lats: list[float], lons: list[float]) -> list[int]:
    """The indices of the units far offshore from the rest: farther from the median centre than FAR_FACTOR times
    the 90th percentile of all units' distances (in km-like degrees, longitude scaled by the latitude). At most a
    tenth of the units; none for a compact city or one with fewer than FAR_MIN_UNITS units."""
    n = len(lats)
    if n < FAR_MIN_UNITS:
        return []
    clat, clon = sorted(lats)[n // 2], sorted(lons)[n // 2]
    k = math.cos(math.radians(clat))
    dist = [math.hypot(la - clat, (lo - clon) * k) for la, lo in zip(lats, lons)]
    p90 = sorted(dist)[int(0.9 * (n - 1))]
    far = [i for i, d in enumerate(dist) if p90 > 0 and d > FAR_FACTOR * p90]
    return far if len(far) <= n // 10 else []


def _pad_inset(layout: dict, xs: list[float], ys: list[float], shapes: dict, codes: list[str]) -> None:
    """Fixed ranges for the inset: its units (and their boundaries) with a margin, so the frame is not tight."""
    for code in codes:
        for ring in _rings(shapes.get(code) or {}):
            xs += [pt[0] for pt in ring]
            ys += [pt[1] for pt in ring]
    pad = max(max(xs) - min(xs), max(ys) - min(ys), 0.02) * 0.3
    layout["xaxis2"]["range"] = [min(xs) - pad, max(xs) + pad]
    layout["yaxis2"]["range"] = [min(ys) - pad, max(ys) + pad]


def _map_traces(idx, codes, names, lats, lons, statuses, values, shapes, size, xa, ya) -> list[dict]:
    """The filled areas (one trace per status) and the symbols of the units `idx`, on axes xa/ya."""
    areas = []
    for status in dict.fromkeys(statuses[i] for i in idx):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for i in idx:
            if statuses[i] != status or codes[i] not in shapes:
                continue
            for ring in _rings(shapes[codes[i]]):
                xs += [pt[0] for pt in ring] + [None]
                ys += [pt[1] for pt in ring] + [None]
        if xs:
            areas.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": xs,
                    "y": ys,
                    "xaxis": xa,
                    "yaxis": ya,
                    "fill": "toself",
                    "fillcolor": STATUS_COLORS.get(status, "#9aa5b1"),
                    "opacity": 0.55,
                    "line": {"color": "#ffffff", "width": 1.5},
                    "hoverinfo": "skip",
                    "name": f"areas:{status}" if xa == "x" else f"inset-areas:{status}",
                }
            )
    st = [statuses[i] for i in idx]
    trace = {
        "type": "scatter",
        "mode": "markers+text",
        "x": [lons[i] for i in idx],
        "y": [lats[i] for i in idx],
        "xaxis": xa,
        "yaxis": ya,
        "text": [STATUS_ICONS.get(s, "–") for s in st],
        "textposition": "middle center",
        "textfont": {"color": [STATUS_TEXT_ON.get(s, "#ffffff") for s in st], "size": size - 2},
        "customdata": [codes[i] for i in idx],
        "hovertext": [f"{names[i]}: {values[i]}" for i in idx],
        "hoverinfo": "text",
        "marker": {
            "size": size,
            "color": [STATUS_COLORS.get(s, "#9aa5b1") for s in st],
            "line": {"color": [STATUS_INK.get(s, "#52606d") for s in st], "width": 1},
        },
    }
    if xa != "x":
        trace["name"] = "inset"
    return [*areas, trace]


# ------------------------------------------------------------------ margins reserved before plotly draws
# With automargin, plotly draws a chart with the margins it is given, measures its tick labels and axis titles, and
# when they need more room draws the whole chart a second time (measured in Chromium: every chart of every page,
# each navigation). A horizontal bar chart's labels and its x axis are known here: their room is reserved from the
# shipped font's glyph widths (glyph_widths.json, python -m bench.glyph_widths), so plotly's first drawing is its
# last. automargin stays on: a label wider than reserved still gets its room (drawn twice, as before).
AUTOMARGIN_PAD = 12  # plotly's push pad (min(12, the margins))
RESERVE_SLACK = 3  # rounding, kerning
TEXT_LINE = 1.2  # a text line's height, in font sizes


@functools.cache
def _glyphs() -> dict[str, float]:
    return json.loads((Path(__file__).with_name("glyph_widths.json")).read_text(encoding="utf-8"))["widths"]


def text_width(text: str, size: float) -> float:
    """Pixels a one-line label takes in the shipped font (tags such as <b> left out)."""
    glyphs = _glyphs()
    plain = re.sub(r"<[^>]*>", "", text)
    return size * sum(glyphs.get(ch, 0.62) for ch in plain)


def _lines(text) -> list[str]:
    return re.split(r"<br\s*/?>", str(text)) if text not in (None, "") else []


def _title_text(axis: dict) -> str:
    title = axis.get("title")
    return (title.get("text") if isinstance(title, dict) else title) or ""


LEGEND_ROW = 32 / 14  # a horizontal legend's one row, in legend font sizes (measured: 32 px at 14 px)


def _title_size(axis: dict, size: float) -> float:
    title = axis.get("title")
    return float(((title.get("font") or {}).get("size") or size) if isinstance(title, dict) else size)


def _y_tick_labels(yaxis: dict) -> list[str] | None:
    """The labels plotly writes on a numeric y axis with a fixed range and step (rates, ranks); None otherwise."""
    rng, step, fmt_ = yaxis.get("range"), yaxis.get("dtick"), yaxis.get("tickformat") or ""
    if not (isinstance(rng, (list, tuple)) and len(rng) == 2 and isinstance(step, (int, float)) and step > 0):
        return None
    lo, hi = sorted(float(v) for v in rng)
    tick0 = float(yaxis.get("tick0") or 0)
    values = [tick0 + k * step for k in range(math.ceil((lo - tick0) / step - 1e-9),
                                               math.floor((hi - tick0) / step + 1e-9) + 1)][:200]
    pct = re.fullmatch(r"\.(\d)%", fmt_)
    if pct:  # plotly's ".1%" with the app's separators: what fmt.pct writes
        return [fmt.pct(v, int(pct.group(1))) for v in values]
    if not fmt_ and float(step).is_integer():
        return [fmt.num(round(v)) for v in values]
    return None


def reserve_margins(fig) -> dict:
    """`fig` (a dict or a go.Figure) as a dict whose margins hold what automargin would have grown them for — a
    horizontal bar chart's category labels, a line chart's rate or rank ticks and its axis titles, the x axis, a
    horizontal legend's row — so plotly draws it once; a chart whose left column is not known here (another kind,
    another axis) is returned as it is."""
    if isinstance(fig, go.Figure):
        fig = fig.to_plotly_json()
    data, layout = fig.get("data") or [], dict(fig.get("layout") or {})
    xaxis, yaxis = layout.get("xaxis") or {}, layout.get("yaxis") or {}
    if not data or xaxis.get("visible") is False or yaxis.get("visible") is False:
        return fig
    size = float((layout.get("font") or {}).get("size") or _template()["layout"]["font"]["size"])
    y_size = float((yaxis.get("tickfont") or {}).get("size") or size)
    x_size = float((xaxis.get("tickfont") or {}).get("size") or size)
    if all(t.get("type") == "bar" and t.get("orientation") == "h" for t in data):
        labels = [line for t in data for y in (t.get("y") or []) for line in _lines(y)]
    elif all(t.get("type") == "scatter" for t in data):
        labels = _y_tick_labels(yaxis)
    else:
        labels = None
    if not labels:
        return fig
    y_title = len(_lines(_title_text(yaxis))) * TEXT_LINE * _title_size(yaxis, size)
    left = max(text_width(lb, y_size) for lb in labels) + y_title + AUTOMARGIN_PAD + RESERVE_SLACK + 3
    x_title = len(_lines(_title_text(xaxis))) * TEXT_LINE * _title_size(xaxis, size)
    bottom = AUTOMARGIN_PAD + TEXT_LINE * x_size + x_title + RESERVE_SLACK
    margin = dict(layout.get("margin") or {})
    margin["l"] = max(margin.get("l") or 0, round(left))
    margin["b"] = max(margin.get("b") or 0, round(bottom))
    legend = {**(_template()["layout"].get("legend") or {}), **(layout.get("legend") or {})}
    in_legend = [t for t in data if t.get("showlegend", True) is not False and t.get("name")]
    if layout.get("showlegend", len(in_legend) > 1) and legend.get("orientation") == "h" and len(in_legend) > 1:
        legend_size = float((legend.get("font") or {}).get("size") or size)
        top = LEGEND_ROW * legend_size + 5 + AUTOMARGIN_PAD + RESERVE_SLACK  # 5: the legend's y = 1.02 above
        margin["t"] = max(margin.get("t") or 0, round(top))
    layout["margin"] = margin
    return {**fig, "layout": layout}
