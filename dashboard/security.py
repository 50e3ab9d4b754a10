"""Sign-in, sessions and HTTP hardening for the Flask server under Dash.

- Every request but the sign-in page and static assets needs a signed-in user: pages redirect to
  /dang-nhap, Dash's JSON endpoints answer 401.
- Sessions live server-side (auth.SessionStore, a SQLite file next to the users file that every worker
  sees): the signed cookie carries only a random session id (and, before sign-in, the sign-in form's
  CSRF token), never anything derived from the password. Sign-out deletes the session; a reset password
  or a removed user deletes all of theirs (and a session whose password stamp no longer matches is refused),
  so a cookie copied before any of these gets the sign-in page.
- The reader's scope is then enforced by the data layer (auth.current_scope → db.Scope).
- Forbidden (a page, a unit or a download outside the reader's rights) answers 403 and is audited.
- Security headers on every response: a CSP without inline scripts other than Dash's own (hashed),
  no framing, no sniffing; session cookie HttpOnly + SameSite=Lax (+ Secure with CCHC_COOKIE_SECURE=1).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlparse

import dash
import flask
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException

from . import audit
from .auth import DEMO_PASSWORDS, LOCAL, ROLES, Principal, UserStore, secret_key, users_path

if TYPE_CHECKING:
    from .export_pdf import Passes

LOGIN, LOGOUT = "/dang-nhap", "/dang-xuat"
PUBLIC_PREFIXES = ("/assets/",)
PUBLIC_PATHS = {LOGIN, "/favicon.ico", "/_favicon.ico"}
MAX_FAILURES, FAILURE_WINDOW = 5, 300  # sign-in attempts per user and address, per 5 minutes
SESSION_HOURS = 12
INTERNAL_HEADER = "X-CCHC-Internal"


class _Throttle:
    """Failed sign-ins per (address, user name): after MAX_FAILURES in FAILURE_WINDOW seconds, wait."""

    def __init__(self):
        self._fails: dict[tuple, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def wait(self, key: tuple) -> int:
        with self._lock:
            q = self._fails[key]
            now = time.monotonic()
            while q and now - q[0] > FAILURE_WINDOW:
                q.popleft()
            return int(FAILURE_WINDOW - (now - q[0])) + 1 if len(q) >= MAX_FAILURES else 0

    def fail(self, key: tuple) -> None:
        with self._lock:
            self._fails[key].append(time.monotonic())

    def clear(self, key: tuple) -> None:
        with self._lock:
            self._fails.pop(key, None)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no '//' tricks)."""
    target = target or "/"
    u = urlparse(target)
    if u.scheme or u.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def csrf_token() -> str:
    """The signed-in session's token (server-side), or the sign-in form's token (in the cookie)."""
    sess = flask.g.get("cchc_session")
    if sess is not None:
        return sess.csrf
    tok = flask.session.get("csrf")
    if not tok:
        tok = flask.session["csrf"] = secrets.token_urlsafe(24)
    return tok


def _login_page(
    error: str = "", username: str = "", next_: str = "/", demo: list[dict] | None = None, status: int = 200
) -> flask.Response:
    e = html.escape
    demo_rows = "".join(
        f"<tr><td><code>{e(u['username'])}</code></td><td><code>{e(u['password'])}</code></td><td>{e(u['label'])}</td></tr>"
        for u in (demo or [])
    )
    demo_box = (
        f"""<div class="login-demo mt-4"><div class="fw-semibold mb-1">Tài khoản mẫu của thành phố mẫu</div>
<table class="table table-sm mb-1"><thead><tr><th>Tên đăng nhập</th><th>Mật khẩu</th><th>Vai trò</th></tr></thead>
<tbody>{demo_rows}</tbody></table><div class="small text-muted">Chỉ dùng với dữ liệu mẫu. Xoá khi triển khai:
<code>cchc users remove chutich</code>…</div></div>"""
        if demo_rows
        else ""
    )
    err = f'<div class="alert alert-danger" role="alert" id="login-error">{e(error)}</div>' if error else ""
    body = f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Đăng nhập — Bảng điều hành CCHC</title>
<link rel="stylesheet" href="/assets/00_bootstrap.min.css"><link rel="stylesheet" href="/assets/vendor/02_fonts.css">
<link rel="stylesheet" href="/assets/10_app.css"></head>
<body class="login-body"><main class="login-card" aria-labelledby="login-title">
<div class="login-brand"><span class="brand-mark">CCHC</span> Bảng điều hành cải cách hành chính</div>
<h1 id="login-title" class="h4 mt-3 mb-3">Đăng nhập</h1>{err}
<form method="post" action="{LOGIN}" autocomplete="on">
<input type="hidden" name="csrf" value="{e(csrf_token())}"><input type="hidden" name="next" value="{e(next_)}">
<div class="mb-3"><label class="form-label" for="username">Tên đăng nhập</label>
<input class="form-control form-control-lg" id="username" name="username" value="{e(username)}"
 autocomplete="username" required autofocus></div>
