"""Đơn vị — units × KPIs matrix (colour = status), ranking, level filter; a unit's own page."""

from __future__ import annotations

import datetime as dt

import dash
import pandas as pd
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from ..config import AT_RISK_DAYS, KPI_BY_NAME, KPIS, LEVEL_LABELS, STATUS_LABELS_KPI
from ..metrics import kpis, late_set
from ..metrics.events import events as timeline_events
from ..metrics.form import counts_by_field
from ..metrics.period import resolve_period
from ..metrics.units import current_units, unit_name
from ..reader import current_reader
from ..ui import events as ev_ui
from ..ui import figures, ids
from ..ui import format as fmt
from ..ui.components import (
    filter_card,
    table,
    num_heads,
    UNIT_GROUPS,
    empty_state,
    filter_dropdown,
    filter_radio,
    graph,
    href,
    kpi_card,
    page_header,
    section,
    status_cell_style,
    status_mark,
    unit_group,
    units_options,
)
from ..ui.unit_map import unit_map
from .common import LEVEL_OPTIONS, callback_state, clean, clicked_unit, page, period_filter, valid_unit


MATRIX_KPIS = [k for k in KPIS if k.by_unit]


MAP_ID = "units-map"
TOP_N = 10  # the matrix shows the N worst and the N best units ("Xem tất cả" for the rest)
# The matrix's links are plain <a> (a page load): replacing a 170-row matrix in place through Dash's client-side
# page routing froze Chromium for minutes on this machine, a fresh load of the same page takes seconds.
UNITS_MODES = [
    {"label": "Như trong kỳ", "value": ""},
    {"label": "Đơn vị hiện nay", "value": "current"},
]


@page(
    "units",
    choices={
        "level": ("city", "ward"),
        "kind": tuple(UNIT_GROUPS),
        "units": ("current",),
        "all": ("1",),
        "kpi": tuple(KPI_BY_NAME),
        "sort": tuple(k for k, v in KPI_BY_NAME.items() if v.by_unit),
    },
)
def layout(period=None, level=None, kind=None, sort=None, unit=None, kpi=None, desc=None, units=None, all=None, **_):  # noqa: A002
    reader = current_reader()
    p = resolve_period(reader, period)
    unit = valid_unit(reader, unit)
    level = clean(level) if clean(level) in ("city", "ward") else None
    if unit:
        return _unit_page(reader, p, unit, kpi if kpi in KPI_BY_NAME else "on_time_rate")
    sort = sort if sort in KPI_BY_NAME and KPI_BY_NAME[sort].by_unit else "on_time_rate"
    rollup = units == "current"
    m = kpis.ranking(reader, p, sort, level, rollup)
    if kind in UNIT_GROUPS:
        m = m[[unit_group(lv, k) == kind for lv, k in zip(m.level, m.unit_kind)]]
    k = KPI_BY_NAME[sort]
    worst_first = desc != "1"
    # by competition rank (ties share it), then by name; the worst rank first unless desc=1
    m = m.sort_values(["rank", "unit_name"], ascending=[not worst_first, True], na_position="last")
    q = {"period": p.key, "level": level, "kind": kind, "units": units}
    shown = _top_bottom(m, sort, all == "1")
    hidden = len(m) - len(shown[0]) - len(shown[1])
    return html.Div(
        [
            page_header(
                "Đơn vị",
                f"{p.label} · sắp xếp theo {k.label.lower()}"
                + (" (kém nhất trước)" if worst_first else " (tốt nhất trước)")
                + (" · đơn vị hiện nay (cộng dồn đơn vị đã sáp nhập)" if rollup else ""),
                reader,
            ),
            filter_card(
                dbc.Row(
                    [
                        period_filter(reader, p, width=3),
                        filter_dropdown("level", "Cấp", LEVEL_OPTIONS, level or "", width=3),
                        filter_dropdown(
                            "kind",
                            "Nhóm",
                            [{"label": "Tất cả nhóm", "value": ""}]
                            + [{"label": v, "value": g} for g, v in UNIT_GROUPS.items()],
                            kind or "",
                            width=3,
                        ),
                        filter_dropdown(
                            "sort",
                            "Xếp hạng theo",
                            [{"label": x.label, "value": x.name} for x in MATRIX_KPIS],
                            sort,
                            width=3,
                        ),
                        filter_radio("units", "Đơn vị", UNITS_MODES, units or "", width=6),
                    ],
                    className="filter-bar g-3 mb-3",
                ),
                defaults={"sort": "on_time_rate"},
            ),
            section(
                "Ma trận đơn vị × chỉ số",
                _matrix(shown, hidden, q, sort, worst_first, desc, p)
                if len(m)
                else empty_state("Không có đơn vị nào ở cấp, nhóm này."),
                html.P(
                    "Trạng thái so với chỉ tiêu: ✔ đạt (xanh), ▲ có nguy cơ (vàng), ✖ không đạt (đỏ sẫm), – chưa "
                    f"có chỉ tiêu hoặc dữ liệu. Hạng: 1 = tốt nhất theo {k.label.lower()}; cột «So với kỳ trước»: "
                    f"▲ lên, ▼ xuống bao nhiêu bậc so với {p.previous().label}. Bấm một ô để xem đơn vị đó theo "
                    "chỉ số.",
                    className="text-muted small-note mt-2",
                ),
                right=_all_toggle(len(m), hidden, all == "1", {**q, "sort": sort, "desc": desc}),
            ),
            _map_section(m, k, p),
        ],
        className="page page-units",
    )


