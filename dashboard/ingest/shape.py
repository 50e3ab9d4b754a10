"""The shape of a real export around its table: where the header is (one, two or three rows, merged group
cells flattened to one name per column), which profile it matches, and what the title block above it says
(the unit named once, the export's date)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .profiles import Profile, fold

HEADER_SCAN_ROWS = 30
MAX_HEADER_DEPTH = 3


@dataclass
class Header:
    row: int  # 0-based index of the first header row
    depth: int  # header rows (1-3)
    profile: Profile
    labels: list[str]  # one flattened label per column
    mapped: list[str | None]  # the contract column of each, or None


@dataclass
class TitleBlock:
    unit: str | None = None
    unit_line: int | None = None
    export_at: dt.datetime | None = None
    export_from: str = ""  # what the date was read from, for the import's explanation
    lines: list[str] = field(default_factory=list)


def flatten(rows: list[list[str]]) -> list[str]:
    """One label per column from stacked header rows: the lowest non-empty cell of the column; a group label
    (a merged cell above, spread over the columns to its right) is kept as a prefix "Group / Sub"."""
    width = max((len(r) for r in rows), default=0)
    out = []
    groups = [""] * len(rows)
    for j in range(width):
        cells = [(r[j] if j < len(r) else "").strip() for r in rows]
        for i, c in enumerate(cells[:-1]):
            if c:
                groups[i] = c
            elif j == 0:
                groups[i] = ""
        lowest = next((c for c in reversed(cells) if c), "")
        level = max((i for i, c in enumerate(cells) if c), default=-1)
        group = next((groups[i] for i in range(level - 1, -1, -1) if groups[i] and not cells[i]), "")
        out.append(f"{group} / {lowest}" if group and lowest and level > 0 else lowest)
    return out


def _map(profile: Profile, labels: list[str]) -> list[str | None]:
    mapped = []
    for label in labels:
        canon = profile.map_header(label)
        if canon is None and " / " in label:  # "Thời gian / Ngày tiếp nhận": the column's own label
            canon = profile.map_header(label.split(" / ", 1)[1]) or profile.map_header(label.replace(" / ", " "))
        mapped.append(canon)
    return mapped


def find_header(rows: list[list[str]], profiles: list[Profile]) -> Header | None:
    """The first row where some profile's `detect` columns are all present (stacking up to three rows),
    choosing the stack and profile that map the most columns (then the profile's priority)."""
    for i in range(min(len(rows), HEADER_SCAN_ROWS)):
        if sum(1 for c in rows[i] if (c or "").strip()) < 2:
            continue  # a title line (one merged cell) never starts a header
        best: tuple | None = None
        for depth in range(1, MAX_HEADER_DEPTH + 1):
            if i + depth > len(rows) or (depth > 1 and not any(c.strip() for c in rows[i + depth - 1])):
                break
            labels = flatten(rows[i : i + depth])
            for p in profiles:
                mapped = _map(p, labels)
                present = set(m for m in mapped if m)
                if all(d in present for d in p.detect):
                    score = (len(present), p.priority, -depth)
                    if best is None or score > best[0]:
                        best = (score, Header(i, depth, p, labels, mapped))
        if best:
            return best[1]
    return None


_DATE_RE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def parse_date(text: str) -> dt.datetime | None:
    m = _DATE_RE.search(text or "")
    if not m:
        return None
    d, mo, y = int(m[1]), int(m[2]), int(m[3])
    y = 2000 + y if y < 100 else y
    try:
        return dt.datetime(y, mo, d, int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
    except ValueError:
        return None


def read_title(rows: list[list[str]], profile: Profile, now: dt.datetime) -> TitleBlock:
    """The unit and the export's date from the rows above the header ("Đơn vị chủ trì giải quyết: …",
    "Ngày xuất: …", "Từ ngày … đến ngày …"). A date after the import moment or before 2000 is ignored."""
    tb = TitleBlock()
    unit_labels = [fold(x) for x in profile.title.get("unit", [])]
    export_labels = [fold(x) for x in profile.title.get("export_date", [])]
    lo = dt.datetime.fromisoformat(profile.dates.get("not_before", "2000-01-01"))
    hi = now + dt.timedelta(hours=float(profile.dates.get("future_tolerance_hours", 24)))
    period_end = None
    for line_no, row in enumerate(rows, start=1):
        for cell in row:
            text = (cell or "").strip()
            if not text:
                continue
            tb.lines.append(text)
            if ":" in text:
                label, value = text.split(":", 1)
                fl = fold(label)
                if tb.unit is None and value.strip() and any(fl == u or fl.endswith(" " + u) for u in unit_labels):
                    tb.unit, tb.unit_line = value.strip(), line_no
                if any(fl == e for e in export_labels):
                    when = parse_date(value)
                    if when and lo <= when <= hi:
                        tb.export_at, tb.export_from = when, f"«{text}»"
            if profile.title.get("period", True):
                m = re.search(r"đến\s+ngày\s*:?\s*(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})", text, re.IGNORECASE)
                if m:
                    end = parse_date(m[1])
                    if end:
                        end = end.replace(hour=23, minute=59, second=59)
                        period_end = (min(end, now), f"«{text}»") if lo <= end.replace(hour=0) <= hi else None
    if tb.export_at is None and period_end:
        tb.export_at, tb.export_from = period_end
    return tb
