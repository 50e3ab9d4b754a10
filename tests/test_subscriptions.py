"""Digest subscriptions: schedules, `cchc digest --due` sends each due subscription once (a rerun, even after a
republish, sends nothing), a failed send stays due and is sent by the next run; the Home Affairs page lists them."""
import datetime as dt
import json
import shutil

import pytest
from conftest import cchc
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import examples
from smtp_sink import free_port, smtp_sink

from dashboard.subscriptions import Schedule, SubscriptionError, SubscriptionStore, new_subscription, path_for


@settings(max_examples=examples(60, 2000), deadline=None, derandomize=True)
@given(
    days=st.sets(st.integers(0, 6), min_size=1),
    hh=st.integers(0, 23),
    mm=st.integers(0, 59),
    now=st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31)),
)
def test_last_and_next_slot_bracket_now(days, hh, mm, now):
    names = ",".join(("Mon", "T3", "wed", "Thứ Năm", "fri", "T7", "CN")[d] for d in sorted(days))
    s = Schedule.parse(f"{names} {hh:02d}:{mm:02d}")
    assert set(s.days) == days
    last, nxt = s.last_slot(now), s.next_slot(now)
    assert last <= now < nxt and nxt - last <= dt.timedelta(days=7)
    assert last.weekday() in days and nxt.weekday() in days and last.time() == nxt.time() == dt.time(hh, mm)
    # no slot strictly between them
    day = last.date() + dt.timedelta(days=1)
    while day < nxt.date():
        assert day.weekday() not in days or dt.datetime.combine(day, s.at) > now >= dt.datetime.combine(day, s.at)
        day += dt.timedelta(days=1)


def test_due_once_per_slot():
    created = dt.datetime(2026, 11, 23, 8, 0)  # a Monday, after its 07:00
    sub = new_subscription(["ct@tayninh.example"], "Mon 07:00", now=created)
    assert not sub.due(dt.datetime(2026, 11, 29, 23, 59))  # this week's slot came before it was created
    assert sub.due(dt.datetime(2026, 11, 30, 7, 0)) and sub.due(dt.datetime(2026, 12, 2, 9, 0))  # missed runs catch up
    sub.last_sent = dt.datetime(2026, 11, 30, 7, 5).isoformat()
    assert not sub.due(dt.datetime(2026, 12, 6, 23, 0)) and sub.due(dt.datetime(2026, 12, 7, 7, 0))
    for bad in [dict(to=["x"], schedule="Mon 07:00"), dict(to=["a@b.vn"], schedule="Mon"),
                dict(to=["a@b.vn"], schedule="Mon 07:00", period="2026-Q9")]:
        with pytest.raises(SubscriptionError):
            new_subscription(**bad)


def _next_monday(after: dt.datetime) -> dt.datetime:
    d = after.date() + dt.timedelta(days=7 - after.weekday())
    return dt.datetime.combine(d, dt.time(7, 5))


