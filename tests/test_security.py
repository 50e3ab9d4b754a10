"""Sign-in, roles and scoping enforced on the server: forged callback POSTs, downloads, masking, audit.

The app runs in-process (Flask test client) on the demo city; requests are the JSON bodies Dash's
renderer sends to /_dash-update-component, built by hand as an attacker would."""

from __future__ import annotations

import io
import json
import re
import shutil

import openpyxl
import pytest

from conftest import cchc

WARD, OTHER_WARD = "W08", "W03"  # both have late dossiers in 2026-Q3
INITIALS = re.compile(r"^(\S\.)( \S\.)*$")


# `app_db` and `app` are session fixtures in conftest.py: Dash hands the page callbacks to the first app built in a
# process, so every in-process test shares that one app.


def sign_in(app, username, password=None):
    from dashboard.auth import DEMO_PASSWORDS

    c = app.server.test_client()
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/dang-nhap").text)[1]
    r = c.post(
        "/dang-nhap",
        data={"csrf": tok, "username": username, "password": password or DEMO_PASSWORDS[username], "next": "/"},
    )
    assert r.status_code == 302, r.text[:500]
    return c


def page_body(path: str, search: str = "") -> dict:
    """The JSON body Dash's page router posts when the URL changes."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def page(c, path, search=""):
    return c.post("/_dash-update-component", json=page_body(path, search))


def callback(c, output: str, inputs: list[tuple], state_id: str, query):
    """POST one single-output callback as Dash's renderer does: `output` "id.prop", `inputs` (id, prop, value)
    (the first one changed), the page's stored filters (`state_id`.data) as state."""
    out_id, out_prop = output.split(".")
    return c.post(
        "/_dash-update-component",
        json={
            "output": output,
            "outputs": {"id": out_id, "property": out_prop},
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
            "state": [{"id": state_id, "property": "data", "value": query}],
        },
    )


def grid_rows(c, query, start=0, end=100):
    request = {"startRow": start, "endRow": end, "sortModel": [], "filterModel": {}}
    return callback(c, "late-grid.getRowsResponse", [("late-grid", "getRowsRequest", request)], "late-query", query)


def late_download(c, query):
    return callback(c, "late-download.data", [("late-download-btn", "n_clicks", 1)], "late-query", query)


def form_download(c, query):
    inputs = [("form-xlsx-btn", "n_clicks", 1), ("form-csv-btn", "n_clicks", None)]
    return callback(c, "form-download.data", inputs, "form-query", query)


def upload(c):
    return c.post(
        "/_dash-update-component",
        json={
            "output": "..upload-job.data...data-upload-poll.disabled...data-upload-status.children..",
            "outputs": [
                {"id": "upload-job", "property": "data"},
                {"id": "data-upload-poll", "property": "disabled"},
                {"id": "data-upload-status", "property": "children"},
            ],
            "inputs": [{"id": "data-upload", "property": "contents", "value": ["data:text/csv;base64,YQ=="]}],
            "changedPropIds": ["data-upload.contents"],
            "state": [{"id": "data-upload", "property": "filename", "value": ["x.csv"]}],
        },
    )


def xlsx_rows(resp) -> list[tuple]:
    import base64

    data = resp.json["response"]["late-download"]["data"]
    wb = openpyxl.load_workbook(io.BytesIO(base64.b64decode(data["content"])))
    return list(wb.active.iter_rows(values_only=True))


QUERY = {"period": "2026-Q3", "view": "all"}


# ----------------------------------------------------------------------------- sign-in
def test_nothing_without_signing_in(app):
    c = app.server.test_client()
    r = c.get("/don-vi?period=2026-Q3")
    assert r.status_code == 302 and r.headers["Location"] == "/dang-nhap?next=/don-vi%3Fperiod%3D2026-Q3"
    assert c.get("/_dash-layout").status_code == 401
    assert grid_rows(c, {**QUERY, "unit": WARD}).status_code == 401
    assert c.get("/assets/10_app.css").status_code == 200  # the sign-in page's own styles


def audit_log(app):
    """The app's own audit log (it hangs off the app, like its database)."""
    return app.server.extensions["cchc_data"].audit_log


