"""Chỉ tiêu & PAR INDEX — the year's targets as data, PAR INDEX history vs peers, the reform plan's
tasks by area, satisfaction by unit."""

from __future__ import annotations

import datetime as dt

import dash
import dash_bootstrap_components as dbc
from dash import html

from ..config import KPI_BY_NAME, PLAN_AREAS
from ..metrics import kpis as kpi_metrics
from ..metrics import targets as target_metrics
from ..metrics.period import resolve_period
from ..metrics.period import Period
from ..metrics.status import status_of
from ..metrics.targets import target_problem
from ..reader import current_reader
from ..ui import events as ev_ui
from ..ui import figures
from ..ui import format as fmt
from ..ui import ids
from ..ui.components import table, empty_state, filter_card, filter_dropdown, graph, page_header, section, status_badge
from .common import page


@page("targets")
def layout(period=None, year=None, **_):
    reader = current_reader()
    p = resolve_period(reader, period, default_kind="year")
    try:
        y = int(year) if year else p.end.year
    except ValueError:
        y = p.end.year
    yp = Period.parse(str(y)).clipped(reader.as_of.date())
    targets = target_metrics.targets(reader)
    years = sorted(set(targets.year) | {reader.as_of.year}, reverse=True)
    kpis = {r["kpi"]: r for r in kpi_metrics.kpi_rows(reader, yp) if r["unit_code"] == "ALL"}
    t = targets[targets.year == y]
    if t.empty and len(targets):
        t = targets[targets.year == targets[targets.year <= y].year.max()] if (targets.year <= y).any() else t
    trows = []
    for r in t.to_dict("records"):
        k = KPI_BY_NAME.get(r["kpi"])
        actual = kpis.get(r["kpi"], {})
        scope = {"all": "Toàn thành phố", "level:city": "Cấp thành phố", "level:ward": "Cấp phường, xã"}.get(
            r["scope"], r["scope"]
        )
        trows.append(
            html.Tr(
                [
                    html.Th(k.label if k else r["kpi"], scope="row"),
                    html.Td(scope),
                    html.Td(
                        fmt.target_text(r["comparator"], r["value"], k.unit if k else "rate")
                        if not (bad := target_problem(r["kpi"], r["comparator"], r["value"]))
                        else html.Span(f"⚠ Chỉ tiêu không hợp lệ ({bad})", className="invalid-target"),
                        className="num",
                    ),
                    html.Td(
                        fmt.kpi_value(actual.get("actual"), k.unit if k else "rate") if r["scope"] == "all" else "—",
                        className="num",
                    ),
                    html.Td(status_badge(actual.get("status", "no_data")) if r["scope"] == "all" else ""),
                    html.Td(r["source"] or "", className="text-muted"),
                ]
            )
        )
    ttable = (
        table(
            ["Chỉ tiêu", "Phạm vi", "Mục tiêu", f"Thực hiện {yp.label.lower()}", "Trạng thái", "Căn cứ"],
            trows,
            class_name="table",
            table_id="targets-table",
        )
        if trows
        else empty_state(f"Chưa có chỉ tiêu cho năm {y}.", "Nạp tệp chỉ tiêu ở trang Dữ liệu.")
    )
    par = target_metrics.par_index(reader)
    peer = reader.settings.get("city_peer_code", "")
    par_years = sorted(par.year.unique()) if len(par) else []
    last_par = max([yy for yy in par_years if yy <= y], default=None)
    par_target = next((float(r["value"]) for r in t.to_dict("records")
                       if r["kpi"] == "par_index_rank" and r["comparator"] == "top" and r["scope"] == "all"), None)
    n_par = int((par.year == last_par).sum()) if last_par else 0
    plan = target_metrics.plan_tasks(reader, y)
    plan_summary = None
    if len(plan):
        due = plan[plan.state != "not_due"]
        done_ok = int((plan.state == "done_on_time").sum())
        plan_summary = html.P(
            [
                f"{len(plan)} nhiệm vụ năm {y} trong {plan.area.nunique()} lĩnh vực; đến hạn ",
                html.Strong(fmt.num(len(due))),
                ", hoàn thành đúng hạn ",
                html.Strong(fmt.num(done_ok)),
                f" ({fmt.pct(done_ok / len(due)) if len(due) else '—'}); quá hạn chưa xong ",
                html.Strong(fmt.num(int((plan.state == "overdue").sum()))),
                ".",
            ],
            className="lead-line",
        )
    overdue_tasks = plan[plan.state.isin(["overdue", "done_late"])] if len(plan) else plan
    task_rows = [
        html.Tr(
            [
                html.Td(f"{r['area']}. {PLAN_AREAS.get(r['area'], '')}"),
                html.Td(r["title"]),
                html.Td(r["owner_name"] or r["owner_unit"] or ""),
                html.Td(fmt.date(r["due_date"])),
                html.Td(
                    fmt.date(r["done_date"])
                    if r["done_date"] is not None and r["done_date"] == r["done_date"]
                    else "Chưa xong"
                ),
                html.Td(figures.PLAN_STATE_LABELS[r["state"]]),
            ]
        )
        for r in overdue_tasks.to_dict("records")
    ]
    sat = target_metrics.satisfaction_by_unit(reader, yp)
    sat = sat[sat.responses > 0].sort_values("rate")
    city_sat = kpis.get("satisfaction_rate", {})
    sat_target = city_sat.get("target")
    sat_status = [
        status_of(v, city_sat.get("comparator"), sat_target, KPI_BY_NAME["satisfaction_rate"].margin) for v in sat.rate
    ]  # the one status rule, with the KPI's margin, as on the cards and the matrix
    sat_fig = figures.ranked_bars(
        list(sat.unit_name), list(sat.rate), sat_status, sat_target, customdata=list(sat.responses), limit=10
    )
    return html.Div(
        [
            page_header("Chỉ tiêu & PAR INDEX", f"Năm {y}", reader),
            filter_card(
                dbc.Row(
                    [
                        filter_dropdown(
                            "year", "Năm", [{"label": f"Năm {x}", "value": str(x)} for x in years], str(y), width=3
                        )
                    ],
                    className="filter-bar g-3 mb-3",
                )
            ),
            section(f"Chỉ tiêu năm {y}", ttable),
            dbc.Row(
                [
                    dbc.Col(
                        section(
                            "PAR INDEX: thứ hạng của thành phố qua các năm",
                            *_par_chart(reader, par, peer, par_target),
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        section(
                            f"PAR INDEX {last_par or ''}: điểm của {n_par} đơn vị được xếp hạng",
                            graph(figures.par_peers(par, last_par, peer), "par-peers", height=max(340, 16 * n_par))
                            if last_par
                            else empty_state("Chưa có kết quả PAR INDEX."),
                        ),
                        lg=6,
                    ),
                ],
                className="g-3",
            ),
            section(
                f"Kế hoạch CCHC năm {y}: nhiệm vụ theo 7 lĩnh vực",
                plan_summary,
                graph(figures.plan_by_area(plan), "plan-areas", height=380),
                html.H3("Nhiệm vụ quá hạn hoặc hoàn thành trễ", className="sub-title mt-3") if task_rows else None,
                table(
                    ["Lĩnh vực", "Nhiệm vụ", "Chủ trì", "Thời hạn", "Hoàn thành", "Tình trạng"],
                    task_rows,
                    class_name="table table-sm",
                    table_id="late-tasks",
                )
                if task_rows
                else None,
            ),
            section(
                f"Mức độ hài lòng theo đơn vị ({yp.label})",
                graph(sat_fig, "satisfaction-units", height=max(300, 30 * len(sat) + 80))
                if len(sat)
                else empty_state(f"Chưa có phiếu đánh giá nào trong {yp.label}."),
            ),
        ],
        className="page page-targets",
    )


def _par_chart(reader, par, peer, par_target):
    """The PAR INDEX history with the timeline's events of its years drawn and listed under it."""
    fig = figures.par_history(par, peer, par_target)
    years = sorted(par[par.peer_code == peer].year.unique()) if len(par) else []
    if not years:
        return graph(fig, "par-history", height=340), None
    lo, hi = int(years[0]), int(years[-1])
    fig, listed = ev_ui.timeline(reader, fig, dt.date(lo, 1, 1), dt.date(hi, 12, 31), ev_ui.by_year(lo, hi),
                                 test_id="par-events")
    return graph(fig, "par-history", height=340), listed


dash.register_page(
    __name__, path=ids.TARGETS_PATH, name="Chỉ tiêu & PAR INDEX", title="Chỉ tiêu — CCHC", order=4, layout=layout
)
