"""The audit log: sign-ins, imports, exports, refusals and user changes, one JSON object per line.

It lives next to the database (`audit.jsonl`, or $CCHC_AUDIT), not in it: the dashboard never writes
to the database it reads. Lines are appended with O_APPEND under an exclusive lock, so several
processes (gunicorn workers, the CLI) can write at once. Entries never hold personal data: who acted,
what, file names, hashes, counts and filters (unit codes, periods) only.

The command line names the log (`path_for(db)`); inside a request, `record()` and `read()` without a path use
the current app's log (`AppData.audit_log`, hung off the app like its database: no module global, so two apps
in one process each keep their own log).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import json
import os
from collections import deque
from pathlib import Path
from typing import Any

EVENTS = {
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập sai",
    "login_locked": "Tạm khoá đăng nhập",
    "logout": "Đăng xuất",
    "import": "Nạp dữ liệu",
    "import_failed": "Nạp không thành công",
    "export": "Xuất dữ liệu",
    "denied": "Từ chối truy cập",
    "user_added": "Thêm người dùng",
    "user_removed": "Xoá người dùng",
    "digest_sent": "Gửi bản tin",
    "digest_failed": "Gửi bản tin lỗi",
    "subscription_added": "Thêm đăng ký bản tin",
    "subscription_removed": "Xoá đăng ký bản tin",
    "alert_sent": "Gửi cảnh báo",
    "alert_failed": "Gửi cảnh báo lỗi",
    "period_closed": "Chốt số liệu",
    "period_reopened": "Mở lại kỳ đã chốt",
}

def path_for(db_path: str | os.PathLike) -> Path:
    """The audit log of a database: $CCHC_AUDIT, else `audit.jsonl` next to it."""
    return Path(os.environ.get("CCHC_AUDIT") or Path(db_path).parent / "audit.jsonl")


def app_log() -> Path | None:
    """The log of the app serving the current request (None outside an app)."""
    import flask

    if not flask.has_app_context():
        return None
    data = flask.current_app.extensions.get("cchc_data")
    return getattr(data, "audit_log", None)


def os_user() -> str:
    """Who runs a command-line operation, as the audit log and the import log name them."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli:unknown"


def record(event: str, user: str | None, path_: Path | None = None, **fields: Any) -> dict:
    """Append one entry. `fields` must not hold personal data (callers pass codes and counts)."""
    target = path_ or app_log()
    entry = {
        "at": dt.datetime.now().astimezone().replace(microsecond=0).isoformat(),
        "event": event,
        "user": user or "",
        **{k: v for k, v in fields.items() if v is not None},
    }
    if target is None:
        return entry
    line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    return entry


def read(limit: int = 1000, path_: Path | None = None) -> list[dict]:
    """The newest `limit` entries, newest first (unreadable lines are shown as such, not dropped)."""
    target = path_ or app_log()
    if target is None or not target.exists():
        return []
    out: deque = deque(maxlen=limit)
    with open(target, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                out.append({"at": "", "event": "unreadable", "user": "", "detail": line[:200]})
    return list(reversed(out))
