"""Reporting periods: `2024-W15`, `2024-04`, `2024-Q1`, `2024-H1`, `2024`, or a date range.

A period is a closed range of calendar dates [start, end]; queries use the half-open
timestamp range [start 00:00, end+1 00:00).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.I | re.A)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$", re.A)
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.I | re.A)
_HALF = re.compile(r"^(\d{4})-?H([12])$", re.I | re.A)
_YEAR = re.compile(r"^(\d{4})$", re.A)
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.\.|/|_)(\d{4}-\d{2}-\d{2})$", re.A)
# Years a reporting period may fall in: the arithmetic around a period (previous, a year before, a week's
# ISO year) then always stays within the calendar; 0000, 0001-Q1 or 9999-12 are refused, not crashed on.
MIN_YEAR, MAX_YEAR = 1970, 2100


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class _Named:
    """A kind of named period: which one of its year a day falls in, its canonical text, its Vietnamese label."""
    number: Callable[[dt.date], tuple[int, int]]  # (year, number within the year) of the period holding a day
    key: str  # format of the text `Period.parse` reads back ({y}, {n})
    label: str  # format of the label ({y}, {n}; {half}: đầu / cuối)


NAMED: dict[str, _Named] = {
    "week": _Named(lambda d: tuple(d.isocalendar())[:2], "{y}-W{n:02d}", "Tuần {n}/{y}"),
    "month": _Named(lambda d: (d.year, d.month), "{y}-{n:02d}", "Tháng {n}/{y}"),
    "quarter": _Named(lambda d: (d.year, (d.month - 1) // 3 + 1), "{y}-Q{n}", "Quý {n}/{y}"),
    "half": _Named(lambda d: (d.year, 1 if d.month <= 6 else 2), "{y}-H{n}", "6 tháng {half} năm {y}"),
    "year": _Named(lambda d: (d.year, 0), "{y}", "Năm {y}"),
}


def _named_text(kind: str, day: dt.date, form: str) -> str:
    """The key (`form` "key") or label ("label") of the period of `kind` holding `day`."""
    named = NAMED[kind]
    y, n = named.number(day)
    return getattr(named, form).format(y=y, n=n, half="đầu" if n == 1 else "cuối")


@dataclass(frozen=True)
class Period:
    kind: str  # week | month | quarter | half | year | range
    start: dt.date
    end: dt.date  # inclusive
    cut: bool = False  # end moved back to the data's as-of date (a period still running)

    # -- constructors --------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Period:
        if text is not None and not isinstance(text, str):
            raise PeriodError(f"kỳ không hợp lệ: {text!r}")
        s = (text or "").strip()
        if (m := re.match(r"^(\d{4})", s, re.A)) and not MIN_YEAR <= int(m[1]) <= MAX_YEAR:
            raise PeriodError(f"năm {m[1]} nằm ngoài {MIN_YEAR}–{MAX_YEAR}: {text!r}")
        if m := _WEEK.match(s):
            y, w = int(m[1]), int(m[2])
            try:
                start = dt.date.fromisocalendar(y, w, 1)
            except ValueError as exc:
                raise PeriodError(f"tuần không hợp lệ: {text!r}") from exc
            return cls("week", start, start + dt.timedelta(days=6))
        if m := _MONTH.match(s):
            y, mo = int(m[1]), int(m[2])
            if not 1 <= mo <= 12:
                raise PeriodError(f"tháng không hợp lệ: {text!r}")
            return cls("month", dt.date(y, mo, 1), _month_end(y, mo))
        if m := _QUARTER.match(s):
            y, q = int(m[1]), int(m[2])
            return cls("quarter", dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
        if m := _HALF.match(s):
            y, h = int(m[1]), int(m[2])
            return cls("half", dt.date(y, 6 * h - 5, 1), _month_end(y, 6 * h))
        if m := _YEAR.match(s):
            y = int(m[1])
            return cls("year", dt.date(y, 1, 1), dt.date(y, 12, 31))
        if m := _RANGE.match(s):
            return cls.between(_date(m[1], text), _date(m[2], text))
        raise PeriodError(
            f"kỳ không hợp lệ: {text!r} (dùng 2024-W15, 2024-04, 2024-Q1, 2024-H1, 2024 hoặc 2024-01-01..2024-03-31)"
        )

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> Period:
        for d in (start, end):
            if not MIN_YEAR <= d.year <= MAX_YEAR:
                raise PeriodError(f"ngày {d:%d/%m/%Y} nằm ngoài các năm {MIN_YEAR}–{MAX_YEAR}")
        if end < start:
            raise PeriodError(f"ngày kết thúc {end} trước ngày bắt đầu {start}")
        return cls("range", start, end)

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> Period:
        if kind not in NAMED:
            raise PeriodError(f"loại kỳ không hợp lệ: {kind!r}")
        return cls.parse(_named_text(kind, day, "key"))

    @classmethod
    def to_date(cls, kind: str, day: dt.date) -> Period:
        """The period of `kind` containing `day`, cut at `day` (e.g. quarter-to-date)."""
        full = cls.containing(kind, day)
        return full if full.end <= day else cls("range", full.start, day)

    def clipped(self, as_of: dt.date) -> Period:
        """A period still running is shown up to the data's as-of date (quarter-to-date…)."""
        if self.end <= as_of or as_of < self.start:
            return self
        return Period(self.kind, self.start, as_of, cut=True)

    # -- properties ----------------------------------------------------------------
    @property
    def key(self) -> str:
        """The canonical text that `parse` reads back (used in URLs and reports)."""
        if self.kind in NAMED:
            return _named_text(self.kind, self.start, "key")
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        """Vietnamese label, e.g. `Quý 2/2024`, `Tuần 15/2024`, `01/04/2024 – 15/05/2024`."""
        base = self._base_label()
        return f"{base} (đến {self.end:%d/%m/%Y})" if self.cut and self.kind != "range" else base

    def _base_label(self) -> str:
        s = self.start
        if self.kind not in NAMED:
            return f"{s:%d/%m/%Y} – {self.end:%d/%m/%Y}"
        base = _named_text(self.kind, s, "label")
        return f"{base} ({s:%d/%m} – {self.end:%d/%m/%Y})" if self.kind == "week" and not self.cut else base

    @property
    def start_ts(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time())

    @property
    def end_ts(self) -> dt.datetime:
        """Exclusive end: midnight after the last day."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time())

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def year(self) -> int:
        return self.end.year

    def params(self) -> dict[str, dt.datetime]:
        return {"start": self.start_ts, "end": self.end_ts}

    # -- comparisons -----------------------------------------------------------------
    def previous(self) -> Period:
        """The period just before, of the same kind (same length for ranges)."""
        if self.kind == "range":
            return Period("range", self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))
        prev = Period.containing(self.kind, self.start - dt.timedelta(days=1))
        if self.cut:  # compare like with like: the same number of days into the previous period
            return Period(prev.kind, prev.start, min(prev.end, prev.start + dt.timedelta(days=self.days - 1)), cut=True)
        return prev

    def year_before(self) -> Period:
        """The same period one year earlier."""
        if self.kind == "week":
            y, w, _ = self.start.isocalendar()
            try:
                return Period.parse(f"{y - 1}-W{w:02d}")
            except PeriodError:
                return Period.parse(f"{y - 1}-W52")
        if self.kind == "range" or self.cut:
            return Period(self.kind, _minus_year(self.start), _minus_year(self.end), cut=self.cut)
        return Period.containing(self.kind, _minus_year(self.start))

    def __str__(self) -> str:
        return self.key


def weeks_back(end: dt.date, weeks: int) -> dt.date:
    """The Monday that starts a window of `weeks` calendar weeks whose last week holds `end`: trends drawn from it
    begin with a whole week (only the week still running is partial), not with the few days left of a week cut
    at `end` less 7 × `weeks` days."""
    return end - dt.timedelta(days=end.weekday(), weeks=weeks - 1)


def _date(iso: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(iso)
    except ValueError:
        d, m, y = iso[8:10], iso[5:7], iso[:4]
        raise PeriodError(f"ngày {d}/{m}/{y} không tồn tại (trong {text!r})") from None


def _month_end(y: int, m: int) -> dt.date:
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _minus_year(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def from_cli(period: str | None, date_from: str | None, date_to: str | None) -> Period:
    if date_from or date_to:
        if not (date_from and date_to):
            raise PeriodError("--from và --to phải đi cùng nhau")
        return Period.between(_date(date_from, date_from), _date(date_to, date_to))
    if not period:
        raise PeriodError("cần --period (vd. 2024-Q1) hoặc --from/--to")
    return Period.parse(period)


# ----------------------------------------------------------------------------- periods as a reader sees them
def resolve_period(reader, text: str | None, default_kind: str = "quarter") -> Period:
    """The URL's period (or the current one to date), cut at the data's as-of date."""
    day = reader.as_of.date()
    try:
        p = Period.parse(text) if text else Period.containing(default_kind, day)
    except PeriodError:
        p = Period.containing(default_kind, day)
    return p.clipped(day)


def period_options(reader) -> list[dict]:
    """Choices for the period picker: running periods first, then past quarters, months and years."""
    import pandas as pd

    day = reader.as_of.date()
    first = reader.coverage.get("first_received")
    first_year = pd.Timestamp(first).year if first is not None and not pd.isna(first) else day.year
    opts: list[dict] = []
    seen: set[str] = set()

    def add(p: Period, label: str | None = None):
        if p.key not in seen:
            seen.add(p.key)
            opts.append({"label": label or p.clipped(day).label, "value": p.key})

    this_week = Period.containing("week", day)
    add(this_week, f"Tuần này — {this_week.clipped(day).label}")
    add(this_week.previous(), f"Tuần trước — {this_week.previous().label}")
    for kind, word in (("month", "Tháng này"), ("quarter", "Quý này"), ("year", "Năm nay")):
        add(Period.containing(kind, day), f"{word} — {Period.containing(kind, day).clipped(day).label}")
    q = Period.containing("quarter", day).previous()
    while q.end.year >= first_year:
        add(q)
        q = q.previous()
    m = Period.containing("month", day).previous()
    for _ in range(12):
        add(m)
        m = m.previous()
    for y in range(day.year - 1, first_year - 1, -1):
        add(Period.parse(str(y)))
    return opts