def test_wrong_password_csrf_open_redirect_and_lockout(app, app_db):
    from dashboard import audit

    c = app.server.test_client()
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/dang-nhap").text)[1]
    assert (
        c.post("/dang-nhap", data={"username": "noivu", "password": "demo-noivu"}).status_code == 400
    )  # no CSRF token
    r = c.post(
        "/dang-nhap", data={"csrf": tok, "username": "noivu", "password": "demo-noivu", "next": "//evil.example/x"}
    )
    assert r.status_code == 302 and r.headers["Location"] == "/"
    c2 = app.server.test_client()
    tok = re.search(r'name="csrf" value="([^"]+)"', c2.get("/dang-nhap").text)[1]
    from dashboard.auth import UserStore, users_path

    UserStore(users_path(app_db)).add("doan", "lanh_dao", "mat-khau-doan")
    answers = [c2.post("/dang-nhap", data={"csrf": tok, "username": "doan", "password": f"sai-{i}"}) for i in range(6)]
    assert [r.status_code for r in answers] == [200] * 5 + [429]
    assert all("Sai tên đăng nhập hoặc mật khẩu." in r.text for r in answers[:5]) and "Thử lại sau" in answers[5].text
    # locked even with the right password, until the window passes
    assert c2.post("/dang-nhap", data={"csrf": tok, "username": "doan", "password": "mat-khau-doan"}).status_code == 429
    events = [e["event"] for e in audit.read(50, audit_log(app)) if e.get("user") == "doan"]
    assert events.count("login_failed") >= 5 and "login_locked" in events


def test_security_headers(app):
    c = sign_in(app, "noivu")
    r = c.get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
    assert "'unsafe-eval'" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-store"
    cookie = c.get_cookie("cchc_session")
    assert cookie.http_only and cookie.same_site == "Lax"


# ----------------------------------------------------------------------------- scoping
def test_ward_user_sees_only_their_ward_on_every_page(app):
    c = sign_in(app, "phuong")
    for path in ("/", "/don-vi", "/ho-so-tre-han", "/bao-cao-quy", "/phan-tich", "/trinh-chieu"):
        r = page(c, path, "?period=2026-Q3")
        assert r.status_code == 200, path
        codes = set(re.findall(r'"(W\d\d|S[A-Z]+)"', r.text))
        assert codes <= {WARD}, (path, codes)
    # another ward in the URL: a refusal page, audited
    r = page(c, "/ho-so-tre-han", f"?period=2026-Q3&unit={OTHER_WARD}")
    assert '"forbidden"' in r.text and "ngoài phạm vi" in json.dumps(r.json, ensure_ascii=False)
    # pages of other roles
    assert '"forbidden"' in page(c, "/du-lieu").text and '"forbidden"' in page(c, "/nhat-ky").text


def test_forged_grid_request_for_another_ward_is_refused(app, app_db):
    from dashboard import audit

    c = sign_in(app, "phuong")
    r = grid_rows(c, {**QUERY, "unit": OTHER_WARD})
    assert r.status_code == 403
    assert any(e["event"] == "denied" and e["user"] == "phuong" for e in audit.read(20, audit_log(app)))
    # no unit: their own rows only, every page of the grid
    names = set()
    total = None
    start = 0
    while total is None or start < total:
        r = grid_rows(c, QUERY, start, start + 500)
        assert r.status_code == 200
        resp = r.json["response"]["late-grid"]["getRowsResponse"]
        total = resp["rowCount"]
        names |= {row["unit_name"] for row in resp["rowData"]}
        assert all(INITIALS.match(row["applicant_name"]) for row in resp["rowData"] if row["applicant_name"])
        start += 500
    assert total > 0 and len(names) == 1


def test_counts_for_the_ward_equal_the_city_view_of_that_ward(app):
    """Scoping changes who sees what, never the figures: the ward user's total = Home Affairs' filtered total."""
    ward = grid_rows(sign_in(app, "phuong"), QUERY).json["response"]["late-grid"]["getRowsResponse"]["rowCount"]
    city = grid_rows(sign_in(app, "noivu"), {**QUERY, "unit": WARD}).json["response"]["late-grid"]["getRowsResponse"]
    assert ward == city["rowCount"]
    # Home Affairs sees full names
    assert any(r["applicant_name"] and not INITIALS.match(r["applicant_name"]) for r in city["rowData"])


