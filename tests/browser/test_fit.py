"""The meeting's screens: every deck slide fits 1920×1080, 1366×768 and 1280×720 with no scroll (scrollHeight
measured), the deck's unit picker keeps the slide, the overview answers at a glance within the first 1080 px,
the phone gets a collapsed navigation, the KPI cards first and no sideways scroll."""

from __future__ import annotations

import re

import pytest

from .conftest import sized

pytestmark = pytest.mark.browser
SIZES = [(1920, 1080), (1366, 768), (1280, 720)]


def _overflow(p) -> dict:
    return p.evaluate(
        """() => ({sh: document.documentElement.scrollHeight, ih: window.innerHeight,
                  sw: document.documentElement.scrollWidth, iw: window.innerWidth,
                  clipped: [...document.querySelectorAll('.slide')].filter(s => s.scrollHeight > s.clientHeight + 1)
                           .map(s => s.getAttribute('data-slide') + ':' + s.scrollHeight + '>' + s.clientHeight)})"""
    )


@pytest.mark.parametrize("w,h", SIZES)
def test_every_slide_fits_without_scroll(browser, server, w, h):
    with sized(browser, server, "chutich", w, h) as watched:
        bad = {}
        count = int(watched.goto("/trinh-chieu?period=2026-Q3").locator("#deck").get_attribute("data-count"))
        assert count == 9  # no map slide on the legacy town: neither boundaries nor codes the catalogue places
        for n in range(1, count + 1):
            p = watched.goto(f"/trinh-chieu?period=2026-Q3&slide={n}")
            p.wait_for_selector(f".slide[data-slide='{n}']")
            m = _overflow(p)
            if m["sh"] > m["ih"] or m["sw"] > m["iw"] or m["clipped"]:
                bad[n] = m
            if n in (1, 2, 6, 8):
                watched.shot(f"deck-{n}-{w}x{h}")
        assert not bad, bad
        assert not watched.errors, watched.errors


def test_deck_slide_one_has_every_kpi_missed_first_and_the_headline(page):
    p = page.goto("/trinh-chieu?period=2026-Q3")
    tiles = p.locator(".slide .big-tile[data-kpi]")
    kpis_on_screen = [tiles.nth(i).get_attribute("data-kpi") for i in range(tiles.count())]
    from dashboard.config import KPIS

    assert sorted(kpis_on_screen) == sorted(k.name for k in KPIS if k.card)
    statuses = [tiles.nth(i).locator(".status-badge").get_attribute("data-status") for i in range(tiles.count())]
    order = {"missed": 0, "unreachable": 0, "at_risk": 1, "met": 2}
    assert [order.get(s, 3) for s in statuses] == sorted(order.get(s, 3) for s in statuses)
    head = p.locator("#headline")
    met, judged = int(head.get_attribute("data-met")), int(head.get_attribute("data-judged"))
    assert f"{met}/{judged} chỉ tiêu đạt" in head.inner_text()
    assert met == statuses.count("met")


def test_deck_unit_picker_keeps_the_slide(page):
    p = page.goto("/trinh-chieu?period=2026-Q3&slide=3")
    p.keyboard.press("u")
    # typed at once, without accents, as on a projector laptop with no Vietnamese keyboard: no letter may be lost
    # while the picker's search box is still appearing (the dropdown's own button dropped them: "puong 3")
    p.keyboard.type("phuong 3")
    p.wait_for_function("() => document.activeElement.classList.contains('dash-dropdown-search')")
    assert p.evaluate("() => document.activeElement.value") == "phuong 3"
    # Enter picks the first option: wait until the typed text has filtered the list (a loaded machine is slow)
    p.wait_for_function(
        "() => { const o = [...document.querySelectorAll('[role=option]')];"
        " return o.length > 0 && o[0].textContent.trim() === 'Phường 3'; }"
    )
    p.keyboard.press("Enter")
    p.wait_for_url(re.compile(r"unit=W03"), timeout=15000)
    page.settle()
    assert "slide=3" in p.url
    p.wait_for_selector("#deck[data-slide='3']")
    assert "Phường 3" in p.locator(".slide-foot").inner_text()


