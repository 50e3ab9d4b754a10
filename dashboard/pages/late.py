"""Hồ sơ trễ hạn — drilling into late dossiers per ward, down to the dossier, handler, working days
late and reason. Sorting and paging run in DuckDB (server-side), so the grid stays fast at any size."""

from __future__ import annotations

import dataclasses

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from ..config import AT_RISK_DAYS, CHANNEL_LABELS, COUNT_REASONS, STATUS_LABELS
from ..exports import table_xlsx
from .. import audit
from ..auth import current_principal
from ..metrics import late_set as late
from ..metrics.period import resolve_period
from ..metrics.units import home_unit
from ..reader import current_reader
from ..metrics.period import Period
from ..ui import figures, ids
from ..ui import format as fmt
from ..ui.components import (
    GRID_LOCALE,
    empty_state,
    filter_card,
    filter_dropdown,
    filter_radio,
    graph,
    href,
    page_header,
    section,
)
from ..ui.theme import STATUS_COLORS
from werkzeug.exceptions import BadRequest

from .common import (
    LEVEL_OPTIONS,
    callback_state,
    clean,
    page,
    period_filter,
    scope_label,
    unit_filter,
    valid_unit,
)


PAGE_SIZE = 50
COLUMNS = [  # (field, header, width, sortable)
    ("dossier_id", "Mã hồ sơ", 300, True),  # the whole id, never cut
    ("unit_name", "Đơn vị", 170, True),
    ("procedure_name", "Thủ tục", 250, True),
    ("field", "Lĩnh vực", 140, True),
    ("received_at", "Ngày tiếp nhận", 168, True),
    ("due_at", "Hạn trả", 168, True),
    ("completed_at", "Ngày có kết quả", 168, True),
    ("working_days_late", "Số ngày trễ (ngày làm việc)", 120, True),
    ("working_days_left", "Còn (ngày làm việc)", 110, True),
    ("handler", "Cán bộ xử lý", 170, True),
    ("applicant_name", "Người nộp", 170, False),  # masked to initials unless the role may see personal data
    ("late_reason", "Lý do trễ hạn", 230, True),
    ("status", "Trạng thái", 140, True),
    ("count_reason", "Cách tính theo biểu", 300, True),  # why it is counted here (config.COUNT_REASONS)
]
EXPORT_HEADERS = [
    "Mã hồ sơ",
    "Mã đơn vị",
    "Đơn vị",
    "Mã TTHC",
    "Thủ tục",
    "Lĩnh vực",
    "Hình thức tiếp nhận",
    "Ngày tiếp nhận",
    "Hạn trả",
    "Ngày có kết quả",
    "Số ngày trễ (ngày làm việc)",
    "Còn (ngày làm việc)",
    "Cán bộ xử lý",
    "Người nộp",
    "Lý do trễ hạn",
    "Trạng thái",
    "Cách tính theo biểu",
]


def _filter(query: dict) -> tuple[Period, late.LateFilter]:
    reader = current_reader()
    p = resolve_period(reader, query.get("period"))
    view = query.get("view") if query.get("view") in late.VIEWS else "all"
    return p, late.LateFilter(
        view=view,
        unit=valid_unit(reader, query.get("unit")),
        level=clean(query.get("level")),
        field=clean(query.get("field")),
        handler=clean(query.get("handler")),
    )


