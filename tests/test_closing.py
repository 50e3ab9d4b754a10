"""Closing a period (chốt số liệu): `cchc close`, `cchc report` on a closed period, `cchc reopen`.

Fixture counted by hand (units TP, A, B; Q1/2026):
  A: HS-001 early, HS-002 late, HS-003 open and overdue at 31/03 (due 17/03)
  B: HS-004 on time (completed on the due day, before due_at), HS-005 early
  B: HS-006 received in April (the data's as-of date is then after the quarter's end)
Closed form: A received_new 3, resolved 2 (1 early, 1 late), pending 1 (1 overdue); B received_new 2, resolved 2
(1 early, 1 on time). A later import changes two dossiers: HS-003 completed 20/03 (late), HS-004 completed 11/02
(late). Current figures: A resolved 3 (late 2), pending 0; B on time 0, late 1 — six (unit, key) differences.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from conftest import cchc
from harness import copy_folder
from test_ui import _text

D = dt.datetime
UNITS = """unit_code,unit_name,unit_kind,parent_code,level
TP,Thành phố Mẫu,ubnd,,city
A,Phường An Hòa,phuong,TP,ward
B,Xã Bình Minh,xa,TP,ward
"""


def _dossier(i: int, unit: str, received: D, due: D, completed: D | None, updated: D | None = None) -> dict:
    return dict(dossier_id=f"HS-{i:03d}", unit_code=unit, procedure_code="1.001612", procedure_name="Đăng ký khai sinh",
                field="Hộ tịch", channel="truc_tiep", received_at=received, due_at=due, completed_at=completed,
                status="da_giai_quyet" if completed else "dang_xu_ly", handler="", late_reason="",
                updated_at=updated or (completed or received) + dt.timedelta(hours=1))


ROWS = [
    _dossier(1, "A", D(2026, 1, 5, 8), D(2026, 1, 12, 17), D(2026, 1, 9, 10)),
    _dossier(2, "A", D(2026, 1, 6, 8), D(2026, 1, 13, 17), D(2026, 1, 15, 10)),
    _dossier(3, "A", D(2026, 3, 10, 8), D(2026, 3, 17, 17), None),
    _dossier(4, "B", D(2026, 2, 2, 8), D(2026, 2, 9, 17), D(2026, 2, 9, 9)),
    _dossier(5, "B", D(2026, 2, 3, 8), D(2026, 2, 10, 17), D(2026, 2, 6, 10)),
    _dossier(6, "B", D(2026, 4, 6, 8), D(2026, 4, 13, 17), D(2026, 4, 8, 10)),
]
LATER = [  # the later extract: two dossiers changed, with newer versions
    _dossier(3, "A", D(2026, 3, 10, 8), D(2026, 3, 17, 17), D(2026, 3, 20, 10), updated=D(2026, 4, 20, 9)),
    _dossier(4, "B", D(2026, 2, 2, 8), D(2026, 2, 9, 17), D(2026, 2, 11, 9), updated=D(2026, 4, 20, 9)),
]
KEYS = ("received_new", "resolved_total", "resolved_early", "resolved_on_time", "resolved_late", "pending_total",
        "pending_overdue")


def _pick(row: dict) -> tuple:
    return tuple(row[k] for k in KEYS)


def _add_user(db, name: str, role: str) -> None:
    cchc("users", "add", name, "--role", role, "--password-stdin", db=db, input=b"mat-khau-dai-du\n")


@pytest.fixture(scope="module")
def closed_template(tmp_path_factory):
    """The folder built once (import, two users: a password hash each), copied for every test."""
    from builders import write_csv

    tmp = tmp_path_factory.mktemp("closing")
    (tmp / "units.csv").write_text(UNITS, encoding="utf-8")
    write_csv(tmp / "hoso.csv", ROWS)
    write_csv(tmp / "hoso-later.csv", LATER)
    db = tmp / "c.duckdb"
    out = cchc("ingest", str(tmp / "units.csv"), str(tmp / "hoso.csv"), db=db).stdout.decode()
    assert "đọc 6 dòng, nhận 6, loại 0" in out
    _add_user(db, "noivu", "noi_vu")
    _add_user(db, "chutich", "lanh_dao")
    return db


@pytest.fixture()
def closed_db(closed_template, tmp_path):
    return copy_folder(closed_template, tmp_path)


def _report(db, *extra: str) -> dict:
    return json.loads(cchc("report", "quarterly", "--period", "2026-Q1", *extra, db=db).stdout)


def test_close_import_report_shows_closed_figures_and_the_differences(closed_db):
    db = closed_db
    before = _report(db)
    assert "closed" not in before and "changed_since_close" not in before
    out = cchc("close", "--period", "2026-Q1", "--as", "noivu", db=db).stdout.decode()
    assert "Đã chốt Quý 1/2026" in out and "bởi noivu" in out and "số liệu của 2 đơn vị có hồ sơ" in out
    closed = _report(db)
    assert closed["closed"]["closed_by"] == "noivu"
    assert closed["closed"]["data_version"] == before["data_version"]
    assert closed["changed_since_close"] == []
    assert closed["rows"] == before["rows"] and closed["total"] == before["total"]

    ingested = cchc("ingest", str(db.parent / "hoso-later.csv"), db=db).stdout.decode()
    assert "đọc 2 dòng, nhận 2, loại 0" in ingested
    after = _report(db)
    rows = {r["unit_code"]: _pick(r) for r in after["rows"]}
    assert rows == {"TP": (0, 0, 0, 0, 0, 0, 0), "A": (3, 2, 1, 0, 1, 1, 1), "B": (2, 2, 1, 1, 0, 0, 0)}
    assert _pick(after["total"]) == (5, 4, 2, 1, 1, 1, 1)
    assert after["closed"] == closed["closed"]
    diffs = {(d["unit_code"], d["key"]): (d["closed"], d["current"]) for d in after["changed_since_close"]}
    assert diffs == {
        ("A", "resolved_total"): (2, 3),
        ("A", "resolved_late"): (1, 2),
        ("A", "pending_total"): (1, 0),
        ("A", "pending_overdue"): (1, 0),
        ("B", "resolved_on_time"): (1, 0),
        ("B", "resolved_late"): (0, 1),
    }
    assert {d["unit_name"] for d in after["changed_since_close"]} == {"Phường An Hòa", "Xã Bình Minh"}
    # one unit: its rows and only its differences
    one = _report(db, "--unit", "B")
    assert [r["unit_code"] for r in one["rows"]] == ["B"]
    assert {(d["unit_code"], d["key"]) for d in one["changed_since_close"]} == {
        ("B", "resolved_on_time"), ("B", "resolved_late")}
    # by field: the frozen unit × field counts regrouped
    by_field = _report(db, "--by", "field")
    assert [(r["field"], r["resolved_late"], r["pending_overdue"]) for r in by_field["rows"]] == [("Hộ tịch", 1, 1)]
    # CSV carries the closed figures too (the same form)
    csv_text = cchc("report", "quarterly", "--period", "2026-Q1", "--format", "csv", db=db).stdout.decode()
    assert csv_text == cchc("report", "quarterly", "--period", "2026-Q1", "--format", "csv", db=db).stdout.decode()

    # another period is not closed: current figures
    q2 = json.loads(cchc("report", "quarterly", "--period", "2026-Q2", db=db).stdout)
    assert "closed" not in q2

    # reopened: the current figures, no closure; the reason is in the audit log
    out = cchc("reopen", "--period", "2026-Q1", "--reason", "Sở Nội vụ yêu cầu cập nhật", "--as", "noivu", db=db)
    assert "Đã mở lại Quý 1/2026" in out.stdout.decode()
    reopened = _report(db)
    assert "closed" not in reopened
    assert {r["unit_code"]: _pick(r) for r in reopened["rows"]} == {
        "TP": (0, 0, 0, 0, 0, 0, 0), "A": (3, 3, 1, 0, 2, 0, 0), "B": (2, 2, 1, 0, 1, 0, 0)}
    log = [json.loads(line) for line in (db.parent / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    events = [(e["event"], e.get("user"), e.get("period"), e.get("reason")) for e in log
              if e["event"].startswith("period_")]
    assert events == [("period_closed", "noivu", "2026-Q1", None),
                      ("period_reopened", "noivu", "2026-Q1", "Sở Nội vụ yêu cầu cập nhật")]
    listed = json.loads(cchc("close", "--list", "--format", "json", db=db).stdout)
    assert [(r["period"], r["closed_by"], r["reopened_by"], r["reopen_reason"]) for r in listed] == [
        ("2026-Q1", "noivu", "noivu", "Sở Nội vụ yêu cầu cập nhật")]

    # closed again: the figures of today are frozen, no differences
    cchc("close", "--period", "2026-Q1", db=db)
    again = _report(db)
    assert again["changed_since_close"] == [] and again["rows"] == reopened["rows"]
    assert len(json.loads(cchc("close", "--list", "--format", "json", db=db).stdout)) == 2


def test_closure_survives_republishing(closed_db):
    """settings and upgrade republish the file: the closure is carried like the other persistent tables."""
    db = closed_db
    cchc("close", "--period", "2026-Q1", db=db)
    cchc("settings", "city_name=Thành phố Mẫu", db=db)
    cchc("ingest", str(db.parent / "hoso-later.csv"), db=db)
    cchc("settings", "report_place=Mẫu", db=db)
    form = _report(db)
    assert form["closed"]["closed_by"].startswith("cli:")
    assert len(form["changed_since_close"]) == 6


def test_refusals_one_line_each(closed_db):
    db = closed_db

    def refused(*args: str) -> str:
        out = cchc(*args, db=db, check=False)
        err = out.stderr.decode().strip()
        assert out.returncode == 2 and "Traceback" not in err and "\n" not in err, err
        return err

    before = db.read_bytes()
    assert "không có quyền chốt" in refused("close", "--period", "2026-Q1", "--as", "chutich")
    assert "không có người dùng" in refused("close", "--period", "2026-Q1", "--as", "ai-do")
    assert "chưa kết thúc" in refused("close", "--period", "2026-Q2")  # data to 08/04/2026
    assert "khoảng ngày" in refused("close", "--period", "2026-01-01..2026-01-31")
    assert "chưa được chốt" in refused("reopen", "--period", "2026-Q1", "--reason", "thử")
    assert db.read_bytes() == before  # nothing published by a refusal
    cchc("close", "--period", "2026-Q1", db=db)
    again = refused("close", "--period", "2026-Q1")
    assert "đã chốt ngày" in again and "cchc reopen --period 2026-Q1" in again  # the command line names the command
    from dashboard.closing import ClosingError, close_period
    from dashboard.metrics.period import Period

    with pytest.raises(ClosingError) as web:  # the form page shows the same refusal without a command in it
        close_period(db, Period.parse("2026-Q1"), "noivu", None)
    assert "đã chốt ngày" in str(web.value) and "cchc" not in str(web.value) and "mở lại kỳ này" in str(web.value)
    assert "cần lý do" in refused("reopen", "--period", "2026-Q1", "--reason", "   ")
    assert "không có quyền" in refused("reopen", "--period", "2026-Q1", "--reason", "x", "--as", "chutich")
    no_reason = cchc("reopen", "--period", "2026-Q1", db=db, check=False)
    assert no_reason.returncode == 2 and b"--reason" in no_reason.stderr
    assert "closed" in _report(db)


def test_scoped_reader_sees_its_units_closed_figures(closed_db):
    from dashboard.db import Database, Scope
    from dashboard.metrics.closing import official_form
    from dashboard.metrics.period import Period
    from dashboard.reader import Reader

    db = closed_db
    cchc("close", "--period", "2026-Q1", db=db)
    cchc("ingest", str(db.parent / "hoso-later.csv"), db=db)
    reader = Reader(Database(db).snapshot(), Scope(units=frozenset({"A"}), personal=False, imports=False))
    form = official_form(reader, Period.parse("2026-Q1"))
    assert [r["unit_code"] for r in form["rows"]] == ["A"]
    assert {d["unit_code"] for d in form["changed_since_close"]} == {"A"}
    assert _pick(form["total"]) == (3, 2, 1, 0, 1, 1, 1)


def test_form_page_notice_names_who_and_when_and_lists_the_differences(closed_db):
    """The form page's notice (pages/report.py) from the same official_form the CLI prints."""
    from dashboard.db import Database
    from dashboard.metrics.closing import official_form
    from dashboard.metrics.period import Period
    from dashboard.ui.closing import closure_notice
    from dashboard.reader import Reader

    db = closed_db
    q1 = Period.parse("2026-Q1")
    assert closure_notice(official_form(Reader(Database(db).snapshot()), q1)) is None
    cchc("close", "--period", "2026-Q1", "--as", "noivu", db=db)
    cchc("ingest", str(db.parent / "hoso-later.csv"), db=db)
    notice = closure_notice(official_form(Reader(Database(db).snapshot()), q1))
    text = _text(notice)
    today = dt.date.today().strftime("%d/%m/%Y")
    assert f"Đã chốt ngày {today} bởi noivu" in text
    assert "làm thay đổi 6 số liệu" in text
    table = notice.children[1]
    body = [[_text(td) for td in tr.children] for tr in table.children[1].children]
    assert body[0] == ["Phường An Hòa", "Đã giải quyết: tổng số", "2", "3", "+1"]
    assert ["Xã Bình Minh", "Đã giải quyết: đúng hạn", "1", "0", "−1"] in body
    assert len(body) == 6


