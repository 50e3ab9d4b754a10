"""Pure builders: data in, Dash components out (no queries, no callbacks)."""

from __future__ import annotations

from typing import Any
from collections.abc import Iterable
from urllib.parse import urlencode

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from ..config import KPI_BY_NAME, STATUS_LABELS_KPI
from ..metrics.status import JUDGED, scorecard  # the headline's count lives in the metric layer
from ..exports import FORM_COLUMNS, TOTAL_LABEL, form_row_label, form_value
from ..ingest.profiles import fold
from . import format as fmt
from . import ids
from .figures import reserve_margins
from .theme import GRAPH_CONFIG, STATUS_BG, STATUS_COLORS, STATUS_ICONS, STATUS_INK, STATUS_TEXT_ON, TARGET_LINE


def href(path: str, **query: Any) -> str:
    """A link carrying the filters: None/empty values are left out, so URLs stay short."""
    q = {k: v for k, v in query.items() if v not in (None, "", False)}
    return path + ("?" + urlencode(q) if q else "")


def status_badge(status: str, big: bool = False) -> html.Span:
    return html.Span(
        [
            html.Span(STATUS_ICONS.get(status, "•"), **{"aria-hidden": "true"}),
            " ",
            STATUS_LABELS_KPI.get(status, status),
        ],
        className="status-badge" + (" status-badge-lg" if big else ""),
        style={"backgroundColor": STATUS_COLORS.get(status, "#5f6b7a"), "color": STATUS_TEXT_ON.get(status, "#fff")},
        **{"data-status": status},
    )


STATUS_ORDER = {"missed": 0, "unreachable": 0, "at_risk": 1, "met": 2}  # worst first


def worst_first(cards) -> list:
    """KPI cards with the missed ones first, then at risk, met, and those without a target or data."""
    return sorted(cards, key=lambda c: STATUS_ORDER.get(c.status, 3))


def _short(card) -> str:
    k = KPI_BY_NAME.get(card.kpi)
    return k.short if k else card.label


def headline(cards, worst_unit: tuple[str, float] | None = None, big: bool = False) -> html.P:
    """One sentence answering "are we on target": "6/8 chỉ tiêu đạt; chưa đạt: …; chậm nhất: …"."""
    judged = [c for c in cards if c.status in JUDGED]
    met, _ = scorecard(c.status for c in cards)
    parts: list = [
        html.Span(STATUS_ICONS["met" if judged and met == len(judged) else "missed"] + " ", **{"aria-hidden": "true"}),
        html.Strong(f"{met}/{len(judged)} chỉ tiêu đạt"),
    ]
    short = worst_first([c for c in judged if c.status != "met"])
    if short:
        parts.append("; chưa đạt: ")
        for i, c in enumerate(short):
            parts += [", " if i else "",
                      html.Span(f"{STATUS_ICONS[c.status]} ", style={"color": STATUS_INK[c.status]},
                                **{"aria-hidden": "true"}),
                      f"{_short(c)} {fmt.kpi_value(c.actual, c.unit)}",
                      html.Span(f" ({STATUS_LABELS_KPI[c.status].lower()})", className="visually-hidden")]
    if worst_unit:
        parts += ["; chậm nhất: ", html.Strong(worst_unit[0]), f" ({fmt.pct(worst_unit[1])} đúng hạn)"]
    parts.append(".")
    return html.P(parts, className="headline" + (" headline-big" if big else ""), id="headline",
                  **{"data-met": met, "data-judged": len(judged)})


def empty_state(sentence: str, hint: str | None = None) -> html.Div:
    """A period or unit with nothing to show reads as a sentence, not a blank chart."""
    return html.Div(
        [html.P(sentence, className="empty-title"), html.P(hint, className="empty-hint") if hint else None],
        className="empty-state",
        role="status",
    )


def delta_text(card, previous: float | None, label: str) -> html.Span | None:
    if card.actual is None or previous is None:
        return html.Span(f"{label}: {fmt.DASH}", className="delta delta-none")
    d = card.actual - previous
    if card.unit == "rank":
        better = d < 0
        txt = f"{label}: hạng {int(previous)}"
    else:
        better = d > 0 if card.higher_is_better else d < 0
        txt = f"{label}: {fmt.pp(d)}"
    cls = "delta-up" if better else "delta-down" if abs(d) > 1e-12 else "delta-flat"
    arrow = "▲" if d > 0 else "▼" if d < 0 else "●"
    return html.Span([html.Span(arrow, **{"aria-hidden": "true"}), " ", txt], className=f"delta {cls}")


