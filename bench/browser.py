"""What a user feels, measured in Debian's chromium (`make bench`; figures, never assertions):

- JavaScript decoded on the first load of the overview (every script resource, decodedBodySize);
- sign-in → overview rendered (cards, headline and the worst units' chart drawn), cold server cache and warm;
- in-app navigation (a click on the navigation bar → the next page rendered), median and p95;
- what does not depend on the machine's load: the server's own time per request (its `Server-Timing` header:
  wall, the serving thread's CPU, named queries run), and the browser's main-thread work (Chrome's
  `Performance.getMetrics`: TaskDuration, ScriptDuration, Layout + RecalcStyle) per sign-in and navigation;
- the load average before and after, and sampled during the run.

`python -m bench.browser [--n 1000000] [--runs 3] [--out bench/browser.json]` serves the demo database of that
size (built once in data/bench/) with gunicorn (2 workers, like `make run`)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import time
from pathlib import Path

from tests.harness import running, serve_cmd

from .run import AS_OF, ROOT, db_for

NAV = ["/don-vi", "/ho-so-tre-han", "/bao-cao-quy", "/chi-tieu", "/phan-tich", "/"]
RENDERED = {  # a page counts as rendered when this is on screen
    "/": "#headline",
    "/don-vi": "#unit-matrix",
    "/ho-so-tre-han": "#late-total",
    "/bao-cao-quy": "#form-table",
    "/chi-tieu": ".page-targets .page-title",  # every page has a .page-title: the old page's would pass at once
    "/phan-tich": ".page-analysis .page-title",
}
DRAWN = "() => [...document.querySelectorAll('.dash-graph')].every(g => g.querySelector('.main-svg'))"
# what else a page shows before it counts as drawn: the late list's first rows (or its "no rows" overlay), which
# come from the grid's own callback after the page (until session 8 the bench did not wait for them, and their
# answer landed while the next page was drawn)
READY = {
    "/ho-so-tre-han": """() => [...document.querySelectorAll(".late-grid .ag-cell[col-id='dossier_id']")]
        .some(c => c.innerText.trim()) || !!document.querySelector('.late-grid .ag-overlay-no-rows-wrapper')""",
}


def _serve(db: Path, port: int):
    """The demo served like `make run` (gunicorn, 2 workers) with its demo accounts; stopped when the block ends."""
    from dashboard.auth import UserStore, ensure_demo_users, users_path

    ensure_demo_users(UserStore(users_path(db)), "W08", "Xã Bình Minh")
    return running(serve_cmd(db, port, "--workers", "2"), f"http://127.0.0.1:{port}/dang-nhap")


def _ms(samples: list[float]) -> dict:
    s = sorted(samples)
    return {"median_ms": round(statistics.median(s) * 1000), "p95_ms": round(s[int(0.95 * (len(s) - 1))] * 1000),
            "min_ms": round(s[0] * 1000), "runs": len(s)}


SERVER = """() => performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))
  .filter(e => (e.serverTiming || []).length && !/\\/(assets|_dash-component-suites|_favicon)/.test(e.name))
  .map(e => [new URL(e.name).pathname, Object.fromEntries(e.serverTiming.map(t =>
    [t.name, t.name === 'sql' ? [Number(t.description), t.duration] : t.duration]))])"""
# plotly's drawing: the synchronous part of every Plotly.react call (dcc.Graph draws through it), summed in the page
PLOTLY_HOOK = """(() => { let P; window.__plotlyMs = 0; window.__plotlyCalls = 0;
  Object.defineProperty(window, 'Plotly', {configurable: true, get() { return P; }, set(v) {
    P = v; const react = v && v.react; if (!react || react.__timed) return;
    v.react = function () { const t = performance.now();
      try { return react.apply(this, arguments); }
      finally { window.__plotlyMs += performance.now() - t; window.__plotlyCalls++; } };
    v.react.__timed = true; }});
})()"""
PLOTLY_READ = """() => { const r = [Math.round(window.__plotlyMs || 0), window.__plotlyCalls || 0,
  document.getElementsByTagName('*').length]; window.__plotlyMs = 0; window.__plotlyCalls = 0; return r; }"""
WORK = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")


def _work(cdp) -> dict:
    m = {x["name"]: x["value"] for x in cdp.send("Performance.getMetrics")["metrics"]}
    return {k: m.get(k, 0.0) for k in WORK}


def _since(before: dict, after: dict) -> dict:
    """The browser's main-thread work between two readings, ms: all tasks, scripts, layout and style."""
    d = {k: (after[k] - before[k]) * 1000 for k in WORK}
    return {"task_ms": round(d["TaskDuration"]), "script_ms": round(d["ScriptDuration"]),
            "layout_style_ms": round(d["LayoutDuration"] + d["RecalcStyleDuration"])}


