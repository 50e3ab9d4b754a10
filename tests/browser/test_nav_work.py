"""The browser's work per in-app navigation, counted in real Chromium (the times themselves are measured by
`python -m bench.browser` / `python -m bench.nav_profile`, never asserted): the late list's grid asks the server once
for its first rows, even on its first drawing."""

from __future__ import annotations

import json

import pytest

from .conftest import sized

pytestmark = pytest.mark.browser

DRAWN = "() => [...document.querySelectorAll('.dash-graph')].every(g => g.querySelector('.main-svg'))"


def _rows_requests(page) -> list[dict]:
    """Every getRowsRequest the page sends to the server (the request bodies' inputs), as they leave."""
    sent: list[dict] = []

    def keep(r):
        if "/_dash-update-component" in r.url:
            body = json.loads(r.post_data or "{}")
            if body.get("output") == "late-grid.getRowsResponse":
                sent.append(body["inputs"][0]["value"])

    page.on("request", keep)
    return sent


def _filled_rows(p, first: int) -> None:
    """The grid shows rows from `first` on, with their data (placeholder rows have empty cells)."""
    p.wait_for_function(
        """first => [...document.querySelectorAll(".late-grid .ag-row .ag-cell[col-id='dossier_id']")]
           .some(c => c.closest('.ag-row').getAttribute('row-index') === String(first) && c.innerText.trim())""",
        arg=first,
    )


def test_the_late_grid_asks_once_for_its_first_rows_on_its_first_drawing(browser, server):
    """Dash's renderer sent the grid's first getRowsRequest twice on the grid's first drawing (one setProps, two
    identical requests: measured on every first visit in the 10 M bench), and both answers landed while the next
    page was drawn. Now one request per block, on the first visit as on the next ones; another block is asked for
    as before."""
    with sized(browser, server, "chutich", 1920, 1080) as w:
        p = w.page
        p.wait_for_selector("#headline")
        p.wait_for_function(DRAWN)
        p.wait_for_load_state("networkidle")
        sent = _rows_requests(p)
        for visit in range(2):
            sent.clear()
            p.click(".main-nav a[href^='/ho-so-tre-han']")
            p.wait_for_selector(".page-late .late-grid")
            _filled_rows(p, 0)
            p.wait_for_load_state("networkidle")
            p.wait_for_timeout(300)
            assert [(r["startRow"], r["endRow"]) for r in sent] == [(0, 50)], (visit, sent)
            if visit == 0:  # the next page of the list: one request for the next block
                sent.clear()
                p.locator(".ag-paging-button[aria-label]").filter(has=p.locator(".ag-icon-next")).click()
                _filled_rows(p, 50)
                p.wait_for_load_state("networkidle")
                assert [(r["startRow"], r["endRow"]) for r in sent] == [(50, 100)], sent
            p.click(".main-nav a[href^='/bao-cao-quy']")
            p.wait_for_selector("#form-table")
            p.wait_for_load_state("networkidle")  # (returns at once: the page reached it at its first load)
            # past the second for which 30_session.js answers an identical rows request from the last one, or the
            # next visit, when quick, gets its rows without a request (run alone, it did)
            p.wait_for_timeout(1100)
        assert not w.errors, w.errors


def _components_sent(responses) -> int:
    return sum(r.text().count('"namespace":') for r in responses)


