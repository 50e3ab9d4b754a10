"""Bản tin & cảnh báo — for the Home Affairs office: who receives the digest, in whose scope, when, what, its last
send and the next; the alert rules and whether each is crossed now. Read from the files next to the database on
every visit (`subscriptions.json`, `alerts.json`: never part of the data snapshot, never cached)."""

from __future__ import annotations

import datetime as dt

import dash
import flask
from dash import html

from ..auth import current_principal
from ..reader import current_reader
from ..subscriptions import SubscriptionError, SubscriptionStore, path_for, rows
from ..ui import format as fmt
from ..ui import ids
from ..ui.components import empty_state, page_header, section, table
from .common import forbidden


def _when(text: str | None) -> str:
    return fmt.datetime(dt.datetime.fromisoformat(text)) if text else "chưa gửi"


def _db_path():
    return flask.current_app.extensions["cchc_data"].database.path


def _subscriptions_section(now: dt.datetime):
    store = SubscriptionStore(path_for(_db_path()))
    try:
        listed = rows(store.load(), now)
    except SubscriptionError as exc:
        return section("Đăng ký nhận bản tin", empty_state(f"Không đọc được danh sách đăng ký: {exc}"))
    if not listed:
        return section("Đăng ký nhận bản tin", empty_state(
            "Chưa có đăng ký nào.", 'Thêm bằng lệnh: cchc subscriptions add --to ĐỊA_CHỈ --schedule "Mon 07:00"'))
    body = [
        html.Tr([
            html.Td(r["name"] or r["id"]),
            html.Td(", ".join(r["to"])),
            html.Td(r["as_user"] or "Toàn quyền"),
            html.Td(r["unit"] or "Toàn bộ phạm vi"),
            html.Td(r["schedule_label"]),
            html.Td(r["period"]),
            html.Td(_when(r["last_sent"])),
            html.Td(fmt.datetime(dt.datetime.fromisoformat(r["next"]))),
            html.Td(["✖ Lỗi: " + r["last_error"]] if r["last_error"] else ("▲ Đến hạn" if r["due"] else "✔ Đã gửi")
                    if r["last_sent"] or r["due"] else "– Chưa đến lịch"),
        ], **{"data-subscription": r["id"]})
        for r in listed
    ]
    return section(
        f"Đăng ký nhận bản tin ({fmt.num(len(listed))})",
        table(["Tên", "Người nhận", "Phạm vi của", "Đơn vị", "Lịch gửi", "Kỳ", "Gửi gần nhất", "Lần gửi tới",
               "Trạng thái"], body, class_name="table table-sm", table_id="subscriptions-table"),
        html.P("Lệnh `cchc digest --due` (systemd timer hoặc cron) gửi mọi đăng ký đã đến giờ; thư lỗi được thử lại "
               "ở lần chạy sau và ghi vào nhật ký.", className="text-muted small-note mt-2"),
    )


def _alerts_section():
    from ..alerts import AlertError, AlertState, load_rules, rules_path, state_path

    db = _db_path()
    try:
        rules = load_rules(db)
    except AlertError as exc:
        return section("Quy tắc cảnh báo", empty_state(f"Không dùng được tệp quy tắc: {exc}"))
    if not rules:
        return section("Quy tắc cảnh báo", empty_state(
            "Chưa có quy tắc cảnh báo nào.",
            f"Viết các quy tắc vào {rules_path(db).name} cạnh cơ sở dữ liệu (README)."))
    state = AlertState(state_path(db)).load()
    body = []
    for r in rules:
        mine = {k.split(":", 1)[1]: v for k, v in state.items() if k.startswith(r.id + ":")}
        crossed = sorted(k for k, v in mine.items() if v.get("state") == "crossed")
        unsent = sorted(k for k, v in mine.items() if v.get("state") == "unsent")
        status = (["✖ Chưa gửi được: " + ", ".join(unsent)] if unsent else []) + (
            ["▲ Đang vượt ngưỡng: " + ", ".join(crossed)] if crossed else [])
        body.append(html.Tr([
            html.Td(r.id), html.Td(r.label), html.Td(", ".join(r.to)), html.Td(r.as_user or "Toàn quyền"),
            html.Td("; ".join(status) or ("✔ Bình thường" if mine else "– Chưa đánh giá")),
        ], **{"data-rule": r.id}))
    return section(
        f"Quy tắc cảnh báo ({fmt.num(len(rules))})",
        table(["Quy tắc", "Điều kiện", "Người nhận", "Phạm vi của", "Trạng thái"], body, class_name="table table-sm",
              table_id="alerts-table"),
        html.P("Đánh giá sau mỗi lần nạp dữ liệu và bằng `cchc alerts check`; mỗi lần vượt ngưỡng gửi một thư kèm danh "
               "sách Excel, không gửi lại cho đến khi trở lại bình thường.", className="text-muted small-note mt-2"),
    )


def layout(**_):
    if not current_principal().can("audit"):
        return forbidden()
    reader = current_reader()
    now = dt.datetime.now().replace(second=0, microsecond=0)
    return html.Div(
        [
            page_header("Bản tin & cảnh báo", "Ai nhận bản tin, khi nào, trong phạm vi nào", reader),
            _subscriptions_section(now),
            _alerts_section(),
        ],
        className="page page-subscriptions",
    )


dash.register_page(
    __name__, path=ids.SUBSCRIPTIONS_PATH, name="Bản tin", title="Bản tin & cảnh báo — CCHC", order=9,
    layout=layout, permission="audit",
)