# ----------------------------------------------------------------------------- the form page's close / reopen
def _post(app, c, match: str, inputs: list[dict], state: list[dict]):
    """POST one callback as Dash's renderer does; the output names (Dash suffixes duplicate outputs with a hash)
    come from the app's own callback map (`match`: a part of the callback's output key)."""
    key = next(k for k in app.callback_map if match in k)
    outs = [part.rsplit(".", 1) for part in key.strip(".").split("...")]
    return c.post(
        "/_dash-update-component",
        json={
            "output": key,
            "outputs": [{"id": i, "property": p} for i, p in outs],
            "inputs": inputs,
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
            "state": state,
        },
    )


def _confirm(app, c, period: str, version: str, action: str, reason: str | None, polls: list | None = None):
    """The dialog's confirm click (pages/report.py `confirm_closing`: it starts a background job), then the
    dialog's polling (`poll_closing`) until the job has finished: the last answer (the page redrawn, or why not),
    or the confirm's own when it refused at once. `polls` collects the progress shown meanwhile."""
    r = _post(app, c, "closing-job.data", [{"id": "closing-confirm", "property": "n_clicks", "value": 1}], [
        {"id": "closing-target", "property": "data", "value": {"period": period, "version": version, "action": action}},
        {"id": "closing-reason", "property": "value", "value": reason},
    ])
    job = (r.json or {}).get("response", {}).get("closing-job", {}).get("data") if r.status_code == 200 else None
    if not job:
        return r
    for n in range(1, 600):
        p = _post(app, c, "_pages_content.children", [{"id": "closing-poll", "property": "n_intervals", "value": n}], [
            {"id": "closing-job", "property": "data", "value": job},
            {"id": "form-query", "property": "data", "value": {"period": period, "by": "unit", "unit": None}},
        ])
        if p.status_code != 200 or "closing-progress" not in _shown(p):
            return p
        if polls is not None:
            polls.append(_shown(p))
        time.sleep(0.1)
    raise AssertionError("the closing job did not finish in a minute")


