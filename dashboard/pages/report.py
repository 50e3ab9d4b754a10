"""Báo cáo quý — the official form on screen (two-row header, total row), as Excel and CSV."""

from __future__ import annotations

import time

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from ..exports import form_csv, form_xlsx
from .. import audit
from ..auth import current_principal, require
from ..metrics.closing import official_form
from ..reader import current_db_path, current_reader
from ..metrics.period import Period, PeriodError, resolve_period
from ..ui import ids
from ..ui import format as fmt
from ..ui.closing import CLOSING_JOB, CLOSING_POLL, closing_controls, closure_notice
from ..ui.components import empty_state, filter_card, filter_radio, form_table, href, page_header, section
from werkzeug.exceptions import BadRequest

from .common import callback_state, page, period_filter, unit_filter, valid_unit


BY_OPTIONS = [
    {"label": "Theo đơn vị", "value": "unit"},
    {"label": "Theo cấp", "value": "level"},
    {"label": "Theo lĩnh vực", "value": "field"},
]


def _resolve(reader, period):
    if not period:  # the form is quarterly: default to the last complete quarter
        q = Period.containing("quarter", reader.as_of.date())
        return q.previous() if q.end > reader.as_of.date() else q
    try:
        return resolve_period(reader, period)
    except PeriodError:
        return resolve_period(reader, None)


@page("report", choices={"by": ("unit", "level", "field")})
def layout(period=None, by=None, unit=None, **_):
    reader = current_reader()
    p = _resolve(reader, period)
    by = by if by in ("unit", "level", "field") else "unit"
    unit = valid_unit(reader, unit)
    f = official_form(reader, p, by=by, unit=unit)

    def link(row, key):
        view = {"resolved_late": "late", "pending_overdue": "overdue"}.get(key)
        if not view or by == "level":
            return None
        extra = {"unit": row["unit_code"]} if by == "unit" else {"field": row["field"], "unit": unit}
        return href(ids.LATE_PATH, view=view, period=p.key, **extra)

    t = f["total"]
    body = (
        form_table(f, link) if t["received_total"] or f["rows"] else empty_state(f"Không có hồ sơ nào trong {p.label}.")
    )
    return html.Div(
        [
            page_header(
                "Biểu kết quả giải quyết thủ tục hành chính",
                f"{reader.city} · {p.label} ({p.start:%d/%m/%Y} – {p.end:%d/%m/%Y})",
                reader,
            ),
            filter_card(
                dbc.Row(
                    [
                        period_filter(reader, p),
                        unit_filter(reader, unit, 4, "Tất cả đơn vị"),
                        filter_radio("by", "Dòng của biểu", BY_OPTIONS, by),
                    ],
                    className="filter-bar g-3 mb-3",
                ),
                defaults={"by": "unit"},
            ),
            closure_notice(f),
            closing_controls(p, reader.data_version, f.get("closed"))
            if current_principal().can("imports")
            else None,
            dcc.Store(id="form-query", data={"period": p.key, "by": by, "unit": unit}),
            dcc.Download(id=ids.FORM_DOWNLOAD),
            section(
                "Kết quả giải quyết TTHC",
                body,
                html.P(
                    f"Hồ sơ rút (không tính vào tổng): {fmt.num(t['withdrawn'])}. "
                    "Đã giải quyết = trước hạn + đúng hạn + quá hạn; "
                    "đang giải quyết = tiếp nhận − đã giải quyết. Bấm số quá hạn để xem danh sách hồ sơ.",
                    className="text-muted small-note mt-2",
                ),
                html.P(
                    [
                        "Theo quy ước của biểu: hồ sơ trả lại sau ngày hẹn tính đúng hạn "
                        f"({fmt.num(t['returned'])} hồ sơ trả lại trong kỳ); hồ sơ đang chờ công dân bổ sung "
                        f"tính trong hạn ({fmt.num(t['pending_awaiting_supplement'])} hồ sơ). ",
                        dcc.Link(
                            "Xem các hồ sơ quá hạn theo ngày nhưng tính trong hạn",
                            href=href(ids.LATE_PATH, view="excused", period=p.key, unit=unit),
                        ),
                        ".",
                    ],
                    className="text-muted small-note",
                    id="form-conventions",
                ),
                right=html.Div(
                    [
                        dbc.Button("⬇ Excel (mẫu biểu)", id=ids.FORM_XLSX_BTN, color="primary", className="me-2"),
                        dbc.Button("⬇ CSV", id=ids.FORM_CSV_BTN, color="primary", outline=True),
                    ]
                ),
            ),
        ],
        className="page page-report",
    )


