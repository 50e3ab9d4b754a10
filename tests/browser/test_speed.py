"""What makes the first screen and a navigation fast, checked in real Chromium (the figures themselves are
measured by `make bench`, never asserted): the page after sign-in (or a reload, or a shared link) arrives drawn
with the shell, without a round trip through Dash's router or any server callback; a navigation costs one
server callback (the page), the navigation bar updates in the browser; the reader's scope is applied exactly as
through the router; every response says its server time; no page loads more JavaScript than its budget.
Also the chart polish: the week still running is drawn apart on every weekly trend, and the worst units' chart
fits a phone."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from urllib.parse import parse_qs, urlparse

import pytest

from .conftest import AS_OF, Watched, sign_in

pytestmark = pytest.mark.browser

DRAWN = "() => [...document.querySelectorAll('.dash-graph')].every(g => g.querySelector('.main-svg'))"
NAV = """() => [...document.querySelectorAll('.main-nav a.nav-page')]
  .map(a => [a.getAttribute('href'), a.classList.contains('active')])"""


class Traffic:
    """The app's requests of a page: the outputs of every server callback, every shell request."""

    def __init__(self, page):
        self.callbacks: list[str] = []
        self.layouts: list[str] = []
        self.timing: dict[str, str] = {}
        page.on("request", self._request)
        page.on("response", self._response)

    def _request(self, r):
        if "/_dash-update-component" in r.url:
            self.callbacks.append(json.loads(r.post_data or "{}").get("output", ""))
        elif "/_dash-layout" in r.url:
            self.layouts.append(r.url)

    def _response(self, r):
        name = urlparse(r.url).path
        if name in ("/_dash-layout", "/_dash-update-component"):
            self.timing[name] = r.headers.get("server-timing", "")

    def clear(self):
        self.callbacks.clear()
        self.layouts.clear()


@contextlib.contextmanager
def _signed_in(browser, server, username: str, drawn: str = "#headline", width: int = 1920, height: int = 1080):
    """A fresh context signed in through the form, its traffic watched from the sign-in on, the first screen
    drawn (`drawn` on screen, every chart drawn, nothing loading); closed when the block ends."""
    from dashboard.auth import DEMO_PASSWORDS

    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    try:
        w = Watched(ctx.new_page(), server)
        t = Traffic(w.page)
        sign_in(w, username, DEMO_PASSWORDS[username])
        _drawn(w.page, drawn)
        yield w, t
    finally:
        ctx.close()


def _drawn(p, selector: str):
    p.wait_for_selector(selector)
    p.wait_for_function(DRAWN)
    p.wait_for_load_state("networkidle")
    p.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")


def test_sign_in_draws_the_overview_with_the_shell_and_navigation_is_one_callback(browser, server):
    with _signed_in(browser, server, "chutich", "#worst-chart .main-svg") as (w, t):
        p = w.page
        assert p.locator("#headline").inner_text().strip()
        assert p.locator("[data-kpi]").count() >= 8
        # the page came with the shell: one shell request (preloaded while the scripts loaded), no callback
        assert t.callbacks == [], t.callbacks
        assert len(t.layouts) == 1, t.layouts
        timing = dict(re.findall(r"(\w+);(?:desc=\"\d+\";)?dur=([\d.]+)", t.timing["/_dash-layout"]))
        assert {"app", "cpu", "sql"} <= set(timing) and float(timing["cpu"]) > 0, t.timing
        # the filters' defaults are written into the address, as when the router draws a page
        p.wait_for_url(re.compile(r"\?period=2026-Q4$"))
        assert p.title() == "Tổng quan — CCHC"
        links = dict(p.evaluate(NAV))  # the links keep the period just recorded, the overview's is marked
        assert [k for k, v in links.items() if v] == ["/?period=2026-Q4"], links
        assert len(links) == 6 and all(k.endswith("?period=2026-Q4") for k in links), links
        # a navigation: exactly one server callback (the page), the bar follows in the browser
        t.clear()
        p.click(".main-nav a[href^='/don-vi']")
        _drawn(p, "#unit-matrix")
        assert [c for c in t.callbacks if "_pages_content" in c] == t.callbacks[:1] and len(t.callbacks) == 1, (
            t.callbacks)
        assert t.layouts == []
        assert parse_qs(urlparse(p.url).query)["period"] == ["2026-Q4"]
        links = dict(p.evaluate(NAV))
        assert links["/don-vi?period=2026-Q4"] is True, links
        assert [k for k, v in links.items() if v] == ["/don-vi?period=2026-Q4"]
        assert all(k.endswith("?period=2026-Q4") for k in links), links
        assert p.title() == "Đơn vị — CCHC"
        # back: the router draws the overview again
        t.clear()
        p.go_back()
        _drawn(p, "#worst-chart .main-svg")
        assert len([c for c in t.callbacks if "_pages_content" in c]) == 1
        assert [k for k, v in p.evaluate(NAV) if v] == ["/?period=2026-Q4"]
        assert not w.errors, w.errors