def _server(entries: list, since: int = 0) -> dict:
    """The app's requests (index, shell, callbacks) from `since` on: count, and the server's wall, CPU and
    query time summed."""
    e = [t for _, t in entries[since:] if "cpu" in t]
    return {"requests": len(e), "app_ms": round(sum(t["app"] for t in e), 1),
            "cpu_ms": round(sum(t["cpu"] for t in e), 1), "queries": sum(t.get("sql", [0, 0])[0] for t in e),
            "sql_ms": round(sum(t.get("sql", [0, 0])[1] for t in e), 1)}


PHASES = """() => { const n = performance.getEntriesByType('navigation')[0];
  const cb = performance.getEntriesByType('resource').filter(e => e.name.includes('_dash-update-component'));
  const layout = performance.getEntriesByType('resource').find(e => e.name.includes('_dash-layout'));
  return {html_ms: n.responseEnd, scripts_ms: n.domContentLoadedEventEnd, layout_ms: layout ? layout.responseEnd : null,
          callbacks: cb.length, callbacks_end_ms: cb.length ? Math.max(...cb.map(e => e.responseEnd)) : null,
          slowest_callback_ms: cb.length ? Math.max(...cb.map(e => e.responseEnd - e.requestStart)) : null,
          drawn_ms: performance.now()}; }"""


def navigate(p, path: str) -> None:
    """Click the navigation bar's link to `path` and wait until that page is drawn (its charts too)."""
    p.click(f".main-nav a[href^='{path}']" if path != "/" else ".main-nav a[href='/'], .main-nav a[href^='/?']")
    p.wait_for_function(f"() => location.pathname === '{path}'")
    p.wait_for_selector(RENDERED[path])
    p.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")
    p.wait_for_function(DRAWN)
    if path in READY:
        p.wait_for_function(READY[path])


def _fill_sign_in(p, base: str) -> None:
    p.goto(base + "/dang-nhap")
    p.fill("#username", "chutich")
    p.fill("#password", "demo-chutich")


def _submit(p) -> tuple[float, dict]:
    """Send the filled sign-in form: seconds from the click to the overview drawn, and the page's phases."""
    t = time.perf_counter()
    p.click("#login-submit")
    p.wait_for_selector("#headline")
    p.wait_for_selector("#worst-chart .main-svg")
    p.wait_for_function(DRAWN)
    seconds = time.perf_counter() - t
    return seconds, {k: (round(v) if isinstance(v, float) else v) for k, v in p.evaluate(PHASES).items()}


@contextlib.contextmanager
def chromium():
    """Debian's chromium driven by Playwright, closed when the block ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        try:
            yield b
        finally:
            b.close()


def new_page(b, init_script: str | None = None):
    """A new context at 1920×1080 (vi-VN) with `init_script` run before the app's scripts: (context, page)."""
    ctx = b.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    if init_script:
        ctx.add_init_script(init_script)
    return ctx, ctx.new_page()