def _closing_state(db):
    from dashboard.db import Database
    from dashboard.metrics.closing import closures

    from dashboard.reader import Reader

    reader = Reader(Database(db).snapshot())
    return reader.data_version, closures(reader)


def _shown(r) -> str:
    return json.dumps(r.json, ensure_ascii=False)


def _audit(app) -> list[dict]:
    from dashboard import audit
    from test_security import audit_log

    return audit.read(path_=audit_log(app))  # newest first


def test_form_page_closes_and_reopens_for_home_affairs_only(app, app_db):
    """The web action is `cchc close` / `cchc reopen` (closing.py): published by a swap, audited the same way;
    the button is on Home Affairs' form page only and a forged confirm from any other role is refused (403)
    with the database unchanged."""
    from test_security import page, sign_in

    period = "2026-Q2"
    version, before = _closing_state(app_db)
    assert not [r for r in before if r["period"] == period]
    for user in ("chutich", "phuong"):
        c = sign_in(app, user)
        assert "closing-open" not in _shown(page(c, "/bao-cao-quy", f"?period={period}"))
        r = _confirm(app, c, period, version, "close", None)
        assert r.status_code == 403, r.text[:300]
        assert _confirm(app, c, period, version, "reopen", "x").status_code == 403
    assert _closing_state(app_db) == (version, before)  # nothing published

    c = sign_in(app, "noivu")
    shown = _shown(page(c, "/bao-cao-quy", f"?period={period}"))
    assert "Chốt số liệu" in shown and f"phiên bản dữ liệu {version}" in shown
    # a stale confirmation (another import published since the page was shown) is refused, nothing written
    r = _confirm(app, c, period, "20200101000000-deadbeef", "close", None)
    assert r.status_code == 200 and "dữ liệu đã được cập nhật" in _shown(r)
    assert _closing_state(app_db)[0] == version

    r = _confirm(app, c, period, version, "close", None)
    assert r.status_code == 200, r.text[:500]
    assert "Đã chốt ngày" in _shown(r) and "Mở lại kỳ đã chốt" in _shown(r) and "icon icon-unlock" in _shown(r)
    assert "Không hiển thị được" not in _shown(r) and "không hợp lệ" not in _shown(r)  # the page, no notice
    new_version, after = _closing_state(app_db)
    assert new_version != version
    [rec] = [x for x in after if x["period"] == period]
    assert (rec["closed_by"], rec["data_version"], rec["reopened_at"]) == ("noivu", version, None)
    closed = [e for e in _audit(app) if e.get("event") == "period_closed" and e.get("period") == period]
    assert closed and (closed[0]["user"], closed[0]["data_version"]) == ("noivu", version)

    # reopening needs a reason: a blank one is refused in the dialog, nothing published
    r = _confirm(app, c, period, new_version, "reopen", "   ")
    assert r.status_code == 200 and "cần lý do mở lại" in _shown(r)
    assert _closing_state(app_db)[0] == new_version
    r = _confirm(app, c, period, new_version, "reopen", "Sở Nội vụ yêu cầu cập nhật")
    assert r.status_code == 200 and "Đã chốt ngày" not in _shown(r) and "Chốt số liệu" in _shown(r)
    assert "🔒" not in _shown(r) and "icon icon-lock" in _shown(r)  # no emoji: drawn with any font
    [rec] = [x for x in _closing_state(app_db)[1] if x["period"] == period]
    assert (rec["reopened_by"], rec["reopen_reason"]) == ("noivu", "Sở Nội vụ yêu cầu cập nhật")
    reopened = [e for e in _audit(app) if e.get("event") == "period_reopened" and e.get("period") == period]
    assert reopened[0]["reason"] == "Sở Nội vụ yêu cầu cập nhật"


