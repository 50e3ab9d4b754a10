"""The one Vietnamese formatter for numbers, percentages and dates (babel, vi_VN)."""

from __future__ import annotations

import datetime as dt
import functools
import numbers

import pandas as pd

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

LOCALE = "vi_VN"
DASH = "—"
_LOCALE = Locale.parse(LOCALE)


@functools.cache
def _pattern(text: str) -> NumberPattern:
    """A babel number pattern parsed once (babel's format_decimal / format_percent parse it on every call: a page
    of 170 units formats thousands of numbers)."""
    return parse_pattern(text)


def _apply(v, pattern: str) -> str:
    """babel.numbers.format_decimal / format_percent(v, pattern, locale=vi_VN), the pattern parsed once."""
    return _pattern(pattern).apply(v, _LOCALE, decimal_quantization=True, group_separator=True,
                                   numbering_system="latn")


def missing(v) -> bool:
    """None, NaN, NaT and pandas NA are all 'no value'."""
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def as_int(v) -> int | None:
    return None if missing(v) else int(v)


def num(v, digits: int = 0) -> str:
    """1245 -> '1.245'; 12.5 with digits=1 -> '12,5'."""
    if missing(v):
        return DASH
    if not digits and isinstance(v, numbers.Integral) and not isinstance(v, bool):
        return f"{int(v):,}".replace(",", ".")  # what babel writes for an integer in vi_VN, without its machinery
    return _apply(v, "#,##0" + ("." + "0" * digits if digits else ""))


def pct(v, digits: int = 2) -> str:
    """0.9856 -> '98,56%'."""
    if missing(v):
        return DASH
    return _apply(v, "#,##0" + ("." + "0" * digits if digits else "") + "%")


def pp(delta, digits: int = 2) -> str:
    """A change of a rate in percentage points: +0.0123 -> '+1,23 điểm %'."""
    if missing(delta):
        return DASH
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    return f"{sign}{num(abs(delta) * 100, digits)} điểm %"


def date(v) -> str:
    """dd/mm/yyyy."""
    if missing(v):
        return DASH
    if hasattr(v, "to_pydatetime"):
        v = v.to_pydatetime()
    return v.strftime("%d/%m/%Y")


def datetime(v) -> str:
    """dd/mm/yyyy HH:MM."""
    if missing(v):
        return DASH
    if hasattr(v, "to_pydatetime"):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime):
        return v.strftime("%d/%m/%Y %H:%M")
    return v.strftime("%d/%m/%Y")


def kpi_value(v, unit: str) -> str:
    """A KPI's actual as shown on cards: rates as percentages, ranks as 'hạng N'."""
    if unit == "rank":
        return DASH if missing(v) else f"Hạng {int(v)}"
    return pct(v)


def target_text(comparator: str | None, value, unit: str) -> str:
    if comparator is None or missing(value):
        return "Chưa có chỉ tiêu"
    if comparator == "top" or unit == "rank":
        return f"Top {int(value)}"
    symbol = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}[comparator]
    return f"{symbol} {pct(value, 0) if float(value) * 100 == int(float(value) * 100) else pct(value)}"


def rank_change(v) -> str:
    """A rank's change against the previous period (previous − current): ▲2 up, ▼1 down, = kept, '' no rank then."""
    if missing(v):
        return ""
    v = int(v)
    return f"▲{v}" if v > 0 else f"▼{-v}" if v < 0 else "="