def measure(base: str, runs: int) -> dict:
    out: dict = {"sign_in_to_overview": [], "navigation": [], "js_bytes": None, "phases": [], "callbacks": [],
                 "sign_in_server": [], "sign_in_browser": [], "nav_server": [], "nav_browser": [], "load": [],
                 "returning": [], "returning_phases": [], "nav_by_page": {}}
    with chromium() as b:
        for i in range(runs):
            ctx, p = new_page(b, PLOTLY_HOOK)
            cdp = ctx.new_cdp_session(p)
            cdp.send("Performance.enable")
            _fill_sign_in(p, base)
            out["load"].append(os.getloadavg()[0])
            w0 = _work(cdp)  # the metrics follow the page's renderer across the sign-in's navigation
            seconds, phases = _submit(p)
            out["sign_in_to_overview"].append(seconds)
            out["sign_in_browser"].append(_since(w0, _work(cdp)))
            out["phases"].append(phases)
            out["sign_in_server"].append(_server(p.evaluate(SERVER)))
            if i == 0:
                p.wait_for_load_state("networkidle")
                scripts = p.evaluate(
                    """() => performance.getEntriesByType('resource')
                        .filter(e => e.initiatorType === 'script' || /\\.js(\\?|$)/.test(e.name))
                        .map(e => [e.name.split('/').slice(-1)[0].split('?')[0], e.decodedBodySize])"""
                )
                out["js_bytes"] = sum(n for _, n in scripts)
                out["js_files"] = sorted(scripts, key=lambda x: -x[1])[:8]
            for path in NAV:
                calls: list[str] = []

                def count(r, calls=calls):
                    if "_dash-update-component" in r.url:
                        calls.append(r.url)

                p.on("request", count)
                seen = len(p.evaluate(SERVER))
                p.evaluate(PLOTLY_READ)  # from zero
                w0 = _work(cdp)
                t = time.perf_counter()
                navigate(p, path)
                out["navigation"].append(time.perf_counter() - t)
                plotly_ms, plotly_calls, nodes = p.evaluate(PLOTLY_READ)
                out["nav_browser"].append({"path": path, **_since(w0, _work(cdp)), "plotly_ms": plotly_ms,
                                           "plotly_calls": plotly_calls, "dom_nodes": nodes})
                out["nav_by_page"].setdefault(path, []).append(out["navigation"][-1])
                out["nav_server"].append({"path": path, **_server(p.evaluate(SERVER), seen)})
                p.remove_listener("request", count)
                out["callbacks"].append((path, len(calls)))
            # the chairman next week: the same browser (its HTTP cache keeps the fingerprinted scripts), signed out
            ctx.clear_cookies()
            _fill_sign_in(p, base)
            seconds, phases = _submit(p)
            out["returning"].append(seconds)
            out["returning_phases"].append(phases)
            ctx.close()
    return {
        "js_decoded_bytes_first_load": out["js_bytes"],
        "js_largest_files": out["js_files"],
        "sign_in_to_overview": _ms(out["sign_in_to_overview"]),
        "sign_in_to_overview_first_ms": round(out["sign_in_to_overview"][0] * 1000),
        # the same browser signing in again (scripts from its cache, as for a returning user)
        "sign_in_to_overview_returning": _ms(out["returning"]),
        "sign_in_returning_phases_ms": out["returning_phases"],
        "in_app_navigation": _ms(out["navigation"]),
        "sign_in_phases_ms": out["phases"],  # from the overview's navigation start: html, scripts run, layout, …
        "server_callbacks_per_navigation": {
            path: statistics.median(n for p_, n in out["callbacks"] if p_ == path) for path in NAV
        },
        # load-independent: the server's CPU per request, the browser's main-thread work
        "sign_in_server": _medians(out["sign_in_server"]),
        "sign_in_browser_work": _medians(out["sign_in_browser"]),
        "navigation_server": _medians(out["nav_server"]),
        "navigation_server_by_page": {
            path: _medians([x for x in out["nav_server"] if x["path"] == path]) for path in NAV
        },
        "navigation_browser_work": _medians(out["nav_browser"]),
        # per page: the click → drawn time and the main-thread work (tasks, scripts, layout + style, plotly's
        # Plotly.react calls, DOM nodes after drawing)
        "in_app_navigation_by_page": {path: _ms(out["nav_by_page"][path]) for path in NAV},
        "navigation_browser_work_by_page": {
            path: {k: v["median"] for k, v in _medians([x for x in out["nav_browser"] if x["path"] == path]).items()}
            for path in NAV
        },
        "load_average_at_each_sign_in": [round(x, 1) for x in out["load"]],
    }


