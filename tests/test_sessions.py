"""Sessions end server-side, over real HTTP against `cchc serve --workers 2` (gunicorn: two processes, so a
sign-out in one worker must be seen by the other): a cookie copied before sign-out, a password reset or a
removed user gets the sign-in page; the cookie carries nothing derived from the password; a shared link
with every filter survives sign-in."""

from __future__ import annotations

import base64
import json
import re
import shutil
import zlib
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from conftest import cchc, live_server

WARD = "W08"


@pytest.fixture(scope="module")
def live(demo_db, tmp_path_factory):
    from dashboard.auth import UserStore, ensure_demo_users, users_path

    db = tmp_path_factory.mktemp("live") / "demo.duckdb"
    shutil.copy(demo_db, db)
    ensure_demo_users(UserStore(users_path(db)), WARD, "Xã Bình Minh")
    with live_server(db, "--workers", "2", "--threads", "2") as base:
        yield base, db


def test_gunicorn_opens_no_control_socket(live):
    """gunicorn's control socket lives at one path per user: two servers on one machine would share it."""
    base, db = live
    requests.get(base + "/dang-nhap", timeout=10)
    log = (db.parent / f"server-{urlsplit(base).port}.log").read_text()
    assert "Booting worker" in log  # the log is the server's
    assert "Control socket" not in log, log