def test_pages_send_few_components_and_their_links_navigate_in_the_page(browser, server):
    """The big tables were one Dash component per cell, link and span (606 on /don-vi, 365 on /bao-cao-quy, 824 on
    /phan-tich at 10 M dossiers), and Dash's renderer costs the browser per component. Their plain markup is now one
    component per largest subtree (dashboard/ui/static.py): the page's DOM is the same, and a link that was a
    dcc.Link still navigates inside the page (no reload) with Dash's router."""
    with sized(browser, server, "chutich", 1920, 1080) as w:
        p = w.page
        p.wait_for_selector("#headline")
        p.wait_for_function(DRAWN)
        p.wait_for_load_state("networkidle")
        p.evaluate("() => { window.__samePage = true; }")
        for path, drawn, most, cells in (("/don-vi", "#unit-matrix", 60, "#unit-matrix td"),
                                         ("/bao-cao-quy", "#form-table", 60, "#form-table td"),
                                         ("/phan-tich", ".page-analysis .page-title", 130, ".page-analysis td"),
                                         ("/", "#headline", 170, ".kpi-card")):
            responses = []
            keep = lambda r, responses=responses: (  # noqa: E731
                responses.append(r) if "_dash-update-component" in r.url else None)
            p.on("response", keep)
            p.click(f".main-nav a[href^='{path}']" if path != "/" else ".main-nav a[href='/'], .main-nav a[href^='/?']")
            p.wait_for_function("p => location.pathname === p", arg=path)
            p.wait_for_selector(drawn)
            p.wait_for_function(DRAWN)
            p.wait_for_load_state("networkidle")
            p.remove_listener("response", keep)
            sent = _components_sent(responses)
            shown = p.locator(cells).count()
            # the page's markup is all there, in far fewer components than elements
            elements = p.evaluate("() => document.querySelectorAll('#_pages_content *').length")
            assert 0 < sent <= most and elements > 2 * sent, (path, sent, elements)
            assert shown > 5, (path, shown)
        # a link of the form's table (a dcc.Link in the layout) opens the late list inside the page
        p.click(".main-nav a[href^='/bao-cao-quy']")
        p.wait_for_selector("#form-table")
        p.wait_for_load_state("networkidle")
        link = p.locator("#form-table a[href^='/ho-so-tre-han']").first
        href = link.get_attribute("href")
        link.click()
        p.wait_for_function("h => location.pathname + location.search === h", arg=href)
        p.wait_for_selector(".page-late #late-total")
        assert p.evaluate("() => window.__samePage === true"), "the link reloaded the page"
        # the browser's Back returns to the form, still inside the page
        p.go_back()
        p.wait_for_selector("#form-table")
        assert p.evaluate("() => window.__samePage === true")
        assert not w.errors, w.errors


# plotly marks a chart it drew a second time because automargin grew its margins (the key exists only then)
REDRAWN = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .map(g => [g.closest('[id]').id, '_redrawFromAutoMarginCount' in g._fullLayout])"""


def test_every_chart_is_drawn_once(browser, server):
    """Every chart was drawn twice by plotly on each navigation: first with the template's 10 px margins, then
    again once automargin had measured the labels. The server now reserves a horizontal bar chart's label column,
    a line chart's rate or rank ticks, the axis titles and a legend row from the font's glyph widths
    (figures.reserve_margins): one drawing per chart at 1920×1080, the labels still whole."""
    with sized(browser, server, "chutich", 1920, 1080) as w:
        p = w.page
        p.wait_for_selector("#headline")
        seen = {}
        for path, drawn in (("/ho-so-tre-han", ".page-late #late-field-chart .main-svg"),
                            ("/chi-tieu", ".page-targets #satisfaction-units .main-svg"),
                            ("/phan-tich", ".page-analysis .main-svg"), ("/", "#worst-chart .main-svg")):
            p.click(f".main-nav a[href^='{path}']" if path != "/" else ".main-nav a[href='/'], .main-nav a[href^='/?']")
            p.wait_for_selector(drawn)
            p.wait_for_function(DRAWN)
            p.wait_for_load_state("networkidle")
            charts = p.evaluate(REDRAWN)
            assert charts and not [c for c, again in charts if again], (path, charts)
            seen.update(dict(charts))
            # no label is cut: every y tick label lies inside its chart
            cut = p.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(g => {
                const box = g.getBoundingClientRect();
                return [...g.querySelectorAll('.ytick text')]
                  .filter(t => t.getBoundingClientRect().left < box.left - 0.5).map(t => t.textContent); })""")
            assert cut == [], (path, cut)
        assert {"late-field-chart", "late-handler-chart", "worst-chart", "satisfaction-units", "overview-trend",
                "par-history", "plan-areas", "index-lost"} <= set(seen), seen
        assert not w.errors, w.errors


