"""Phân tích — acting before the quarter closes: how many more late dossiers each unit can afford, the
projected quarter-end on-time rate; raw-clock vs adjusted lateness explained; the service index per unit."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from ..config import INDEX_COMPONENTS
from ..metrics import insight
from ..metrics.period import Period, resolve_period
from ..metrics.units import units
from ..reader import current_reader
from ..ui import figures, ids
from ..ui import format as fmt
from ..ui.index766 import index766_section
from ..ui.components import table, empty_state, filter_card, graph, href, num_heads, page_header, section, status_badge
from ..ui.theme import STATUS_COLORS
from .common import page, period_filter, scope_label


def _projections(reader):
    items = insight.projections(reader)
    if not items:
        return empty_state("Chưa có hồ sơ được giải quyết trong quý này.")
    q = Period.containing("quarter", reader.as_of.date())
    city = items[0]
    names = units(reader).set_index("unit_code").unit_name
    rows = []
    for p in sorted(items[1:], key=lambda x: (x.reachable, x.late_budget)):
        st = insight.projection_status(p)
        rows.append(
            html.Tr(
                [
                    html.Th(
                        dcc.Link(
                            names.get(p.unit_code, p.unit_code),
                            href=href(ids.LATE_PATH, unit=p.unit_code, view="at_risk"),
                        ),
                        scope="row",
                    ),
                    html.Td(fmt.num(p.resolved_so_far), className="num"),
                    html.Td(fmt.pct(p.on_time_so_far), className="num"),
                    html.Td(fmt.num(p.expected_remaining), className="num"),
                    html.Td(
                        fmt.num(p.late_budget) if p.reachable else "Không thể đạt",
                        className="num budget-cell",
                        style={"color": STATUS_COLORS["missed"] if not p.reachable else None},
                        **{"data-unit": p.unit_code},
                    ),
                    html.Td(
                        f"{fmt.pct(p.projected_rate)} ({fmt.pct(p.projected_low)} – {fmt.pct(p.projected_high)})",
                        className="num",
                    ),
                    html.Td(status_badge(st)),
                ]
            )
        )
    head = html.Tr(
        [
            html.Th("Đơn vị"),
            html.Th("Đã giải quyết", className="num"),
            html.Th("Đúng hạn đến nay", className="num"),
            html.Th("Dự kiến giải quyết thêm", className="num"),
            html.Th("Còn được trễ", className="num"),
            html.Th("Dự báo cuối quý (khoảng)", className="num"),
            html.Th("Dự báo"),
        ]
    )
    headline = html.P(
        [
            f"{q.label}, còn {city.days_left} ngày: {scope_label(reader, None)} đúng hạn "
            f"{fmt.pct(city.on_time_so_far)} trên ",
            html.Strong(fmt.num(city.resolved_so_far)),
            " hồ sơ; dự kiến giải quyết thêm ",
            html.Strong(fmt.num(city.expected_remaining)),
            "; còn được phép trễ ",
            html.Strong(fmt.num(city.late_budget) if city.reachable else "0 (không thể đạt)", id="city-budget"),
            f" hồ sơ để đạt {fmt.target_text('>=', city.target, 'rate')}; dự báo cuối quý ",
            html.Strong(
                f"{fmt.pct(city.projected_rate)} ({fmt.pct(city.projected_low)} – {fmt.pct(city.projected_high)})"
            ),
            ".",
        ],
        className="lead-line",
    )
    return html.Div(
        [
            headline,
            html.Table([html.Thead(head), html.Tbody(rows)], className="table", id="projection-table"),
            html.P("Cách ước tính: " + insight.METHOD, className="text-muted small-note"),
        ]
    )


def _lateness(reader, p):
    data = insight.lateness(reader, p)
    t = data["total"]
    if not t["dossiers"]:
        return empty_state(f"Không có hồ sơ nào trong {p.label}.")
    names = units(reader).set_index("unit_code").unit_name
    rows = [
        html.Tr(
            [
                html.Th(names.get(r["unit_code"], r["unit_code"]), scope="row"),
                html.Td(fmt.num(r["late_raw"]), className="num"),
                html.Td(fmt.num(r["raw_only_paused"]), className="num"),
                html.Td(fmt.num(r["adjusted_only"]), className="num"),
                html.Td(
                    dcc.Link(fmt.num(r["late_adjusted"]), href=href(ids.LATE_PATH, unit=r["unit_code"], period=p.key))
                    if r["late_adjusted"]
                    else "0",
                    className="num",
                ),
                html.Td(fmt.num(r["late_software"]), className="num"),
            ]
        )
        for r in sorted(data["rows"], key=lambda r: -r["late_raw"])
    ]
    total = html.Tr(
        [
            html.Th("Tổng cộng"),
            *[
                html.Td(fmt.num(t[k]), className="num")
                for k in ("late_raw", "raw_only_paused", "adjusted_only", "late_adjusted", "late_software")
            ],
        ],
        className="form-total",
    )
    reasons = data["reasons"]
    fig = figures.reason_bars([r["reason"] for r in reasons], [r["late_adjusted"] for r in reasons])
    note = (
        f"Theo đồng hồ gốc (thời hạn luật định từ ngày tiếp nhận) có {fmt.num(t['late_raw'])} hồ sơ trễ; "
        "theo hạn đang áp dụng "
        f"(đã cộng thời gian tạm dừng hợp pháp) có {fmt.num(t['late_adjusted'])} — bằng số quá hạn của biểu báo cáo. "
        f"Chênh lệch {fmt.num(t['raw_only'])} hồ sơ, trong đó {fmt.num(t['raw_only_paused'])} "
        "do tạm dừng chờ bổ sung/gia hạn hợp pháp. "
        f"{fmt.num(t['late_software'])} hồ sơ trễ ghi lý do lỗi phần mềm. "
    )
    return html.Div(
        [
            html.P(note, className="lead-line", id="lateness-note"),
            dbc.Row(
                [
                    dbc.Col(
                        html.Div(
                            table(
                                [
                                    "Đơn vị",
                                    *num_heads(
                                        "Trễ theo đồng hồ gốc",
                                        "… do tạm dừng hợp pháp",
                                        "Chỉ trễ theo hạn điều chỉnh",
                                        "Trễ theo hạn đang áp dụng",
                                        "… lý do lỗi phần mềm",
                                    ),
                                ],
                                rows + [total],
                                class_name="table table-sm nowrap-rows",
                                table_id="lateness-table",
                            ),
                            className="table-responsive",
                        ),
                        xl=8,
                    ),
                    dbc.Col(
                        [
                            html.H3("Lý do trễ hạn (theo hạn đang áp dụng)", className="sub-title"),
                            graph(fig, "lateness-reasons", height=max(220, 40 * len(reasons) + 60)),
                        ],
                        xl=4,
                    ),
                ]
            ),
        ]
    )


def _index(reader, p):
    scores = insight.index_scores(reader, p)
    totals = insight.index_totals(scores)
    if totals.empty:
        return empty_state(f"Chưa đủ dữ liệu để tính điểm trong {p.label}.")
    order = list(totals.unit_name)
    fig = figures.points_lost(scores, order, [c for c in INDEX_COMPONENTS if c.kpi])
    best = []
    for r in totals.itertuples():
        if len(best) == 8:  # the list shows 8: the other units' steps are not built
            break
        s = scores[(scores.unit_code == r.unit_code) & scores.gain_next_step.notna()]
        top = s.sort_values("gain_next_step", ascending=False).head(1)
        if len(top) and top.gain_next_step.iloc[0] > 0:
            t = top.iloc[0]
            best.append(
                html.Li(
                    [
                        html.Strong(r.unit_name),
                        f": tăng {t.label.lower()} thêm {fmt.num(t.step * 100)} điểm % "
                        f"được +{fmt.num(t.gain_next_step, 1)} điểm (hiện {fmt.num(r.score_100, 1)}/100)",
                    ]
                )
            )
    measured = sum(c.points for c in INDEX_COMPONENTS if c.kpi)
    return html.Div(
        [
            html.P(
                f"Ước tính cũ: điểm từ dữ liệu một cửa trên {fmt.num(measured)}/100 điểm "
                "(không tính thành phần «Công khai, minh bạch», chưa có dữ liệu), quy về thang 100 — khác cách Cổng "
                "tính; bảng trên là cách Cổng tính. Thành phần, điểm và ngưỡng là cấu hình của hệ thống.",
                className="text-muted small-note",
            ),
            dbc.Row(
                [
                    dbc.Col(graph(fig, "index-lost", height=max(360, 30 * len(order) + 120)), lg=7),
                    dbc.Col(
                        [
                            html.H3("Bước cải thiện đáng giá nhất", className="sub-title"),
                            html.Ul(best, id="index-steps"),
                        ],
                        lg=5,
                    ),
                ]
            ),
        ]
    )


@page("analysis")
def layout(period=None, **_):
    reader = current_reader()
    p = resolve_period(reader, period)
    return html.Div(
        [
            page_header("Phân tích và cảnh báo sớm", p.label, reader),
            filter_card(dbc.Row([period_filter(reader, p)], className="filter-bar g-3 mb-3")),
            section("Dự báo cuối quý và số hồ sơ còn được phép trễ", _projections(reader)),
            section("Trễ hạn theo đồng hồ gốc và theo hạn đang áp dụng", _lateness(reader, p)),
            section("Bộ chỉ số 766 như Cổng DVC quốc gia tính, theo đơn vị", index766_section(reader, p)),
            section("Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766) theo đơn vị — ước tính cũ", _index(reader, p)),
        ],
        className="page page-analysis",
    )


dash.register_page(__name__, path=ids.ANALYSIS_PATH, name="Phân tích", title="Phân tích — CCHC", order=5, layout=layout)