@callback(
    Output(ids.FORM_DOWNLOAD, "data"),
    Input(ids.FORM_XLSX_BTN, "n_clicks"),
    Input(ids.FORM_CSV_BTN, "n_clicks"),
    State("form-query", "data"),
    prevent_initial_call=True,
)
def download(_x, _c, q):
    q = callback_state(q)
    reader = current_reader()
    p = _resolve(reader, q.get("period"))
    by = q.get("by") or "unit"
    if by not in ("unit", "level", "field"):
        raise BadRequest(f"by không hợp lệ: {by[:40]!r}")
    f = official_form(reader, p, by=by, unit=q.get("unit"))
    name = f"bieu-ket-qua-tthc-{p.key}-{by}".replace("..", "_")
    csv = dash.ctx.triggered_id == ids.FORM_CSV_BTN
    audit.record(
        "export",
        current_principal().username,
        what="form_csv" if csv else "form_xlsx",
        period=p.key,
        by=by,
        unit=q.get("unit"),
        rows=len(f["rows"]),
    )
    if csv:
        return dcc.send_string(form_csv(f), f"{name}.csv")
    return dcc.send_bytes(form_xlsx(f, city=reader.city, settings=reader.settings), f"{name}.xlsx")


@callback(
    Output(ids.CLOSING_MODAL, "is_open"),
    Input(ids.CLOSING_OPEN, "n_clicks"),
    Input(ids.CLOSING_CANCEL, "n_clicks"),
    prevent_initial_call=True,
)
def toggle_closing(opened, cancelled):
    if not (opened or cancelled):
        raise PreventUpdate
    require("imports")  # the dialog is Home Affairs' only; a forged request from another role is refused (403)
    return dash.ctx.triggered_id == ids.CLOSING_OPEN


@callback(
    Output(ids.CLOSING_ERROR, "children"),
    Output(CLOSING_JOB, "data"),
    Output(CLOSING_POLL, "disabled"),
    Output(ids.CLOSING_CONFIRM, "disabled"),
    Input(ids.CLOSING_CONFIRM, "n_clicks"),
    State(ids.CLOSING_TARGET, "data"),
    State(ids.CLOSING_REASON, "value"),
    prevent_initial_call=True,
)
def confirm_closing(clicks, target, reason):
    """Close or reopen the period the dialog named, exactly as `cchc close` / `cchc reopen` do (closing.py: a new
    file built under the import lock and swapped in, audited), as a background job the dialog follows."""
    if not clicks:
        raise PreventUpdate
    principal = require("imports")  # other roles never reach it: 403, audited
    target = callback_state(target)
    action = target.get("action")
    if action not in ("close", "reopen") or not isinstance(reason, str | None):
        raise BadRequest(f"action không hợp lệ: {str(action)[:40]!r}")
    try:
        period = Period.parse(str(target.get("period") or ""))
    except (PeriodError, ValueError) as exc:
        raise BadRequest(f"kỳ không hợp lệ: {exc}") from exc
    from ..closing import ClosingError, start_job

    db_path = current_db_path()
    try:
        job_id = start_job(db_path, action, period, principal, reason=reason, expect_version=target.get("version"))
    except ClosingError as exc:
        verb = "chốt" if action == "close" else "mở lại"
        return dbc.Alert(f"Không {verb} được: {exc}", color="danger"), None, True, False
    return _progress("Đang chờ lượt…", 0), job_id, False, True


def _progress(message: str, secs: int):
    return dbc.Alert([dbc.Spinner(size="sm"), f" {message} ({fmt.num(secs)} giây)"], color="info",
                     id="closing-progress")


@callback(
    Output(ids.CLOSING_ERROR, "children", allow_duplicate=True),
    Output(CLOSING_POLL, "disabled", allow_duplicate=True),
    Output(ids.CLOSING_CONFIRM, "disabled", allow_duplicate=True),
    Output(ids.CLOSING_MODAL, "is_open", allow_duplicate=True),
    Output(ids.PAGES_CONTENT, "children", allow_duplicate=True),
    Input(CLOSING_POLL, "n_intervals"),
    State(CLOSING_JOB, "data"),
    State("form-query", "data"),
    prevent_initial_call=True,
)
def poll_closing(n, job_id, q):
    """The job's progress in the dialog; done: the page shown again from the new data; refused: why, in the
    dialog, which stays open."""
    if not n:
        raise PreventUpdate
    from ..closing import JOB_KIND
    from ..jobs import JobStore

    user = require("imports").username
    job = JobStore(current_db_path()).get(job_id)
    if not job or job.get("user") != user or job.get("kind") != JOB_KIND:
        return dash.no_update, True, False, dash.no_update, dash.no_update
    if job["state"] in ("queued", "running"):
        secs = int(time.time() - job["started"])
        return _progress(job["message"], secs), False, True, dash.no_update, dash.no_update
    if job["state"] == "error":
        return dbc.Alert(job["message"], color="danger"), True, False, True, dash.no_update
    q = callback_state(q)
    shown = {"period": job["period"], "by": q.get("by"), "unit": q.get("unit")}
    return None, True, False, False, layout(**{k: v for k, v in shown.items() if v})


dash.register_page(
    __name__, path=ids.REPORT_PATH, name="Báo cáo quý", title="Báo cáo quý — CCHC", order=3, layout=layout
)