@pytest.mark.browser  # each digest carries the PDF printed by chromium
def test_due_sends_once_survives_republish_and_retries_failures(demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_SMTP_BACKOFF", "0.05")
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    out = cchc("subscriptions", "add", "--to", "chutich@tayninh.example", "--schedule", "Mon 07:00", "--period",
               "2026-Q3", "--name", "Chủ tịch", db=db).stdout.decode()
    sub_id = out.split()[4].rstrip(":")
    cchc("subscriptions", "add", "--to", "pct@tayninh.example", "--schedule", "T3 07:00", db=db)  # Tuesdays only
    monday = _next_monday(dt.datetime.now())
    store = SubscriptionStore(path_for(db))
    with store.locked():  # both created just before that Monday's run
        subs = store.load()
        for s in subs:
            s.created_at = (monday - dt.timedelta(minutes=10)).isoformat()
        store.save(subs)

    # the mail server is down: reported, exit 1, still due
    r = cchc("digest", "--due", "--now", monday.isoformat(), "--smtp", f"127.0.0.1:{free_port()}", db=db, check=False)
    assert r.returncode == 1 and "đã gửi 0, lỗi 1" in r.stdout.decode() and "kết nối bị từ chối" in r.stdout.decode()
    listed = {s["id"]: s for s in json.loads(cchc("subscriptions", "list", "--format", "json", db=db).stdout)}
    assert listed[sub_id]["last_sent"] is None and "kết nối bị từ chối" in listed[sub_id]["last_error"]

    with smtp_sink() as (port, sink):
        smtp = ["--smtp", f"127.0.0.1:{port}"]
        r = cchc("digest", "--due", "--now", monday.isoformat(), *smtp, db=db)
        assert "đã gửi 1, lỗi 0" in r.stdout.decode()
        assert len(sink.messages) == 1 and sink.envelopes[0][1] == ["chutich@tayninh.example"]
        assert "Quý 3/2026" in sink.messages[0]["Subject"]
        cchc("digest", "--due", "--now", (monday + dt.timedelta(hours=1)).isoformat(), *smtp, db=db)
        cchc("settings", "city_name=Thành phố Tây Ninh", db=db)  # publishes a new database file
        cchc("digest", "--due", "--now", (monday + dt.timedelta(hours=2)).isoformat(), *smtp, db=db)
        assert len(sink.messages) == 1  # neither the rerun nor the republish resends
        r = cchc("digest", "--due", "--now", (monday + dt.timedelta(days=7)).isoformat(), *smtp, db=db)
        assert "đã gửi 2, lỗi 0" in r.stdout.decode()  # Tuesday's and the next Monday's
        assert sorted(e[1][0] for e in sink.envelopes) == ["chutich@tayninh.example"] * 2 + ["pct@tayninh.example"]
    audit = json.loads(cchc("audit", "--format", "json", db=db).stdout)
    assert [a["subscription"] for a in audit if a["event"] == "digest_sent"].count(sub_id) == 2
    assert [a["subscription"] for a in audit if a["event"] == "digest_failed"] == [sub_id]


def test_cli_add_list_remove_and_refusals(demo_db, tmp_path):
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    for args, needle in [(["--schedule", "T9 07:00"], "t9"), (["--schedule", "Mon 07:00", "--as", "nobody"], "nobody"),
                         (["--schedule", "Mon 07:00", "--unit", "NOPE"], "NOPE")]:
        r = cchc("subscriptions", "add", "--to", "a@b.vn", *args, db=db, check=False)
        assert r.returncode == 2 and needle in r.stderr.decode() and "Traceback" not in r.stderr.decode()
    sub_id = cchc("subscriptions", "add", "--to", "a@b.vn", "--schedule", "daily 06:30", "--unit", "W08",
                  db=db).stdout.decode().split()[4].rstrip(":")
    listed = json.loads(cchc("subscriptions", "list", "--format", "json", db=db).stdout)
    assert [(s["id"], s["unit"], s["schedule_label"]) for s in listed] == [(sub_id, "W08", "hằng ngày lúc 06:30")]
    assert (path_for(db).stat().st_mode & 0o777) == 0o600
    cchc("subscriptions", "remove", sub_id, db=db)
    assert json.loads(cchc("subscriptions", "list", "--format", "json", db=db).stdout) == []
    assert cchc("subscriptions", "remove", sub_id, db=db, check=False).returncode == 2


def test_page_lists_subscriptions_for_home_affairs_only(app, app_db):
    from test_security import page, sign_in

    store = SubscriptionStore(path_for(app_db))
    sub = store.add(new_subscription(["ct@tayninh.example"], "Mon 07:00", name="Bản tin chủ tịch"))
    rules = app_db.parent / "alerts.toml"
    rules.write_text('[[rule]]\nid = "qua-han-w08"\nkind = "overdue_above"\nunit = "W08"\nmax = 3\n'
                     'to = ["p8@tayninh.example"]\n', encoding="utf-8")
    (app_db.parent / "alerts-state.json").write_text('{"qua-han-w08:W08": {"state": "crossed"}}', encoding="utf-8")
    try:
        body = json.dumps(page(sign_in(app, "noivu"), "/ban-tin").json, ensure_ascii=False)
        assert "Bản tin chủ tịch" in body and "ct@tayninh.example" in body and "T2 lúc 07:00" in body
        assert "Hồ sơ quá hạn vượt 3" in body and "Đang vượt ngưỡng: W08" in body
        for user in ("chutich", "phuong"):
            body = json.dumps(page(sign_in(app, user), "/ban-tin").json, ensure_ascii=False)
            assert '"forbidden"' in body and "ct@tayninh.example" not in body
    finally:
        store.remove(sub.id)
        rules.unlink()
        (app_db.parent / "alerts-state.json").unlink()


def _add_via_page(c, name="", to="", unit="", schedule="Thứ 2 07:00", period="quarter"):
    """The «Thêm đăng ký» button's callback, posted as Dash's renderer posts it (or as a forger would)."""
    states = {"sub-name": name, "sub-to": to, "sub-unit": unit, "sub-schedule": schedule, "sub-period": period}
    return c.post("/_dash-update-component", json={
        "output": "..sub-list.children...sub-feedback.children..",
        "outputs": [{"id": "sub-list", "property": "children"}, {"id": "sub-feedback", "property": "children"}],
        "inputs": [{"id": "sub-add", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["sub-add.n_clicks"],
        "state": [{"id": k, "property": "value", "value": v} for k, v in states.items()],
    })


def _remove_via_page(c, sub_id):
    """The confirmation's «Xoá đăng ký» button (its outputs carry Dash's allow_duplicate suffix)."""
    [output] = [d["output"] for d in c.get("/_dash-dependencies").json if "sub-confirm.is_open@" in d["output"]]
    outputs = [{"id": o.split(".", 1)[0], "property": o.split(".", 1)[1]} for o in output.strip(".").split("...")]
    return c.post("/_dash-update-component", json={
        "output": output,
        "outputs": outputs,
        "inputs": [{"id": "sub-confirm-yes", "property": "n_clicks", "value": 1},
                   {"id": "sub-confirm-no", "property": "n_clicks", "value": None}],
        "changedPropIds": ["sub-confirm-yes.n_clicks"],
        "state": [{"id": "sub-pending", "property": "data", "value": sub_id}],
    })


def _feedback(r) -> str:
    return json.dumps(r.json["response"]["sub-feedback"], ensure_ascii=False)


def test_page_adds_validates_and_removes_through_the_clis_code_and_audits(app, app_db):
    from test_security import sign_in

    store = SubscriptionStore(path_for(app_db))
    audit_log = app_db.parent / "audit.jsonl"
    before = store.load()
    c = sign_in(app, "noivu")
    refusals = [
        (dict(to="", schedule="Thứ 2 07:00"), "Nhập ít nhất một địa chỉ thư"),
        (dict(to="chutich-tayninh", schedule="Thứ 2 07:00"), "địa chỉ thư không hợp lệ: chutich-tayninh"),
        (dict(to="a@b.vn", schedule="Thứ 9 07:00"), "không hiểu ngày thu_9"),
        (dict(to="a@b.vn", schedule="Thứ 2"), "lịch gửi không hợp lệ"),
        (dict(to="a@b.vn", schedule="Thứ 2 25:00"), "lịch gửi không hợp lệ"),
        (dict(to="a@b.vn", schedule=""), "Nhập lịch gửi"),
        (dict(to="a@b.vn", unit="NOPE"), "không có đơn vị 'NOPE'"),
        (dict(to="a@b.vn", period="2026-Q9"), "kỳ không hợp lệ"),
    ]
    for fields, needle in refusals:
        r = _add_via_page(c, **fields)
        assert r.status_code == 200 and "sub-list" not in r.json["response"], fields  # the list is left as it was
        assert "Chưa thêm" in _feedback(r) or "Nhập" in _feedback(r)
        assert needle in _feedback(r), (fields, _feedback(r))
    assert store.load() == before  # nothing written by a refusal

    r = _add_via_page(c, name="Bản tin phường 8", to="p8@tayninh.example, pct@tayninh.example", unit="W08",
                      schedule="T2,T5 07:30", period="month")
    assert "Đã thêm đăng ký «Bản tin phường 8»" in _feedback(r)
    [sub] = [s for s in store.load() if s not in before]
    assert (sub.to, sub.unit, sub.schedule, sub.period, sub.name) == (
        ["p8@tayninh.example", "pct@tayninh.example"], "W08", "T2,T5 07:30", "month", "Bản tin phường 8")
    listed = json.dumps(r.json["response"]["sub-list"], ensure_ascii=False)
    assert "p8@tayninh.example" in listed and "T2, T5 lúc 07:30" in listed and "Tháng" in listed
    assert (path_for(app_db).stat().st_mode & 0o777) == 0o600

    for user in ("chutich", "phuong"):  # forged from another role: refused on the server, nothing changed
        other = sign_in(app, user)
        assert _add_via_page(other, to="x@evil.example").status_code == 403
        assert _remove_via_page(other, sub.id).status_code == 403
    assert sub in store.load() and not any("x@evil.example" in s.to for s in store.load())

    r = _remove_via_page(c, sub.id)
    assert "Đã xoá đăng ký" in _feedback(r) and r.json["response"]["sub-confirm"] == {"is_open": False}
    assert sub.id not in [s.id for s in store.load()] and store.load() == before
    r = _remove_via_page(c, sub.id)  # twice (another tab): a clear message, no traceback
    assert "Chưa xoá: không có đăng ký" in _feedback(r)
    entries = [json.loads(line) for line in audit_log.read_text(encoding="utf-8").splitlines()]
    mine = [(e["event"], e["user"]) for e in entries if e.get("subscription") == sub.id]
    assert mine == [("subscription_added", "noivu"), ("subscription_removed", "noivu")]


def test_page_test_send_is_refused_clearly_and_for_other_roles(app):
    from test_security import sign_in

    def send(c, to):
        return c.post("/_dash-update-component", json={
            "output": "..sub-test-job.data...sub-test-poll.disabled...sub-test-status.children..",
            "outputs": [{"id": "sub-test-job", "property": "data"}, {"id": "sub-test-poll", "property": "disabled"},
                        {"id": "sub-test-status", "property": "children"}],
            "inputs": [{"id": "sub-test", "property": "n_clicks", "value": 1}],
            "changedPropIds": ["sub-test.n_clicks"],
            "state": [{"id": "sub-test-to", "property": "value", "value": to},
                      {"id": "sub-unit", "property": "value", "value": ""},
                      {"id": "sub-period", "property": "value", "value": "quarter"}],
        })

    for user in ("chutich", "phuong"):
        assert send(sign_in(app, user), "a@b.vn").status_code == 403
    c = sign_in(app, "noivu")
    for to, needle in [("", "Nhập một địa chỉ thư hợp lệ"), ("a@b.vn, c@d.vn", "Nhập một địa chỉ thư hợp lệ"),
                       ("a@b.vn", "Chưa cấu hình máy chủ thư: báo quản trị hệ thống.")]:  # no smtp_host in the demo
        r = send(c, to)
        status = json.dumps(r.json["response"]["sub-test-status"], ensure_ascii=False)
        assert needle in status and "cchc" not in status and "sub-test-job" not in r.json["response"], status


def test_page_text_names_no_command_or_file(app, app_db):
    """Errors are worded at their source: a failed send (no mail server) records the page's message and, apart, the
    command line's hint; a broken rules file is refused with its file as the hint. The page shows the messages
    alone: no command, no file name."""
    from test_security import page, sign_in

    from dashboard.subscriptions import send_due

    store = SubscriptionStore(path_for(app_db))
    sub = new_subscription(["ct@tayninh.example"], "Thứ 2 07:00", name="Lỗi máy chủ", now=dt.datetime(2020, 1, 1))
    store.add(sub)
    rules = app_db.parent / "alerts.toml"
    rules.write_text("[[rule]\n", encoding="utf-8")
    try:
        said = []
        send_due(app_db, now=dt.datetime.now(), log=said.append)  # the demo has no smtp_host
        recorded = next(s for s in store.load() if s.id == sub.id)
        assert recorded.last_error == "chưa có máy chủ thư"
        assert recorded.last_error_hint == "đặt `cchc settings smtp_host=… smtp_port=…` hoặc dùng --smtp HOST:PORT"
        assert "Đăng ký Lỗi máy chủ: lỗi: chưa có máy chủ thư (đặt `cchc settings smtp_host=…" in "\n".join(said)
        body = json.dumps(page(sign_in(app, "noivu"), "/ban-tin").json, ensure_ascii=False)
        assert "✖ Lỗi: chưa có máy chủ thư" in body
        assert "Không dùng được các quy tắc cảnh báo: không đọc được tệp quy tắc cảnh báo" in body
        for needle in ("cchc ", "--smtp", "subscriptions.json", "alerts.toml", ".duckdb", "`", str(app_db.parent)):
            assert needle not in body, needle
    finally:
        rules.unlink()
        store.remove(sub.id)


def test_cli_prints_the_hint_the_page_leaves_out(demo_db, tmp_path):
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    r = cchc("digest", "--to", "ct@tayninh.example", "--period", "2026-Q3", db=db, check=False)
    assert r.returncode != 0
    assert ("chưa có máy chủ thư (đặt `cchc settings smtp_host=… smtp_port=…` hoặc dùng --smtp HOST:PORT)"
            in r.stderr.decode())
    r = cchc("digest", "--to", "ct@tayninh.example", "--as", "khong_co", db=db, check=False)
    assert r.returncode != 0 and "không có người dùng 'khong_co' (xem `cchc users list`)" in r.stderr.decode()
    cchc("subscriptions", "add", "--to", "ct@tayninh.example", "--schedule", "Mon 07:00", db=db)
    store = SubscriptionStore(path_for(db))
    with store.locked():
        subs = store.load()
        subs[0].created_at = dt.datetime(2020, 1, 1).isoformat()
        store.save(subs)
    r = cchc("digest", "--due", "--now", _next_monday(dt.datetime.now()).isoformat(), db=db, check=False)
    assert r.returncode == 1 and "lỗi: chưa có máy chủ thư (đặt `cchc settings smtp_host=…" in r.stdout.decode()
    listed = cchc("subscriptions", "list", db=db).stdout.decode()
    assert "LỖI: chưa có máy chủ thư (đặt `cchc settings smtp_host=… smtp_port=…` hoặc dùng --smtp HOST:PORT)" in listed
    (db.parent / "subscriptions.json").write_text("{không phải json", encoding="utf-8")
    r = cchc("subscriptions", "list", db=db, check=False)
    assert r.returncode != 0 and "không đọc được danh sách đăng ký" in r.stderr.decode()
    assert str(db.parent / "subscriptions.json") in r.stderr.decode()
