"""Tổng quan — the chairman's weekly look: on target or not, which unit drags, what is late now."""

from __future__ import annotations

import datetime as dt

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, clientside_callback, dcc, html

from ..config import AT_RISK_DAYS, SPARK_WEEKS, WORST_UNITS
from ..metrics import insight, kpis, late_set
from ..metrics.events import events as timeline_events
from ..metrics.form import quarterly_form
from ..metrics.period import Period, resolve_period, weeks_back
from ..metrics.units import unit_name
from ..reader import current_reader
from ..ui.index766 import on_time_reconciliation
from ..ui import events as ev_ui
from ..ui import figures, ids
from ..ui import format as fmt
from ..ui.components import (
    filter_card,
    big_count,
    empty_state,
    graph,
    headline,
    href,
    kpi_card,
    page_header,
    section,
    table,
)
from .common import page, period_filter, unit_filter, valid_unit


@page("overview")
def layout(period: str | None = None, unit: str | None = None, **_):
    reader = current_reader()
    p = resolve_period(reader, period)
    unit = valid_unit(reader, unit)
    scope = unit_name(reader, unit) or reader.city
    worst = None if unit else kpis.worst_units(reader, p)
    q = {"period": p.key, "unit": unit}
    cards = kpis.kpi_cards(reader, p, unit)
    through = min(p.end, reader.as_of.date())  # the last day the data cover: a week it cuts is drawn apart
    counts = late_set.counts(reader, p, unit)
    f = quarterly_form(reader, p, unit=unit)["total"]

    card_cols = [
        html.Div(  # dbc.Col(xs=12, md=6, xl=3) as it draws itself: plain markup, one component per card (ui/static)
            kpi_card(
                c,
                link=href(ids.UNITS_PATH, sort=c.kpi, **q)
                if c.kpi != "par_index_rank"
                else href(ids.TARGETS_PATH, **q),
                through=through,
                since=weeks_back(p.end, SPARK_WEEKS),  # the sparkline's first day (kpis.kpi_cards)
            ),
            className="mb-3 col-xl-3 col-md-6 col-12",
        )
        for c in cards
    ]
    on_time = next((c for c in cards if c.kpi == "on_time_rate"), None)
    trend = kpis.trend_years(reader, "on_time_rate", p.end.year, unit)
    events = timeline_events(reader, dt.date(p.end.year - 1, 1, 1), p.end, unit)  # drawn on the trend, listed
    boxes = (  # (label, view = the count's key, tone, hint, test id)
        ("Hồ sơ đang quá hạn", "overdue", "missed", f"chưa giải quyết, đã quá hạn tính đến {fmt.date(p.end)}",
         "count-overdue"),
        ("Sắp đến hạn", "at_risk", "at_risk", f"đến hạn trong {AT_RISK_DAYS} ngày làm việc tới", "count-at-risk"),
        ("Đã giải quyết trễ hạn", "late", "neutral", f"trong {p.label.lower() if p.kind == 'range' else p.label}",
         "count-late"),
    )
    late_boxes = dbc.Row(
        [dbc.Col(big_count(label, counts[view], href(ids.LATE_PATH, view=view, **q), tone, hint, test_id), md=4)
         for label, view, tone, hint, test_id in boxes],
        className="g-3",
    )
    proj = _projection_line(reader, p, unit)
    volume = html.P(
        [
            "Trong kỳ: tiếp nhận ",
            html.Strong(fmt.num(f["received_total"])),
            f" hồ sơ (kỳ trước chuyển sang {fmt.num(f['carried_over'])}), đã giải quyết ",
            html.Strong(fmt.num(f["resolved_total"])),
            ", đang giải quyết ",
            html.Strong(fmt.num(f["pending_total"])),
            f" (quá hạn {fmt.num(f['pending_overdue'])}).",
        ],
        className="lead-line",
    )

    top = worst.iloc[0] if worst is not None and not worst.empty else None
    children = [
        page_header(f"Tổng quan — {scope}", p.label, reader, [pdf_button(q)]),
        filter_card(dbc.Row([period_filter(reader, p), unit_filter(reader, unit)], className="filter-bar g-3 mb-2")),
        headline(cards, (top.unit_name, float(top.on_time_rate)) if top is not None else None),
        dbc.Row(card_cols, className="g-3 kpi-grid") if cards else empty_state("Chưa có dữ liệu cho kỳ này."),
    ]
    if worst is not None:
        children.append(_worst_units(reader, p, q, worst))
    children += [
        volume,
        on_time_reconciliation(reader, p, unit),  # the form's on-time rate vs the portal's (766 2.1), explained
        dbc.Row(
            [
                dbc.Col(section("Hồ sơ cần xử lý ngay", late_boxes, proj), lg=5),
                dbc.Col(
                    section(
                        f"Tỷ lệ đúng hạn theo tuần: năm {p.end.year} so với năm {p.end.year - 1}",
                        graph(
                            ev_ui.draw(
                                figures.trend_vs_last_year(
                                    trend, on_time.target if on_time else None, p.end.year,
                                    through=min(dt.date(p.end.year, 12, 31), reader.as_of.date()),  # the year's weeks
                                ),
                                events,
                                ev_ui.week_of_year(p.end.year),
                            ),
                            "overview-trend",
                            height=330,
                        ),
                        ev_ui.listing(events, test_id="overview-events"),
                    ),
                    lg=7,
                ),
            ],
            className="g-3 mt-1",
        ),
    ]
    return html.Div(children, className="page page-overview")