@page("late", choices={"view": tuple(late.VIEWS), "level": ("city", "ward")})
def layout(period=None, unit=None, view=None, field=None, handler=None, level=None, **_):
    reader = current_reader()
    query = dict(period=period, unit=unit, view=view, field=field, handler=handler, level=level)
    p, flt = _filter(query)
    bd = late.breakdown(reader, p, flt)
    total = int(bd[bd.dimension == "unit"]["n"].sum())
    unit_label = scope_label(reader, flt.unit)
    by_field = bd[bd.dimension == "field"]
    # the handler chart keeps every handler when one is picked (the picked one is marked), so the next is one click
    bd_h = late.breakdown(reader, p, dataclasses.replace(flt, handler=None)) if flt.handler else bd
    by_handler = bd_h[bd_h.dimension == "handler"].head(12)
    # early warning has no late reason yet: show which procedures are about to be late instead
    third_dim, third_title = ("procedure", "Theo thủ tục") if flt.view == "at_risk" else ("reason", "Theo lý do")
    by_reason = bd[bd.dimension == third_dim].head(8)
    field_opts = [{"label": k, "value": k} for k in sorted(by_field.key)]
    if flt.field and flt.field not in set(by_field.key):
        field_opts.insert(0, {"label": flt.field, "value": flt.field})
    handler_opts = [{"label": k, "value": k} for k in sorted(bd[bd.dimension == "handler"].key)]
    if flt.handler and flt.handler not in {o["value"] for o in handler_opts}:
        handler_opts.insert(0, {"label": flt.handler, "value": flt.handler})
    state_q = {
        "period": p.key,
        "unit": flt.unit,
        "view": flt.view,
        "field": flt.field,
        "handler": flt.handler,
        "level": flt.level,
    }
    view_opts = [{"label": late.VIEW_LABELS[v], "value": v} for v in late.VIEWS]
    headline = html.Div(
        [
            html.Span(fmt.num(total), className="late-total", id="late-total", **{"data-count": total}),
            html.Span(
                f" hồ sơ — {late.VIEW_LABELS[flt.view].lower()}, {unit_label}, {p.label}"
                + (f", lĩnh vực {flt.field}" if flt.field else "")
                + (f", cán bộ {flt.handler}" if flt.handler else ""),
                className="late-total-label",
            ),
        ],
        className="late-headline",
    )
    # the two kinds apart: done but late vs still open and overdue
    if flt.view == "all" and total and not (flt.field or flt.handler or flt.level):
        split = late.counts(reader, p, flt.unit)
        kinds = [("late", "đã giải quyết nhưng trễ hạn"), ("overdue", "chưa giải quyết, đang quá hạn")]
        headline = html.Div(
            [
                headline,
                html.P(
                    [
                        part
                        for i, (v, words) in enumerate(kinds)
                        for part in (
                            " · " if i else None,
                            dcc.Link(
                                [html.Strong(fmt.num(split[v])), f" {words}"],
                                href=href(ids.LATE_PATH, **{**state_q, "view": v}),
                                id=f"late-split-{v}",
                            ),
                        )
                    ],
                    className="late-split",
                ),
            ]
        )
    if flt.view == "at_risk":
        note = (f"Hồ sơ chưa giải quyết, đến hạn sau {fmt.datetime(reader.as_of)} "
                f"và trong {AT_RISK_DAYS} ngày làm việc tới.")
    else:
        note = (
            "Trễ hạn: giải quyết sau hạn trả trong kỳ. Quá hạn: chưa giải quyết đến hết kỳ mà đã quá hạn trả. "
            "Số ngày trễ tính theo ngày làm việc (trừ thứ Bảy, Chủ nhật và ngày lễ)."
        )
    if total == 0:
        body = empty_state(
            f"Không có hồ sơ {late.VIEW_LABELS[flt.view].lower()} nào cho {unit_label} trong {p.label}.",
            "Hãy chọn kỳ, đơn vị hoặc loại khác ở trên.",
        )
    else:
        body = html.Div(
            [
                dbc.Row(
                    [
                        dbc.Col(
                            section(
                                "Theo lĩnh vực",
                                graph(
                                    figures.count_bars(
                                        list(by_field.key.head(12)), list(by_field.n.head(12)), "", wrap=22
                                    ),
                                    ids.FIELD_CHART,
                                    height=max(220, 34 * min(12, len(by_field)) + 60),
                                ),
                            ),
                            lg=4,
                        ),
                        dbc.Col(
                            section(
                                "Theo cán bộ xử lý",
                                graph(
                                    figures.count_bars(
                                        list(by_handler.key),
                                        list(by_handler.n),
                                        "",
                                        color=STATUS_COLORS["at_risk"],
                                        selected=flt.handler,
                                    ),
                                    ids.HANDLER_CHART,
                                    height=max(220, 34 * len(by_handler) + 60),
                                ),
                            ),
                            lg=4,
                        ),
                        dbc.Col(
                            section(
                                third_title,
                                graph(
                                    figures.count_bars(
                                        list(by_reason.key), list(by_reason.n), "", color="#52606d", max_label=38
                                    ),
                                    "late-reason-chart",
                                    height=max(220, 34 * len(by_reason) + 60),
                                ),
                            ),
                            lg=4,
                        ),
                    ],
                    className="g-3",
                ),
                section(
                    "Danh sách hồ sơ",
                    _grid(flt),
                    right=dbc.Button(
                        [html.Span("⬇", **{"aria-hidden": "true"}), " Tải Excel"],
                        id=ids.LATE_DOWNLOAD_BTN,
                        color="primary",
                        outline=True,
                        className="download-btn",
                    ),
                ),
            ]
        )
    return html.Div(
        [
            page_header("Hồ sơ trễ hạn", f"{unit_label[:1].upper() + unit_label[1:]} · {p.label}", reader),
            filter_card(
                dbc.Row(
                    [
                        period_filter(reader, p, 3),
                        unit_filter(reader, flt.unit, 3, "Tất cả đơn vị", None),
                        None  # a one-ward reader has no level to choose
                        if home_unit(reader)
                        else filter_dropdown("level", "Cấp", LEVEL_OPTIONS, flt.level or "", width=2),
                        filter_dropdown(
                            "field",
                            "Lĩnh vực",
                            field_opts,
                            flt.field,
                            clearable=True,
                            placeholder="Tất cả lĩnh vực",
                            width=2,
                        ),
                        filter_dropdown(
                            "handler",
                            "Cán bộ",
                            handler_opts,
                            flt.handler,
                            clearable=True,
                            placeholder="Tất cả cán bộ",
                            width=2,
                        ),
                    ],
                    className="filter-bar g-3 mb-2",
                ),
                dbc.Row(
                    [filter_radio("view", "Loại hồ sơ", view_opts, flt.view, width=12)], className="filter-bar mb-3"
                ),
                defaults={"view": "all"},
            ),
            headline,
            html.P(note, className="text-muted small-note"),
            dcc.Store(id=ids.LATE_QUERY, data=state_q),
            dcc.Download(id=ids.LATE_DOWNLOAD),
            body,
        ],
        className="page page-late",
    )


