"""Đơn vị — units × KPIs matrix (colour = status), ranking, level filter; a unit's own page."""

from __future__ import annotations

import datetime as dt

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from ..config import AT_RISK_DAYS, KPI_BY_NAME, KPIS, LEVEL_LABELS, STATUS_LABELS_KPI
from ..metrics import kpis, late_set
from ..metrics.events import events as timeline_events
from ..metrics.form import counts_by_field
from ..metrics.period import resolve_period
from ..metrics.units import unit_name, units
from ..reader import current_reader
from ..ui import events as ev_ui
from ..ui import figures, ids
from ..ui import format as fmt
from ..ui.components import (
    table,
    empty_state,
    filter_dropdown,
    graph,
    href,
    kpi_card,
    page_header,
    section,
    status_cell_style,
    status_mark,
)
from .common import page, LEVEL_OPTIONS, clean, period_filter, valid_unit


MATRIX_KPIS = [k for k in KPIS if k.by_unit]


@page(
    "units",
    choices={
        "level": ("city", "ward"),
        "kpi": tuple(KPI_BY_NAME),
        "sort": tuple(k for k, v in KPI_BY_NAME.items() if v.by_unit),
    },
)
def layout(period=None, level=None, sort=None, unit=None, kpi=None, desc=None, **_):
    reader = current_reader()
    p = resolve_period(reader, period)
    unit = valid_unit(reader, unit)
    level = clean(level) if clean(level) in ("city", "ward") else None
    if unit:
        return _unit_page(reader, p, unit, kpi if kpi in KPI_BY_NAME else "on_time_rate")
    sort = sort if sort in KPI_BY_NAME and KPI_BY_NAME[sort].by_unit else "on_time_rate"
    m = kpis.unit_matrix(reader, p, level)
    k = KPI_BY_NAME[sort]
    worst_first = desc != "1"
    ascending = k.higher_is_better if worst_first else not k.higher_is_better
    m = m.sort_values(sort, ascending=ascending, na_position="last")
    q = {"period": p.key, "level": level}
    return html.Div(
        [
            page_header(
                "Đơn vị",
                f"{p.label} · sắp xếp theo {k.label.lower()}"
                + (" (kém nhất trước)" if worst_first else " (tốt nhất trước)"),
                reader,
            ),
            dbc.Row(
                [
                    period_filter(reader, p),
                    filter_dropdown("level", "Cấp", LEVEL_OPTIONS, level or "", width=4),
                    filter_dropdown(
                        "sort",
                        "Xếp hạng theo",
                        [{"label": x.label, "value": x.name} for x in MATRIX_KPIS],
                        sort,
                        width=4,
                    ),
                ],
                className="filter-bar g-3 mb-3",
            ),
            section(
                "Ma trận đơn vị × chỉ số",
                _matrix(m, q, sort, worst_first) if len(m) else empty_state("Không có đơn vị nào ở cấp này."),
                html.P(
                    "Trạng thái so với chỉ tiêu: ✔ đạt (xanh), ▲ có nguy cơ (vàng), ✖ không đạt (đỏ sẫm), – chưa "
                    "có chỉ tiêu hoặc dữ liệu. Bấm một ô để xem đơn vị đó theo chỉ số.",
                    className="text-muted small-note mt-2",
                ),
            ),
        ],
        className="page page-units",
    )


def _matrix(m, q, sort, worst_first):
    head = [
        html.Th("#", scope="col"),
        html.Th("Đơn vị", scope="col"),
        html.Th("Cấp", scope="col", className="col-level"),
    ]
    for k in MATRIX_KPIS:
        arrow = (" ▲" if not worst_first else " ▼") if k.name == sort else ""
        link = href(ids.UNITS_PATH, sort=k.name, desc="1" if (k.name == sort and worst_first) else None, **q)
        head.append(
            html.Th(
                dcc.Link(k.short + arrow, href=link, title=f"Xếp theo {k.label.lower()}"), scope="col", className="num"
            )
        )
    head += [html.Th("Trễ hạn", scope="col", className="num"), html.Th("Đang quá hạn", scope="col", className="num")]
    body = []
    for i, r in enumerate(m.to_dict("records"), start=1):
        cells = [
            html.Td(i, className="num rank"),
            html.Th(r["unit_name"], scope="row"),
            html.Td(LEVEL_LABELS.get(r["level"], r["level"]), className="text-muted col-level"),
        ]
        for k in MATRIX_KPIS:
            st = r[f"{k.name}__status"]
            link = href(ids.UNITS_PATH, unit=r["unit_code"], kpi=k.name, period=q["period"])
            cells.append(
                html.Td(
                    dcc.Link([status_mark(st), fmt.pct(r[k.name])], href=link),
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
                    dcc.Link(fmt.num(v), href=href(ids.LATE_PATH, view=view, unit=r["unit_code"], period=q["period"]))
                    if v
                    else "0",
                    className="num",
                    **{"data-unit": r["unit_code"], "data-kind": view},
                )
            )
        body.append(html.Tr(cells))
    return html.Div(
        html.Table([html.Thead(html.Tr(head)), html.Tbody(body)], className="table matrix-table", id="unit-matrix"),
        className="table-responsive",
    )


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
        html.Div([graph(ev_ui.draw(figures.kpi_trend(weeks, kpi, target, f"{k.label} theo tuần"), events,
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
            [
                "Lĩnh vực",
                html.Th("Tiếp nhận", className="num"),
                html.Th("Đã giải quyết", className="num"),
                html.Th("Đúng hạn", className="num"),
                html.Th("Trễ hạn", className="num"),
                html.Th("Đang quá hạn", className="num"),
            ],
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
            dbc.Row(
                [
                    period_filter(reader, p),
                    filter_dropdown(
                        "unit",
                        "Đơn vị",
                        [{"label": r.unit_name, "value": r.unit_code} for r in units(reader).itertuples()],
                        unit,
                        width=4,
                    ),
                ],
                className="filter-bar g-3 mb-3",
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
