"""Bản tin & cảnh báo — for the Home Affairs office: who receives the digest, in whose scope, when, what, its last
send and the next; the alert rules and whether each is crossed now. Read from the files next to the database on
every visit (`subscriptions.json`, `alerts.json`: never part of the data snapshot, never cached).

The office adds a subscription (name, addresses, the city or one unit from the type-ahead picker, a schedule such as
"Thứ 2 07:00", the period) and removes one (after a confirmation) here, through the same code as the command line
(subscriptions.add_checked / remove_checked: validated, written under the state file's lock, audited). Every
callback checks the role on the server: a forged request from another role gets 403."""

from __future__ import annotations

import datetime as dt
import time

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html

from ..auth import current_principal, require
from ..jobs import JobStore
from ..metrics.units import current_units
from ..reader import current_db_path, current_reader
from ..subscriptions import (
    PERIODS,
    SubscriptionError,
    SubscriptionStore,
    add_checked,
    path_for,
    remove_checked,
    rows,
    split_addresses,
)
from ..ui import format as fmt
from ..ui import ids
from ..ui.components import DROPDOWN_LABELS, empty_state, page_header, section, table, units_options
from .common import forbidden

PERMISSION = "audit"  # the Home Affairs office's pages (this one, the audit log)
PERIOD_LABELS = dict(zip(PERIODS, ("Tuần", "Tháng", "Quý", "6 tháng", "Năm")))
LIST, FEEDBACK, ADD = "sub-list", "sub-feedback", "sub-add"
REMOVE, CONFIRM, CONFIRM_YES, CONFIRM_NO, PENDING = "sub-remove", "sub-confirm", "sub-confirm-yes", "sub-confirm-no", \
    "sub-pending"
TEST, TEST_STATUS, TEST_JOB, TEST_POLL = "sub-test", "sub-test-status", "sub-test-job", "sub-test-poll"
ALL_CITY = "Toàn thành phố"


def _when(text: str | None) -> str:
    return fmt.datetime(dt.datetime.fromisoformat(text)) if text else "chưa gửi"


def _status(r: dict) -> str:
    if r["last_error"]:
        return "✖ Lỗi: " + r["last_error"]
    if r["last_sent"] or r["due"]:
        return "▲ Đến hạn" if r["due"] else "✔ Đã gửi"
    return "– Chưa đến lịch"


def _subscriptions_table(now: dt.datetime, names: dict[str, str] | None = None):
    """The list of subscriptions (redrawn after an addition or a removal), each with its «Xoá» button."""
    store = SubscriptionStore(path_for(current_db_path()))
    try:
        listed = rows(store.load(), now)
    except SubscriptionError:
        return empty_state("Không đọc được danh sách đăng ký (tệp trạng thái bị hỏng).",
                           "Báo quản trị hệ thống; các đăng ký chưa bị xoá.")
    if not listed:
        return empty_state("Chưa có đăng ký nào.", "Thêm đăng ký bằng biểu mẫu bên dưới.")
    names = names or {}
    body = [
        html.Tr([
            html.Td(r["name"] or r["id"]),
            html.Td(", ".join(r["to"])),
            html.Td(r["as_user"] or "Toàn quyền"),
            html.Td(names.get(r["unit"], r["unit"]) if r["unit"] else ALL_CITY),
            html.Td(r["schedule_label"]),
            html.Td(PERIOD_LABELS.get(r["period"], r["period"])),
            html.Td(_when(r["last_sent"])),
            html.Td(fmt.datetime(dt.datetime.fromisoformat(r["next"]))),
            html.Td(_status(r)),
            html.Td(dbc.Button("Xoá", id={"type": REMOVE, "sub": r["id"]}, color="outline-danger", size="sm",
                               title=f"Xoá đăng ký {r['name'] or r['id']}")),
        ], **{"data-subscription": r["id"]})
        for r in listed
    ]
    return table(["Tên", "Người nhận", "Phạm vi của", "Đơn vị", "Lịch gửi", "Kỳ", "Gửi gần nhất", "Lần gửi tới",
                  "Trạng thái", html.Th(html.Span("Thao tác", className="visually-hidden"))], body,
                 class_name="table table-sm", table_id="subscriptions-table")


def _unit_names() -> dict[str, str]:
    u = current_units(current_reader())
    return dict(zip(u.unit_code, u.unit_name))


