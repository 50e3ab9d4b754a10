"""Pure builders: the formatter, cards, the form table and figures (data in, component out)."""
import datetime as dt

import pandas as pd
import pytest

from dashboard.exports import safe_cell
from dashboard.metrics.kpis import KpiCard
from dashboard.metrics.status import status_of
from dashboard.metrics.targets import resolve_target
from dashboard.ui import figures
from dashboard.ui import format as fmt
from dashboard.ui.components import form_table, href, kpi_card
from dashboard.ui.theme import STATUS_COLORS, STATUS_INK


def test_vietnamese_formats():
    assert fmt.num(1245) == "1.245"
    assert fmt.num(5047) == "5.047"
    assert fmt.pct(0.9856) == "98,56%"
    assert fmt.pct(1) == "100,00%"
    assert fmt.pp(0.0123) == "+1,23 điểm %" and fmt.pp(-0.0008) == "−0,08 điểm %"
    assert fmt.date(dt.date(2024, 4, 2)) == "02/04/2024"
    assert fmt.datetime(dt.datetime(2024, 4, 2, 8, 5)) == "02/04/2024 08:05"
    assert fmt.datetime(pd.NaT) == fmt.DASH and fmt.pct(None) == fmt.DASH and fmt.num(float("nan")) == fmt.DASH
    assert fmt.target_text(">=", 0.99, "rate") == "≥ 99%" and fmt.target_text("top", 3, "rank") == "Top 3"
    assert fmt.kpi_value(2, "rank") == "Hạng 2"


@pytest.mark.parametrize("actual,comp,target,margin,expected", [
    (0.995, ">=", 0.99, 0.01, "met"), (0.99, ">=", 0.99, 0.01, "met"), (0.985, ">=", 0.99, 0.01, "at_risk"),
    (0.975, ">=", 0.99, 0.01, "missed"), (0.95, ">", 0.95, 0.03, "at_risk"), (0.951, ">", 0.95, 0.03, "met"),
    (3, "top", 3, 2, "met"), (5, "top", 3, 2, "at_risk"), (6, "top", 3, 2, "missed"),
    (0.02, "<=", 0.01, 0.01, "at_risk"), (None, ">=", 0.99, 0.01, "no_data"), (0.9, None, None, 0.01, "no_target"),
])
def test_status(actual, comp, target, margin, expected):
    assert status_of(actual, comp, target, margin) == expected


def test_target_resolution_prefers_unit_then_level_then_all_and_latest_year():
    t = pd.DataFrame([
        (2023, "on_time_rate", ">=", 0.98, "all", "a"), (2024, "on_time_rate", ">=", 0.99, "all", "b"),
        (2024, "on_time_rate", ">=", 0.97, "level:ward", "c"), (2024, "on_time_rate", ">=", 0.95, "W03", "d"),
    ], columns=["year", "kpi", "comparator", "value", "scope", "source"])
    assert resolve_target(t, "on_time_rate", 2024, "ALL", None).value == 0.99
    assert resolve_target(t, "on_time_rate", 2024, "W01", "ward").value == 0.97
    assert resolve_target(t, "on_time_rate", 2024, "W03", "ward").value == 0.95
    assert resolve_target(t, "on_time_rate", 2025, "PTP", "city").value == 0.99  # latest year in force
    assert resolve_target(t, "on_time_rate", 2023, "W03", "ward").source == "a"
    assert resolve_target(t, "satisfaction_rate", 2024, "ALL", None) is None


def _text(component) -> str:
    out = []

    def walk(c):
        if isinstance(c, (str, int, float)):
            out.append(str(c))
        elif isinstance(c, (list, tuple)):
            for x in c:
                walk(x)
        elif c is not None and hasattr(c, "children"):
            walk(c.children)
    walk(component)
    return " ".join(out)


def test_kpi_card_shows_actual_target_status_and_deltas():
    card = KpiCard("on_time_rate", "Tỷ lệ đúng hạn", "rate", 0.985, 0.99, ">=", "at_risk", 985, 1000, 0.99, 0.97,
                   [(dt.date(2024, 1, 1), 0.98), (dt.date(2024, 1, 8), 0.99)])
    c = kpi_card(card, link="/don-vi?sort=on_time_rate")
    text = _text(c)
    assert "98,50%" in text and "≥ 99%" in text and "Có nguy cơ" in text
    assert "−0,50 điểm %" in text and "+1,50 điểm %" in text and "985 / 1.000" in text
    assert c.children.style["borderTopColor"] == STATUS_COLORS["at_risk"]