<div class="mb-3"><label class="form-label" for="password">Mật khẩu</label>
<input class="form-control form-control-lg" id="password" name="password" type="password"
 autocomplete="current-password" required></div>
<button class="btn btn-primary btn-lg w-100" type="submit" id="login-submit">Đăng nhập</button></form>{demo_box}
</main></body></html>"""
    resp = flask.make_response(body, status)
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    return resp


def _wants_json() -> bool:
    p = flask.request.path
    return p.startswith("/_dash-") or p.startswith("/_reload") or flask.request.method != "GET"


def install(
    app: dash.Dash, db_path: str | os.PathLike, *, no_auth: bool = False, internal: Passes | None = None
) -> UserStore:
    """Wire sign-in, scoping and headers into the app's Flask server."""
    server = app.server
    server.secret_key = secret_key(db_path)
    server.config.update(
        SESSION_COOKIE_NAME="cchc_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("CCHC_COOKIE_SECURE") == "1",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=SESSION_HOURS),
    )
    store = UserStore(users_path(db_path))
    throttle = _Throttle()
    server.extensions["cchc_users"] = store
    server.extensions["cchc_no_auth"] = no_auth
    _install_sign_in(server, store, no_auth=no_auth, internal=internal)
    _install_routes(server, store, throttle)
    _install_errors(server, app.callback_map)
    _install_headers(app)
    return store


def _install_sign_in(server, store: UserStore, *, no_auth: bool, internal: Passes | None) -> None:
    """Every request but the sign-in page and static assets needs a signed-in user (the session server-side)."""
    sessions = store.sessions

    def principal_from_session() -> Principal | None:
        sid = flask.session.get("sid")
        sess = sessions.get(sid)
        if sess is None:
            return None
        p = store.get(sess.username)
        if p is None or not secrets.compare_digest(sess.stamp, store.stamp(p.username)):
            sessions.revoke(sid)  # the user was removed or the password changed since sign-in
            return None
        flask.g.cchc_session = sess
        return p

    @server.before_request
    def _sign_in_required():
        path = flask.request.path
        if no_auth:
            flask.g.principal = LOCAL
            return None
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return None
        if internal is not None and flask.request.remote_addr == "127.0.0.1":
            tok = flask.request.headers.get(INTERNAL_HEADER, "")
            granted = internal.principal(tok) if tok else None
            if granted is not None:
                flask.g.principal = granted
                return None
        p = principal_from_session()
        if p is None:
            if _wants_json():
                return flask.jsonify(error="Phiên đăng nhập đã hết hoặc chưa đăng nhập.", login=LOGIN), 401
            # the whole path with its query as ONE encoded parameter: every filter survives sign-in
            return flask.redirect(
                f"{LOGIN}?{urlencode({'next': flask.request.full_path.rstrip('?')}, safe='/', quote_via=quote)}"
            )
        flask.g.principal = p
        return None


def _install_routes(server, store: UserStore, throttle: _Throttle) -> None:
    """The sign-in form (CSRF, throttled) and sign-out (POST, ends the session server-side)."""
    sessions = store.sessions

    @server.route(LOGIN, methods=["GET", "POST"])
    def login():
        demo = [
            {
                "username": u["username"],
                "password": DEMO_PASSWORDS[u["username"]],
                "label": ROLES[u["role"]].label
                + (f": {', '.join(u.get('units') or [])}" if u["role"] == "don_vi" else ""),
            }
            for u in store.demo_accounts()
            if u["username"] in DEMO_PASSWORDS
        ]
        if flask.request.method == "GET":
            return _login_page(next_=_safe_next(flask.request.args.get("next")), demo=demo)
        f = flask.request.form
        username = (f.get("username") or "").strip().lower()[:40]
        next_ = _safe_next(f.get("next"))
        if not f.get("csrf") or not secrets.compare_digest(f.get("csrf", ""), flask.session.get("csrf", "")):
            return _login_page("Phiên của trang đăng nhập đã hết, vui lòng đăng nhập lại.", username, next_, demo, 400)
        key = (flask.request.remote_addr, username)
        wait = throttle.wait(key)
        if wait:
            audit.record(
                "login_locked", username if store.get(username) else "(tên không tồn tại)", ip=flask.request.remote_addr
            )
            return _login_page(
                f"Đăng nhập sai quá {MAX_FAILURES} lần. Thử lại sau {wait} giây.", username, next_, demo, 429
            )
        p = store.verify(username, f.get("password") or "")
        if p is None:
            throttle.fail(key)
            # an unknown name is not written down: it may be a password typed into the wrong field
            audit.record(
                "login_failed", username if store.get(username) else "(tên không tồn tại)", ip=flask.request.remote_addr
            )
            return _login_page("Sai tên đăng nhập hoặc mật khẩu.", username, next_, demo, 200)
        throttle.clear(key)
        sessions.revoke(flask.session.get("sid"))  # signing in again replaces a session, never stacks them
        sid, _ = sessions.create(p.username, store.stamp(p.username), SESSION_HOURS * 3600)
        flask.session.clear()
        flask.session.permanent = True
        flask.session["sid"] = sid
        audit.record("login", p.username, role=p.role, ip=flask.request.remote_addr)
        return flask.redirect(next_)

    @server.route(LOGOUT, methods=["POST"])
    def logout():
        tok = flask.request.form.get("csrf", "")
        if tok and secrets.compare_digest(tok, csrf_token()):
            p = flask.g.get("principal")
            audit.record("logout", p.username if p else "")
            sessions.revoke(flask.session.get("sid"))  # server-side: a copy of the cookie is dead too
            flask.session.clear()
        return flask.redirect(LOGIN)