def sparkline(points: list, target: float | None, status: str, through=None, since=None) -> html.Div:
    """A card's weekly rate (12 weeks) as a filled line drawn by CSS — two `clip-path` polygons and a dashed
    target rule — not a plotly chart: the overview's eight sparklines cost the browser more to draw as plotly
    charts than the rest of the page. Its values are in its accessible name (and tooltip). `through`: the last
    day the data cover; a last week it cuts short (the current week) is a hollow point, named so; `since`: the
    first day they cover — a first week it cuts (the window starts mid-week) is a hollow point at the start."""
    from .figures import partial_first_note, partial_first_week, partial_note, partial_week
    ys = [float(v) for _, v in points]
    lo = max(0.0, min(ys + ([target] if target is not None else [])) - 0.02)
    hi = 1.005

    def top(v: float) -> float:  # % from the top
        return round(100 * (hi - min(max(v, lo), hi)) / (hi - lo), 2)

    if len(ys) == 1:
        ys = ys * 2
    xs = [round(100 * i / (len(ys) - 1), 2) for i in range(len(ys))]
    edge = [f"{x}% {top(v)}%" for x, v in zip(xs, ys)]
    under = [f"{x}% calc({top(v)}% + 2.5px)" for x, v in reversed(list(zip(xs, ys)))]
    ink = STATUS_INK.get(status, "#1d4e89")
    first, last = points[0], points[-1]
    partial = partial_week(last[0], through)
    head = len(points) > 1 and partial_first_week(first[0], since)
    label = (
        f"{len(points)} tuần gần nhất: từ {fmt.pct(first[1])} (tuần từ {fmt.date(first[0])}"
        f"{'; ' + partial_first_note(first[0], since) if head else ''}) đến {fmt.pct(last[1])}"
        f" (tuần từ {fmt.date(last[0])}{'; ' + partial_note(last[0], through) if partial else ''});"
        f" thấp nhất {fmt.pct(min(ys))}, cao nhất {fmt.pct(max(ys))}"
    )
    parts = [
        html.Div(className="spark-area", style={"clipPath": f"polygon(0% 100%, {', '.join(edge)}, 100% 100%)",
                                                "background": ink}),
        html.Div(className="spark-line", style={"clipPath": f"polygon({', '.join(edge + under)})",
                                                "background": ink}),
        html.Div(className="spark-target", style={"top": f"{top(target)}%", "borderTopColor": TARGET_LINE})
        if target is not None
        else None,
    ]
    if head:
        parts.append(html.Div(className="spark-partial spark-partial-first",
                              style={"top": f"{top(ys[0])}%", "borderColor": ink},
                              title=partial_first_note(first[0], since)))
    if partial:
        parts.append(html.Div(className="spark-partial", style={"top": f"{top(ys[-1])}%", "borderColor": ink},
                              title=partial_note(last[0], through)))
    return html.Div(
        parts,
        className="kpi-spark",
        role="img",
        title=label,
        **{"aria-label": label},
    )


def kpi_card(card, link: str | None = None, compact: bool = False, through=None, since=None) -> html.Div:
    """Actual, target, status, change vs the previous period and the same period last year, sparkline."""
    value = fmt.kpi_value(card.actual, card.unit)
    detail = None
    if card.unit == "rate" and card.denominator:
        detail = f"{fmt.num(card.numerator)} / {fmt.num(card.denominator)}"
    elif card.unit == "rank" and card.denominator:
        detail = f"trong {fmt.num(card.denominator)} đơn vị"
    body = [
        html.Div([html.Span(card.label, className="kpi-label"), status_badge(card.status)], className="kpi-head"),
        html.Div(value, className="kpi-value", style={"color": STATUS_INK.get(card.status)}),
        html.Div(
            [
                html.Span("Chỉ tiêu: ", className="text-muted"),
                html.Strong(fmt.target_text(card.comparator, card.target, card.unit)),
                html.Span(f" · {detail}", className="text-muted") if detail else None,
            ],
            className="kpi-target",
        ),
        html.Div(
            [delta_text(card, card.previous, "So kỳ trước"), delta_text(card, card.year_before, "Cùng kỳ năm trước")],
            className="kpi-deltas",
        ),
    ]
    if card.spark and not compact:
        body.append(sparkline(card.spark, card.target, card.status, through, since))
    # dbc.Card / dbc.CardBody as they draw themselves: the card is plain markup, sent as one component (ui/static)
    inner = html.Div(body, className="card-body")
    content = dcc.Link(inner, href=link, className="stretched-link-wrap") if link else inner
    return html.Div(
        html.Div(content, className="kpi-card h-100 card", style={"borderTopColor": STATUS_COLORS.get(card.status)}),
        className="h-100",
        **{"data-kpi": card.kpi, "data-status": card.status},
    )