def _grid(flt: late.LateFilter) -> dag.AgGrid:
    cols = []
    for field, header, width, sortable in COLUMNS:
        if field == "unit_name" and flt.unit:
            continue
        if field == "working_days_left" and flt.view != "at_risk":
            continue
        if field == "completed_at" and flt.view in ("overdue", "at_risk"):
            continue
        col = {
            "field": field,
            "headerName": header,
            "width": width,
            "sortable": sortable,
            "resizable": True,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        }
        if field in ("working_days_late", "working_days_left"):
            col.update(type="rightAligned", cellClass="num-cell")
        cols.append(col)
    return dag.AgGrid(
        id=ids.LATE_GRID,
        columnDefs=cols,
        rowModelType="infinite",
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": PAGE_SIZE,
            "cacheBlockSize": PAGE_SIZE,
            "paginationPageSizeSelector": False,
            "rowBuffer": 0,
            "maxBlocksInCache": 20,
            "infiniteInitialRowCount": PAGE_SIZE,
            "localeText": GRID_LOCALE,
            "suppressCellFocus": False,
            "getRowId": {"function": "params.data.dossier_id"},
        },
        defaultColDef={"suppressHeaderMenuButton": True},
        style={"height": "620px"},
        className="ag-theme-quartz late-grid",
    )


def _row(r: dict) -> dict:
    return {
        "dossier_id": r["dossier_id"],
        "unit_name": r["unit_name"],
        "procedure_name": r["procedure_name"] or r["procedure_code"],
        "field": r["field"],
        "received_at": fmt.datetime(r["received_at"]),
        "due_at": fmt.datetime(r["due_at"]),
        "completed_at": "" if fmt.missing(r["completed_at"]) else fmt.datetime(r["completed_at"]),
        "working_days_late": fmt.as_int(r["working_days_late"]),
        "working_days_left": fmt.as_int(r["working_days_left"]),
        "handler": r["handler"] or "",
        "applicant_name": r["applicant_name"] or "",
        "late_reason": r["late_reason"] or "",
        "status": STATUS_LABELS.get(r["status"], r["status"]),
        "count_reason": COUNT_REASONS.get(r["count_reason"], r["count_reason"]),
    }


def _on_filters(output: Output, trigger: Input):
    """A callback of this page: `output` from `trigger`, reading the page's stored filters."""
    return callback(output, trigger, State(ids.LATE_QUERY, "data"), prevent_initial_call=True)


def _filtered(query) -> tuple:
    """(reader, period, filter) of the stored filters, checked as the page checks its URL."""
    return (current_reader(), *_filter(callback_state(query)))