def _map_section(m, k, p):
    """The wards and communes on a map (ui/unit_map.py): filled areas where the city supplied boundaries, else
    bubbles at their centroids, coloured by the status of the KPI the matrix is ranked by, with its symbol; a
    symbol opens the unit's page for that KPI."""
    um = unit_map(current_reader(), m, k.name)
    if um.figure is None:
        return None
    how = (
        "Mỗi vùng là một phường, xã theo ranh giới thành phố cung cấp, ký hiệu ở giữa"
        if um.areas
        else "Mỗi vòng tròn là một phường, xã tại toạ độ trung tâm (dữ liệu vietnamadminunits)"
    )
    return section(
        f"Bản đồ: {k.label.lower()} theo phường, xã",
        graph(um.figure, MAP_ID, height=620),
        dcc.Store(id="units-map-query", data={"period": p.key, "kpi": k.name}),
        html.P(
            f"{how}: ✔ đạt, ▲ có nguy cơ, ✖ không đạt, – chưa có chỉ tiêu hoặc số liệu. Bấm ký hiệu để mở đơn vị."
            + (
                f" {fmt.num(um.missing)} đơn vị không có toạ độ (sở, ngành…) không hiện trên bản đồ."
                if um.missing
                else ""
            ),
            className="text-muted small-note mt-2",
        ),
        id="units-map-section",
    )


@callback(
    Output(ids.URL, "href", allow_duplicate=True),
    Input(MAP_ID, "clickData"),
    State("units-map-query", "data"),
    prevent_initial_call=True,
)
def map_click(click, q):
    """A bubble opens that unit's page for the mapped KPI and period."""
    if not click:  # the map just appeared (Dash calls with no click)
        return dash.no_update
    code = clicked_unit(click)
    q = callback_state(q)
    kpi = q.get("kpi") if q.get("kpi") in KPI_BY_NAME else None
    return href(ids.UNITS_PATH, unit=code, kpi=kpi, period=q.get("period"))


def _top_bottom(m, sort, show_all: bool):
    """(rows above, rows below): every unit, or the TOP_N first and TOP_N last of the ranked ones."""
    ranked = m[m[sort].notna()]
    if show_all or len(ranked) <= 2 * TOP_N + 2:
        return m, m.iloc[0:0]
    return ranked.head(TOP_N), ranked.tail(TOP_N)


def _all_toggle(total: int, hidden: int, show_all: bool, q: dict):
    if show_all and total > 2 * TOP_N + 2:
        return html.A(
            f"Chỉ xem {TOP_N} đầu và {TOP_N} cuối",
            href=href(ids.UNITS_PATH, **q),
            className="btn btn-sm btn-outline-primary",
            id="units-top-bottom",
        )
    if hidden:
        return html.A(
            f"Xem tất cả {fmt.num(total)} đơn vị",
            href=href(ids.UNITS_PATH, all="1", **q),
            className="btn btn-sm btn-primary",
            id="units-show-all",
        )
    return None