def test_downloads_are_scoped_masked_and_audited(app):
    from dashboard import audit

    c = sign_in(app, "phuong")
    assert late_download(c, {**QUERY, "unit": OTHER_WARD}).status_code == 403
    rows = xlsx_rows(late_download(c, QUERY))
    header_i = next(i for i, r in enumerate(rows) if r and r[0] == "Mã hồ sơ")
    header, body = rows[header_i], rows[header_i + 1 :]
    assert body and {r[header.index("Mã đơn vị")] for r in body} == {WARD}
    assert all(INITIALS.match(r[header.index("Người nộp")]) for r in body if r[header.index("Người nộp")])
    assert form_download(c, {"period": "2026-Q3", "by": "unit", "unit": OTHER_WARD}).status_code == 403
    r = form_download(c, {"period": "2026-Q3", "by": "unit", "unit": None})
    assert r.status_code == 200
    # the chairman: every ward, but still no personal data
    rows = xlsx_rows(late_download(sign_in(app, "chutich"), QUERY))
    header_i = next(i for i, r in enumerate(rows) if r and r[0] == "Mã hồ sơ")
    col = rows[header_i].index("Người nộp")
    assert all(INITIALS.match(r[col]) for r in rows[header_i + 1 :] if r[col])
    exports = [e for e in audit.read(50, audit_log(app)) if e["event"] == "export"]
    assert {e["user"] for e in exports} >= {"phuong", "chutich"}
    assert all("applicant" not in json.dumps(e) for e in exports)


def test_upload_is_for_home_affairs_only(app):
    assert upload(sign_in(app, "chutich")).status_code == 403
    assert upload(sign_in(app, "phuong")).status_code == 403
    r = upload(sign_in(app, "noivu"))  # the same request from Home Affairs starts an import job
    assert r.status_code == 200 and r.json["response"]["upload-job"]["data"]


def test_removed_user_and_reset_password_end_sessions(app, app_db):
    from dashboard.auth import UserStore, users_path

    store = UserStore(users_path(app_db))
    store.add("tam", "don_vi", "mat-khau-tam-1", units=["W03"])
    c = sign_in(app, "tam", "mat-khau-tam-1")
    assert page(c, "/").status_code == 200
    store.add("tam", "don_vi", "mat-khau-tam-2", units=["W03"], replace=True)
    assert page(c, "/").status_code == 401
    c = sign_in(app, "tam", "mat-khau-tam-2")
    store.remove("tam")
    assert page(c, "/").status_code == 401


# ----------------------------------------------------------------------------- the data layer itself
def test_scoped_views_filter_mask_and_deny(demo_db):
    from dashboard.db import Database, Scope

    full = Database(demo_db).snapshot()
    ward = full.scoped(Scope(units=frozenset({WARD}), personal=False, imports=False))
    cur_full, cur_ward = full.cursor(), ward.cursor()
    by_unit = dict(cur_full.execute("SELECT unit_code, count(*) FROM dossiers GROUP BY 1").fetchall())
    assert cur_ward.execute("SELECT count(*) FROM dossiers").fetchone()[0] == by_unit[WARD]
    assert cur_ward.execute("SELECT DISTINCT unit_code FROM dossiers").fetchall() == [(WARD,)]
    assert cur_ward.execute("SELECT count(*) FROM surveys WHERE unit_code <> ?", [WARD]).fetchone()[0] == 0
    assert cur_ward.execute("SELECT count(*) FROM imports").fetchone()[0] == 0
    assert cur_ward.execute("SELECT count(*) FROM rejects").fetchone()[0] == 0
    assert cur_ward.execute("SELECT unit_code FROM units").fetchall() == [(WARD,)]
    names = [
        r[0]
        for r in cur_ward.execute(
            "SELECT applicant_name FROM dossiers WHERE applicant_name IS NOT NULL LIMIT 200"
        ).fetchall()
    ]
    assert names and all(INITIALS.match(n) for n in names)
    assert (
        cur_ward.execute("SELECT count(*) FROM targets").fetchone()[0]
        == cur_full.execute("SELECT count(*) FROM targets").fetchone()[0]
    )


def test_unclassified_tables_are_denied(tmp_path):
    """A table the scoping rules do not know (a future aggregate, say) is empty for scoped readers."""
    import duckdb

    from dashboard.db import Database, Scope

    db = tmp_path / "t.duckdb"
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE meta (key VARCHAR, value VARCHAR); INSERT INTO meta VALUES ('data_version', '1');"
        "CREATE TABLE secrets_of_the_future (x INTEGER); INSERT INTO secrets_of_the_future VALUES (42);"
    )
    con.close()
    snap = Database(db).snapshot()
    assert snap.cursor().execute("SELECT count(*) FROM secrets_of_the_future").fetchone()[0] == 1
    scoped = snap.scoped(Scope(units=None, personal=False, imports=False))
    assert scoped.cursor().execute("SELECT count(*) FROM secrets_of_the_future").fetchone()[0] == 0