def _medians(rows: list[dict]) -> dict:
    """Per key: median, best (min) and worst over the runs."""
    keys = [k for k in (rows[0] if rows else {}) if k != "path"]
    return {k: {"median": statistics.median(r[k] for r in rows), "min": min(r[k] for r in rows),
                "max": max(r[k] for r in rows)} for k in keys}


SHELL_PAGES = [  # (path, query): the shell as the first screen of each page, default view and a cold one
    ("/", ""), ("/", "?period=2025-Q1"), ("/don-vi", ""), ("/ho-so-tre-han", "?view=all"), ("/bao-cao-quy", ""),
    ("/chi-tieu", ""), ("/phan-tich", ""), ("/trinh-chieu", "?slide=2"),
]


def shell_timings(base: str, rounds: int = 3) -> list[dict]:
    """The server alone, no browser: each page's first screen (`/_dash-layout` with the page's address as
    Referer, as the browser asks it) — the first request (cold unless warmed at start) and the median of the
    next ones (warm): wall, the serving thread's CPU, queries run, and the response's size."""
    import re

    import requests

    s = requests.Session()
    token = re.search(r'name="csrf" value="([^"]+)"', s.get(base + "/dang-nhap").text).group(1)
    s.post(base + "/dang-nhap", data={"username": "chutich", "password": "demo-chutich", "csrf": token, "next": "/"})
    out = []
    for path, query in SHELL_PAGES:
        runs = []
        for _ in range(1 + rounds):
            r = s.get(base + "/_dash-layout", headers={"Referer": base + path + query, "Accept": "application/json"})
            t = dict(re.findall(r'(\w+);(?:desc="(?:\d+)";)?dur=([\d.]+)', r.headers.get("Server-Timing", "")))
            n = re.search(r'sql;desc="(\d+)"', r.headers.get("Server-Timing", ""))
            runs.append({"app_ms": float(t.get("app", "nan")), "cpu_ms": float(t.get("cpu", "nan")),
                         "queries": int(n.group(1)) if n else None, "kb": round(len(r.content) / 1024)})
        warm = runs[1:]
        out.append({"page": path + query, "first": runs[0],
                    "warm_median": {k: statistics.median(x[k] for x in warm) for k in ("app_ms", "cpu_ms")}})
    return out


def bench_args(port: int, out: str, runs: int = 3) -> tuple[argparse.Namespace, Path]:
    """The browser benches' command line (--n, --db, --runs, --port, --out) and the database it names."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000, help="dossiers in the demo database")
    ap.add_argument("--db", help="an existing database instead of the demo of --n dossiers")
    ap.add_argument("--runs", type=int, default=runs)
    ap.add_argument("--port", type=int, default=port)
    ap.add_argument("--out", default=str(ROOT / "bench" / out))
    a = ap.parse_args()
    return a, Path(a.db) if a.db else db_for(a.n)


def main() -> None:
    a, db = bench_args(8767, "browser.json")
    with _serve(db, a.port):
        load_before = os.getloadavg()
        base = f"http://127.0.0.1:{a.port}"
        res = {"database": db.name, "as_of": AS_OF.isoformat(), **measure(base, a.runs)}
        res["shell_server_only"] = shell_timings(base)  # after the browser: its first sign-in stays the first
        res["load_average_before_after"] = [round(load_before[0], 1), round(os.getloadavg()[0], 1)]
        res["cpus"] = os.cpu_count()
    Path(a.out).write_text(json.dumps(res, ensure_ascii=False, indent=1))
    print(json.dumps(res, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