PLOTLY_CALLS = """(() => { let P; window.__reacts = []; window.__redrawn = [];
  Object.defineProperty(window, 'Plotly', {configurable: true, get() { return P; }, set(v) {
    P = v; const react = v.react; v.react = function (gd) {
      const name = (gd.parentElement && gd.parentElement.id) || gd.id;
      window.__reacts.push(name);
      const done = react.apply(this, arguments);  // a whole drawing after this one's end: drawn again
      Promise.resolve(done).then(() => gd.on && !gd.__watched && (gd.__watched = 1) &&
        gd.on('plotly_afterplot', () => window.__redrawn.push(name)));
      return done; };
  }});
})()"""


def test_a_page_with_one_filter_and_the_late_list_draw_with_one_callback_each(browser, server):
    """A page whose only filter is the year (/chi-tieu) was drawn twice after a navigation: its one filter's
    report was taken for the reader's change (a second server callback, every chart drawn twice). The late list
    drew with 3–4 callbacks (the page, its charts' click callback, the grid's rows, once or twice): now the page
    and the rows, and a bar click filters the list in the browser."""
    with _signed_in(browser, server, "chutich", "#worst-chart .main-svg") as (w, t):
        p = w.page
        p.evaluate("() => { window.__reacts = []; }")
        p.context.add_init_script(PLOTLY_CALLS)
        p.reload()
        _drawn(p, "#worst-chart .main-svg")
        for path, drawn in (("/ho-so-tre-han", ".page-late .ag-row"), ("/bao-cao-quy", "#form-table"),
                            ("/chi-tieu", ".page-targets #plan-areas .main-svg")):
            t.clear()
            p.evaluate("() => { window.__reacts = []; }")
            p.click(f".main-nav a[href^='{path}']")
            _drawn(p, drawn)
            p.wait_for_timeout(300)
            pages = [c for c in t.callbacks if "_pages_content" in c]
            assert len(pages) == 1, (path, t.callbacks)
            if path == "/ho-so-tre-han":  # the page and the grid's rows, once (assets/30_session.js)
                rows = [c for c in t.callbacks if c == "late-grid.getRowsResponse"]
                assert len(rows) == 1 and len(t.callbacks) == 2, t.callbacks
            else:
                assert t.callbacks == pages, (path, t.callbacks)
            p.wait_for_timeout(400)  # plotly's resize draws again 100 ms after a resize call
            reacts = p.evaluate("() => window.__reacts")
            assert len(reacts) == len(set(reacts)) == p.locator(".js-plotly-plot").count(), (path, reacts)
            assert p.evaluate("() => window.__redrawn") == [], path  # each chart drawn once (05_plotly-resize.js)
            p.evaluate("() => { window.__redrawn = []; }")
        # a real change of size still reaches plotly: the charts follow a narrower window
        p.set_viewport_size({"width": 1280, "height": 720})
        p.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')].every(g =>
            Math.abs(g._fullLayout.width - parseFloat(getComputedStyle(g).width)) <= 1)""")
        assert p.evaluate("() => window.__redrawn.length") >= p.locator(".js-plotly-plot").count()
        p.set_viewport_size({"width": 1920, "height": 1080})
        # the year (the page's one filter, its default) is recorded in the address without drawing again
        assert parse_qs(urlparse(p.url).query)["year"] == [str(AS_OF.year)]
        # the reader's own change of that one filter is a navigation: the page is drawn for the new year
        t.clear()
        p.locator("#_pages_content .filter-dropdown").first.click()
        p.get_by_role("option", name=f"Năm {AS_OF.year - 1}", exact=True).click()
        p.wait_for_function("y => new URLSearchParams(location.search).get('year') === y", arg=str(AS_OF.year - 1))
        _drawn(p, ".page-targets #plan-areas .main-svg")
        assert len([c for c in t.callbacks if "_pages_content" in c]) == 1, t.callbacks
        assert f"Năm {AS_OF.year - 1}" in p.locator(".page-subtitle").inner_text()
        # the late list: a field bar filters the list, in the browser (no callback but the page's and the rows')
        w.goto("/ho-so-tre-han?period=2025&view=late")
        _drawn(p, ".page-late .ag-row")
        # the field with the longest name: its label is broken onto lines (count_bars(wrap=22)), the click still
        # filters by the whole name (customdata)
        i, field, shown = p.evaluate("""() => { const d = document.querySelector('#late-field-chart .js-plotly-plot')
            .data[0]; let i = 0; d.customdata.forEach((c, j) => { if (c.length > d.customdata[i].length) i = j; });
            return [i, d.customdata[i], d.y[i]]; }""")
        assert len(field) > 22 and "<br>" in shown and shown.replace("<br>", " ") == field, (field, shown)
        t.clear()
        box = p.locator("#late-field-chart .js-plotly-plot .bars .point path").nth(i).bounding_box()
        p.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # through plotly's drag layer
        p.wait_for_function("f => new URLSearchParams(location.search).get('field') === f", arg=field)
        p.wait_for_function("f => document.querySelector('.late-total-label').innerText.includes(f)", arg=field)
        _drawn(p, ".page-late .ag-row")
        w.settle()
        # the list is the field's: every row's field cell holds it
        p.wait_for_function("f => [...document.querySelectorAll('.ag-row .ag-cell[col-id=\"field\"]')]"
                            ".every(c => c.innerText.trim() === f)", arg=field)
        q = parse_qs(urlparse(p.url).query)
        assert q["field"] == [field] and q["view"] == ["late"] and q["period"] == ["2025"], q
        rows = [c for c in t.callbacks if c == "late-grid.getRowsResponse"]
        assert rows and len([c for c in t.callbacks if "_pages_content" in c]) == 1, t.callbacks
        assert len(t.callbacks) == 1 + len(rows), t.callbacks  # no callback for the click itself
        assert f"lĩnh vực {field}" in p.locator(".late-total-label").inner_text()
        assert not w.errors, w.errors


def test_a_shared_link_is_drawn_with_its_filters_and_the_readers_scope(browser, server):
    with _signed_in(browser, server, "chutich", "#headline") as (w, t):
        p = w.page
        t.clear()
        p.goto(server + "/ho-so-tre-han?period=2025-Q2&unit=W03&view=late")
        _drawn(p, "#late-total")
        assert not [c for c in t.callbacks if "_pages_content" in c], t.callbacks  # no router round trip
        assert len(t.layouts) == 1
        assert p.locator(".page-subtitle").first.inner_text() == "Phường 3 · Quý 2/2025"
        q = parse_qs(urlparse(p.url).query)
        assert (q["period"], q["unit"], q["view"]) == (["2025-Q2"], ["W03"], ["late"])
        assert [k for k, v in p.evaluate(NAV) if v] == ["/ho-so-tre-han?period=2025-Q2&unit=W03"]
        assert not w.errors, w.errors
    # a ward's reader: another ward's link and a page of another role are refused in the shell as well
    with _signed_in(browser, server, "phuong", "#headline") as (w, t):
        p = w.page
        assert "Xã Bình Minh" in p.locator("h1.page-title").inner_text()
        paths = {href.split("?")[0] for href, _ in p.evaluate(NAV)}
        assert "/ho-so-tre-han" in paths and not paths & {"/nhat-ky", "/du-lieu"}, paths
        for path in ("/ho-so-tre-han?period=2025-Q2&unit=W03", "/nhat-ky", "/du-lieu"):
            t.clear()
            p.goto(server + path)
            p.wait_for_selector("#forbidden")
            assert not [c for c in t.callbacks if "_pages_content" in c]
            assert "Phường 3" not in p.locator("#_pages_content").inner_text()


def test_no_page_loads_more_javascript_than_its_budget(browser, server):
    """Every page opened as a first load (cache off): ≤ 3 MB of JavaScript decoded, plus the grid library on
    the pages that draw a grid (loaded when the grid is drawn, never on the others)."""
    from dashboard.ui import ids

    with _signed_in(browser, server, "noivu") as (w, t):
        p = w.page
        cdp = p.context.new_cdp_session(p)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        sizes, loaded = {}, {}
        for path in ids.PAGE_PATHS:
            p.goto(server + path)
            _drawn(p, ".page")
            p.wait_for_timeout(300)
            files = p.evaluate("""() => performance.getEntriesByType('resource')
                .filter(e => /\\.js(\\?|$)/.test(e.name)).map(e => [new URL(e.name).pathname,
                e.decodedBodySize])""")
            grid = sum(n for f, n in files if "/dash_ag_grid/" in f)  # the grid library and its chunks
            sizes[path] = (sum(n for _, n in files) - grid, grid, p.locator(".ag-root").count())
            loaded[path] = sorted(files, key=lambda f: -f[1])
        for path, (js, grid, grids) in sizes.items():
            assert 1_000_000 < js <= 3_000_000, (path, js, loaded[path])
            assert (grid > 0) == (grids > 0), (path, grid, grids)
        assert max(js for js, _, _ in sizes.values()) - min(js for js, _, _ in sizes.values()) < 200_000, sizes


def _traces(p, graph_id: str) -> list[dict]:
    return p.evaluate(
        """id => { const g = document.querySelector('#' + CSS.escape(id) + ' .js-plotly-plot');
          return g.data.map(d => ({name: d.name || '', x: d.x, text: d.text || null, customdata: d.customdata || null,
            symbol: d.marker && d.marker.symbol || null, dash: d.line && d.line.dash || null})); }""",
        graph_id,
    )


def test_the_week_still_running_is_drawn_apart_on_every_weekly_trend(page):
    monday = AS_OF - dt.timedelta(days=AS_OF.weekday())  # the data end on Friday 20/11/2026: 5 days of 7
    note = f"tuần chưa trọn: {(AS_OF - monday).days + 1}/7 ngày, đến {AS_OF:%d/%m/%Y}"
    p = page.goto("/?period=2026-Q4")
    p.wait_for_function(DRAWN)
    # the yearly trend: this year's line stops at the last whole week; the running week is a hollow point
    traces = _traces(p, "overview-trend")
    this_year = next(tr for tr in traces if tr["name"] == "Năm 2026")
    week_no = monday.isocalendar()[1]
    marked = [tr for tr in traces if tr["name"] == "Tuần chưa trọn"]
    partial = [tr for tr in marked if tr["x"][-1] == week_no]
    assert len(partial) == 1 and partial[0]["symbol"] == "circle-open" and partial[0]["dash"] == "dot"
    assert max(this_year["x"]) == week_no - 1
    # the others are first weeks a year starts in (week 1 from a Monday in December: "từ 01/01/…")
    assert all(tr["x"][-1] == 1 and ", từ 01/01/" in tr["customdata"][-1] for tr in marked if tr not in partial)
    assert note in partial[0]["customdata"][-1] and partial[0]["text"][-1] == "tuần chưa trọn"
    assert "tuần chưa trọn" in p.locator("#overview-trend .main-svg").first.text_content()
    # every card's sparkline marks it, in words too
    sparks = p.locator(".kpi-spark")
    assert sparks.count() >= 6 and p.locator(".kpi-spark .spark-partial:not(.spark-partial-first)").count() == (
        sparks.count())
    # their 12 calendar weeks start on Monday 31/08/2026 (config.SPARK_WEEKS, period.weeks_back): a whole first
    # week, so only the running week is marked
    assert p.locator(".kpi-spark .spark-partial-first").count() == 0
    label = sparks.first.get_attribute("aria-label")
    assert "(tuần từ 31/08/2026)" in label and label.count("tuần chưa trọn") == 1
    assert note in sparks.first.get_attribute("aria-label")
    # a unit's KPI trend and the deck's KPI slide (satisfaction: few surveys so far in the week)
    p = page.goto("/don-vi?period=2026-Q4&unit=W08&kpi=satisfaction_rate")
    p.wait_for_function(DRAWN)
    marked = [tr for tr in _traces(p, "unit-kpi-trend") if tr["name"] == "Tuần chưa trọn"]
    partial = [tr for tr in marked if tr["x"][-1].startswith(monday.isoformat())]
    assert len(partial) == 1 and note in partial[0]["customdata"][-1] and "phiếu" in partial[0]["customdata"][-1]
    # and the quarter's first week (Q4 starts on Thursday 01/10/2026: 4 days of the week from 28/09)
    assert [tr["x"][-1][:10] for tr in marked if tr not in partial] == ["2026-09-28"]
    assert partial[0]["x"][-1].startswith(monday.isoformat())
    p = page.goto("/trinh-chieu?period=2026-Q4&slide=3")  # the deck's second KPI slide: satisfaction
    p.wait_for_function(DRAWN)
    assert "Tỷ lệ hài lòng của người dân" in p.locator("#_pages_content").inner_text()
    assert "tuần chưa trọn" in p.locator(".deck-slide .main-svg, .page .main-svg").first.text_content()
    # a period that ends on a Sunday has no partial week: nothing is marked
    p = page.goto("/don-vi?period=2026-W10&unit=W08&kpi=on_time_rate")
    p.wait_for_function(DRAWN)
    traces = _traces(p, "unit-kpi-trend")
    assert traces and not [tr for tr in traces if tr["name"] == "Tuần chưa trọn"]
    p = page.goto("/?period=2026-W10")  # (the sparklines' 12 weeks start on a Sunday: that first week is marked)
    assert p.locator(".kpi-spark").count() >= 6
    assert p.locator(".kpi-spark .spark-partial:not(.spark-partial-first)").count() == 0
    # a quarter starting mid-week (2026-Q3 on Wednesday 01/07): its first week is marked the same way
    p = page.goto("/don-vi?period=2026-Q3&unit=W08&kpi=on_time_rate")
    p.wait_for_function(DRAWN)
    traces = _traces(p, "unit-kpi-trend")
    marked = [tr for tr in traces if tr["name"] == "Tuần chưa trọn"]  # (and its last, to Wednesday 30/09)
    assert sorted(tr["x"][-1][:10] for tr in marked) == ["2026-06-29", "2026-09-28"], marked
    partial = [tr for tr in marked if tr["x"][-1].startswith("2026-06-29")]
    assert "tuần chưa trọn: 5/7 ngày, từ 01/07/2026" in partial[0]["customdata"][-1]
    assert "tuần chưa trọn" in p.locator("#unit-kpi-trend .main-svg").first.text_content()
    whole = next(tr for tr in traces if tr["name"] != "Tuần chưa trọn" and tr["x"])
    assert not any(str(x).startswith("2026-06-29") for x in whole["x"]), whole["x"]
    assert not page.errors, page.errors


def test_the_worst_units_chart_fits_a_phone(browser, server):
    with _signed_in(browser, server, "chutich", "#worst-chart .main-svg", 390, 844) as (w, t):
        p = w.page
        box = p.evaluate("""() => {
          const g = document.querySelector('#worst-chart .js-plotly-plot');
          const r = g.querySelector('.main-svg').getBoundingClientRect();
          const b = e => { const x = e.getBoundingClientRect();
                           return {l: x.left, r: x.right, t: x.top, b: x.bottom}; };
          return {frame: {l: r.left, r: r.right, t: r.top, b: r.bottom}, vw: window.innerWidth,
                  title: b(g.querySelector('.xtitle')), ticks: [...g.querySelectorAll('.xtick text')].map(b),
                  titleText: g.querySelector('.xtitle').textContent}; }""")
        f, title = box["frame"], box["title"]
        assert f["r"] - f["l"] >= 0.9 * box["vw"], box  # the card's whole width (was 337 of 390 px)
        assert "bắt đầu từ" in box["titleText"]
        assert f["l"] - 0.5 <= title["l"] and title["r"] <= f["r"] + 0.5 and title["b"] <= f["b"] + 0.5, box
        ticks = sorted(box["ticks"], key=lambda b: b["l"])
        assert len(ticks) >= 2
        for a, b in zip(ticks, ticks[1:]):
            assert a["r"] <= b["l"], ticks  # upright and apart
        assert all(tk["r"] - tk["l"] > tk["b"] - tk["t"] for tk in ticks), ticks  # not turned on their side
        assert all(tk["b"] <= title["t"] + 0.5 for tk in ticks)
        assert not w.errors, w.errors