def test_web_closing_runs_as_a_background_job_with_progress(app, app_db):
    """The confirm returns at once (no server thread held while the new file is built); while another import
    holds the lock the dialog says it is waiting, then the page comes back closed; the poll is Home Affairs' only."""
    from test_security import sign_in

    from dashboard.jobs import JobStore

    period = "2026-Q1"
    version, before = _closing_state(app_db)
    c = sign_in(app, "noivu")
    with JobStore(app_db).import_lock():  # an upload being published
        r = _post(app, c, "closing-job.data", [{"id": "closing-confirm", "property": "n_clicks", "value": 1}], [
            {"id": "closing-target", "property": "data",
             "value": {"period": period, "version": version, "action": "close"}},
            {"id": "closing-reason", "property": "value", "value": None},
        ])
        job = r.json["response"]["closing-job"]["data"]
        # answered while the lock is held (a confirm that waited for it would never return here)
        assert "Đang chờ lượt" in _shown(r) and r.json["response"]["closing-confirm"] == {"disabled": True}
        poll = [{"id": "closing-poll", "property": "n_intervals", "value": 1}]
        state = [{"id": "closing-job", "property": "data", "value": job},
                 {"id": "form-query", "property": "data", "value": {"period": period, "by": "unit"}}]
        for user in ("chutich", "phuong"):
            assert _post(app, sign_in(app, user), "_pages_content.children", poll, state).status_code == 403
        time.sleep(0.3)
        waiting = _post(app, c, "_pages_content.children", poll, state)
        assert "closing-progress" in _shown(waiting) and "một lần nạp hoặc chốt khác đang chạy" in _shown(waiting)
        assert _closing_state(app_db) == (version, before)  # nothing published while the lock is held
    for n in range(2, 600):
        poll[0]["value"] = n
        done = _post(app, c, "_pages_content.children", poll, state)
        if "closing-progress" not in _shown(done):
            break
        time.sleep(0.1)
    assert "Đã chốt ngày" in _shown(done) and done.json["response"]["closing-modal"] == {"is_open": False}
    [rec] = [x for x in _closing_state(app_db)[1] if x["period"] == period]
    assert (rec["closed_by"], rec["data_version"]) == ("noivu", version)
    assert JobStore(app_db).get(job)["state"] == "done"
