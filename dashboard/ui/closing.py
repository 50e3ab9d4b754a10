"""A closed period on the form page: who closed it and when, and the figures later imports would change."""

from __future__ import annotations

import datetime as dt

from dash import html

from ..exports import FORM_COLUMNS
from . import format as fmt
from .components import table

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


def closure_notice(f: dict):
    """A closed period: who closed it and when, and what later imports would change (closed value, today's)."""
    closed = f.get("closed")
    if not closed:
        return None
    when = fmt.date(dt.datetime.fromisoformat(closed["closed_at"]))
    changes = f["changed_since_close"]
    head = html.P(
        [
            html.Strong(f"🔒 Đã chốt ngày {when} bởi {closed['closed_by']}"),
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
