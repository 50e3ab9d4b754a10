"""Who is reading: users, roles, and the scope each reader's queries run under.

Roles (see README, "Security"):
  lanh_dao  city leadership: every unit; personal data masked; no imports, no audit log
  noi_vu    Home Affairs office: every unit, personal data, imports, rejected rows, audit log
  don_vi    a unit's staff: only the unit(s) assigned (and the units under them); personal data masked

Users live in a JSON file next to the database (`users.json`, or $CCHC_USERS), passwords hashed
with werkzeug's scrypt; `cchc users add/list/remove` manages them. The data layer asks
`current_scope()` for every query: in a web request without a signed-in user it raises
(default deny); outside any request (the CLI, run by whoever holds the files) it is full access.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import hashlib
import json
import os
import re
import secrets
import sqlite3
import threading
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .db import Scope

# flask, werkzeug and the data layer (duckdb) are imported where they are used: `cchc users`, `cchc close --as`
# and the state files need none of them, and a CLI call should not pay for the web stack.


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    all_units: bool
    personal: bool
    imports: bool
    audit: bool


ROLES: dict[str, Role] = {
    r.name: r
    for r in (
        Role("lanh_dao", "Lãnh đạo thành phố", all_units=True, personal=False, imports=False, audit=False),
        Role("noi_vu", "Phòng Nội vụ", all_units=True, personal=True, imports=True, audit=True),
        Role("don_vi", "Đơn vị", all_units=False, personal=False, imports=False, audit=False),
    )
}
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
SESSION_SECONDS = 12 * 3600


class UserError(ValueError):
    pass


@dataclass(frozen=True)
class Principal:
    """A signed-in reader (or the CLI's operator)."""

    username: str
    role: str
    units: tuple[str, ...] = ()
    display_name: str = ""

    @property
    def info(self) -> Role:
        return ROLES[self.role]

    @property
    def scope(self) -> Scope:
        from .db import Scope

        r = self.info
        return Scope(units=None if r.all_units else frozenset(self.units), personal=r.personal, imports=r.imports)

    def can(self, permission: str) -> bool:
        """permission: 'imports' | 'audit' | 'personal'."""
        return bool(getattr(self.info, permission))

    @property
    def label(self) -> str:
        who = self.display_name or self.username
        units = f" ({', '.join(self.units)})" if self.units and not self.info.all_units else ""
        return f"{who} — {self.info.label}{units}"


SYSTEM = Principal("he-thong", "noi_vu", display_name="Dòng lệnh")  # the CLI, outside any web request
LOCAL = Principal("cuc-bo", "noi_vu", display_name="Máy cục bộ (--no-auth)")  # `cchc serve --no-auth`


def current_principal() -> Principal:
    """The reader of the current request; SYSTEM outside web requests; Forbidden when nobody signed in."""
    flask = sys.modules.get("flask")  # not loaded: no web request in this process
    if flask is not None and flask.has_request_context():
        p = flask.g.get("principal")
        if p is None:
            from werkzeug.exceptions import Forbidden

            raise Forbidden("chưa đăng nhập")
        return p
    return SYSTEM


_scope_override: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("cchc_scope", default=None)


def current_scope() -> Scope:
    override = _scope_override.get()
    if override is not None:
        return override
    p = current_principal()
    if p is SYSTEM:
        from .db import FULL

        return FULL
    return p.scope


@contextlib.contextmanager
def reading_as(scope: Scope):
    """Read data through a given scope (the cache warmer re-renders pages readers of that scope used)."""
    token = _scope_override.set(scope)
    try:
        yield scope
    finally:
        _scope_override.reset(token)


def require(permission: str) -> Principal:
    p = current_principal()
    if not p.can(permission):
        from werkzeug.exceptions import Forbidden

        raise Forbidden(f"vai trò {p.info.label} không có quyền này")
    return p


# ----------------------------------------------------------------------------- files next to the database
def users_path(db_path: str | os.PathLike) -> Path:
    return Path(os.environ.get("CCHC_USERS") or Path(db_path).parent / "users.json")


def secret_key(db_path: str | os.PathLike) -> str:
    """$CCHC_SECRET_KEY, else a key generated once into `secret_key` next to the database (mode 600)."""
    env = os.environ.get("CCHC_SECRET_KEY")
    if env:
        return env
    path = Path(db_path).parent / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def check_password(password: str | None) -> str:
    """A usable password: 8–1024 characters, not only spaces, no control characters."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"mật khẩu dài quá {MAX_PASSWORD} ký tự")
    if not password.strip():
        raise UserError("mật khẩu không được chỉ gồm dấu cách")
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise UserError("mật khẩu không được chứa ký tự điều khiển (tab, xuống dòng…)")
    if len(set(password)) < 3:
        raise UserError("mật khẩu quá đơn giản (cần ít nhất 3 ký tự khác nhau)")
    return password


def sessions_path(users_file: str | os.PathLike) -> Path:
    return Path(os.environ.get("CCHC_SESSIONS") or Path(users_file).parent / "sessions.sqlite")


@dataclass(frozen=True)
class Session:
    username: str
    stamp: str
    csrf: str
    expires: float


class SessionStore:
    """Server-side sessions: the cookie carries only a random session id; this file (SQLite, next to the
    users file) holds sha256(id) -> user, password stamp, CSRF token, expiry. Sign-out, a password reset
    and a removed user delete rows, so a copied cookie stops working at once in every worker."""

    _local = threading.local()

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def _con(self) -> sqlite3.Connection:
        key = (str(self.path), os.getpid())
        cons = getattr(self._local, "cons", None)
        if cons is None:
            cons = self._local.cons = {}
        con = cons.get(key)
        if con is None or not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                with contextlib.suppress(FileExistsError):
                    os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            con.execute("PRAGMA busy_timeout = 10000")
            con.execute(
                "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, username TEXT NOT NULL, "
                "stamp TEXT NOT NULL, csrf TEXT NOT NULL, created REAL NOT NULL, expires REAL NOT NULL)"
            )
            con.execute("CREATE INDEX IF NOT EXISTS sessions_user ON sessions (username)")
            cons[key] = con
        return con

    @staticmethod
    def _key(sid: str) -> str:
        return hashlib.sha256(sid.encode()).hexdigest()

    def create(self, username: str, stamp: str, seconds: int = SESSION_SECONDS) -> tuple[str, str]:
        """A new session: returns (session id for the cookie, CSRF token)."""
        sid, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(24), time.time()
        con = self._con()
        con.execute("DELETE FROM sessions WHERE expires < ?", [now])
        con.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
            [self._key(sid), username, stamp, csrf, now, now + seconds],
        )
        return sid, csrf

    def get(self, sid: str | None) -> Session | None:
        if not sid or not isinstance(sid, str):
            return None
        row = (
            self._con()
            .execute("SELECT username, stamp, csrf, expires FROM sessions WHERE id = ?", [self._key(sid)])
            .fetchone()
        )
        if row is None or row[3] < time.time():
            return None
        return Session(*row)

    def revoke(self, sid: str | None) -> None:
        if sid and isinstance(sid, str):
            self._con().execute("DELETE FROM sessions WHERE id = ?", [self._key(sid)])

    def revoke_user(self, username: str) -> int:
        return self._con().execute("DELETE FROM sessions WHERE username = ?", [username]).rowcount

    def count(self, username: str | None = None) -> int:
        q, args = ("SELECT count(*) FROM sessions WHERE expires >= ?", [time.time()])
        if username:
            q, args = q + " AND username = ?", args + [username]
        return self._con().execute(q, args).fetchone()[0]


# ----------------------------------------------------------------------------- the user store
@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when the user does not exist, so an unknown name costs the same time (made at the
    first sign-in, not when the module is imported: a scrypt hash is no cost of `cchc users list`)."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(secrets.token_hex(16))


@dataclass
class UserStore:
    path: Path
    _cache: tuple = field(default=(None, {}), repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _load(self) -> dict[str, dict]:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return {}
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        with self._lock:
            if self._cache[0] != stamp:
                data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
                self._cache = (stamp, data.get("users", {}))
            return self._cache[1]

    def _save(self, users: dict[str, dict]) -> None:
        _write_private(self.path, json.dumps({"users": users}, ensure_ascii=False, indent=2, sort_keys=True) + "\n")

    def users(self) -> list[dict]:
        return [
            {"username": k, **{f: v for f, v in u.items() if f != "password_hash"}}
            for k, u in sorted(self._load().items())
        ]

    def add(
        self,
        username: str,
        role: str,
        password: str,
        units: list[str] | None = None,
        display_name: str = "",
        demo: bool = False,
        replace: bool = False,
    ) -> Principal:
        username = (username or "").strip().lower()
        if not USERNAME.fullmatch(username):
            raise UserError("tên đăng nhập: 2–40 ký tự a-z, 0-9, dấu . _ -")
        if role not in ROLES:
            raise UserError(f"vai trò không hợp lệ {role!r}: {', '.join(ROLES)}")
        units = [u.strip() for u in (units or []) if u.strip()]
        if role == "don_vi" and not units:
            raise UserError("vai trò don_vi cần ít nhất một mã đơn vị (--units)")
        if ROLES[role].all_units and units:
            raise UserError(f"vai trò {role} xem mọi đơn vị: bỏ --units")
        check_password(password)
        from werkzeug.security import generate_password_hash

        from .db import Scope

        Scope(units=frozenset(units))  # validates the codes
        users = dict(self._load())
        if username in users and not replace:
            raise UserError(f"đã có người dùng {username!r} (dùng --replace để đặt lại)")
        users[username] = {
            "role": role,
            "units": units,
            "display_name": display_name,
            "demo": demo,
            "password_hash": generate_password_hash(password),
            "created_at": dt.datetime.now().replace(microsecond=0).isoformat(),
        }
        self._save(users)
        self.sessions.revoke_user(username)  # a reset password ends the sessions opened with the old one
        return self._principal(username, users[username])

    def remove(self, username: str) -> None:
        users = dict(self._load())
        if users.pop(username, None) is None:
            raise UserError(f"không có người dùng {username!r}")
        self._save(users)
        self.sessions.revoke_user(username)

    @property
    def sessions(self) -> SessionStore:
        """The server-side sessions, in a file next to the users file (shared by every worker and the CLI)."""
        return SessionStore(sessions_path(self.path))

    def get(self, username: str | None) -> Principal | None:
        u = self._load().get(username or "")
        return self._principal(username, u) if u else None

    def stamp(self, username: str) -> str:
        """Changes whenever the user's password (or the user) changes. Kept server-side only, in the session
        row (never in the cookie): a session opened before a password reset no longer matches."""
        u = self._load().get(username) or {}
        h = u.get("password_hash") or ""
        return hashlib.sha256(h.encode()).hexdigest() if h else ""

    def verify(self, username: str, password: str) -> Principal | None:
        username = (username or "").strip().lower()
        u = self._load().get(username)
        from werkzeug.security import check_password_hash

        ok = check_password_hash(u["password_hash"] if u else _dummy_hash(), password or "")
        return self._principal(username, u) if u and ok else None

    def demo_accounts(self) -> list[dict]:
        return [u for u in self.users() if u.get("demo")]

    @staticmethod
    def _principal(username: str, u: dict) -> Principal:
        return Principal(username, u["role"], tuple(u.get("units") or ()), u.get("display_name") or "")


# Demo accounts (documented in the README): created by `cchc demo` when the store is empty.
DEMO_PASSWORDS = {"chutich": "demo-chutich", "noivu": "demo-noivu", "phuong": "demo-phuong"}


def ensure_demo_users(store: UserStore, ward_code: str | None, ward_name: str = "") -> list[dict]:
    """Add the three demo accounts if the store has no users at all; returns what was added."""
    if store.users():
        return []
    added = [
        store.add("chutich", "lanh_dao", DEMO_PASSWORDS["chutich"], display_name="Chủ tịch UBND (mẫu)", demo=True),
        store.add("noivu", "noi_vu", DEMO_PASSWORDS["noivu"], display_name="Phòng Nội vụ (mẫu)", demo=True),
    ]
    if ward_code:
        added.append(
            store.add(
                "phuong",
                "don_vi",
                DEMO_PASSWORDS["phuong"],
                units=[ward_code],
                display_name=f"{ward_name or ward_code} (mẫu)",
                demo=True,
            )
        )
    return [
        {"username": p.username, "role": p.role, "units": list(p.units), "password": DEMO_PASSWORDS[p.username]}
        for p in added
    ]