def test_dropdowns_are_named_after_each_navigation_without_laying_the_page_out(browser, server):
    """assets/15_a11y.js named every dropdown's keyboard input by reading innerText on the whole document once per
    frame while a page was drawn (a forced layout each time); it now looks only at what was added and reads
    textContent: the name is the label as written ("Kỳ báo cáo", not the CSS capitals) and the value shown."""
    with sized(browser, server, "chutich", 1920, 1080) as w:
        p = w.page
        p.wait_for_selector("#headline")
        for path in ("/don-vi", "/ho-so-tre-han", "/"):
            p.click(f".main-nav a[href^='{path}']" if path != "/" else ".main-nav a[href='/'], .main-nav a[href^='/?']")
            p.wait_for_function("p => location.pathname === p", arg=path)
            p.wait_for_selector("#_pages_content .dash-dropdown-focus-target")
            p.wait_for_function("""() => [...document.querySelectorAll('.dash-dropdown-focus-target')]
                .every(e => e.hasAttribute('aria-label'))""")
            names = p.evaluate("""() => [...document.querySelectorAll('#_pages_content .dash-dropdown-focus-target')]
                .map(e => [e.getAttribute('aria-hidden'), e.getAttribute('aria-label'),
                           e.parentElement.textContent.trim()])""")
            assert names and all(hidden is None for hidden, _, _ in names), (path, names)
            assert names[0][1].startswith("Kỳ báo cáo: "), (path, names)
            assert all(label.endswith(": " + shown) for _, label, shown in names), (path, names)
        assert not w.errors, w.errors


def test_plain_markup_cleans_addresses_as_dashs_html_components_do(browser, server):
    """The markup drawn by assets/08_static_html.js passes href, src, action, formAction and data through Dash's
    clean_url, as html.A and the others do: a javascript: address drawn from a page's data becomes about:blank."""
    with sized(browser, server, "chutich", 1280, 720) as w:
        p = w.page
        p.wait_for_selector("#headline")
        drawn = p.evaluate("""() => {
            const el = window.cchc_static.build(window.React, ["div", {}, ["a", {href: " JavaScript:alert(1)"}, "x"],
                ["a", {href: "/don-vi?unit=W08", "data-dash-link": "1"}, "y"], ["iframe", {src: "vbscript:x"}],
                ["form", {action: "javascript:void(0)"}]]);
            return el.props.children.map(c => c.props.href || c.props.src || c.props.action);
        }""")
        assert drawn == ["about:blank", "/don-vi?unit=W08", "about:blank", "about:blank"]


def test_only_a_grids_rows_request_is_answered_from_an_identical_one(browser, server):
    """The answer-sharing in assets/30_session.js is for an infinite grid's rows requests only: two identical
    bodies for another callback both reach the server (a page asked again must be answered anew, e.g. after an
    import), two identical rows requests make one."""
    with sized(browser, server, "chutich", 1280, 720) as w:
        p = w.page
        p.wait_for_selector("#headline")
        p.wait_for_load_state("networkidle")
        sent: list[str] = []
        p.on("request", lambda r: sent.append(json.loads(r.post_data or "{}").get("output"))
             if "/_dash-update-component" in r.url else None)
        p.evaluate("""async () => {
            const ask = body => fetch('/_dash-update-component', {method: 'POST', body: JSON.stringify(body),
                headers: {'Content-Type': 'application/json'}}).catch(() => null);
            const other = {output: 'nothing-here.children', outputs: {id: 'nothing-here', property: 'children'},
                           inputs: [], changedPropIds: []};
            const rows = {output: 'late-grid.getRowsResponse', outputs: {id: 'late-grid', property: 'getRowsResponse'},
                          inputs: [{id: 'late-grid', property: 'getRowsRequest', value: {startRow: 0, endRow: 50}}],
                          changedPropIds: []};
            await Promise.all([ask(other), ask(other), ask(rows), ask(rows)]);
        }""")
        p.wait_for_timeout(300)
        assert sorted(sent) == ["late-grid.getRowsResponse", "nothing-here.children", "nothing-here.children"], sent