def test_overview_answers_within_the_first_1080px_and_bars_drill(page):
    p = page.goto("/?period=2026-Q3")
    head = p.locator("#headline")
    assert re.search(r"\d+/\d+ chỉ tiêu đạt", head.inner_text())
    box = p.locator("#worst-units").bounding_box()
    assert box["y"] + box["height"] <= 1080, box
    chart = p.locator("#worst-chart")
    assert chart.bounding_box()["y"] < 1080
    first = p.locator("#worst-units tbody tr").first.locator("a").first.inner_text()
    chart.scroll_into_view_if_needed()
    bar = p.locator("#worst-chart .bars .point path").first.bounding_box()  # a zoomed axis: the bar's end is shown
    p.mouse.click(bar["x"] + bar["width"] - 15, bar["y"] + bar["height"] / 2)
    p.wait_for_url(re.compile(r"/don-vi\?.*unit="), timeout=15000)
    page.settle()
    assert first in p.locator("h1.page-title").inner_text()
    page.shot("overview-1920x1080")


PRESENT_PAGES = ["/", "/don-vi", "/ho-so-tre-han", "/bao-cao-quy", "/chi-tieu", "/phan-tich"]
FOOT = "#present-foot"


def _paged(p, path: str) -> int:
    """Wait until the present page is cut into screens (the footer names this page); its number of screens."""
    settled = (
        "path => { const f = document.querySelector('#present-foot');"
        " return f && !f.hidden && f.dataset.path === path && f.dataset.screen && f.dataset.pending === '0'; }"
    )
    p.wait_for_function(settled, arg=path, timeout=30000)
    p.wait_for_load_state("networkidle")  # a grid or chart still arriving relays the page out: wait for that too
    p.wait_for_timeout(300)
    p.wait_for_function(settled, arg=path, timeout=30000)
    return int(p.locator(FOOT).get_attribute("data-screens"))


def _screen(p) -> dict:
    """The window, the footer and every block of the page that is on screen now (table rows, charts, cards)."""
    return p.evaluate(
        """() => {
          const f = document.querySelector('#present-foot').getBoundingClientRect();
          const on = [...document.querySelectorAll('#_pages_content .page [data-fit]')].filter(e => e.offsetParent);
          return {sh: document.documentElement.scrollHeight, ih: window.innerHeight,
                  sw: document.documentElement.scrollWidth, iw: window.innerWidth,
                  footTop: f.top, footBottom: f.bottom, foot: document.querySelector('#present-foot').innerText,
                  screen: +document.querySelector('#present-foot').dataset.screen,
                  zoom: +document.querySelector('#present-foot').dataset.zoom,
                  on: on.map(e => e.dataset.fit),
                  below: on.filter(e => e.getBoundingClientRect().bottom > f.top + 1).map(e => e.dataset.fit)};
        }"""
    )


@pytest.mark.parametrize("w,h", SIZES)
def test_every_present_page_fits_screen_by_screen(browser, server, w, h):
    """Each `?present=1` page is cut into screens: none scrolls (scrollHeight, scrollWidth), the footer with the
    period and the data date is always inside the window and nothing is under it; → steps through the screens
    and every table row, chart and card of the page is on exactly one screen (nothing lost), then → opens the
    next page."""
    report = {}
    with sized(browser, server, "chutich", w, h) as watched:
        for i, path in enumerate(PRESENT_PAGES):
            p = watched.goto(f"{path}?present=1&period=2026-Q3")
            n = _paged(p, path)
            total = p.evaluate(
                """() => { let i = 0;
                  document.querySelectorAll('#_pages_content .page tbody tr, #_pages_content .page tfoot tr, '
                    + '#_pages_content .page .dash-graph, #_pages_content .page .kpi-card, '
                    + '#_pages_content .page .ag-theme-quartz').forEach(e => { e.dataset.fit = String(i++); });
                  return i; }"""
            )
            seen: list[str] = []
            zooms = []
            for k in range(1, n + 1):
                m = _screen(p)
                assert m["screen"] == k, (path, k, m["screen"])
                assert m["sh"] <= m["ih"] and m["sw"] <= m["iw"], (path, k, m)
                assert m["footTop"] >= 0 and m["footBottom"] <= m["ih"] + 0.5, (path, k, m)
                assert ("Năm 2026" if path == "/chi-tieu" else "Quý 3/2026") in m["foot"], (path, m["foot"])
                assert "Dữ liệu đến 20/11/2026" in m["foot"] and f"{k}/{n}" in m["foot"], m["foot"]
                assert not m["below"], (path, k, m["below"])  # nothing hidden under the footer
                seen += m["on"]
                zooms.append(m["zoom"])
                if k in (1, n):
                    watched.shot(f"present{path.replace('/', '-').rstrip('-') or '-tong-quan'}-{k}-{w}x{h}")
                if k < n:
                    p.keyboard.press("PageDown" if k % 2 else "ArrowRight")
                    p.wait_for_function(f"() => document.querySelector('{FOOT}').dataset.screen === '{k + 1}'")
            assert sorted(seen, key=int) == [str(j) for j in range(total)], (path, total, seen)  # each block once
            report[path] = (n, min(zooms))
            assert min(zooms) >= 0.6, (path, zooms)  # what is scaled stays readable
            if i + 1 < len(PRESENT_PAGES):
                p.keyboard.press("ArrowRight")  # after the last screen: the next page, filters kept
                p.wait_for_url(re.compile(re.escape(PRESENT_PAGES[i + 1]) + r"\?present=1&period=2026-Q3"))
        print(f"{w}x{h} screens, least zoom per page:", report)
        assert not watched.errors, watched.errors


