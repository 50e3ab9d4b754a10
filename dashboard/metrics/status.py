"""The one status rule: met / at risk / missed against a target (and "unreachable" for a projection), used by
the cards, the matrix, the charts, the deck, the targets page and the analysis page alike."""

from __future__ import annotations

import math

EPS = 1e-12
JUDGED = ("met", "at_risk", "missed", "unreachable")  # statuses of a KPI that has a valid target and data


def scorecard(statuses) -> tuple[int, int]:
    """(met, judged): the "x/8 chỉ tiêu đạt" of the overview's headline and of the digest's subject."""
    judged = [s for s in statuses if s in JUDGED]
    return sum(s == "met" for s in judged), len(judged)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def status_of(
    actual: float | None,
    comparator: str | None,
    target: float | None,
    margin: float = 0.0,
    *,
    interval: tuple[float | None, float | None] | None = None,
    reachable: bool = True,
) -> str:
    """met / at_risk / missed, `margin` being the distance short of the target still called at risk.

    For a projection, `interval` = (low, high): met when even the low end reaches the target, at risk when only
    the high end does, missed otherwise; `reachable=False` (out of reach whatever happens next) is "unreachable"."""
    if _missing(actual):
        return "no_data"
    if target is None or comparator is None:
        return "no_target"
    if not reachable:
        return "unreachable"
    if interval is not None:
        low, high = interval
        if low is not None and _meets(low, comparator, target):
            return "met"
        return "at_risk" if _meets(high or 0, comparator, target) else "missed"
    if _meets(actual, comparator, target, strict=comparator in (">", "<")):
        return "met"
    return "at_risk" if _meets(actual, comparator, target, slack=margin) else "missed"


def _meets(value: float, comparator: str, target: float, slack: float = 0.0, strict: bool = False) -> bool:
    if comparator in (">=", ">"):
        return value > target + EPS if strict else value >= target - slack - EPS
    if comparator in ("<=", "<", "top"):
        return value < target - EPS if strict else value <= target + slack + EPS
    raise ValueError(f"unknown comparator {comparator!r}")
