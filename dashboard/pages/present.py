"""Trình chiếu — the quarterly meeting deck on a projector: few, large numbers per slide, the period and
data date always visible, ← / → to step, 1–9 to jump, Esc to leave, optional auto-advance. The ward
chosen in the URL (`unit=W03`) is followed by every slide. `print=1` renders every slide one after the
other (one per PDF page) for `cchc export deck`; `slides=1` keeps only the first (the one-page PDF)."""

from __future__ import annotations


import dash
import dash_bootstrap_components as dbc
from dash import html

from ..config import AT_RISK_DAYS, DECK_TREND_WEEKS, KPI_BY_NAME, WORST_UNITS
from ..metrics import kpis, late_set
from ..metrics import targets as target_metrics
from ..metrics.period import resolve_period, weeks_back
from ..metrics.units import current_units, home_unit, unit_name
from ..reader import current_reader
from ..ui import events as ev_ui
from ..ui import figures
from ..ui import format as fmt
from ..ui import ids
from ..ui.components import filter_dropdown, graph, headline, href, status_badge, table, units_options, worst_first
from ..ui.theme import STATUS_INK
from ..ui.unit_map import has_places, unit_map
from .common import page, valid_unit
from .overview import pdf_button

HEADLINE_KPIS = (
    "on_time_rate",
    "satisfaction_rate",
    "online_rate",
    "online_payment_rate",
    "digitization_rate",
    "par_index_rank",
)
CHART_H = "calc(100vh - 15.5rem)"  # a slide's chart fills what the projector leaves (1080, 768, 720 px)
DECK_EVENTS = 3  # a KPI slide lists at most this many events under its chart (the chart gives up their lines)
EVENT_LINE_REM = 1.4
MAP_H = "calc(100vh - 17.5rem)"  # the map slide: its chart and a one-line legend
CHART_MIN_PX = 720 - 248  # … at least this much (720 px less 15.5rem)
KPI_SLIDES = ("on_time_rate", "satisfaction_rate", "online_rate", "digitization_rate")
MAP_TITLE = "Bản đồ phường, xã: tỷ lệ đúng hạn"


def slide_titles(with_map: bool = True) -> list[str]:
    """The deck's slides; the map's only where a unit can be placed (unit_map.has_places)."""
    return (
        ["Tổng quan"]
        + [KPI_BY_NAME[k].label for k in KPI_SLIDES]
        + ["Xếp hạng đơn vị", "Đơn vị cần chú ý", "Hồ sơ trễ hạn", "Kế hoạch CCHC"]
        + ([MAP_TITLE] if with_map else [])
    )


def _frame(reader, p, scope_name, n, total, title, body) -> html.Div:
    return html.Div(
        [
            html.Div(
                [html.Div(title, className="slide-title"), html.Div(f"{n}/{total}", className="slide-no")],
                className="slide-head",
            ),
            html.Div(body, className="slide-body"),
            html.Div(
                [html.Span(f"{scope_name} · {p.label}"), html.Span(f"Dữ liệu đến {fmt.datetime(reader.as_of)}")],
                className="slide-foot",
            ),
        ],
        className="slide",
        **{"data-slide": n},
    )


def _big(label, value, status=None, sub=None, kpi=None, small=False) -> html.Div:
    color = STATUS_INK.get(status) if status else None
    return html.Div(
        [
            html.Div(label, className="big-label"),
            html.Div(value, className="big-value" + (" big-value-sm" if small else ""),
                     style={"color": color} if color else None),
            html.Div(
                [
                    status_badge(status, big=True) if status else None,
                    html.Span(sub, className="big-sub") if sub else None,
                ],
                className="big-meta",
            ),
        ],
        className="big-tile" + (" big-tile-sm" if small else ""),
        **({"data-kpi": kpi} if kpi else {}),
    )


def _overview(reader, p, unit, cards):
    """Every KPI, missed first, under the one-sentence answer."""
    worst = None if unit else kpis.worst_units(reader, p, n=1)
    top = (worst.iloc[0].unit_name, float(worst.iloc[0].on_time_rate)) if worst is not None and len(worst) else None
    tiles = [
        dbc.Col(
            _big(
                c.label,
                fmt.kpi_value(c.actual, c.unit),
                c.status,
                "Chỉ tiêu " + fmt.target_text(c.comparator, c.target, c.unit),
                c.kpi,
                small=True,
            ),
            md=3,
            className="mb-3",
        )
        for c in worst_first(cards)
    ]
    return html.Div([headline(cards, top, big=True), dbc.Row(tiles, className="g-3 deck-tiles")])