def test_arrow_keys_step_on_a_present_page(browser, server):
    """At 1280×720 the units page takes several screens: End, → to the next page (its first screen), ← back to
    the previous page's last screen, Home, Esc leaves meeting mode."""
    with sized(browser, server, "noivu", 1280, 720) as watched:
        p = watched.goto("/don-vi?present=1&period=2026-Q3")
        n = _paged(p, "/don-vi")
        assert n > 1
        p.keyboard.press("End")  # the page's last screen, then → is the next page
        p.wait_for_function(f"() => document.querySelector('{FOOT}').dataset.screen === '{n}'")
        assert p.url.endswith(f"#man-{n}")  # the screen is in the link
        p.keyboard.press("ArrowRight")
        p.wait_for_url(re.compile(r"/ho-so-tre-han\?present=1&period=2026-Q3"), timeout=15000)
        _paged(p, "/ho-so-tre-han")
        assert p.locator(FOOT).get_attribute("data-screen") == "1"
        p.keyboard.press("ArrowLeft")  # back from a first screen: the previous page, on its last screen
        p.wait_for_url(re.compile(r"/don-vi\?present=1&period=2026-Q3"), timeout=15000)
        _paged(p, "/don-vi")
        assert p.locator(FOOT).get_attribute("data-screen") == str(n)
        p.keyboard.press("Home")
        p.wait_for_function(f"() => document.querySelector('{FOOT}').dataset.screen === '1'")
        p.keyboard.press("Escape")  # leaves meeting mode: the whole page again, no footer
        p.wait_for_url(re.compile(r"/don-vi\?period=2026-Q3"), timeout=15000)
        p.wait_for_function(f"() => !document.querySelector('{FOOT}') || document.querySelector('{FOOT}').hidden")
        assert p.locator("#unit-matrix tbody tr").last.is_visible()
        assert not watched.errors, watched.errors


def test_phone_collapsed_nav_cards_first_no_sideways_scroll(browser, server):
    with sized(browser, server, "chutich", 390, 844) as watched:
        for path in ("/", "/don-vi", "/ho-so-tre-han", "/bao-cao-quy", "/chi-tieu", "/phan-tich"):
            p = watched.goto(path)
            m = _overflow(p)
            assert m["sw"] <= m["iw"], (path, m)
            nav = p.locator("#app-navbar").bounding_box()
            assert nav["height"] <= 80, (path, nav)
        p = watched.goto("/")
        first_card = p.locator(".kpi-card").first.bounding_box()
        assert first_card["y"] < 844, first_card
        watched.shot("overview-390x844")
        p.locator(".navbar-toggler").click()
        p.wait_for_selector(".main-nav .nav-link", state="visible")





@pytest.mark.parametrize("w,h", SIZES)
def test_navigation_on_one_line_with_sign_out_on_screen(browser, server, w, h):
    """On a projector the whole navigation bar is one line: every page link, the deck button and the user's menu
    (sign-out) inside the window (at 1280×720 the deck button wrapped to three lines and sign-out was cut off)."""
    with sized(browser, server, "noivu", w, h) as watched:
        p = watched.goto("/don-vi")
        nav = p.locator("#app-navbar").bounding_box()
        assert nav["height"] <= 64, nav
        for sel in (".main-nav .nav-link", ".present-btn", ".user-menu a, .user-menu button"):
            items = p.locator(sel)
            assert items.count() > 0, sel
            for i in range(items.count()):
                box = items.nth(i).bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= w, (sel, i, box)
                assert box["y"] + box["height"] <= nav["y"] + nav["height"], (sel, i, box)