def test_form_table_two_header_rows_and_total():
    form = {"by": "unit", "rows": [dict(unit_code="W1", unit_name="Phường 1", level="ward", received_total=10,
                                        received_online=6, received_in_person=2, received_postal=1, carried_over=1,
                                        resolved_total=8, resolved_early=5, resolved_on_time=2, resolved_late=1,
                                        pending_total=2, pending_in_time=1, pending_overdue=1)]}
    form["total"] = dict(form["rows"][0])
    table = form_table(form, lambda row, key: "/x" if key == "resolved_late" else None).children
    head = table.children[0].children
    assert [th.children for th in head[0].children] == ["Đơn vị", "Tiếp nhận", "Đã giải quyết", "Đang giải quyết",
                                                        "Báo cáo riêng"]
    assert [th.colSpan for th in head[0].children[1:]] == [4, 4, 3, 3]
    assert len(head[1].children) == 14  # + awaiting supplement, returned, withdrawn (absent keys: 0)
    body = table.children[1].children
    assert body[-1].children[0].children == "Tổng cộng"
    assert [td.children if isinstance(td.children, str) else td.children.children for td in body[0].children[1:]] == \
        ["10", "6", "3", "1", "8", "5", "2", "1", "2", "1", "1", "0", "0", "0"]


def test_figures_draw_targets_and_handle_empty():
    weeks = pd.to_datetime(["2024-01-01", "2024-01-08", "2025-01-06", "2025-01-13"])
    df = pd.DataFrame({"week_no": [1, 2, 1, 2], "week": weeks,
                       "year": [2024, 2024, 2025, 2025], "value": [0.98, 0.99, 0.995, 0.97], "n": [100, 120, 90, 80]})
    import plotly.graph_objects as go

    fig = figures.trend_vs_last_year(df, 0.99, 2025)
    assert [t["name"] for t in fig["data"]] == ["Năm 2024", "Năm 2025"]
    assert any(s["y0"] == 0.99 for s in fig["layout"]["shapes"])
    assert fig["layout"]["annotations"][0]["text"] == "Chỉ tiêu 99%"
    assert fig["layout"]["template"]["layout"]["separators"] == ",."
    go.Figure(fig)  # a valid plotly figure: every property passes plotly's own validation
    empty = figures.trend_vs_last_year(df.iloc[0:0], 0.99, 2025)
    assert "Chưa có" in empty["layout"]["annotations"][0]["text"]
    bars = figures.ranked_bars(["A", "B"], [0.95, 0.99], ["missed", "met"], 0.99, customdata=[10, 20], font_size=20)
    go.Figure(bars)
    assert bars["data"][0]["marker"]["color"] == [STATUS_COLORS["missed"], STATUS_COLORS["met"]]
    assert bars["data"][0]["text"] == ["✖ 95,00%", "✔ 99,00%"]  # status never by colour alone
    assert bars["layout"]["shapes"][0]["x0"] == 0.99 and bars["layout"]["font"]["size"] == 20
    # the values are a column right of the plot, the target's label above it: the line crosses no value
    column = [a for a in bars["layout"]["annotations"] if a.get("name") == "bar-value"]
    assert [(a["text"], a["y"], a["xref"], a["x"], a["xanchor"]) for a in column] == [
        ("✖ 95,00%", "A", "paper", 1, "left"), ("✔ 99,00%", "B", "paper", 1, "left")]
    note = next(a for a in bars["layout"]["annotations"] if a.get("name") == "target-label")
    assert note["yref"] == "y domain" and note["y"] == 1 and note["yanchor"] == "bottom"
    assert bars["data"][0]["textposition"] == "none" and column[0]["font"]["size"] == 20
    # thin rows (30 units in 472 px): the column's type stays below the row height
    many = figures.ranked_bars([f"U{i}" for i in range(30)], [0.97] * 30, ["met"] * 30, 0.99, font_size=20,
                               height_px=472)
    size = next(a for a in many["layout"]["annotations"] if a.get("name") == "bar-value")["font"]["size"]
    assert size <= (472 - 34 - 70) / 30 * 0.72
    # a zoomed bar axis says where it starts; never beyond 100%
    assert bars["layout"]["xaxis"]["range"] == [0.9, 1.0]
    assert "bắt đầu từ 90%" in bars["layout"]["xaxis"]["title"]["text"]
    wide = figures.ranked_bars(["A", "B"], [0.3, 0.99], ["missed", "met"], 0.99)
    assert wide["layout"]["xaxis"]["range"] == [0, 1.0] and "title" not in wide["layout"]["xaxis"]


@pytest.mark.parametrize("lo", [0.0, 0.42, 0.9, 0.95, 0.97, 0.981, 0.99, 0.995, 0.999, 1.0])
def test_rate_axis_ticks_are_distinct_and_never_beyond_100(lo):
    """The labels plotly would print for the axis: distinct, within 0–100%, at most ~7 of them."""
    axis = figures.rate_axis(lo, 0.99)
    start, end = axis["range"]
    assert 0 <= start < end == 1.0
    step = axis["dtick"]
    ks = range(int(start / step) - 1, int(end / step) + 2)
    ticks = [round(k * step, 6) for k in ks if start - 1e-9 <= k * step <= 1.0 + 1e-9]
    decimals = int(axis["tickformat"][1])
    labels = [f"{t * 100:.{decimals}f}" for t in ticks]
    assert len(labels) == len(set(labels)) and 2 <= len(labels) <= 8, labels