def _csrf(text: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', text)[1]


def sign_in(base: str, username: str, password: str, next_: str = "/") -> requests.Session:
    s = requests.Session()
    r = s.post(
        base + "/dang-nhap",
        data={
            "csrf": _csrf(s.get(base + "/dang-nhap").text),
            "username": username,
            "password": password,
            "next": next_,
        },
        allow_redirects=False,
    )
    assert r.status_code == 302, r.text[:300]
    return s


def replay(base: str, cookie: str, path: str = "/ho-so-tre-han?period=2026-Q3") -> requests.Response:
    """A fresh client carrying only a copied cookie value."""
    return requests.get(base + path, cookies={"cchc_session": cookie}, allow_redirects=True, timeout=30)


def signed_in(r: requests.Response) -> bool:
    return r.status_code == 200 and "/dang-nhap" not in r.url and "_dash-config" in r.text


def on_sign_in_page(r: requests.Response) -> bool:
    return r.status_code == 200 and urlsplit(r.url).path == "/dang-nhap" and 'id="login-submit"' in r.text


def _logout_token(node):
    """The sign-out form's hidden CSRF input in the app's layout JSON."""
    if isinstance(node, dict):
        props = node.get("props") if isinstance(node.get("props"), dict) else {}
        if props.get("name") == "csrf":
            return props["value"]
        return next((t for v in node.values() if (t := _logout_token(v))), None)
    if isinstance(node, list):
        return next((t for v in node if (t := _logout_token(v))), None)
    return None


def cookie_payload(value: str) -> dict:
    """Flask's signed cookie: [.]base64(json or zlib(json)).timestamp.signature — readable by whoever holds it."""
    compressed = value.startswith(".")
    body = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    return json.loads(zlib.decompress(raw) if compressed else raw)


def test_a_cookie_copied_before_sign_out_gets_the_sign_in_page(live):
    base, db = live
    s = sign_in(base, "noivu", "demo-noivu")
    cookie = s.cookies["cchc_session"]
    # several requests: with two workers, both see the session
    assert all(signed_in(replay(base, cookie)) for _ in range(6))
    assert (
        requests.post(base + "/_dash-update-component", cookies={"cchc_session": cookie}, json={}).status_code == 400
    )  # forged body
    # sign out through the form (its CSRF token is in the page's layout)
    tok = _logout_token(s.get(base + "/_dash-layout").json())
    r = s.post(base + "/dang-xuat", data={"csrf": tok}, allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"].endswith("/dang-nhap")
    for _ in range(6):  # whichever worker answers
        assert on_sign_in_page(replay(base, cookie))
        assert (
            requests.post(base + "/_dash-update-component", cookies={"cchc_session": cookie}, json={}).status_code
            == 401
        )
    # the server-side record is gone
    from dashboard.auth import SessionStore, sessions_path, users_path

    assert SessionStore(sessions_path(users_path(db))).count("noivu") == 0


def test_cookie_carries_no_secret_material(live):
    base, db = live
    s = sign_in(base, "chutich", "demo-chutich")
    value = s.cookies["cchc_session"]
    payload = cookie_payload(value)
    assert set(payload) - {"_permanent"} == {"sid"}, payload  # a random id, nothing else
    stored = json.loads((db.parent / "users.json").read_text())["users"]["chutich"]["password_hash"]
    salt_and_hash = stored.split("$", 1)[1]
    pieces = {p for part in salt_and_hash.split("$") for p in (part[:8], part[-8:], part[-16:])}
    import hashlib

    stamp = hashlib.sha256(stored.encode()).hexdigest()
    text = json.dumps(payload) + value
    assert not any(p in text for p in pieces) and stamp[:16] not in text and "demo-chutich" not in text
    # the session id is stored only as its hash
    import sqlite3

    con = sqlite3.connect(db.parent / "sessions.sqlite")
    ids = [r[0] for r in con.execute("SELECT id FROM sessions")]
    assert payload["sid"] not in ids and hashlib.sha256(payload["sid"].encode()).hexdigest() in ids
    assert oct((db.parent / "sessions.sqlite").stat().st_mode & 0o777) == "0o600"


def test_password_reset_and_removal_end_sessions_from_the_cli(live):
    base, db = live
    cchc(
        "users", "add", "tam", "--role", "don_vi", "--units", WARD, "--password-stdin", db=db, input=b"mat-khau-tam-1\n"
    )
    c1 = sign_in(base, "tam", "mat-khau-tam-1").cookies["cchc_session"]
    c2 = sign_in(base, "tam", "mat-khau-tam-1").cookies["cchc_session"]  # a second browser
    assert signed_in(replay(base, c1)) and signed_in(replay(base, c2))
    cchc(
        "users",
        "add",
        "tam",
        "--role",
        "don_vi",
        "--units",
        WARD,
        "--password-stdin",
        "--replace",
        db=db,
        input=b"mat-khau-tam-2\n",
    )
    assert on_sign_in_page(replay(base, c1)) and on_sign_in_page(replay(base, c2))
    c3 = sign_in(base, "tam", "mat-khau-tam-2").cookies["cchc_session"]
    assert signed_in(replay(base, c3))
    cchc("users", "remove", "tam", db=db)
    assert on_sign_in_page(replay(base, c3))
    # the same user name created again does not revive the old cookie
    cchc(
        "users", "add", "tam", "--role", "don_vi", "--units", WARD, "--password-stdin", db=db, input=b"mat-khau-tam-2\n"
    )
    assert on_sign_in_page(replay(base, c3))


def test_a_forged_or_tampered_cookie_is_refused(live):
    base, _ = live
    assert on_sign_in_page(replay(base, "x"))
    good = sign_in(base, "noivu", "demo-noivu").cookies["cchc_session"]
    assert on_sign_in_page(replay(base, good[:-2] + ("AA" if not good.endswith("AA") else "BB")))


@pytest.mark.parametrize(
    "path",
    [
        "/ho-so-tre-han?period=2026-Q3&unit=W03&view=late",
        "/ho-so-tre-han?period=2026-Q3&unit=W03&view=late&field=T%C6%B0%20ph%C3%A1p&handler=Nguy%E1%BB%85n%20A%20%26%20B",
        "/trinh-chieu?period=2026-Q3&unit=W03&slide=4",
        "/don-vi?period=2026-01-01..2026-03-31&level=ward&sort=on_time_rate&desc=1",
    ],
)
def test_a_shared_link_keeps_every_filter_through_sign_in(live, path):
    base, _ = live
    s = requests.Session()
    r = s.get(base + path, allow_redirects=True)
    assert urlsplit(r.url).path == "/dang-nhap"
    assert parse_qs(urlsplit(r.url).query)["next"] == [path]  # one parameter holding the whole link
    hidden = re.search(r'name="next" value="([^"]+)"', r.text)[1]
    import html

    assert html.unescape(hidden) == path
    r = s.post(
        base + "/dang-nhap",
        data={"csrf": _csrf(r.text), "username": "noivu", "password": "demo-noivu", "next": html.unescape(hidden)},
        allow_redirects=False,
    )
    assert r.status_code == 302 and r.headers["Location"] == path
