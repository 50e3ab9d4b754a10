"""Subscriptions to the digest: who receives it (addresses, and the account whose scope it is read in), what (a
period kind or key, a unit), and when ("Mon 07:00", "T2,T5 07:00", "daily 06:30"). `cchc digest --due`, run by a
systemd timer or cron, sends every subscription whose scheduled time has come since its last send.

Both the subscriptions and their send-state live in `subscriptions.json` next to the database (or
$CCHC_SUBSCRIPTIONS), like the users file: never in the published database, which every import replaces, so a
republish neither loses them nor makes a rerun send twice. The file is rewritten atomically (mode 600) under an
exclusive lock, and `--due` holds that lock for its whole run, so two overlapping timer runs cannot both send.
A failed send keeps the subscription due: the next run tries again, and the run's exit code says it failed."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import HintedError
from .ingest.profiles import fold_key
from .statefile import StateFile

DAYS = {  # weekday number (Monday 0) by the names an operator types, English and Vietnamese, folded
    0: ("mon", "monday", "t2", "thu2", "thu_2", "thu_hai"),
    1: ("tue", "tuesday", "t3", "thu3", "thu_3", "thu_ba"),
    2: ("wed", "wednesday", "t4", "thu4", "thu_4", "thu_tu"),
    3: ("thu", "thursday", "t5", "thu5", "thu_5", "thu_nam"),
    4: ("fri", "friday", "t6", "thu6", "thu_6", "thu_sau"),
    5: ("sat", "saturday", "t7", "thu7", "thu_7", "thu_bay"),
    6: ("sun", "sunday", "cn", "chu_nhat"),
}
DAY_BY_NAME = {name: n for n, names in DAYS.items() for name in names}
EVERY_DAY = ("daily", "hang_ngay", "moi_ngay", "*")
DAY_LABELS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
PERIODS = ("week", "month", "quarter", "half", "year")
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


class SubscriptionError(HintedError, ValueError):
    """A refusal: the message for the page, `cli_hint` for the command line (errors.HintedError)."""


@dataclass(frozen=True)
class Schedule:
    days: tuple[int, ...]
    at: dt.time

    @classmethod
    def parse(cls, text: str) -> Schedule:
        """"Mon 07:00", "T2,T5 07:00", "daily 06:30" (also "hằng ngày 06:30", "Thứ Hai 07:00")."""
        parts = (text or "").strip().rsplit(None, 1)
        m = _TIME.fullmatch(parts[-1]) if parts else None
        if len(parts) != 2 or not m:
            raise SubscriptionError(f"lịch gửi không hợp lệ: {text!r} (ngày rồi giờ, vd. \"Thứ 2 07:00\", "
                                    "\"T2,T5 07:00\", \"hằng ngày 06:30\")")
        names = [fold_key(n) or n.strip() for n in parts[0].split(",")]
        if len(names) == 1 and names[0] in EVERY_DAY:
            days = tuple(range(7))
        else:
            unknown = [n for n in names if n not in DAY_BY_NAME]
            if unknown:
                raise SubscriptionError(f"lịch gửi: không hiểu ngày {', '.join(unknown)!s} (T2…T7, CN, Mon…Sun)")
            days = tuple(sorted({DAY_BY_NAME[n] for n in names}))
        return cls(days, dt.time(int(m.group(1)), int(m.group(2))))

    @property
    def label(self) -> str:
        days = "hằng ngày" if len(self.days) == 7 else ", ".join(DAY_LABELS[d] for d in self.days)
        return f"{days} lúc {self.at:%H:%M}"

    def last_slot(self, now: dt.datetime) -> dt.datetime:
        """The latest scheduled moment at or before `now`."""
        for back in range(8):
            day = now.date() - dt.timedelta(days=back)
            slot = dt.datetime.combine(day, self.at)
            if day.weekday() in self.days and slot <= now:
                return slot
        raise AssertionError("a schedule has at least one day a week")

    def next_slot(self, now: dt.datetime) -> dt.datetime:
        for ahead in range(8):
            day = now.date() + dt.timedelta(days=ahead)
            slot = dt.datetime.combine(day, self.at)
            if day.weekday() in self.days and slot > now:
                return slot
        raise AssertionError("a schedule has at least one day a week")


@dataclass
class Subscription:
    id: str
    to: list[str]
    schedule: str
    period: str = "quarter"  # week | month | quarter | half | year (the one containing the data's date) or a key
    unit: str | None = None
    as_user: str | None = None  # the account whose scope the digest is read and printed in
    name: str = ""
    created_at: str = ""
    last_sent: str | None = None
    last_error: str | None = None  # the last failed send's message, as a page shows it
    last_error_hint: str | None = None  # and what the command line adds (errors.HintedError.cli_hint)
    last_attempt: str | None = None
    sends: int = 0
    extra: dict = field(default_factory=dict)

    def due(self, now: dt.datetime) -> bool:
        since = dt.datetime.fromisoformat(self.last_sent or self.created_at)
        return Schedule.parse(self.schedule).last_slot(now) > since


def path_for(db_path: str | os.PathLike) -> Path:
    return Path(os.environ.get("CCHC_SUBSCRIPTIONS") or Path(db_path).parent / "subscriptions.json")


class SubscriptionStore(StateFile):
    def load(self) -> list[Subscription]:
        try:
            return [Subscription(**r) for r in self.read([])]
        except (ValueError, TypeError) as exc:
            raise SubscriptionError(f"không đọc được danh sách đăng ký ({exc})", cli_hint=str(self.path)) from exc

    def save(self, subs: list[Subscription]) -> None:
        self.write([asdict(s) for s in subs])

    def add(self, sub: Subscription) -> Subscription:
        with self.locked():
            subs = self.load()
            subs.append(sub)
            self.save(subs)
        return sub

    def remove(self, sub_id: str) -> None:
        with self.locked():
            subs = self.load()
            left = [s for s in subs if s.id != sub_id]
            if len(left) == len(subs):
                raise SubscriptionError(f"không có đăng ký {sub_id!r} (có thể đã bị xoá)")
            self.save(left)

    def update(self, sub: Subscription) -> None:
        """Write one subscription's state back (the caller holds the lock)."""
        self.save([sub if s.id == sub.id else s for s in self.load()])


