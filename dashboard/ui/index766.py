"""The national service index (Decision 766) on screen: per unit, the groups' points out of their maximum with
what the data could compute, the portal's published score beside ours with the gap and its likely cause, and the
city's sub-indicators one by one (numerator, denominator, rate, points, maximum, lost). Numbers come from
metrics.index766 (queries/index766_counts.sql, satisfaction.sql, portal_results_period.sql); nothing is rescaled.
Also the one-line reconciliation of the form's on-time rate and the portal's (overview)."""

from __future__ import annotations

from dash import html

from ..config import INDEX766_GROUPS
from ..metrics.index766 import compare, groups, index766
from ..metrics.period import Period
from ..metrics.units import units
from . import format as fmt
from .components import empty_state, table


def _pts(v, mx) -> str:
    return "chưa tính" if v is None else f"{fmt.num(v, 2)}/{fmt.num(mx)}"


def index766_section(reader, p: Period) -> html.Div:
    rows = compare(reader, p, index766(reader, p, by_unit=True))
    if not any(r["computed"] for r in rows if r["indicator"] == "total"):
        return empty_state(f"Chưa đủ dữ liệu để tính Bộ chỉ số 766 trong {p.label}.")
    names = {"ALL": reader.city, **dict(zip(units(reader).unit_code, units(reader).unit_name))}
    by = {(r["unit_code"], r["indicator"]): r for r in rows}
    grp = {(g["unit_code"], g["group"]): g for g in groups([r for r in rows if r["indicator"] not in
                                                             {str(k) for k in INDEX766_GROUPS}])}
    head = ["Đơn vị"] + [f"{k}. {label} ({mx})" for k, (label, mx) in INDEX766_GROUPS.items()] + [
        "Tổng (tính được)", "Cổng công bố", "Chênh lệch", "Nguyên nhân có thể"]
    body = []
    for code in dict.fromkeys(r["unit_code"] for r in rows):
        t = by[(code, "total")]
        cells = [html.Th(names.get(code, code), scope="row")]
        for k in INDEX766_GROUPS:
            g = grp[(code, k)]
            partial = g["points"] is not None and g["computed_max_points"] < g["max_points"]
            cells.append(html.Td(_pts(g["points"], g["max_points"]) + (" *" if partial else ""), className="num"))
        cells.append(html.Td(f"{fmt.num(t['points'], 2)}/100 ({fmt.num(t['computed_max_points'])})", className="num"))
        portal = t.get("portal_score")
        cells.append(html.Td("—" if portal is None else
                             fmt.num(portal, 2) + (f" (hạng {t['portal_rank']})" if t.get("portal_rank") else ""),
                             className="num"))
        cells.append(html.Td("—" if t.get("gap") is None else fmt.num(t["gap"], 2), className="num"))
        cells.append(html.Td(t.get("likely_cause") or ""))
        body.append(html.Tr(cells))
    detail = [
        html.Tr([html.Td(r["indicator"]), html.Td(r["label"]),
                 html.Td("—" if r["numerator"] is None else fmt.num(r["numerator"]), className="num"),
                 html.Td("—" if r["denominator"] is None else fmt.num(r["denominator"]), className="num"),
                 html.Td("N/A" if r["rate"] is None else fmt.pct(r["rate"]), className="num"),
                 html.Td(_pts(r["points"], r["max_points"]), className="num"),
                 html.Td("—" if r["points_lost"] is None else fmt.num(r["points_lost"], 2), className="num"),
                 html.Td(r["note"] or "")])
        for r in rows if r["unit_code"] == "ALL" and r["indicator"] not in ("total", *map(str, INDEX766_GROUPS))
    ]
    return html.Div([
        html.P("Tính như Cổng Dịch vụ công quốc gia (QĐ 766): điểm = tối đa × tỷ lệ ÷ ngưỡng (không vượt tối đa). "
               "Chỉ số không tính được từ dữ liệu một cửa ghi «chưa tính», không quy đổi thang điểm; * nhóm chỉ tính "
               "được một phần. Ngưỡng, điểm tối đa: cấu hình (config.INDEX766). Kết quả Cổng công bố: nhập tệp "
               "«Kết quả Bộ chỉ số 766».", className="text-muted small-note"),
        html.Div(table(head, body, "table table-sm index766-table", "index766-units"), className="table-responsive"),
        html.H3(f"Từng chỉ số thành phần — {reader.city}", className="sub-title mt-3"),
        html.Div(table(["Mã", "Chỉ số", "Tử số", "Mẫu số", "Tỷ lệ", "Điểm", "Mất", "Ghi chú"], detail,
                       "table table-sm", "index766-detail"), className="table-responsive"),
    ])


def on_time_reconciliation(reader, p: Period, unit: str | None = None) -> html.P:
    """One line: the form's on-time rate and the portal's 766 rate (2.1), named apart, and why they differ."""
    from ..metrics.form import counts

    c = index766(reader, p, unit=unit)
    portal = next(r for r in c if r["unit_code"] == "ALL" and r["indicator"] == "2.1")
    f = counts(reader, p, unit)
    resolved, in_time = int(f["resolved_total"].sum()), int(f["resolved_in_time"].sum())
    form_rate = in_time / resolved if resolved else None
    pending, awaiting = int(f["pending_total"].sum()), int(f["pending_awaiting_supplement"].sum())
    returned = int(f["returned"].sum())
    return html.P(
        f"Đúng hạn theo biểu (trước hạn + đúng hạn ÷ đã giải quyết): "
        f"{'—' if form_rate is None else fmt.pct(form_rate)} ({fmt.num(in_time)}/{fmt.num(resolved)}); "
        f"theo Cổng DVC quốc gia (766, chỉ số 2.1): {'—' if portal['rate'] is None else fmt.pct(portal['rate'])} "
        f"({fmt.num(portal['numerator'] or 0)}/{fmt.num(portal['denominator'] or 0)}). Chênh lệch: mẫu số của Cổng gồm "
        f"{fmt.num(pending)} hồ sơ đang giải quyết; {fmt.num(awaiting)} hồ sơ chờ bổ sung (biểu tính trong hạn, Cổng "
        f"tính tại lúc yêu cầu bổ sung, yêu cầu bổ sung quá một lần là trễ); {fmt.num(returned)} hồ sơ trả lại "
        "(biểu tính trả lại sau hạn là đúng hạn, Cổng tính theo ngày).",
        className="text-muted small-note", id="on-time-reconciliation",
    )