def big_count(
    label: str, value: int, link: str | None, tone: str, hint: str | None = None, test_id: str = ""
) -> html.Div:
    """A large clickable count (e.g. overdue dossiers) leading to exactly that list."""
    inner = [
        html.Div(fmt.num(value), className="count-value"),
        html.Div(label, className="count-label"),
        html.Div(hint, className="count-hint") if hint else None,
    ]
    box = html.Div(inner, className=f"count-box count-{tone}", **({"data-testid": test_id} if test_id else {}))
    return dcc.Link(box, href=link, className="count-link") if link and value else box


DROPDOWN_LABELS = {  # the dropdown's own words, in Vietnamese
    "select_all": "Chọn tất cả",
    "deselect_all": "Bỏ chọn tất cả",
    "selected_count": "Đã chọn {num_selected}",
    "search": "Gõ để tìm…",
    "clear_search": "Xóa ô tìm",
    "clear_selection": "Bỏ chọn",
    "no_options_found": "Không có lựa chọn phù hợp",
}


def _filter_label(label: str, key: str, value: Any, html_for: str | None = None, class_name: str = "") -> html.Label:
    """A filter's label (as dbc.Label draws it), carrying the value the page was drawn with: the browser tells a
    page just drawn (the filter reports that value) from the reader's change (assets/07_clientside.js,
    filtersToUrl) even on a page with one filter."""
    return html.Label(label, htmlFor=html_for, className=f"form-label filter-label {class_name}".strip(),
                      **{"data-flt": key, "data-drawn": "" if value is None else str(value)})


def filter_dropdown(
    key: str,
    label: str,
    options: list[dict],
    value: Any,
    clearable: bool = False,
    placeholder: str | None = None,
    width: int = 3,
) -> dbc.Col:
    """A filter whose value lives in the URL (the shell's callback writes it there)."""
    return dbc.Col(
        [
            _filter_label(label, key, value, html_for=f"flt-{key}"),
            dcc.Dropdown(
                id=ids.flt(key),
                options=options,
                value=value,
                clearable=clearable,
                placeholder=placeholder or label,
                searchable=True,
                labels=DROPDOWN_LABELS,
                className="filter-dropdown",
            ),
        ],
        md=width,
    )


def filter_radio(key: str, label: str, options: list[dict], value: Any, width: int = 4) -> dbc.Col:
    return dbc.Col(
        [
            _filter_label(label, key, value, class_name="d-block"),
            dbc.RadioItems(
                id=ids.flt(key),
                options=options,
                value=value,
                inline=True,
                className="btn-group filter-radio",
                inputClassName="btn-check",
                labelClassName="btn btn-outline-primary",
                labelCheckedClassName="active",
            ),
        ],
        md=width,
    )


def page_header(title: str, subtitle: str | None, reader, extra: Iterable | None = None) -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    html.H1(title, className="page-title"),
                    html.Div(subtitle, className="page-subtitle") if subtitle else None,
                ]
            ),
            html.Div(
                [
                    *(extra or []),
                    html.Span(
                        f"Dữ liệu đến {fmt.datetime(reader.as_of)}",
                        className="data-date",
                        title=f"Phiên bản dữ liệu {reader.data_version}",
                    ),
                ],
                className="page-header-right",
            ),
        ],
        className="page-header",
    )


# units grouped by kind in the pickers and the matrix: city departments and offices, wards, communes
UNIT_GROUPS = {"so": "Sở, ngành, cơ quan cấp thành phố", "phuong": "Phường", "xa": "Xã, đặc khu"}
GROUP_PICKER_FROM = 20  # a picker lists its units under group headings from this many units


def unit_group(level: str | None, kind: str | None) -> str:
    """so (city level: departments, the city's people's committee, the service centre), phuong or xa."""
    if level == "city":
        return "so"
    return "phuong" if kind == "phuong" else "xa"


def unit_search_text(name: str, code: str) -> str:
    """What a picker matches typing against: the name as written and without accents ("phuong an hoa" finds
    "Phường An Hòa"), and the code."""
    return f"{name} {fold(name)} {code}"