def new_subscription(to: list[str], schedule: str, period: str = "quarter", unit: str | None = None,
                     as_user: str | None = None, name: str = "", now: dt.datetime | None = None) -> Subscription:
    from .digest import _address

    Schedule.parse(schedule)
    bad = [a for a in to if not _address(a)]
    if bad or not to:
        raise SubscriptionError(f"địa chỉ thư không hợp lệ: {', '.join(bad) or '(trống)'}")
    if period not in PERIODS:
        from .metrics.period import Period, PeriodError

        try:
            Period.parse(period)
        except (PeriodError, ValueError) as exc:
            raise SubscriptionError(f"kỳ không hợp lệ: {period!r} ({', '.join(PERIODS)} hoặc 2026-Q3…)") from exc
    now = (now or dt.datetime.now()).replace(second=0, microsecond=0)
    return Subscription(secrets.token_hex(4), list(to), schedule, period, unit or None, as_user or None, name,
                        now.isoformat())


def split_addresses(text: str | None) -> list[str]:
    """The addresses typed in one box: separated by commas, semicolons, spaces or new lines."""
    return [a for a in re.split(r"[,;\s]+", text or "") if a]


def add_checked(db_path: str | os.PathLike, to: list[str], schedule: str, period: str = "quarter",
                unit: str | None = None, as_user: str | None = None, name: str = "", *, by: str, reader=None,
                now: dt.datetime | None = None) -> Subscription:
    """Add a subscription as the command line and the page both do: the account and the unit must exist (the unit
    is checked through `reader` when given), the fields are validated (SubscriptionError, in Vietnamese), the
    state file is rewritten under its lock, and the addition is audited as done `by` (a user or cli:…)."""
    from . import audit

    if as_user:
        from .auth import UserStore, users_path

        if UserStore(users_path(db_path)).get(as_user) is None:
            raise SubscriptionError(f"không có người dùng {as_user!r}")
    if unit and reader is not None and reader.q("unit_exists", unit=unit).empty:
        raise SubscriptionError(f"không có đơn vị {unit!r}")
    sub = SubscriptionStore(path_for(db_path)).add(
        new_subscription(to, schedule, period, unit, as_user, (name or "").strip(), now=now))
    audit.record("subscription_added", by, audit.path_for(db_path), subscription=sub.id, schedule=sub.schedule,
                 period=sub.period, unit=sub.unit, as_user=sub.as_user, recipients=len(sub.to))
    return sub


def remove_checked(db_path: str | os.PathLike, sub_id: str, *, by: str) -> None:
    """Remove one subscription under the lock and audit it (SubscriptionError if there is none)."""
    from . import audit

    SubscriptionStore(path_for(db_path)).remove(sub_id)
    audit.record("subscription_removed", by, audit.path_for(db_path), subscription=sub_id)


def send_due(db_path: Path, now: dt.datetime, smtp: str | None = None, starttls: bool = False,
             dry_run: bool = False, log=print) -> tuple[int, int]:
    """Send every subscription due at `now`; (sent, failed). A sent one records `last_sent = now` at once (so a
    crash after it cannot resend it); a failed one keeps its last send and stays due."""
    from .digest import DigestError, DigestFailed, send_digest

    store = SubscriptionStore(path_for(db_path))
    sent = failed = 0
    with store.locked():
        for sub in store.load():
            if not sub.due(now):
                continue
            label = sub.name or sub.id
            sub.last_attempt = now.isoformat()
            try:
                send_digest(db_path, sub.period, sub.unit, sub.to, as_user=sub.as_user, smtp=smtp,
                            starttls=starttls, dry_run=dry_run, log=log, subscription=sub.id)
            except (DigestError, DigestFailed) as exc:
                failed += 1
                sub.last_error, sub.last_error_hint = str(exc), exc.cli_hint or None
                log(f"Đăng ký {label}: lỗi: {exc.for_cli()}")
            else:
                if dry_run:
                    continue
                sent += 1
                sub.last_sent, sub.sends = now.isoformat(), sub.sends + 1
                sub.last_error = sub.last_error_hint = None
            if not dry_run:
                store.update(sub)
    return sent, failed


def rows(subs: list[Subscription], now: dt.datetime) -> list[dict]:
    """What the list and the page show, one dict per subscription."""
    out = []
    for s in subs:
        sch = Schedule.parse(s.schedule)
        out.append({
            "id": s.id, "name": s.name, "to": s.to, "as_user": s.as_user, "unit": s.unit, "period": s.period,
            "schedule": s.schedule, "schedule_label": sch.label, "last_sent": s.last_sent, "sends": s.sends,
            "last_error": s.last_error, "last_error_hint": s.last_error_hint,
            "next": sch.next_slot(now).isoformat(), "due": s.due(now),
        })
    return out