def _kpi_slide(reader, p, unit, cards, kpi):
    c = next((x for x in cards if x.kpi == kpi), None)
    if c is None:
        return html.Div("Chưa có dữ liệu.", className="big-sub")
    start = weeks_back(p.end, DECK_TREND_WEEKS)
    wk = kpis.weekly(reader, start, p.end, unit)
    fig = figures.kpi_trend(wk, kpi, c.target, "26 tuần gần nhất", through=min(p.end, reader.as_of.date()),
                            since=start)
    fig, listed = ev_ui.timeline(reader, fig, start, p.end, ev_ui.as_date(start, p.end), unit, test_id="deck-events",
                                 limit=DECK_EVENTS)  # the timeline's events, drawn and listed under the chart
    fig.update_layout(font=dict(size=22), title=dict(font=dict(size=24)))
    prev = "—" if c.previous is None or c.actual is None else fmt.pp(c.actual - c.previous)
    left = html.Div(
        [
            _big(
                c.label,
                fmt.kpi_value(c.actual, c.unit),
                c.status,
                "Chỉ tiêu " + fmt.target_text(c.comparator, c.target, c.unit),
                kpi,
            ),
            html.Div(
                [html.Div("So với kỳ trước", className="big-label"), html.Div(prev, className="mid-value")],
                className="big-tile mt-4",
            ),
        ]
    )
    height = CHART_H if listed is None else f"calc({CHART_H[5:-1]} - {EVENT_LINE_REM * (1 + _lines(listed))}rem)"
    return dbc.Row([dbc.Col(left, md=4), dbc.Col([graph(fig, None, height=height), listed], md=8)])


def _lines(listed) -> int:
    return len(listed.children[1].children)


RANKING_N = 6  # the ranking slide: the 6 lowest and the 6 highest of today's units, the rest on the units page


def _ranking(reader, p):
    """Today's units (history of merged units rolled up) by on-time rate, lowest first, each with its rank
    change against the previous period; beyond 2 × RANKING_N units, the first and last RANKING_N."""
    m = kpis.ranking(reader, p, "on_time_rate", rollup=True)
    m = m[m["on_time_rate"].notna()].sort_values(["rank", "unit_name"], ascending=[False, True])
    on_time = kpis.kpi(reader, p, "on_time_rate")
    target = on_time["target"] if on_time else None
    labels = [
        f"{int(r)}. {fmt.rank_change(c)} {name}".replace("  ", " ")
        for r, name, c in zip(m["rank"], m.unit_name, m.rank_change)
    ]
    fig = figures.ranked_bars(
        labels, list(m.on_time_rate), list(m["on_time_rate__status"]), target, font_size=20,
        height_px=CHART_MIN_PX, limit=RANKING_N,
    )
    return graph(fig, "deck-ranking", height=CHART_H)


def _map(reader, p):
    """Today's wards and communes (history rolled up) on the map, by the on-time rate's status: the city's
    boundaries as filled areas where it supplied them, else bubbles at the catalogue's centroids."""
    m = kpis.ranking(reader, p, "on_time_rate", rollup=True)
    um = unit_map(reader, m, "on_time_rate", font_size=20)
    if um.figure is None:
        return html.Div(
            "Chưa có toạ độ hay ranh giới của phường, xã nào (mã đơn vị không theo danh mục hành chính): "
            "nạp tệp ranh giới GeoJSON hoặc dùng mã phường, xã chính thức.",
            className="big-sub",
        )
    legend = "✔ đạt · ▲ có nguy cơ · ✖ không đạt · – chưa có chỉ tiêu hoặc số liệu"
    if um.missing:
        legend += f" · {fmt.num(um.missing)} đơn vị không có toạ độ"
    return html.Div(
        [graph(um.figure, "deck-map", height=MAP_H), html.Div(legend, className="big-sub deck-map-legend")]
    )


def _worst(reader, p):
    w = kpis.worst_units(reader, p, n=WORST_UNITS - 1)
    if w.empty:
        return html.Div("Không có đơn vị nào đủ hồ sơ để xếp hạng.", className="big-sub")
    return dbc.Row(
        [
            dbc.Col(
                html.Div(
                    [
                        html.Div(r.unit_name, className="big-label"),
                        html.Div(
                            fmt.pct(r.on_time_rate),
                            className="big-value",
                            style={"color": STATUS_INK[r.on_time_rate__status]},
                        ),
                        html.Div(
                            f"{fmt.num(r.resolved_late)} trễ hạn · {fmt.num(r.pending_overdue)} đang quá hạn",
                            className="big-sub",
                        ),
                    ],
                    className="big-tile",
                ),
                md=6,
                className="mb-4",
            )
            for r in w.itertuples()
        ],
        className="g-4",
    )


