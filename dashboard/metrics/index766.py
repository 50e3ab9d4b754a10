"""The national service index (Decision 766/QĐ-TTg) as the portal computes it, per unit and period.

Every sub-indicator of `config.INDEX766` gets numerator, denominator, rate, points, maximum and points lost. The
counts come from `queries/index766_counts.sql` (dossiers) and `queries/satisfaction.sql` (5.4). A sub-indicator
the city's data cannot compute (publication of procedures, petitions, optional columns the extract lacks, a zero
denominator) is returned with `computed = False` and its reason, and earns no points: the total is out of 100,
never rescaled to the computable part (`computed_max_points` says how much of the 100 was computable)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..config import (
    INDEX766,
    INDEX766_ASSUME_PAPER_RESULT,
    INDEX766_GROUPS,
    PETITION_HANDLE_DAYS,
    PETITION_REFUSE_DAYS,
    Index766Indicator,
)
from .period import Period
from .units import permit, units

ROW_KEYS = ("unit_code", "indicator", "group", "label", "numerator", "denominator", "rate", "points", "max_points",
            "points_lost", "computed", "note")
MAX_TOTAL = float(sum(i.max_points for i in INDEX766))


def points_for(ind: Index766Indicator, rate: float) -> float:
    """max × rate / threshold, capped at max, where a threshold exists; otherwise max × rate."""
    raw = ind.max_points * rate / ind.threshold if ind.threshold else ind.max_points * rate
    return round(min(ind.max_points, max(0.0, raw)), 2)


def _counts(reader, period: Period) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    dossiers = reader.q("index766_counts", paper_default=INDEX766_ASSUME_PAPER_RESULT, **period.params())
    surveys = reader.q("satisfaction", **period.params())
    petitions = None
    if int(reader.q("petitions_any").iloc[0, 0]):
        petitions = reader.q("index766_petitions", handle_days=PETITION_HANDLE_DAYS, refuse_days=PETITION_REFUSE_DAYS,
                             **period.params()).set_index("unit_code")
    return dossiers.set_index("unit_code"), surveys.set_index("unit_code"), petitions


def _row(code: str, ind: Index766Indicator, c: dict, s: dict, pk: dict | None = None) -> dict[str, Any]:
    row = {"unit_code": code, "indicator": ind.code, "group": ind.group, "label": ind.label, "numerator": None,
           "denominator": None, "rate": None, "points": None, "max_points": ind.max_points, "points_lost": None,
           "computed": False, "note": ind.note}

    def not_computed(why: str) -> dict:
        row["note"] = "; ".join(x for x in (why, ind.note) if x)
        return row

    if ind.source == "import":
        return not_computed("không tính được từ dữ liệu một cửa (cần dữ liệu nhập riêng)")
    if ind.source == "petitions":
        if pk is None:
            return not_computed("chưa nhập dữ liệu phản ánh, kiến nghị (PAKN)")
        num, den = int(pk.get(ind.numerator, 0)), int(pk.get(ind.denominator, 0))
        row.update(numerator=num, denominator=den, rate=num / den if den else None, computed=True)
        row["points"] = points_for(ind, row["rate"]) if den else float(ind.max_points)  # none in the period: full
        row["points_lost"] = round(ind.max_points - row["points"], 2)
        return row
    if ind.source == "surveys":  # 5.4 = 1 − (late share + dissatisfied share)
        resolved, responses = int(c.get("resolved", 0)), int(s.get("responses", 0))
        if not resolved or not responses:
            return not_computed("chưa có hồ sơ giải quyết hoặc phiếu đánh giá trong kỳ")
        rate = max(0.0, 1 - int(c.get("resolved_late_766", 0)) / resolved - int(s.get("dissatisfied", 0)) / responses)
        row.update(rate=rate, numerator=None, denominator=None)
    else:
        if ind.known and not int(c.get(ind.known, 0)):
            return not_computed("trích xuất không có cột dữ liệu cần thiết")
        num, den = int(c.get(ind.numerator, 0)), int(c.get(ind.denominator, 0))
        row.update(numerator=num, denominator=den)
        if not den:
            return not_computed("N/A: mẫu số bằng 0")
        row["rate"] = num / den
    row["points"] = points_for(ind, row["rate"])
    row["points_lost"] = round(ind.max_points - row["points"], 2)
    row["computed"] = True
    return row


def _sum(frame: pd.DataFrame, codes: list[str] | None) -> dict:
    if frame.empty:
        return {}
    f = frame if codes is None else frame[frame.index.isin(codes)]
    return f.sum(numeric_only=True).to_dict()


def _by_unit(frame: pd.DataFrame | None) -> dict[str, dict]:
    """Per unit code, what `_sum(frame, [code])` gives (a unit without a row: {}, read as zeros by `_row`)."""
    if frame is None or frame.empty:
        return {}
    g = frame.groupby(level=0).sum(numeric_only=True)
    return dict(zip(g.index, g.to_dict("records"), strict=True))


def index766(reader, period: Period, by_unit: bool = False, unit: str | None = None) -> list[dict[str, Any]]:
    """Rows per scope (ALL — the city or `unit` — and, with by_unit, every unit): one per sub-indicator, then a
    `total` row (points out of 100; computed_max_points: the part of the 100 the data could compute)."""
    permit(reader, unit)
    return list(reader.memo("index766", {"period": period, "by_unit": by_unit, "unit": unit},
                            lambda: tuple(_index766(reader, period, by_unit, unit))))


def _index766(reader, period: Period, by_unit: bool, unit: str | None) -> list[dict[str, Any]]:
    dossiers, surveys, petitions = _counts(reader, period)
    scopes: list[tuple[str, list[str] | None]] = [("ALL", [unit] if unit else None)]
    if by_unit:
        scopes += [(u, [u]) for u in units(reader).unit_code if not unit or u == unit]
    per_unit = [_by_unit(f) for f in (dossiers, surveys, petitions)]  # one groupby each, not a filter per unit
    out = []
    for i, (code, codes) in enumerate(scopes):
        if i == 0:
            c, s = _sum(dossiers, codes), _sum(surveys, codes)
            pk = None if petitions is None else _sum(petitions, codes)
        else:
            c, s = per_unit[0].get(code, {}), per_unit[1].get(code, {})
            pk = None if petitions is None else per_unit[2].get(code, {})
        rows = [_row(code, ind, c, s, pk) for ind in INDEX766]
        done = [r for r in rows if r["computed"]]
        pts = round(sum(r["points"] for r in done), 2)
        cmax = float(sum(r["max_points"] for r in done))
        out += rows
        out.append({"unit_code": code, "indicator": "total", "group": None, "label": "Tổng điểm", "numerator": None,
                    "denominator": None, "rate": None, "points": pts, "max_points": MAX_TOTAL,
                    "points_lost": round(cmax - pts, 2), "computed": bool(done),
                    "note": f"tính được {cmax:g}/{MAX_TOTAL:g} điểm từ dữ liệu; phần còn lại chưa tính, không quy đổi",
                    "computed_max_points": cmax})
    return out


def groups(rows: list[dict]) -> list[dict]:
    """Per unit and group: points, maximum, computed maximum (the page's summary)."""
    by: dict[tuple, list[dict]] = {}
    for r in rows:  # one pass (170 units × 12 groups each scanning every row took 1.7 s on /phan-tich)
        by.setdefault((r["unit_code"], r["group"]), []).append(r)
    out = []
    for code in dict.fromkeys(r["unit_code"] for r in rows):
        for g, (label, mx) in INDEX766_GROUPS.items():
            done = [r for r in by.get((code, g), ()) if r["computed"]]
            out.append({"unit_code": code, "group": g, "label": label, "max_points": mx,
                        "points": round(sum(r["points"] for r in done), 2) if done else None,
                        "computed_max_points": float(sum(r["max_points"] for r in done))})
    return out


# ----------------------------------------------------------------------------- ours vs the portal's published results
def _cause(ours: dict | None, portal: dict) -> str:
    if ours is None or not ours.get("computed"):
        return "thành phố chưa tính được chỉ số này từ dữ liệu của mình (cần dữ liệu nhập riêng)"
    gap = (ours.get("points") or 0) - portal["score"]
    if abs(float(ours["max_points"]) - float(portal["max_points"])) > 1e-9:
        return "điểm tối đa của Cổng khác cấu hình (config.INDEX766)"
    if abs(gap) < 0.5:
        return "khớp"
    if ours["indicator"] == "total":
        missing = MAX_TOTAL - float(ours.get("computed_max_points") or 0)
        return f"{missing:g} điểm thành phố chưa tính được; phần còn lại do từng chỉ số thành phần"
    if ours["indicator"] in ("2.1", "2"):
        return "hồ sơ đang xử lý, chờ bổ sung và yêu cầu bổ sung nhiều lần (quy tắc của Cổng) hoặc hồ sơ chưa đồng bộ"
    return "số hồ sơ đồng bộ lên Cổng khác dữ liệu một cửa (xem chỉ số 1.4)"


def compare(reader, period: Period, rows: list[dict]) -> list[dict]:
    """Our rows (sub-indicators and totals, plus one row per group) with the portal's published score, maximum and
    rank for the same period, unit and indicator, the gap (ours − portal) and its likely cause."""
    portal = {(r["unit_code"], str(r["indicator"])): r for r in reader.q("portal_results_period",
                                                                          period=period.key).to_dict("records")}
    ours = list(rows)
    for g in groups(rows):
        ours.append({"unit_code": g["unit_code"], "indicator": str(g["group"]), "group": g["group"],
                     "label": g["label"], "numerator": None, "denominator": None, "rate": None,
                     "points": g["points"], "max_points": float(g["max_points"]),
                     "points_lost": None if g["points"] is None else round(g["computed_max_points"] - g["points"], 2),
                     "computed": g["points"] is not None and g["computed_max_points"] == g["max_points"],
                     "note": f"tính được {g['computed_max_points']:g}/{g['max_points']:g} điểm của nhóm"})
    out = []
    for r in ours:
        p = portal.get((r["unit_code"], str(r["indicator"])))
        row = {**r, "portal_score": None, "portal_max_points": None, "portal_rank": None, "gap": None,
               "likely_cause": None}
        if p is not None:
            row.update(portal_score=float(p["score"]), portal_max_points=float(p["max_points"]),
                       portal_rank=None if pd.isna(p["rank"]) else int(p["rank"]),
                       gap=None if r.get("points") is None else round(float(r["points"]) - float(p["score"]), 2),
                       likely_cause=_cause(r, p))
        out.append(row)
    return out