@_on_filters(Output(ids.LATE_GRID, "getRowsResponse"), Input(ids.LATE_GRID, "getRowsRequest"))
def rows(request, query):
    """Parse the grid's request -> one DuckDB page (sorted, offset) -> rows."""
    if not request or not query:
        return dash.no_update
    reader, p, flt = _filtered(query)
    sort, desc, start, limit = grid_request(request)
    df, total = late.page(reader, p, flt, None, sort, desc, limit, start)
    return {"rowData": [_row(r) for r in df.to_dict("records")], "rowCount": total}


MAX_ROW = 10_000_000_000


def grid_request(request) -> tuple[str, bool, int, int]:
    """The grid's getRowsRequest: (sort column, descending, first row, rows). The grid only ever sends whole
    numbers 0 ≤ start < end and at most one sort on a sortable column: anything else is forged, 400."""
    if not isinstance(request, dict):
        raise BadRequest("yêu cầu của bảng không hợp lệ")
    start, end = request.get("startRow", 0), request.get("endRow")
    end = start + PAGE_SIZE if end is None else end
    for v in (start, end):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v) or not 0 <= v <= MAX_ROW:
            raise BadRequest(f"startRow/endRow không hợp lệ: {str(v)[:40]!r}")
    start, end = int(start), int(end)
    if end <= start:
        raise BadRequest("endRow phải lớn hơn startRow")
    model = request.get("sortModel") or []
    if not isinstance(model, list) or not all(isinstance(m, dict) for m in model):
        raise BadRequest("sortModel không hợp lệ")
    sort, desc = "working_days_late", True
    if model:
        col, direction = model[0].get("colId"), model[0].get("sort")
        if col not in late.SORTABLE or direction not in ("asc", "desc"):
            raise BadRequest("sortModel không hợp lệ: cột hoặc chiều sắp xếp không có")
        sort, desc = col, direction == "desc"
    return sort, desc, start, min(500, end - start)


@_on_filters(Output(ids.LATE_DOWNLOAD, "data"), Input(ids.LATE_DOWNLOAD_BTN, "n_clicks"))
def download(n, query):
    """The current filtered rows as Excel (same set as the list, most late first)."""
    if not n:
        return dash.no_update
    reader, p, flt = _filtered(query)
    df = late.export(reader, p, flt)
    body = [
        [
            r["dossier_id"],
            r["unit_code"],
            r["unit_name"],
            r["procedure_code"],
            r["procedure_name"],
            r["field"],
            CHANNEL_LABELS.get(r["channel"], r["channel"]),
            fmt.datetime(r["received_at"]),
            fmt.datetime(r["due_at"]),
            "" if fmt.missing(r["completed_at"]) else fmt.datetime(r["completed_at"]),
            fmt.as_int(r["working_days_late"]),
            fmt.as_int(r["working_days_left"]),
            r["handler"],
            r["applicant_name"],
            r["late_reason"],
            STATUS_LABELS.get(r["status"], r["status"]),
            COUNT_REASONS.get(r["count_reason"], r["count_reason"]),
        ]
        for r in df.to_dict("records")
    ]
    title = (
        f"{late.VIEW_LABELS[flt.view]} — {scope_label(reader, flt.unit)} — {p.label}"
        f" (dữ liệu đến {fmt.datetime(reader.as_of)})"
    )
    data = table_xlsx(EXPORT_HEADERS, body, sheet="Ho so tre han", title=title)
    name = f"ho-so-{flt.view}-{flt.unit or 'tat-ca'}-{p.key}.xlsx".replace("..", "_")
    audit.record(
        "export",
        current_principal().username,
        what="late_xlsx",
        file=name,
        period=p.key,
        unit=flt.unit,
        view=flt.view,
        rows=len(body),
    )
    return dcc.send_bytes(data, name)


# Clicking a bar filters the list to that field or handler: address arithmetic, done in the browser
# (assets/07_clientside.js, lateBarClick), so drawing the page costs no round trip for it (Dash calls a chart's
# click callback once when the page is drawn).
clientside_callback(
    ClientsideFunction("cchc", "lateBarClick"),
    Output(ids.URL, "href", allow_duplicate=True),
    Input(ids.FIELD_CHART, "clickData"),
    Input(ids.HANDLER_CHART, "clickData"),
    State(ids.PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)


dash.register_page(
    __name__, path=ids.LATE_PATH, name="Hồ sơ trễ hạn", title="Hồ sơ trễ hạn — CCHC", order=2, layout=layout
)