def _rank_change(v) -> html.Span:
    """▲2 / ▼1 / = (never by colour alone), '–' when the unit had no rank in the previous period."""
    text = fmt.rank_change(v)
    if not text:
        return html.Span("–", title="Kỳ trước chưa có hạng", className="text-muted")
    title = {"▲": "Lên {} bậc", "▼": "Xuống {} bậc", "=": "Giữ hạng"}[text[0]].format(text[1:])
    return html.Span(text, title=title, className={"▲": "rank-up", "▼": "rank-down"}.get(text[0], "text-muted"))


def _matrix(shown, hidden, q, sort, worst_first, desc, p):
    head = [
        html.Th("Hạng", scope="col", className="num"),
        html.Th("So với kỳ trước", scope="col", className="num col-rank-change"),
        html.Th("Đơn vị", scope="col"),
        html.Th("Cấp", scope="col", className="col-level"),
    ]
    for k in MATRIX_KPIS:
        arrow = (" ▲" if not worst_first else " ▼") if k.name == sort else ""
        link = href(ids.UNITS_PATH, sort=k.name, desc="1" if (k.name == sort and worst_first) else None, **q)
        head.append(
            html.Th(
                html.A(k.short + arrow, href=link, title=f"Xếp theo {k.label.lower()}"), scope="col", className="num"
            )
        )
    head += [html.Th("Trễ hạn", scope="col", className="num"), html.Th("Đang quá hạn", scope="col", className="num")]
    top, bottom = shown
    body = [_matrix_row(r, q) for r in top.to_dict("records")]
    if hidden:
        body.append(
            html.Tr(
                html.Td(
                    [
                        f"⋯ {fmt.num(hidden)} đơn vị khác ở giữa hoặc chưa có số liệu · ",
                        html.A(
                            "Xem tất cả",
                            href=href(ids.UNITS_PATH, all="1", sort=sort, desc=desc, **q),
                        ),
                    ],
                    colSpan=len(head),
                    className="matrix-gap text-center text-muted",
                ),
                id="unit-matrix-gap",
            )
        )
    body += [_matrix_row(r, q) for r in bottom.to_dict("records")]
    return html.Div(
        html.Table([html.Thead(html.Tr(head)), html.Tbody(body)], className="table matrix-table", id="unit-matrix"),
        className="table-responsive",
    )


def _matrix_row(r: dict, q: dict) -> html.Tr:
    rank = r.get("rank")
    cells = [
        html.Td("–" if rank is None or pd.isna(rank) else int(rank), className="num rank"),
        html.Td(_rank_change(r.get("rank_change")), className="num col-rank-change", **{"data-unit": r["unit_code"]}),
        html.Th(r["unit_name"], scope="row"),
        html.Td(LEVEL_LABELS.get(r["level"], r["level"]), className="text-muted col-level"),
    ]
    for k in MATRIX_KPIS:
        st = r[f"{k.name}__status"]
        link = href(ids.UNITS_PATH, unit=r["unit_code"], kpi=k.name, period=q["period"])
        cells.append(
            html.Td(
                html.A([status_mark(st), fmt.pct(r[k.name])], href=link),
                className="num matrix-cell",
                style=status_cell_style(st),
                title=f"{r['unit_name']} — {k.label}: {fmt.pct(r[k.name])} ({STATUS_LABELS_KPI.get(st, st)})",
                **{"data-status": st, "data-kpi": k.name, "data-unit": r["unit_code"]},
            )
        )
    for key, view in (("resolved_late", "late"), ("pending_overdue", "overdue")):
        v = int(r[key])
        cells.append(
            html.Td(
                html.A(fmt.num(v), href=href(ids.LATE_PATH, view=view, unit=r["unit_code"], period=q["period"]))
                if v
                else "0",
                className="num",
                **{"data-unit": r["unit_code"], "data-kind": view},
            )
        )
    return html.Tr(cells)