def test_outside_a_request_is_the_operator_inside_without_user_is_denied(app):
    from werkzeug.exceptions import Forbidden

    from dashboard.auth import SYSTEM, current_principal

    assert current_principal() is SYSTEM
    with app.server.test_request_context("/"), pytest.raises(Forbidden):
        current_principal()


# ----------------------------------------------------------------------------- users CLI
def test_users_cli_add_list_remove(tmp_path, demo_db):
    db = tmp_path / "x.duckdb"
    shutil.copy(demo_db, db)
    r = cchc(
        "users",
        "add",
        "truong.p2",
        "--role",
        "don_vi",
        "--units",
        "W02",
        "--password-stdin",
        db=db,
        check=False,
        input=b"mat-khau-dai-du\n",
    )
    assert r.returncode == 0, r.stderr
    listing = json.loads(cchc("users", "list", "--format", "json", db=db).stdout)
    assert [(u["username"], u["role"], u["units"]) for u in listing] == [("truong.p2", "don_vi", ["W02"])]
    assert "password_hash" not in json.dumps(listing)
    stored = json.loads((tmp_path / "users.json").read_text())
    assert stored["users"]["truong.p2"]["password_hash"].startswith("scrypt:")
    assert oct((tmp_path / "users.json").stat().st_mode & 0o777) == "0o600"
    bad = cchc(
        "users", "add", "x1", "--role", "don_vi", "--password-stdin", db=db, check=False, input=b"mat-khau-dai-du\n"
    )
    assert bad.returncode == 2 and "don_vi" in bad.stderr.decode()
    short = cchc("users", "add", "x2", "--role", "noi_vu", "--password-stdin", db=db, check=False, input=b"ngan\n")
    assert short.returncode == 2 and "8" in short.stderr.decode()
    cchc("users", "remove", "truong.p2", db=db)
    assert json.loads(cchc("users", "list", "--format", "json", db=db).stdout) == []
    log = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [e["event"] for e in log] == ["user_added", "user_removed"]