def _projection_line(reader, p, unit):
    """For the quarter still running: late dossiers still affordable and the projected quarter-end rate."""
    pr = insight.running_projection(reader, p, unit)
    if pr is None:
        return None
    q = Period.containing("quarter", reader.as_of.date())
    budget = (
        f"còn được phép trễ {fmt.num(pr.late_budget)} hồ sơ"
        if pr.reachable
        else "không còn đạt được chỉ tiêu kể cả khi không trễ thêm hồ sơ nào"
    )
    return html.P(
        [
            f"Đến cuối {q.label.lower()}: {budget}; dự báo tỷ lệ đúng hạn ",
            html.Strong(f"{fmt.pct(pr.projected_rate)} ({fmt.pct(pr.projected_low)} – {fmt.pct(pr.projected_high)})"),
            ". ",
            dcc.Link("Chi tiết theo đơn vị", href=href(ids.ANALYSIS_PATH)),
        ],
        className="mt-3 mb-0 projection-line",
        id="projection-line",
    )


def pdf_button(q: dict, deck: bool = False) -> html.A:
    """"Tải PDF": this page (or the deck) printed by the server through the reader's own scope."""
    return html.A(
        "⤓ Tải PDF",
        href=href(ids.PDF_PATH, kind="deck" if deck else "pdf", period=q.get("period"), unit=q.get("unit")),
        className="btn btn-outline-primary btn-sm me-3 pdf-btn",
        id="pdf-button",
        **{"download": ""},
    )


def _worst_units(reader, p, q, worst):
    on_time = kpis.kpi(reader, p, "on_time_rate")
    target = on_time["target"] if on_time else None
    if worst.empty:
        return section(
            f"{WORST_UNITS} đơn vị có tỷ lệ đúng hạn thấp nhất",
            empty_state("Chưa đơn vị nào có đủ hồ sơ giải quyết trong kỳ để xếp hạng."),
        )
    rows = [
        html.Tr(
            [
                html.Td(i + 1, className="num"),
                html.Td(
                    dcc.Link(
                        r.unit_name, href=href(ids.UNITS_PATH, **{**q, "unit": r.unit_code, "kpi": "on_time_rate"})
                    )
                ),
                html.Td(fmt.pct(r.on_time_rate), className="num"),
                html.Td(
                    dcc.Link(
                        fmt.num(r.resolved_late), href=href(ids.LATE_PATH, view="late", **{**q, "unit": r.unit_code})
                    )
                    if r.resolved_late
                    else "0",
                    className="num",
                    **{"data-unit": r.unit_code, "data-kind": "late"},
                ),
                html.Td(
                    dcc.Link(
                        fmt.num(r.pending_overdue),
                        href=href(ids.LATE_PATH, view="overdue", **{**q, "unit": r.unit_code}),
                    )
                    if r.pending_overdue
                    else "0",
                    className="num",
                    **{"data-unit": r.unit_code, "data-kind": "overdue"},
                ),
            ]
        )
        for i, r in enumerate(worst.itertuples())
    ]
    worst_table = table(
        ["#", "Đơn vị", "Đúng hạn", "Trễ hạn (đã GQ)", "Đang quá hạn"],
        rows,
        class_name="table table-hover worst-table",
        table_id="worst-units",
    )
    fig = figures.ranked_bars(
        list(worst.unit_name),
        list(worst.on_time_rate),
        list(worst["on_time_rate__status"]),
        target,
        customdata=list(worst.unit_code),
        height_px=WORST_CHART_PX,
    )
    return section(
        f"{WORST_UNITS} đơn vị có tỷ lệ đúng hạn thấp nhất",
        dbc.Row(
            [
                dbc.Col(worst_table, lg=6),
                dbc.Col(graph(fig, "worst-chart", height=WORST_CHART_PX, className="clickable-chart"), lg=6),
            ]
        ),
        html.P("Bấm một cột để mở trang của đơn vị đó.", className="text-muted small-note mb-0"),
        class_name="section-card mb-3 worst-section",
    )


WORST_CHART_PX = 260

# A bar of the worst units opens that unit's page (on-time rate, same period): address arithmetic, done in the
# browser (assets/07_clientside.js, worstBarClick), so drawing the overview costs no extra round trip.
clientside_callback(
    ClientsideFunction("cchc", "worstBarClick"),
    Output(ids.URL, "href", allow_duplicate=True),
    Input("worst-chart", "clickData"),
    State(ids.PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)


dash.register_page(__name__, path=ids.OVERVIEW_PATH, name="Tổng quan", title="Tổng quan — CCHC", order=0, layout=layout)
