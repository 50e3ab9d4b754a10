"""A closed period on the form page: who closed it and when, and the figures later imports would change."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import dcc, html

from ..exports import FORM_COLUMNS
from . import format as fmt
from . import ids
from .components import table

CLOSING_JOB = "closing-job"  # the background job of a confirmed closing / reopening (closing.start_job)
CLOSING_POLL = "closing-poll"  # polls it: progress in the dialog, then the page redrawn from the new data

# the form's keys as the page names them (the form's own columns, then the counts it reports beside them)
KEY_LABELS = {key: f"{group}: {col.lower()}" for group, col, key in FORM_COLUMNS} | {
    "received_new": "Tiếp nhận: mới trong kỳ",
    "received_in_person": "Tiếp nhận: trực tiếp",
    "received_postal": "Tiếp nhận: qua bưu chính",
    "fee_dossiers": "Hồ sơ có phí, lệ phí",
    "paid_online": "Thanh toán trực tuyến",
    "digitized": "Số hoá",
    "e_result": "Trả kết quả điện tử",
    "postal_return": "Trả kết quả qua bưu chính",
}


def _icon(name: str):
    """A padlock drawn by CSS (assets/10_app.css, .icon-lock / .icon-unlock: an SVG mask in the text's colour): the
    emoji 🔒 needs an emoji font, which the city's Linux desktops and the projector PC may not have (it showed as an
    empty box in Debian's Chromium). Decorative: the words say it."""
    return html.Span(className=f"icon icon-{name}", **{"aria-hidden": "true"})


def closure_notice(f: dict):
    """A closed period: who closed it and when, and what later imports would change (closed value, today's)."""
    closed = f.get("closed")
    if not closed:
        return None
    when = fmt.date(dt.datetime.fromisoformat(closed["closed_at"]))
    changes = f["changed_since_close"]
    head = html.P(
        [
            html.Strong([_icon("lock"), f"Đã chốt ngày {when} bởi {closed['closed_by']}"]),
            f" (phiên bản dữ liệu {closed['data_version']}). Biểu dưới đây là số liệu đã chốt. ",
            f"Dữ liệu nạp sau đó làm thay đổi {fmt.num(len(changes))} số liệu:"
            if changes
            else "Dữ liệu nạp sau đó không làm thay đổi số liệu nào.",
        ],
        className="mb-2",
    )
    rows = [
        html.Tr(
            [
                html.Th(c["unit_name"], scope="row"),
                html.Td(KEY_LABELS.get(c["key"], c["key"])),
                html.Td(fmt.num(c["closed"]), className="num"),
                html.Td(fmt.num(c["current"]), className="num"),
                html.Td(f"{c['current'] - c['closed']:+d}".replace("-", "−"), className="num"),
            ]
        )
        for c in changes
    ]
    diff = (
        table(["Đơn vị", "Số liệu", "Khi chốt", "Hiện nay", "Chênh lệch"], rows, "table table-sm", "closure-changes")
        if rows
        else None
    )
    return html.Div([head, diff], className="alert alert-info closure-notice", id="closure-notice", role="status")


def closing_controls(period, version: str, closed: dict | None):
    """Home Affairs' "Chốt số liệu" (or "Mở lại" for a closed period) with its confirmation: the dialog names the
    period and the data version being frozen; reopening needs a reason. None for a period that cannot be closed
    (a date range, or one still running). The action itself is pages/report.py's callback (closing.py)."""
    if period.kind == "range" or period.cut:
        return None
    span = f"{period.label} ({period.start:%d/%m/%Y} – {period.end:%d/%m/%Y})"
    if closed:
        when = fmt.date(dt.datetime.fromisoformat(closed["closed_at"]))
        action, button = "reopen", [_icon("unlock"), "Mở lại kỳ đã chốt"]
        title = f"Mở lại số liệu {period.label}"
        body = [
            html.P(
                f"{span} đã chốt ngày {when} bởi {closed['closed_by']} (phiên bản dữ liệu {closed['data_version']}). "
                "Sau khi mở lại, biểu của kỳ hiển thị số liệu hiện nay cho đến khi chốt lại; lần chốt cũ và lý do "
                "mở lại được lưu và ghi nhật ký."
            ),
            dbc.Label("Lý do mở lại (bắt buộc)", html_for=ids.CLOSING_REASON),
            dbc.Textarea(id=ids.CLOSING_REASON, maxLength=500, rows=3, placeholder="VD: Sở Nội vụ yêu cầu cập nhật"),
        ]
        confirm = "Xác nhận mở lại"
    else:
        action, button = "close", [_icon("lock"), "Chốt số liệu"]
        title = f"Chốt số liệu {period.label}"
        body = [
            html.P(
                [
                    "Chốt biểu ",
                    html.Strong(span),
                    " của tất cả đơn vị ở ",
                    html.Strong(f"phiên bản dữ liệu {version}"),
                    ". Sau khi chốt, biểu của kỳ giữ nguyên số liệu này; dữ liệu nạp sau chỉ được liệt kê là "
                    "chênh lệch. Việc chốt được ghi nhật ký.",
                ]
            ),
            html.Div(dcc.Input(id=ids.CLOSING_REASON, type="hidden", value=""), hidden=True),
        ]
        confirm = "Xác nhận chốt"
    return html.Div(
        [
            dcc.Store(id=ids.CLOSING_TARGET, data={"period": period.key, "version": version, "action": action}),
            dcc.Store(id=CLOSING_JOB),
            dcc.Interval(id=CLOSING_POLL, interval=1000, disabled=True),
            dbc.Button(button, id=ids.CLOSING_OPEN, color="secondary", outline=True),
            dbc.Modal(
                [
                    dbc.ModalHeader(dbc.ModalTitle(title)),
                    dbc.ModalBody([*body, html.Div(id=ids.CLOSING_ERROR, role="alert")]),
                    dbc.ModalFooter(
                        [
                            dbc.Button("Huỷ", id=ids.CLOSING_CANCEL, color="secondary", outline=True),
                            dbc.Button(confirm, id=ids.CLOSING_CONFIRM, color="danger" if closed else "primary"),
                        ]
                    ),
                ],
                id=ids.CLOSING_MODAL,
                is_open=False,
            ),
        ],
        className="closing-controls mb-3",
    )