def test_count_axes_have_integer_ticks():
    assert figures.count_axis(3)["dtick"] == 1 and figures.count_axis(3)["tickformat"] == ",d"
    fig = figures.count_bars(["Hộ tịch", "Đất đai"], [2, 1], "")
    assert fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.tickformat == ",d"


def test_count_bars_wrap_long_labels_and_keep_the_whole_name_for_clicks():
    names = ["Lao động - Thương binh và Xã hội", "Hộ tịch", "Giáo dục và Đào tạo"]
    fig = figures.count_bars(names, [4, 2, 1], "", wrap=22)
    bar = fig.data[0]
    assert list(bar.y) == ["Lao động - Thương binh<br>và Xã hội", "Hộ tịch", "Giáo dục và Đào tạo"]
    assert list(bar.customdata) == names  # what the hover shows and a click filters by
    assert list(figures.count_bars(names, [4, 2, 1], "").data[0].y) == names  # no wrap asked: unchanged


def test_href_and_safe_cell():
    assert href("/ho-so-tre-han", unit="W03", view="late", field=None) == "/ho-so-tre-han?unit=W03&view=late"
    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")" and safe_cell("Hộ tịch") == "Hộ tịch"


def test_sparkline_is_css_polygons_with_the_target_and_its_values_in_words():
    from dashboard.ui.components import sparkline

    spark = sparkline([(dt.date(2024, 1, 1), 0.98), (dt.date(2024, 1, 8), 0.995)], 0.99, "met")
    area, line, target = spark.children
    lo = 0.98 - 0.02  # the lowest of the values and the target, less 2 points; the top is 100,5%
    y = [round(100 * (1.005 - v) / (1.005 - lo), 2) for v in (0.98, 0.995, 0.99)]
    assert area.style["clipPath"] == f"polygon(0% 100%, 0.0% {y[0]}%, 100.0% {y[1]}%, 100% 100%)"
    assert line.style["clipPath"].startswith(f"polygon(0.0% {y[0]}%, 100.0% {y[1]}%, 100.0% calc({y[1]}% + 2.5px)")
    assert area.style["background"] == STATUS_INK["met"] and target.style["top"] == f"{y[2]}%"
    label = getattr(spark, "aria-label")
    assert label.startswith("2 tuần gần nhất: từ 98,00% (tuần từ 01/01/2024) đến 99,50%") and spark.role == "img"
    one = sparkline([(dt.date(2024, 1, 1), 0.5)], None, "no_data")
    assert one.children[2] is None and "polygon(0% 100%, 0.0% " in one.children[0].style["clipPath"]


def test_a_week_the_data_do_not_cover_to_its_end_is_drawn_apart():
    """The week still running (or cut by the period's end) is its own trace: dotted, a hollow labelled point,
    the days covered in its hover; the line of whole weeks stops before it. A week covered to Sunday: nothing."""
    from dashboard.ui.components import sparkline

    monday = dt.date(2026, 11, 16)
    assert figures.partial_week(monday, dt.date(2026, 11, 20))
    assert not figures.partial_week(monday, dt.date(2026, 11, 22)) and not figures.partial_week(monday, None)
    weeks = [monday - dt.timedelta(weeks=2), monday - dt.timedelta(weeks=1), monday]
    df = pd.DataFrame({"week": pd.to_datetime(weeks), "satisfaction_rate": [0.97, 0.96, 0.917],
                       "responses": [300, 310, 12]})
    fig = figures.kpi_trend(df, "satisfaction_rate", 0.95, "t", through=dt.date(2026, 11, 20))
    whole, part = fig.data
    assert list(whole.y) == [0.97, 0.96] and list(part.y) == [0.96, 0.917]
    assert part.line.dash == "dot" and part.marker.symbol == "circle-open" and part.text[-1] == "tuần chưa trọn"
    assert part.customdata[-1] == ("Tuần từ 16/11/2026 (tuần chưa trọn: 5/7 ngày, đến 20/11/2026): "
                                   "<b>91,70%</b> của 12 phiếu")
    assert len(figures.kpi_trend(df, "satisfaction_rate", 0.95, "t", through=dt.date(2026, 11, 22)).data) == 1
    # the year-on-year chart: only this year's last week
    last_year = [dt.date(2025, 11, 10), dt.date(2025, 11, 17)]
    trend = pd.DataFrame({"week_no": [46, 47, 46, 47], "week": pd.to_datetime(last_year + [weeks[1], monday]),
                          "year": [2025, 2025, 2026, 2026], "value": [0.98, 0.99, 0.985, 0.9],
                          "n": [500, 510, 520, 40]})
    data = figures.trend_vs_last_year(trend, 0.99, 2026, through=dt.date(2026, 11, 20))["data"]
    assert [(d["name"], d["x"]) for d in data] == [("Năm 2025", [46, 47]), ("Năm 2026", [46]),
                                                  ("Tuần chưa trọn", [46, 47])]
    # the card's sparkline: a hollow point at the end, named so
    spark = sparkline([(weeks[1], 0.96), (monday, 0.917)], 0.95, "met", dt.date(2026, 11, 20))
    assert spark.children[-1].className == "spark-partial"
    assert "tuần chưa trọn: 5/7 ngày, đến 20/11/2026" in getattr(spark, "aria-label")
    assert len(sparkline([(weeks[1], 0.96), (monday, 0.917)], 0.95, "met", dt.date(2026, 11, 22)).children) == 3