def _late(reader, p, unit):
    counts = late_set.counts(reader, p, unit)
    top, _ = late_set.page(
        reader, p, late_set.LateFilter(view="overdue", unit=unit), None, "working_days_late", True, 5, 0
    )
    rows = [
        html.Tr(
            [
                html.Td(r["dossier_id"]),
                html.Td(r["unit_name"]),
                html.Td(r["procedure_name"] or ""),
                html.Td(fmt.num(r["working_days_late"]), className="num"),
                html.Td(r["handler"] or ""),
            ]
        )
        for r in top.to_dict("records")
    ]
    late_table = (
        table(
            ["Mã hồ sơ", "Đơn vị", "Thủ tục", html.Th("Trễ (ngày LV)", className="num"), "Cán bộ"],
            rows,
            class_name="table slide-table",
        )
        if rows
        else html.Div("Không có hồ sơ nào đang quá hạn.", className="big-sub")
    )
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(
                        _big("Đang quá hạn", fmt.num(counts["overdue"]), "missed" if counts["overdue"] else "met"), md=4
                    ),
                    dbc.Col(
                        _big(
                            f"Sắp đến hạn ({AT_RISK_DAYS} ngày LV)",
                            fmt.num(counts["at_risk"]),
                            "at_risk" if counts["at_risk"] else "met",
                        ),
                        md=4,
                    ),
                    dbc.Col(_big("Đã giải quyết trễ hạn", fmt.num(counts["late"])), md=4),
                ],
                className="g-4 mb-4",
            ),
            late_table,
        ]
    )


def _plan(reader, p):
    plan = target_metrics.plan_tasks(reader, p.end.year)
    fig = figures.plan_by_area(plan)
    fig.update_layout(font=dict(size=20))
    return graph(fig, None, height=CHART_H)


def _unit_picker(reader, unit):
    """Type-ahead unit picker (key U, type, Enter): writes `unit` into the URL and keeps the slide."""
    if home_unit(reader):
        return None
    all_label = "Các đơn vị được giao" if reader.scoped else "Toàn thành phố"
    col = filter_dropdown(
        "unit", "Đơn vị (phím U)", units_options(current_units(reader, unit), with_all=all_label), unit or ""
    )
    col.className = "deck-unit"
    col.id = "deck-unit"
    return col


@page("present")
def layout(slide=None, period=None, unit=None, auto=None, print=None, slides=None, **_):  # noqa: A002
    reader = current_reader()
    p = resolve_period(reader, period)
    unit = valid_unit(reader, unit)
    scope_name = unit_name(reader, unit) or reader.city
    titles = slide_titles(with_map=has_places(reader))
    total = len(titles)
    try:
        n = min(max(int(slide or 1), 1), total)
    except ValueError:
        n = 1
    cards = kpis.kpi_cards(reader, p, unit)
    builders = (
        [lambda: _overview(reader, p, unit, cards)]
        + [lambda k=k: _kpi_slide(reader, p, unit, cards, k) for k in KPI_SLIDES]
        + [
            lambda: _ranking(reader, p),
            lambda: _worst(reader, p),
            lambda: _late(reader, p, unit),
            lambda: _plan(reader, p),
            lambda: _map(reader, p),
        ]
    )[:total]
    printing = print == "1"
    if printing:
        count = min(total, max(1, int(slides))) if (slides or "").isdigit() else total
        shown = list(range(1, count + 1))
    else:
        shown = [n]
    deck = [_frame(reader, p, scope_name, i, total, titles[i - 1], builders[i - 1]()) for i in shown]
    if printing:
        filters = html.Div(
            f"Bộ lọc: kỳ {p.key} ({p.label}); đơn vị: {scope_name}; dữ liệu phiên bản {reader.data_version}",
            className="print-filters",
        )
        deck[0].children.append(filters)
    exit_href = href("/", period=p.key, unit=unit)
    auto_s = int(auto) if (auto or "").isdigit() and int(auto) >= 5 else 0
    return html.Div(
        [
            html.Div(
                deck,
                id="deck",
                className="deck" + (" deck-print" if printing else ""),
                **{
                    "data-slide": n,
                    "data-count": total,
                    "data-auto": auto_s,
                    "data-exit": exit_href,
                    "data-base": href(ids.PRESENT_PATH, period=p.key, unit=unit, auto=auto_s or None),
                },
            ),
            None
            if printing
            else html.Div(
                [
                    html.A(
                        "◀",
                        href=href(ids.PRESENT_PATH, slide=max(1, n - 1), period=p.key, unit=unit, auto=auto_s or None),
                        className="deck-nav",
                        id="deck-prev",
                        title="Trang trước (←)",
                    ),
                    html.Span(" · ".join(f"{i}" for i in range(1, total + 1)), className="deck-dots"),
                    html.A(
                        "▶",
                        href=href(
                            ids.PRESENT_PATH, slide=min(total, n + 1), period=p.key, unit=unit, auto=auto_s or None
                        ),
                        className="deck-nav",
                        id="deck-next",
                        title="Trang sau (→)",
                    ),
                    html.A("Thoát (Esc)", href=exit_href, className="deck-exit"),
                    pdf_button({"period": p.key, "unit": unit}, deck=True),  # the whole deck, in the reader's scope
                    _unit_picker(reader, unit),
                ],
                className="deck-controls",
            ),
        ],
        className="page page-present",
    )


dash.register_page(
    __name__, path=ids.PRESENT_PATH, name="Trình chiếu", title="Trình chiếu — CCHC", order=7, nav=False, layout=layout
)