def _add_form(reader):
    def field(label, control, width):
        return dbc.Col([dbc.Label(label, html_for=control.id, className="filter-label"), control], md=width)

    return html.Div([
        html.H3("Thêm đăng ký", className="sub-title mt-3"),
        dbc.Row([
            field("Tên gợi nhớ", dbc.Input(id="sub-name", placeholder="vd. Bản tin Chủ tịch", maxLength=80), 3),
            field("Người nhận (địa chỉ thư, cách nhau bởi dấu phẩy)",
                  dbc.Input(id="sub-to", placeholder="chutich@…", maxLength=500), 5),
            field("Đơn vị", dcc.Dropdown(
                id="sub-unit", options=units_options(current_units(reader), with_all=ALL_CITY), value="",
                clearable=False, searchable=True, labels=DROPDOWN_LABELS, placeholder="Gõ tên đơn vị…",
                className="filter-dropdown"), 4),
        ], className="g-3"),
        dbc.Row([
            field("Lịch gửi", dbc.Input(id="sub-schedule", value="Thứ 2 07:00", maxLength=60), 3),
            field("Kỳ số liệu", dcc.Dropdown(
                id="sub-period", options=[{"label": v, "value": k} for k, v in PERIOD_LABELS.items()],
                value="quarter", clearable=False, searchable=False, labels=DROPDOWN_LABELS,
                className="filter-dropdown"), 3),
            dbc.Col(dbc.Button("Thêm đăng ký", id=ADD, color="primary"), md=3, className="d-flex align-items-end"),
        ], className="g-3 mt-1"),
        html.P('Lịch gửi: ngày rồi giờ, vd. "Thứ 2 07:00", "T2,T5 07:00", "hằng ngày 06:30". Kỳ số liệu: kỳ chứa '
               "ngày dữ liệu mới nhất.", className="text-muted small-note mt-2"),
        html.Div(id=FEEDBACK, role="status"),
        html.H3("Gửi thử bản tin", className="sub-title mt-4"),
        dbc.Row([
            field("Gửi ngay một bản tin (đơn vị và kỳ như biểu mẫu trên) đến",
                  dbc.Input(id="sub-test-to", placeholder="địa chỉ thư", maxLength=200), 5),
            dbc.Col(dbc.Button("Gửi thử", id=TEST, color="outline-primary"), md=3,
                    className="d-flex align-items-end"),
        ], className="g-3"),
        html.Div(id=TEST_STATUS, role="status"),
        dcc.Store(id=TEST_JOB),
        dcc.Interval(id=TEST_POLL, interval=1000, disabled=True),
    ], id="sub-add-form")


def _subscriptions_section(reader, now: dt.datetime):
    return section(
        "Đăng ký nhận bản tin",
        html.Div(_subscriptions_table(now, _unit_names()), id=LIST),
        html.P("Bản tin được gửi tự động khi đến lịch; thư gửi lỗi được thử lại ở lần sau và ghi vào nhật ký.",
               className="text-muted small-note mt-2"),
        _add_form(reader),
        dcc.Store(id=PENDING),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle("Xoá đăng ký?")),
            dbc.ModalBody(id="sub-confirm-body"),
            dbc.ModalFooter([
                dbc.Button("Huỷ", id=CONFIRM_NO, color="secondary"),
                dbc.Button("Xoá đăng ký", id=CONFIRM_YES, color="danger"),
            ]),
        ], id=CONFIRM, is_open=False),
    )


def _alerts_section():
    from ..alerts import AlertError, AlertState, load_rules, state_path

    db = current_db_path()
    try:
        rules = load_rules(db)
    except AlertError as exc:
        return section("Quy tắc cảnh báo", empty_state(f"Không dùng được các quy tắc cảnh báo: {exc}",
                                                       "Báo quản trị hệ thống."))
    if not rules:
        return section("Quy tắc cảnh báo", empty_state(
            "Chưa có quy tắc cảnh báo nào.",
            "Quy tắc cảnh báo do quản trị hệ thống thiết lập."))
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
        html.P("Đánh giá sau mỗi lần nạp dữ liệu và theo lịch; mỗi lần vượt ngưỡng gửi một thư kèm danh "
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
            _subscriptions_section(reader, now),
            _alerts_section(),
        ],
        className="page page-subscriptions",
    )


def _refused(message: str):
    return dbc.Alert(message, color="danger", id="sub-error", className="mt-2 mb-0")


@callback(
    Output(LIST, "children"),
    Output(FEEDBACK, "children"),
    Input(ADD, "n_clicks"),
    State("sub-name", "value"),
    State("sub-to", "value"),
    State("sub-unit", "value"),
    State("sub-schedule", "value"),
    State("sub-period", "value"),
    prevent_initial_call=True,
)
def add_subscription(_n, name, to, unit, schedule, period):
    user = require(PERMISSION).username  # a forged request from another role is refused (403)
    addresses = split_addresses(to)
    if not addresses:
        return dash.no_update, _refused("Nhập ít nhất một địa chỉ thư người nhận.")
    if not (schedule or "").strip():
        return dash.no_update, _refused('Nhập lịch gửi, vd. "Thứ 2 07:00".')
    try:
        sub = add_checked(current_db_path(), addresses, schedule.strip(), period or "quarter", unit or None,
                          name=name or "", by=user, reader=current_reader())
    except SubscriptionError as exc:
        return dash.no_update, _refused(f"Chưa thêm: {exc}")
    now = dt.datetime.now().replace(second=0, microsecond=0)
    done = dbc.Alert(f"Đã thêm đăng ký «{sub.name or sub.id}»: {', '.join(sub.to)}, "
                     f"{PERIOD_LABELS.get(sub.period, sub.period).lower()}, gửi {_label(sub.schedule)}.",
                     color="success", id="sub-added", className="mt-2 mb-0")
    return _subscriptions_table(now, _unit_names()), done