def test_ingest_is_audited_with_hash_and_counts(seed003_db):
    import hashlib

    # the session's seed003 was imported by `cchc ingest` from the files beside it (builders.seed003_files)
    files = sorted(p for p in seed003_db.parent.iterdir() if p.suffix in (".csv", ".xlsx"))
    log = [json.loads(line) for line in (seed003_db.parent / "audit.jsonl").read_text().splitlines()]
    imports = {e["file"]: e for e in log if e["event"] == "import"}
    assert len(files) == 4 and set(imports) == {f.name for f in files}
    for f in files:
        e = imports[f.name]
        assert e["sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()
        assert e["rows_read"] == e["accepted"] + e["rejected"] and e["user"].startswith("cli:")


def test_no_auth_is_for_loopback_only(app_db):
    from dashboard.app import create_app, serve

    with pytest.raises(SystemExit) as e:
        serve(app_db, host="0.0.0.0", port=1, no_auth=True)
    assert "127.0.0.1" in str(e.value)
    c = create_app(app_db, no_auth=True).server.test_client()
    r = page(c, "/du-lieu")  # no sign-in, full rights
    assert r.status_code == 200 and '"forbidden"' not in r.text


def test_a_password_typed_as_user_name_is_not_written_to_the_audit_log(app, app_db):
    from dashboard import audit

    c = app.server.test_client()
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/dang-nhap").text)[1]
    c.post("/dang-nhap", data={"csrf": tok, "username": "MatKhau-Bi-Mat-123", "password": "x"})
    assert "matkhau-bi-mat-123" not in (app_db.parent / "audit.jsonl").read_text().lower()
    last = audit.read(1, audit_log(app))[0]
    assert last == {**last, "event": "login_failed", "user": "(tên không tồn tại)"}


def test_every_reader_is_judged_at_the_same_as_of_moment(app_db):
    """The as-of moment (period cut, overdue, early warning) belongs to the data version, not to the reader's rows:
    a ward whose own last dossier moved earlier in the day is still judged at the city's moment."""
    from dashboard.app import create_app
    from dashboard.db import FULL, Scope

    data = create_app(app_db).server.extensions["cchc_data"]
    city = data.reader(FULL).as_of
    ward_scope = Scope(units=frozenset({WARD}), personal=False, imports=False)
    ward = data.reader(ward_scope)
    ward_last = max(
        r[0]
        for r in ward.cursor().execute("SELECT greatest(max(received_at), max(completed_at)) FROM dossiers").fetchall()
    )
    assert ward_last < city  # the ward's own data stops earlier than the city's
    assert ward.as_of == city


def test_users_add_refuses_without_terminal_and_weak_passwords(tmp_path, demo_db):
    db = tmp_path / "x.duckdb"
    shutil.copy(demo_db, db)
    # no terminal and no --password-stdin: one line, exit 2, no traceback (the real entry point, stdin a pipe)
    r = cchc("users", "add", "an", "--role", "noi_vu", db=db, check=False, input=b"", process=True)
    err = r.stderr.decode()
    assert r.returncode == 2 and "--password-stdin" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and not (tmp_path / "users.json").exists()
    refused = {
        b"": "8",
        b"        \n": "dấu cách",
        b" \t      \n": "dấu cách",
        b"mat-khau\tdai\n": "điều khiển",
        b"aaaaaaaaaa\n": "đơn giản",
        b"mat\x07khau-dai\n": "điều khiển",
        b"x" * 1100 + b"\n": "1024",
    }
    for pw, why in refused.items():
        r = cchc("users", "add", "an", "--role", "noi_vu", "--password-stdin", db=db, check=False, input=pw)
        err = r.stderr.decode()
        assert r.returncode == 2 and why in err and len(err.strip().splitlines()) == 1, (pw, err)
    assert not (tmp_path / "users.json").exists()
    # Windows line ending on stdin is not part of the password
    assert (
        cchc(
            "users", "add", "an", "--role", "noi_vu", "--password-stdin", db=db, check=False, input=b"mat-khau-dung\r\n"
        ).returncode
        == 0
    )
    from dashboard.auth import UserStore, users_path

    assert UserStore(users_path(db)).verify("an", "mat-khau-dung") is not None


def test_the_shell_draws_the_page_of_its_referer_in_the_readers_scope(app):
    """The first screen drawn with the shell (`/_dash-layout`, the browser's address as Referer) goes through the
    same page decorator as the router: a ward sees its ward only, another ward or another role's page is refused;
    a Referer of another host or of no page gets Dash's empty container (the router draws the page)."""
    c = sign_in(app, "phuong")

    def shell(referer: str | None):
        r = c.get("/_dash-layout", headers={"Referer": referer} if referer else {})
        assert r.status_code == 200 and "cpu;dur=" in r.headers["Server-Timing"]
        return r.text

    for path in ("/", "/don-vi", "/ho-so-tre-han", "/phan-tich", "/trinh-chieu"):
        text = shell(f"http://localhost{path}?period=2026-Q3")
        assert '"page-title"' in text or "deck" in text, path
        assert set(re.findall(r'"(W\d\d|S[A-Z]+)"', text)) <= {WARD}, path
    assert '"forbidden"' in shell(f"http://localhost/ho-so-tre-han?period=2026-Q3&unit={OTHER_WARD}")
    assert '"forbidden"' in shell("http://localhost/du-lieu") and '"forbidden"' in shell("http://localhost/nhat-ky")
    for referer in (None, "http://elsewhere.example/?period=2026-Q3", "http://localhost/khong-co", "javascript:1"):
        text = shell(referer)
        assert '"_pages_content"' in text and '"page-title"' not in text and '"forbidden"' not in text, referer
    # the city's reader through the shell: the same page as the router's
    city = sign_in(app, "chutich")
    via_shell = city.get("/_dash-layout", headers={"Referer": "http://localhost/bao-cao-quy?period=2026-Q2"}).json
    via_router = page(city, "/bao-cao-quy", "?period=2026-Q2").json["response"]["_pages_content"]["children"]

    def find(node):
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == "_pages_content":
                return node["props"]["children"]
            return next((f for f in map(find, node.get("props", {}).values()) if f is not None), None)
        if isinstance(node, list):
            return next((f for f in map(find, node) if f is not None), None)
        return None

    assert via_router and find(via_shell) == via_router
