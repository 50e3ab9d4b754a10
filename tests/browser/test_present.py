"""Meeting mode: the deck's keys, present mode on any page, screenshots at projector sizes."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def _slide(p) -> int:
    return int(p.locator("#deck").get_attribute("data-slide"))


def _on(p, n: int):
    p.wait_for_selector(f"#deck[data-slide='{n}'] .slide[data-slide='{n}']", timeout=15000)


def test_deck_keys_step_jump_and_leave(page):
    p = page.goto("/trinh-chieu?period=2026-Q3&unit=W08")
    assert _slide(p) == 1 and p.locator(".slide-title").inner_text() == "Tổng quan"
    assert "Xã Bình Minh · Quý 3/2026" in p.locator(".slide-foot").inner_text()
    assert p.locator(".app-navbar").is_hidden()  # no navigation chrome on the projector
    assert p.locator(".big-value").count() == p.locator(".big-tile[data-kpi]").count() <= 8  # every KPI, once
    page.shot("deck-1-1920x1080")
    p.keyboard.press("ArrowRight")
    p.wait_for_url(re.compile(r"slide=2"))
    _on(p, 2)
    assert _slide(p) == 2 and p.locator(".slide-title").inner_text() == "Tỷ lệ hồ sơ giải quyết đúng hạn"
    assert "unit=W08" in p.url and "period=2026-Q3" in p.url  # the ward follows every slide
    p.keyboard.press("ArrowLeft")
    p.wait_for_url(re.compile(r"slide=1"))
    _on(p, 1)
    p.keyboard.press("8")
    p.wait_for_url(re.compile(r"slide=8"))
    _on(p, 8)
    assert p.locator(".slide-title").inner_text() == "Hồ sơ trễ hạn"
    page.shot("deck-8-1920x1080")
    p.keyboard.press("Escape")
    p.wait_for_url(re.compile(r"/\?period=2026-Q3&unit=W08$"))
    page.settle()
    assert p.locator(".app-navbar").is_visible()
    assert not page.errors


def test_deck_auto_advance(page):
    p = page.goto("/trinh-chieu?slide=3&auto=5")
    p.wait_for_url(re.compile(r"slide=4"), timeout=12000)
    _on(p, 4)
    assert _slide(p) == 4


def test_present_mode_on_any_page_and_720p(browser, server):
    from dashboard.auth import DEMO_PASSWORDS
    from .conftest import Watched, sign_in

    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    p = ctx.new_page()
    sign_in(Watched(p, server), "chutich", DEMO_PASSWORDS["chutich"])
    p.goto(server + "/don-vi?present=1&period=2026-Q3")
    p.wait_for_selector("#unit-matrix")
    assert p.locator(".app-navbar").is_hidden() and p.locator(".filter-bar").first.is_hidden()
    size = float(p.evaluate("getComputedStyle(document.querySelector('.page-title')).fontSize").rstrip("px"))
    assert size >= 38  # large type
    p.screenshot(path="test-artifacts/units-present-1280x720.png")
    p.goto(server + "/trinh-chieu?slide=1&period=2026-Q3")
    p.wait_for_selector(".big-value")
    p.wait_for_load_state("networkidle")
    p.screenshot(path="test-artifacts/deck-1-1280x720.png")
    ctx.close()
