"""Timeline events on the time charts: one helper draws them on a figure (a shaded band for a range, a dotted line
for a day, the label on top), one lists them under the chart (status never by colour or shape alone: the list
says what each mark is)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
from dash import html

from ..config import EVENT_KIND_LABELS
from . import format as fmt

EVENT_INK = "#5b4a8a"  # violet: apart from the status colours, the target line and the two years' lines
EVENT_BAND = "rgba(91, 74, 138, 0.12)"
MAX_LABEL = 28


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def draw(fig, events: pd.DataFrame, x_of: Callable[[dt.date], object | None]):
    """Add `events` to a figure (a plotly dict or go.Figure); `x_of(date)` places a date on its x axis (None: not
    on this chart). Returns the figure."""
    if events is None or events.empty:
        return fig
    shapes, notes = [], []
    for i, e in enumerate(events.itertuples(), 1):
        x0, x1 = x_of(_day(e.start_date)), x_of(_day(e.end_date))
        if x0 is None and x1 is None:
            continue
        x0, x1 = x0 if x0 is not None else x1, x1 if x1 is not None else x0
        if x0 == x1 and _day(e.start_date) != _day(e.end_date) and isinstance(x0, int):
            x0, x1 = x0 - 0.5, x1 + 0.5  # a range within one week on a week axis: that whole week
        if x0 == x1:
            shapes.append({"type": "line", "xref": "x", "x0": x0, "x1": x0, "yref": "y domain", "y0": 0, "y1": 1,
                           "line": {"color": EVENT_INK, "width": 2, "dash": "dot"}, "layer": "below"})
        else:
            shapes.append({"type": "rect", "xref": "x", "x0": x0, "x1": x1, "yref": "y domain", "y0": 0, "y1": 1,
                           "fillcolor": EVENT_BAND, "line": {"width": 0}, "layer": "below"})
        notes.append({"text": f"◆ {_short(e.label)}", "xref": "x", "x": x0, "yref": "y domain", "y": 1 - 0.08 * (i % 3),
                      "xanchor": "left", "yanchor": "top", "showarrow": False,
                      "font": {"color": EVENT_INK, "size": 12}, "bgcolor": "rgba(255,255,255,0.8)",
                      "hovertext": f"{_when(e)}: {e.label}"})
    if isinstance(fig, dict):
        layout = fig.setdefault("layout", {})
        layout["shapes"] = [*layout.get("shapes", []), *shapes]
        layout["annotations"] = [*layout.get("annotations", []), *notes]
    else:
        for s in shapes:
            fig.add_shape(**s)
        for n in notes:
            fig.add_annotation(**n)
    return fig


def _day(v) -> dt.date:
    return v.date() if hasattr(v, "date") and callable(v.date) else v


def _when(e) -> str:
    s, t = _day(e.start_date), _day(e.end_date)
    return fmt.date(s) if s == t else f"{fmt.date(s)} – {fmt.date(t)}"


def listing(events: pd.DataFrame, names: dict[str, str] | None = None, test_id: str = "events-list",
            limit: int | None = None):
    """The events under a chart, one line each: date(s), kind, label, scope; with `limit` (a slide's little room)
    the first `limit` and a line saying how many more."""
    if events is None or events.empty:
        return None
    names = names or {}
    more = len(events) - limit if limit is not None and len(events) > limit else 0
    shown = events.head(limit) if more else events
    items = [
        html.Li([html.Span("◆ ", **{"aria-hidden": "true"}), html.Strong(_when(e)),
                 f" — {EVENT_KIND_LABELS.get(e.kind, e.kind)}: {e.label}"
                 + (f" ({names.get(e.unit_code, e.unit_code)})" if isinstance(e.unit_code, str) else "")])
        for e in shown.itertuples()
    ] + ([html.Li(f"… và {fmt.num(more)} sự kiện khác (danh sách đầy đủ dưới biểu đồ của trang)")] if more else [])
    return html.Div([html.Span("Sự kiện trên biểu đồ: ", className="fw-semibold"), html.Ul(items, className="mb-0")],
                    className="events-list small-note mt-2", id=test_id)


def week_of_year(year: int) -> Callable[[dt.date], int | None]:
    """For the charts whose x is the ISO week number of `year` and the year before (the overview's trend)."""
    def x_of(d: dt.date) -> int | None:
        y, w, _ = d.isocalendar()
        return w if y in (year, year - 1) else None
    return x_of


def as_date(lo: dt.date, hi: dt.date) -> Callable[[dt.date], str | None]:
    """For the charts whose x is a date (weekly series): the date itself when within [lo, hi]."""
    def x_of(d: dt.date) -> str | None:
        return d.isoformat() if lo <= d <= hi else None
    return x_of


def by_year(lo: int, hi: int) -> Callable[[dt.date], int | None]:
    """For the charts whose x is a year (the PAR INDEX history): the event's year when within [lo, hi]; an event
    within one year is that year's whole band."""
    def x_of(d: dt.date) -> int | None:
        return d.year if lo <= d.year <= hi else None
    return x_of


def timeline(reader, fig, start: dt.date, end: dt.date, x_of: Callable[[dt.date], object | None],
             unit: str | None = None, test_id: str = "events-list", limit: int | None = None):
    """The one call a time chart makes: the events of [start, end] in the reader's scope (and `unit`) drawn on
    `fig` and listed; returns (fig, the list or None)."""
    from ..metrics.events import events as timeline_events

    ev = timeline_events(reader, start, end, unit)
    return draw(fig, ev, x_of), listing(ev, test_id=test_id, limit=limit)