def _unit_page(reader, p, unit, kpi):
    name = unit_name(reader, unit)
    q = {"period": p.key, "unit": unit}
    cards = kpis.kpi_cards(reader, p, unit)
    k = KPI_BY_NAME[kpi]
    card_cols = [
        dbc.Col(
            kpi_card(c, link=href(ids.UNITS_PATH, kpi=c.kpi, **q), compact=True),
            xs=12,
            md=6,
            xl=3,
            className="mb-3" + (" kpi-selected" if c.kpi == kpi else ""),
        )
        for c in cards
    ]
    weeks = kpis.weekly(reader, max(p.start, p.end - dt.timedelta(weeks=26)) if p.days < 120 else p.start, p.end, unit)
    target = next((c.target for c in cards if c.kpi == kpi), None)
    first = max(p.start, p.end - dt.timedelta(weeks=26)) if p.days < 120 else p.start
    events = timeline_events(reader, first, p.end, unit)  # drawn on the weekly trend and listed under it
    trend = (
        html.Div([graph(ev_ui.draw(figures.kpi_trend(weeks, kpi, target, f"{k.label} theo tuần",
                                                     through=min(p.end, reader.as_of.date()), since=first),
                                   events,
                                   ev_ui.as_date(first, p.end)), "unit-kpi-trend", height=320),
                  ev_ui.listing(events, test_id="unit-events")])
        if k.weekly
        else empty_state("Chỉ số này không có số liệu theo tuần.")
    )
    by_field = counts_by_field(reader, p, unit)
    counts = late_set.counts(reader, p, unit)
    rows = []
    for r in by_field.sort_values("resolved_total", ascending=False).to_dict("records"):
        rate = (r["resolved_early"] + r["resolved_on_time"]) / r["resolved_total"] if r["resolved_total"] else None
        late_link = href(ids.LATE_PATH, view="late", field=r["field"], **q)
        rows.append(
            html.Tr(
                [
                    html.Th(r["field"], scope="row"),
                    html.Td(fmt.num(r["received_total"]), className="num"),
                    html.Td(fmt.num(r["resolved_total"]), className="num"),
                    html.Td(fmt.pct(rate), className="num"),
                    html.Td(
                        dcc.Link(fmt.num(r["resolved_late"]), href=late_link) if r["resolved_late"] else "0",
                        className="num",
                    ),
                    html.Td(fmt.num(r["pending_overdue"]), className="num"),
                ]
            )
        )
    field_table = (
        table(
            ["Lĩnh vực", *num_heads("Tiếp nhận", "Đã giải quyết", "Đúng hạn", "Trễ hạn", "Đang quá hạn")],
            rows,
            class_name="table table-sm",
        )
        if rows
        else empty_state(f"{name} chưa có hồ sơ trong {p.label}.")
    )
    return html.Div(
        [
            page_header(
                name,
                f"{p.label} · {k.label}",
                reader,
                [
                    dcc.Link(
                        "← Tất cả đơn vị",
                        href=href(ids.UNITS_PATH, period=p.key, sort=kpi if k.by_unit else None),
                        className="btn btn-outline-secondary btn-sm me-3",
                    )
                ],
            ),
            filter_card(
                dbc.Row(
                    [
                        period_filter(reader, p),
                        filter_dropdown("unit", "Đơn vị", units_options(current_units(reader, unit)), unit, width=4),
                    ],
                    className="filter-bar g-3 mb-3",
                )
            ),
            dbc.Row(card_cols, className="g-3"),
            dbc.Row(
                [
                    dbc.Col(section(f"{k.label}", trend), lg=7),
                    dbc.Col(
                        section(
                            "Hồ sơ cần xử lý",
                            html.Div(
                                [
                                    html.P(
                                        [
                                            dcc.Link(
                                                [html.Strong(fmt.num(counts["overdue"])), " hồ sơ đang quá hạn"],
                                                href=href(ids.LATE_PATH, view="overdue", **q),
                                                id="unit-overdue-link",
                                            )
                                        ]
                                    ),
                                    html.P(
                                        [
                                            dcc.Link(
                                                [
                                                    html.Strong(fmt.num(counts["at_risk"])),
                                                    f" hồ sơ sắp đến hạn ({AT_RISK_DAYS} ngày làm việc)",
                                                ],
                                                href=href(ids.LATE_PATH, view="at_risk", **q),
                                            )
                                        ]
                                    ),
                                    html.P(
                                        [
                                            dcc.Link(
                                                [
                                                    html.Strong(fmt.num(counts["late"])),
                                                    " hồ sơ đã giải quyết trễ hạn trong kỳ",
                                                ],
                                                href=href(ids.LATE_PATH, view="late", **q),
                                            )
                                        ]
                                    ),
                                ],
                                className="unit-late-links",
                            ),
                        ),
                        lg=5,
                    ),
                ],
                className="g-3",
            ),
            section("Theo lĩnh vực", field_table),
        ],
        className="page page-unit",
    )


dash.register_page(__name__, path=ids.UNITS_PATH, name="Đơn vị", title="Đơn vị — CCHC", order=1, layout=layout)
