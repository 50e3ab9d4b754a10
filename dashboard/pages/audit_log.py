"""Nhật ký — the audit log for the Home Affairs office: sign-ins, imports, exports, refusals, user changes.
Read from `audit.jsonl` on every visit (it is not part of the data snapshot, so it is never cached)."""

from __future__ import annotations

import datetime as dt

import dash
from dash import html

from .. import audit
from ..auth import current_principal
from ..reader import current_reader
from ..ui import format as fmt
from ..ui import ids
from ..ui.components import empty_state, page_header, paged_grid, section
from .common import forbidden

SHOWN = 2000


FIELD_LABELS = {
    "role": "vai trò",
    "ip": "địa chỉ",
    "what": "nội dung",
    "reason": "lý do",
    "path": "đường dẫn",
    "file": "tệp",
    "files": "tệp",
    "sha256": "SHA-256",
    "kind": "loại",
    "rows_read": "đọc",
    "accepted": "nhận",
    "rejected": "loại bỏ",
    "via": "qua",
    "period": "kỳ",
    "unit": "đơn vị",
    "units": "đơn vị",
    "view": "danh sách",
    "by": "theo",
    "rows": "số dòng",
    "pages": "số trang",
    "username": "người dùng",
    # digests and alerts (addresses are never logged: only how many)
    "recipients": "số người nhận",
    "attempts": "số lần thử",
    "server": "máy chủ thư",
    "subscription": "đăng ký",
    "rule": "quy tắc",
    "as_user": "như người dùng",
    "kpis_met": "chỉ tiêu đạt",
}


def _detail(r: dict) -> str:
    return "; ".join(
        f"{FIELD_LABELS.get(k, k)}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
        for k, v in r.items()
        if k not in ("at", "event", "user")
    )


def _when(at: str | None) -> str:
    try:
        return fmt.datetime(dt.datetime.fromisoformat(at))
    except (TypeError, ValueError):
        return at or ""


def layout(event=None, **_):
    if not current_principal().can("audit"):
        return forbidden()
    reader = current_reader()
    rows = audit.read(SHOWN)
    grid = (
        paged_grid(
            "audit-grid",
            [
                {
                    "at": _when(r.get("at")),
                    "event": audit.EVENTS.get(r.get("event"), r.get("event")),
                    "user": r.get("user", ""),
                    "detail": _detail(r),
                }
                for r in rows
            ],
            [
                {"field": "at", "headerName": "Thời điểm", "width": 180},
                {"field": "event", "headerName": "Sự kiện", "width": 200, "filter": True},
                {"field": "user", "headerName": "Người dùng", "width": 170, "filter": True},
                {"field": "detail", "headerName": "Chi tiết", "flex": 1, "wrapText": True, "autoHeight": True},
            ],
            25,
            720,
        )
        if rows
        else empty_state("Nhật ký chưa có mục nào.")
    )
    return html.Div(
        [
            page_header("Nhật ký", "Đăng nhập, nạp dữ liệu, xuất dữ liệu và các lần bị từ chối truy cập", reader),
            section(
                f"{fmt.num(len(rows))} mục gần nhất" + (f" (tối đa {fmt.num(SHOWN)})" if len(rows) >= SHOWN else ""),
                grid,
                html.P(
                    "Nhật ký không chứa dữ liệu cá nhân của người dân.",
                    className="text-muted small-note mt-2",
                ),
            ),
        ],
        className="page page-audit",
    )


dash.register_page(
    __name__, path=ids.AUDIT_PATH, name="Nhật ký", title="Nhật ký — CCHC", order=8, layout=layout, permission="audit"
)