def units_options(units_df, level: str | None = None, with_all: str | None = None) -> list[dict]:
    """Options of a unit picker: searchable without accents; from GROUP_PICKER_FROM units, under one disabled
    heading per group (Sở, ngành / Phường / Xã), which typing hides."""
    u = units_df if not level else units_df[units_df.level == level]
    opts = [{"label": with_all, "value": "", "search": with_all}] if with_all else []
    kinds = u["unit_kind"] if "unit_kind" in u.columns else [None] * len(u)
    rows = [(unit_group(lv, k), name, code) for lv, k, name, code in zip(u.level, kinds, u.unit_name, u.unit_code)]
    grouped = len(rows) >= GROUP_PICKER_FROM
    for g, label in UNIT_GROUPS.items():
        members = [(name, code) for grp, name, code in rows if grp == g]
        if grouped and members:
            opts.append({"label": f"— {label} ({len(members)}) —", "value": f"__{g}", "disabled": True, "search": ""})
        opts += [{"label": name, "value": code, "search": unit_search_text(name, code)} for name, code in members]
    return opts


def form_table(form: dict, link_for_row=None) -> html.Div:
    """The official form on screen: two header rows (group / column), unit or field rows, total."""
    groups: list[tuple[str, int]] = []
    for g, _, _ in FORM_COLUMNS:
        if groups and groups[-1][0] == g:
            groups[-1] = (g, groups[-1][1] + 1)
        else:
            groups.append((g, 1))
    first_head = {"unit": "Đơn vị", "level": "Cấp", "field": "Lĩnh vực"}[form["by"]]
    head = html.Thead(
        [
            html.Tr(
                [html.Th(first_head, rowSpan=2, scope="col", className="form-rowhead")]
                + [html.Th(g, colSpan=n, scope="colgroup", className="form-group") for g, n in groups]
            ),
            html.Tr([html.Th(c, scope="col") for _, c, _ in FORM_COLUMNS]),
        ]
    )

    def cells(row: dict, label, is_total: bool = False):
        tds = [html.Th(label, scope="row", className="form-rowhead")]
        for _, _, key in FORM_COLUMNS:
            v = form_value(row, key)
            link = link_for_row(row, key) if (link_for_row and not is_total and v) else None
            content = dcc.Link(fmt.num(v), href=link) if link else fmt.num(v)
            tds.append(
                html.Td(
                    content,
                    className="num" + (" late-cell" if key in ("resolved_late", "pending_overdue") and v else ""),
                )
            )
        return html.Tr(tds, className="form-total" if is_total else None)

    body = [cells(r, form_row_label(r, form["by"])) for r in form["rows"]]
    body.append(cells(form["total"], TOTAL_LABEL, True))
    return html.Div(
        html.Table([head, html.Tbody(body)], className="table form-table", id="form-table"),
        className="table-responsive",
    )


def table(head: list, body: list, class_name: str = "table", table_id: str | None = None) -> html.Table:
    """A plain table: `head` holds header texts (or ready html.Th cells), `body` the rows (html.Tr)."""
    cells = [h if isinstance(h, html.Th) else html.Th(h) for h in head]
    props = {"id": table_id} if table_id else {}
    return html.Table([html.Thead(html.Tr(cells)), html.Tbody(body)], className=class_name, **props)


def num_heads(*labels: str) -> list[html.Th]:
    """Header cells of numeric columns, right-aligned over their figures (`table([...first, *num_heads(…)], …)`)."""
    return [html.Th(label, className="num") for label in labels]


def graph(fig, graph_id: str | dict | None = None, height: int | str = 360, **kw) -> dcc.Graph:
    """`height`: pixels, or any CSS length ("calc(100vh - 17rem)": a slide's chart follows the projector)."""
    css_height = f"{height}px" if isinstance(height, int) else height
    props = {"figure": reserve_margins(fig), "config": GRAPH_CONFIG, "style": {"height": css_height}, **kw}
    if graph_id is not None:
        props["id"] = graph_id
    return dcc.Graph(**props)


def section(title: str, *children, right=None, class_name: str = "section-card mb-4", **kw) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(html.Div([html.H2(title, className="section-title"), right], className="section-head")),
            dbc.CardBody(list(children)),
        ],
        className=class_name,
        **kw,
    )


def status_cell_style(status: str) -> dict:
    """A tinted cell with its status as text colour (≥ 7:1 on the tint); pair it with `status_mark`."""
    return {
        "backgroundColor": STATUS_BG.get(status, "#fff"),
        "color": STATUS_INK.get(status, "#1f2933"),
        "fontWeight": 700,
    }


def status_mark(status: str) -> html.Span:
    """The status symbol in front of a coloured value (status never by colour alone)."""
    return html.Span(STATUS_ICONS.get(status, "–") + " ", className="status-mark", **{"aria-hidden": "true"})


