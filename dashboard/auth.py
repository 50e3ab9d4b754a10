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
import json
import os
import re
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

import flask
from werkzeug.exceptions import Forbidden
from werkzeug.security import check_password_hash, generate_password_hash

from .db import FULL, Scope


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    all_units: bool
    personal: bool
    imports: bool
    audit: bool


ROLES: dict[str, Role] = {r.name: r for r in (
    Role("lanh_dao", "Lãnh đạo thành phố", all_units=True, personal=False, imports=False, audit=False),
    Role("noi_vu", "Phòng Nội vụ", all_units=True, personal=True, imports=True, audit=True),
    Role("don_vi", "Đơn vị", all_units=False, personal=False, imports=False, audit=False),
)}
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
MIN_PASSWORD = 8


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


SYSTEM = Principal("he-thong", "noi_vu", display_name="Dòng lệnh")        # the CLI, outside any web request
LOCAL = Principal("cuc-bo", "noi_vu", display_name="Máy cục bộ (--no-auth)")  # `cchc serve --no-auth`

def current_principal() -> Principal:
    """The reader of the current request; SYSTEM outside web requests; Forbidden when nobody signed in."""
    if flask.has_request_context():
        p = flask.g.get("principal")
        if p is None:
            raise Forbidden("chưa đăng nhập")
        return p
    return SYSTEM


_scope_override: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("cchc_scope", default=None)


def current_scope() -> Scope:
    override = _scope_override.get()
    if override is not None:
        return override
    p = current_principal()
    return FULL if p is SYSTEM else p.scope


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


# ----------------------------------------------------------------------------- the user store
# A hash to check against when the user does not exist, so an unknown name costs the same time.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


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
        return [{"username": k, **{f: v for f, v in u.items() if f != "password_hash"}}
                for k, u in sorted(self._load().items())]

    def add(self, username: str, role: str, password: str, units: list[str] | None = None,
            display_name: str = "", demo: bool = False, replace: bool = False) -> Principal:
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
        if len(password or "") < MIN_PASSWORD:
            raise UserError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự")
        Scope(units=frozenset(units))  # validates the codes
        users = dict(self._load())
        if username in users and not replace:
            raise UserError(f"đã có người dùng {username!r} (dùng --replace để đặt lại)")
        users[username] = {"role": role, "units": units, "display_name": display_name, "demo": demo,
                           "password_hash": generate_password_hash(password),
                           "created_at": dt.datetime.now().replace(microsecond=0).isoformat()}
        self._save(users)
        return self._principal(username, users[username])

    def remove(self, username: str) -> None:
        users = dict(self._load())
        if users.pop(username, None) is None:
            raise UserError(f"không có người dùng {username!r}")
        self._save(users)

    def get(self, username: str | None) -> Principal | None:
        u = self._load().get(username or "")
        return self._principal(username, u) if u else None

    def token(self, username: str) -> str:
        """Changes whenever the user's password (or the user) changes: stored in the session so a
        reset password or a removed user signs out existing sessions."""
        u = self._load().get(username) or {}
        return (u.get("password_hash") or "")[-16:]

    def verify(self, username: str, password: str) -> Principal | None:
        username = (username or "").strip().lower()
        u = self._load().get(username)
        ok = check_password_hash(u["password_hash"] if u else _DUMMY_HASH, password or "")
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
        added.append(store.add("phuong", "don_vi", DEMO_PASSWORDS["phuong"], units=[ward_code],
                               display_name=f"{ward_name or ward_code} (mẫu)", demo=True))
    return [{"username": p.username, "role": p.role, "units": list(p.units),
             "password": DEMO_PASSWORDS[p.username]} for p in added]
