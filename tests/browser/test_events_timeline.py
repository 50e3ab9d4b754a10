"""Events on the timeline, in real Chromium: the demo's 1 July 2025 reorganisation is drawn on the overview's weekly
trend (its week of last year's line) and listed under the chart; the deck's KPI slide draws the events of its weeks."""
import pytest

pytestmark = pytest.mark.browser


def _reorganisation_drawn(p, chart_id: str):
    """The chart is drawn and carries the demo's 1 July 2025 event label; returns its locator."""
    chart = p.locator(f"#{chart_id}")
    chart.locator(".main-svg").first.wait_for()
    notes = chart.locator(".annotation-text").all_text_contents()
    assert any(n.startswith("◆ Sắp xếp đơn vị hành chính") for n in notes), notes
    return chart


def test_reorganisation_event_on_the_overview_trend(page):
    p = page.goto("/?period=2026-Q3")
    chart = _reorganisation_drawn(p, "overview-trend")
    # drawn as a dotted line in the events' ink (ui.events.EVENT_INK), apart from the dashed target line
    assert chart.locator("path[style*='rgb(91, 74, 138)']").count() == 1
    listed = p.locator("#overview-events").inner_text()
    assert "01/07/2025" in listed and "Sắp xếp tổ chức" in listed and "chính quyền địa phương hai cấp" in listed
    assert not page.errors, page.errors


def test_no_event_listed_when_none_in_the_window(page):
    p = page.goto("/?period=2024-Q2")  # the chart spans 2023–2024: before the reorganisation
    p.locator("#overview-trend .main-svg").first.wait_for()
    assert p.locator("#overview-events").count() == 0
    notes = p.locator("#overview-trend .annotation-text").all_text_contents()
    assert not [n for n in notes if n.startswith("◆")]


def test_events_on_the_par_index_history_and_under_the_deck_chart(page):
    _reorganisation_drawn(page.goto("/chi-tieu"), "par-history")
    assert "01/07/2025" in page.page.locator("#par-events").inner_text()
    p = page.goto("/trinh-chieu?slide=2&period=2025-Q3")  # a KPI slide whose 26 weeks hold 1 July 2025
    p.locator(".js-plotly-plot .main-svg").first.wait_for()
    listed = p.locator("#deck-events").inner_text()
    assert "01/07/2025" in listed and "Sắp xếp tổ chức" in listed
    assert not page.errors, page.errors