def _install_errors(server, callbacks: dict) -> None:
    """403 audited, forged callback bodies 400, never a bare 500. `callbacks`: the app's callback map."""

    @server.errorhandler(Forbidden)
    def _forbidden(exc: HTTPException):
        p = flask.g.get("principal")
        audit.record("denied", p.username if p else "", path=flask.request.path, reason=exc.description)
        if _wants_json():
            return flask.jsonify(error=f"Không có quyền: {exc.description}"), 403
        return flask.make_response(
            "<!DOCTYPE html><meta charset='utf-8'><title>403</title>"
            f"<p>Không có quyền: {html.escape(exc.description or '')}</p>",
            403,
        )

    @server.before_request
    def _callback_shape():
        """A Dash callback request must at least look like one: a JSON object naming its output, with lists of
        inputs. Anything else is a forged request: 400, before Dash's own parsing can trip on it."""
        if flask.request.path != "/_dash-update-component" or flask.request.method != "POST":
            return None
        body = flask.request.get_json(silent=True)
        ok = (
            isinstance(body, dict)
            and isinstance(body.get("output"), str)
            and isinstance(body.get("inputs"), list)
            and isinstance(body.get("outputs", []), (list, dict))
            and isinstance(body.get("state", []), list)
            and isinstance(body.get("changedPropIds", []), list)
            and all(isinstance(i, (dict, list)) for i in body["inputs"] + body.get("state", []))
        )
        if not ok:
            return flask.jsonify(error="Yêu cầu không hợp lệ (dữ liệu gửi lên không đúng dạng)."), 400
        if "callback" not in callbacks.get(body["output"], {}):  # unknown, or run in the browser (clientside)
            return flask.jsonify(error="Yêu cầu không hợp lệ: máy chủ không xử lý đầu ra này."), 400
        return None

    @server.errorhandler(BadRequest)
    def _bad_request(exc: HTTPException):
        """A forged or malformed request (a callback value no page sends): 400 with a Vietnamese reason."""
        msg = (
            f"Yêu cầu không hợp lệ: {exc.description}"
            if exc.description and exc.description != BadRequest.description
            else "Yêu cầu không hợp lệ."
        )
        if _wants_json():
            return flask.jsonify(error=msg), 400
        return flask.make_response(
            f"<!DOCTYPE html><meta charset='utf-8'><title>400</title><p>{html.escape(msg)}</p>", 400
        )

    @server.errorhandler(Exception)
    def _unexpected(exc: Exception):
        """Never a bare 500 for a callback: a request whose values make a callback fail (a forged body, values
        no page would send) answers 400 with a Vietnamese message; the traceback goes to the server log."""
        if isinstance(exc, HTTPException):
            return exc
        server.logger.exception("request failed: %s %s", flask.request.method, flask.request.path)
        if flask.request.path == "/_dash-update-component":
            return flask.jsonify(error="Yêu cầu không hợp lệ: không xử lý được các giá trị gửi lên."), 400
        return flask.make_response(
            "<!DOCTYPE html><meta charset='utf-8'><title>Lỗi</title>"
            "<p>Đã xảy ra lỗi khi xử lý yêu cầu. Vui lòng thử lại.</p>",
            500,
        )


def _install_headers(app: dash.Dash) -> None:
    """Security headers on every response; the CSP hashes Dash's inline scripts (computed once)."""
    server = app.server
    csp: dict[str, str] = {}

    @server.after_request
    def _headers(resp: flask.Response):
        if "csp" not in csp:
            hashes = " ".join(f"'{h.strip(chr(39))}'" for h in app.csp_hashes())
            csp["csp"] = (
                "default-src 'self'; "
                f"script-src 'self' {hashes}; "
                "style-src 'self' 'unsafe-inline'; "  # plotly.js and the grid set inline styles
                "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
                "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
            )
        h = resp.headers
        h.setdefault("Content-Security-Policy", csp["csp"])
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        p = flask.request.path
        if not (p.startswith("/assets/") or p.startswith("/_dash-component-suites/")):
            h["Cache-Control"] = "no-store"  # pages and data carry a reader's figures
        return resp


def is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")