def test_a_first_week_the_data_cover_only_from_mid_week_is_drawn_apart_too():
    """A quarter starting on a Wednesday (2026-Q3: 01/07/2026): its first week (from Monday 29/06) holds 5 days
    of 7 and is drawn apart like the week still running — its own dotted trace to a hollow labelled point, the
    days in its hover; the line of whole weeks starts after it. The same on the year-on-year chart (a year
    starting mid-week, both years) and the card's sparkline. The old code drew it as a whole week."""
    from dashboard.ui.components import sparkline

    since = dt.date(2026, 7, 1)
    weeks = [dt.date(2026, 6, 29), dt.date(2026, 7, 6), dt.date(2026, 7, 13)]
    df = pd.DataFrame({"week": pd.to_datetime(weeks), "on_time_rate": [0.80, 0.97, 0.98],
                       "resolved_total": [40, 300, 310]})
    fig = figures.kpi_trend(df, "on_time_rate", 0.95, "t", through=dt.date(2026, 9, 30), since=since)
    whole, head = fig.data
    assert list(whole.y) == [0.97, 0.98] and list(head.y) == [0.97, 0.80] and head.name == "Tuần chưa trọn"
    assert head.line.dash == "dot" and head.marker.symbol == "circle-open" and head.text[-1] == "tuần chưa trọn"
    assert head.customdata[-1] == ("Tuần từ 29/06/2026 (tuần chưa trọn: 5/7 ngày, từ 01/07/2026): "
                                   "<b>80,00%</b> của 40 hồ sơ")
    assert head.textposition == "top right"
    # a window starting on a Monday: nothing marked; no `since`: as before
    assert len(figures.kpi_trend(df, "on_time_rate", 0.95, "t", since=dt.date(2026, 6, 29)).data) == 1
    assert len(figures.kpi_trend(df, "on_time_rate", 0.95, "t").data) == 1
    # both ends cut: two partial traces around the whole weeks
    both = figures.kpi_trend(df, "on_time_rate", 0.95, "t", through=dt.date(2026, 7, 15), since=since)
    assert [list(t.y) for t in both.data] == [[0.97], [0.97, 0.80], [0.97, 0.98]]
    # the year-on-year chart: 2026 starts on a Thursday (week 1 from 29/12/2025: 4 days), 2025 on a Wednesday
    trend = pd.DataFrame({"week_no": [1, 2, 1, 2],
                          "week": pd.to_datetime(["2024-12-30", "2025-01-06", "2025-12-29", "2026-01-05"]),
                          "year": [2025, 2025, 2026, 2026], "value": [0.9, 0.98, 0.85, 0.97], "n": [50, 500, 40, 520]})
    data = figures.trend_vs_last_year(trend, 0.99, 2026, through=dt.date(2026, 11, 20))["data"]
    assert [(d["name"], d["x"]) for d in data] == [("Năm 2025", [2]), ("Tuần chưa trọn", [2, 1]),
                                                  ("Năm 2026", [2]), ("Tuần chưa trọn", [2, 1])]
    assert "tuần chưa trọn: 4/7 ngày, từ 01/01/2026" in data[3]["customdata"][-1]
    assert "tuần chưa trọn: 5/7 ngày, từ 01/01/2025" in data[1]["customdata"][-1]
    # the sparkline: a hollow point at the start, named so
    spark = sparkline([(weeks[0], 0.80), (weeks[1], 0.97)], 0.95, "met", dt.date(2026, 9, 30), since)
    assert spark.children[-1].className == "spark-partial spark-partial-first"
    assert "tuần chưa trọn: 5/7 ngày, từ 01/07/2026" in getattr(spark, "aria-label")
    assert len(sparkline([(weeks[0], 0.80), (weeks[1], 0.97)], 0.95, "met", dt.date(2026, 9, 30)).children) == 3