def _label(schedule: str) -> str:
    from ..subscriptions import Schedule

    return Schedule.parse(schedule).label


@callback(
    Output(CONFIRM, "is_open"),
    Output(PENDING, "data"),
    Output("sub-confirm-body", "children"),
    Input({"type": REMOVE, "sub": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def ask_remove(clicks):
    require(PERMISSION)
    trigger = dash.ctx.triggered_id
    if not trigger or not any(clicks or []):  # the list was redrawn, nothing clicked
        return dash.no_update, dash.no_update, dash.no_update
    sub_id = trigger["sub"]
    sub = next((s for s in SubscriptionStore(path_for(current_db_path())).load() if s.id == sub_id), None)
    if sub is None:
        return dash.no_update, dash.no_update, dash.no_update
    return True, sub_id, [f"Xoá đăng ký «{sub.name or sub.id}» gửi đến {', '.join(sub.to)}? ",
                          "Người nhận sẽ không nhận bản tin này nữa."]


@callback(
    Output(LIST, "children", allow_duplicate=True),
    Output(FEEDBACK, "children", allow_duplicate=True),
    Output(CONFIRM, "is_open", allow_duplicate=True),
    Input(CONFIRM_YES, "n_clicks"),
    Input(CONFIRM_NO, "n_clicks"),
    State(PENDING, "data"),
    prevent_initial_call=True,
)
def confirm_remove(_yes, _no, sub_id):
    user = require(PERMISSION).username
    if dash.ctx.triggered_id != CONFIRM_YES or not sub_id:
        return dash.no_update, dash.no_update, False
    try:
        remove_checked(current_db_path(), sub_id, by=user)
    except SubscriptionError as exc:
        feedback = _refused(f"Chưa xoá: {exc}")
    else:
        feedback = dbc.Alert("Đã xoá đăng ký.", color="success", id="sub-removed", className="mt-2 mb-0")
    now = dt.datetime.now().replace(second=0, microsecond=0)
    return _subscriptions_table(now, _unit_names()), feedback, False


def _send_test(jobs: JobStore, job_id: str, db_path, period: str, unit: str | None, to: str, user: str) -> dict:
    """The background test send (the digest's PDF is printed by chromium: seconds, not a held request)."""
    from ..digest import send_digest

    jobs.update(job_id, state="running")
    d = send_digest(db_path, period, unit, [to], by=user, test=True, log=lambda *_: None)
    return {"message": f"Đã gửi «{d.subject}» đến {to}."}


@callback(
    Output(TEST_JOB, "data"),
    Output(TEST_POLL, "disabled"),
    Output(TEST_STATUS, "children"),
    Input(TEST, "n_clicks"),
    State("sub-test-to", "value"),
    State("sub-unit", "value"),
    State("sub-period", "value"),
    prevent_initial_call=True,
)
def start_test_send(_n, to, unit, period):
    from ..digest import _address
    from ..mail import MailError, server_from

    user = require(PERMISSION).username
    to = (to or "").strip()
    if not _address(to) or len(split_addresses(to)) != 1:
        shown = f" (không phải {to!r})" if to else ""
        return dash.no_update, True, _refused(f"Nhập một địa chỉ thư hợp lệ để gửi thử{shown}.")
    try:
        server_from(current_reader().settings)
    except MailError:
        return dash.no_update, True, _refused("Chưa cấu hình máy chủ thư: báo quản trị hệ thống.")
    db = current_db_path()
    jobs = JobStore(db)
    job_id = jobs.create(kind="test-digest", user=user, message="Đang soạn bản tin…")
    from ..digest import DigestError, DigestFailed

    jobs.start(job_id, _send_test, jobs, job_id, db, period or "quarter", unit or None, to, user,
               known=(DigestError, DigestFailed))
    return job_id, False, dbc.Alert([dbc.Spinner(size="sm"), f" Đang soạn và gửi bản tin thử đến {to}…"],
                                    color="info", className="mt-2 mb-0")


@callback(
    Output(TEST_STATUS, "children", allow_duplicate=True),
    Output(TEST_POLL, "disabled", allow_duplicate=True),
    Input(TEST_POLL, "n_intervals"),
    State(TEST_JOB, "data"),
    prevent_initial_call=True,
)
def poll_test_send(_n, job_id):
    user = require(PERMISSION).username
    job = JobStore(current_db_path()).get(job_id)
    if not job or job.get("user") != user or job.get("kind") != "test-digest":
        return dash.no_update, True
    if job["state"] in ("queued", "running"):
        secs = int(time.time() - job["started"])
        return dbc.Alert([dbc.Spinner(size="sm"), f" Đang soạn và gửi bản tin thử… ({secs} giây)"], color="info",
                         className="mt-2 mb-0"), False
    if job["state"] == "error":
        return _refused(f"Không gửi được bản tin thử: {job['message']}"), True
    return dbc.Alert(job["message"], color="success", id="sub-test-sent", className="mt-2 mb-0"), True


dash.register_page(
    __name__, path=ids.SUBSCRIPTIONS_PATH, name="Bản tin", title="Bản tin & cảnh báo — CCHC", order=9,
    layout=layout, permission="audit",
)