__all__ = [
    "href",
    "status_badge",
    "empty_state",
    "kpi_card",
    "big_count",
    "filter_dropdown",
    "filter_radio",
    "page_header",
    "units_options",
    "form_table",
    "graph",
    "section",
    "status_cell_style",
    "status_mark",
]


# ag-grid's own words in Vietnamese (pagination, loading, empty), for every grid
GRID_LOCALE = {
    "page": "Trang",
    "of": "/",
    "to": "–",
    "more": "nhiều",
    "loadingOoo": "Đang tải…",
    "noRowsToShow": "Không có hồ sơ",
    "firstPage": "Trang đầu",
    "lastPage": "Trang cuối",
    "nextPage": "Trang sau",
    "previousPage": "Trang trước",
    "pageSizeSelectorLabel": "Số dòng:",
    "filterOoo": "Lọc…",
    "contains": "Có chứa",
    "equals": "Bằng",
    "notEqual": "Khác",
    "blanks": "Trống",
    "noMatches": "Không có kết quả",
    "selectAll": "Chọn tất cả",
    "searchOoo": "Tìm…",
}


def paged_grid(grid_id: str, rows: list[dict], columns: list[dict], page_size: int, height: int, *,
               filter_all: bool = False) -> dag.AgGrid:
    """A client-side grid of a few thousand rows at most, paged, in Vietnamese (the audit log, the rejects)."""
    return dag.AgGrid(
        id=grid_id,
        rowData=rows,
        columnDefs=columns,
        defaultColDef={"sortable": True, "resizable": True, **({"filter": True} if filter_all else {})},
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": page_size,
            "paginationPageSizeSelector": False,
            "localeText": GRID_LOCALE,
        },
        style={"height": f"{height}px"},
        className="ag-theme-quartz",
    )


FILTER_TOGGLE = "filter-toggle"
FILTER_COLLAPSE = "filter-collapse"
_SUMMARY_KEYS = ("period", "year", "unit")  # named in the phone's one-line summary; the others are counted


def _filters_in(node) -> list:
    """The filters (dropdowns, radio items with a flt id) inside a layout fragment, in order."""
    found = []
    if isinstance(node, (list, tuple)):
        for child in node:
            found += _filters_in(child)
        return found
    ident = getattr(node, "id", None)
    if isinstance(ident, dict) and ident.get("type") == ids.FILTER:
        return [node]
    children = getattr(node, "children", None)
    return _filters_in(children) if children is not None else []


def filter_summary(rows, defaults: dict | None = None) -> str:
    """One line naming the filters in force, for the phone: "Quý 4/2026 · Toàn thành phố · 2 bộ lọc khác".
    The period (or year) and the unit are named by their option's label; every other filter whose value is not its
    default (empty, or `defaults[key]`) is counted."""
    defaults = defaults or {}
    named, others = [], 0
    for flt in _filters_in(rows):
        key, value = flt.id["key"], getattr(flt, "value", None)
        if key in _SUMMARY_KEYS:
            label = next((o["label"] for o in (getattr(flt, "options", None) or []) if o.get("value") == value), None)
            if label:  # "Quý này — Quý 4/2026 (đến 20/11/2026)" → "Quý 4/2026": one line on a phone
                named.append(str(label).split(" — ")[-1].split(" (")[0])
        elif value not in (None, "", []) and value != defaults.get(key):
            others += 1
    if others:
        named.append(f"{others} bộ lọc khác")
    return " · ".join(named) or "Bộ lọc"


def filter_card(*rows, defaults: dict | None = None) -> html.Div:
    """A page's filter card. At ≥ md the rows as they are; below it they collapse behind one tappable line that
    summarises the filters in force (filter_summary), opened in place in the browser (clientside, no server call)
    and kept open while the reader changes filters on that page (07_clientside.js, filterToggle). The filters
    themselves still write the URL."""
    rows = [r for r in rows if r is not None]
    return html.Div(
        [
            html.Button(
                [
                    html.Span("Bộ lọc: ", className="visually-hidden"),
                    html.Span(filter_summary(rows, defaults), className="filter-summary-text"),
                    html.Span(className="filter-chevron", **{"aria-hidden": "true"}),
                ],
                id=FILTER_TOGGLE,
                n_clicks=0,
                type="button",
                className="filter-toggle d-md-none",
                **{"aria-expanded": "false", "aria-controls": FILTER_COLLAPSE},
            ),
            dbc.Collapse(rows, id=FILTER_COLLAPSE, is_open=False, className="filter-collapse"),
        ],
        className="filter-card",
    )
