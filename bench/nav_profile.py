"""Where a navigation's main-thread time goes, page by page, in Debian's chromium (figures, never assertions).

For each click on the navigation bar (the pages of `bench.browser.NAV`, in its order, after a sign-in):

- a CDP trace (`Tracing`, devtools.timeline) of the renderer's main thread from the click to the page drawn: the
  self time of each kind of work (scripts, style recalculation, layout, paint, GC, parsing…) and the long tasks;
- the JS profile (CDP `Profiler`, sampled): self time by script and the heaviest functions;
- every `Plotly.react` call with the chart it drew (sync time), and the Dash components the server sent (callback
  responses' `"namespace"` count) and the DOM nodes after drawing.

`python -m bench.nav_profile --db data/bench/legacy-10000000.duckdb [--runs 2] [--out bench/nav-profile.json]`"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import statistics
import time
from pathlib import Path

from .browser import NAV, _fill_sign_in, _serve, _submit, bench_args, chromium, navigate, new_page

PLOTLY_HOOK = """(() => { let P; window.__plotly = [];
  Object.defineProperty(window, 'Plotly', {configurable: true, get() { return P; }, set(v) {
    P = v; const react = v && v.react; if (!react || react.__timed) return;
    v.react = function (gd) { const t = performance.now();
      try { return react.apply(this, arguments); }
      finally { const el = typeof gd === 'string' ? document.getElementById(gd) : gd;
        const own = el && el.closest && el.closest('[id]');
        window.__plotly.push([own ? own.id : '?', performance.now() - t]); } };
    v.react.__timed = true; }});
})()"""
CATEGORIES = ",".join([
    "devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "blink.user_timing", "toplevel",
])
KIND = {  # trace event name -> kind of work
    "FunctionCall": "script", "EvaluateScript": "script", "v8.compile": "script", "v8.compileModule": "script",
    "TimerFire": "script", "FireAnimationFrame": "script", "EventDispatch": "script", "v8.run": "script",
    "V8.Execute": "script", "v8.callFunction": "script", "RunMicrotasks": "script", "XHRReadyStateChange": "script",
    "XHRLoad": "script", "CompileScript": "script", "CompileCode": "script", "FireIdleCallback": "script",
    "UpdateLayoutTree": "style", "ScheduleStyleRecalculation": "style", "ParseAuthorStyleSheet": "style",
    "Layout": "layout", "UpdateLayerTree": "paint", "PrePaint": "paint", "Paint": "paint", "Layerize": "paint",
    "CompositeLayers": "paint", "Commit": "paint", "HitTest": "other", "ParseHTML": "parse",
    "MajorGC": "gc", "MinorGC": "gc", "V8.GCScavenger": "gc", "V8.GCFinalizeMC": "gc", "BlinkGC.AtomicPhase": "gc",
    "ThreadControllerImpl::RunTask": "task", "RunTask": "task",
}


def _main_thread(events: list[dict]) -> tuple[int, int] | None:
    mains = [(e["pid"], e["tid"]) for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"]
    if not mains:
        return None
    busiest = collections.Counter((e["pid"], e["tid"]) for e in events if e.get("ph") == "X")
    return max(mains, key=lambda m: busiest[m])


def trace_summary(events: list[dict]) -> dict:
    """Self time (ms) of each kind of main-thread work, the tasks' total and the long tasks (> 50 ms)."""
    main = _main_thread(events)
    xs = sorted((e for e in events if e.get("ph") == "X" and (e["pid"], e["tid"]) == main and "dur" in e),
                key=lambda e: (e["ts"], -e["dur"]))
    self_ms: dict[str, float] = collections.defaultdict(float)
    stack: list[list] = []  # [end, kind, child time]
    tasks, long_tasks = 0.0, []
    for e in xs:
        while stack and stack[-1][0] <= e["ts"]:
            end, kind, child, dur = stack.pop()
            self_ms[kind] += (dur - child) / 1000
        kind = KIND.get(e["name"], "other")
        if kind == "task" and not stack:
            tasks += e["dur"] / 1000
            if e["dur"] > 50_000:
                long_tasks.append(round(e["dur"] / 1000))
        if stack:
            stack[-1][2] += e["dur"]
        stack.append([e["ts"] + e["dur"], kind, 0, e["dur"]])
    while stack:
        end, kind, child, dur = stack.pop()
        self_ms[kind] += (dur - child) / 1000
    self_ms.pop("task", None)
    other = collections.Counter()
    for e in xs:
        if KIND.get(e["name"], "other") == "other":
            other[e["name"]] += e["dur"] / 1000
    return {"tasks_ms": round(tasks), "long_tasks_ms": long_tasks,
            "other_events_ms": {k: round(v) for k, v in other.most_common(6)},
            **{f"{k}_ms": round(v) for k, v in sorted(self_ms.items())}}


def profile_summary(profile: dict, top: int = 12) -> dict:
    """The sampled JS profile: self time by script (file name) and the heaviest functions."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    self_us: dict[int, float] = collections.defaultdict(float)
    for node_id, dt in zip(profile["samples"], profile["timeDeltas"], strict=False):
        self_us[node_id] += dt
    by_script: dict[str, float] = collections.defaultdict(float)
    by_fn: dict[str, float] = collections.defaultdict(float)
    for node_id, us in self_us.items():
        cf = nodes[node_id]["callFrame"]
        script = cf["url"].split("/")[-1].split("?")[0] or f"({cf['functionName'] or 'program'})"
        if script in ("((idle))", "((program))"):
            continue
        by_script[script] += us / 1000
        by_fn[f"{cf['functionName'] or '(anonymous)'} {script}:{cf['lineNumber']}"] += us / 1000
    # a native call that reads layout (getBoundingClientRect, clientHeight, getComputedStyle…): who asked
    parent = {c: n["id"] for n in profile["nodes"] for c in n.get("children", [])}
    readers: dict[str, float] = collections.defaultdict(float)
    for node_id, us in self_us.items():
        cf = nodes[node_id]["callFrame"]
        if cf["url"] or cf["functionName"] in ("(idle)", "(program)", "(garbage collector)", "(root)"):
            continue
        up = nodes.get(parent.get(node_id))
        while up and not up["callFrame"]["url"]:
            up = nodes.get(parent.get(up["id"]))
        who = (f"{up['callFrame']['functionName'] or '(anonymous)'} {up['callFrame']['url'].split('/')[-1]}:"
               f"{up['callFrame']['lineNumber']}" if up else "?")
        readers[f"{cf['functionName']} <- {who}"] += us / 1000
    return {"self_ms_by_script": {k: round(v) for k, v in sorted(by_script.items(), key=lambda x: -x[1])[:top]},
            "top_functions_ms": {k: round(v) for k, v in sorted(by_fn.items(), key=lambda x: -x[1])[:top]},
            "native_calls_by_caller_ms": {k: round(v) for k, v in sorted(readers.items(), key=lambda x: -x[1])[:top]}}


def _traced(cdp, page, action) -> list[dict]:
    events: list[dict] = []
    done = []
    cdp.on("Tracing.dataCollected", lambda m: events.extend(m["value"]))
    cdp.on("Tracing.tracingComplete", lambda m: done.append(1))
    cdp.send("Tracing.start", {"categories": CATEGORIES, "transferMode": "ReportEvents"})
    try:
        action()
    finally:
        cdp.send("Tracing.end")
        while not done:
            page.wait_for_timeout(50)
    return events


def measure(base: str, runs: int) -> dict:
    rows: list[dict] = []
    with chromium() as b:
        for _ in range(runs):
            ctx, p = new_page(b, PLOTLY_HOOK)
            _fill_sign_in(p, base)
            _submit(p)
            p.wait_for_load_state("networkidle")
            cdp = ctx.new_cdp_session(p)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": 200})
            for path in NAV:
                responses = []

                def keep(r, responses=responses):
                    if "_dash-update-component" in r.url:
                        responses.append(r)

                p.on("response", keep)
                p.evaluate("() => { window.__plotly = []; }")
                cdp.send("Profiler.start")
                t = [0.0]

                def click(path=path, t=t, p=p):
                    t[0] = time.perf_counter()
                    navigate(p, path)
                    t[0] = time.perf_counter() - t[0]

                events = _traced(cdp, p, click)
                prof = cdp.send("Profiler.stop")["profile"]
                plotly, nodes = p.evaluate("() => [window.__plotly, document.getElementsByTagName('*').length]")
                p.wait_for_load_state("networkidle")
                p.remove_listener("response", keep)
                components = 0
                for r in responses:
                    with contextlib.suppress(Exception):  # a response the page no longer holds
                        components += r.text().count('"namespace":')
                rows.append({"path": path, "click_to_drawn_ms": round(t[0] * 1000), **trace_summary(events),
                             "plotly_react_ms": {k: round(v) for k, v in plotly},
                             "callbacks": len(responses), "components_sent": components, "dom_nodes": nodes,
                             **profile_summary(prof)})
            ctx.close()
    return {"navigations": rows, "by_page": _by_page(rows)}


def _by_page(rows: list[dict]) -> dict:
    out = {}
    for path in NAV:
        mine = [r for r in rows if r["path"] == path]
        nums = {k for r in mine for k, v in r.items() if isinstance(v, int | float)}
        out[path] = {k: statistics.median(r.get(k, 0) for r in mine) for k in sorted(nums)}
        scripts = collections.Counter()
        for r in mine:
            scripts.update(r["self_ms_by_script"])
        out[path]["self_ms_by_script_mean"] = {k: round(v / len(mine)) for k, v in scripts.most_common(6)}
    return out


def main() -> None:
    a, db = bench_args(8768, "nav-profile.json", runs=2)
    with _serve(db, a.port):
        load = os.getloadavg()[0]
        res = {"database": db.name, **measure(f"http://127.0.0.1:{a.port}", a.runs)}
        res["load_average_before_after"] = [round(load, 1), round(os.getloadavg()[0], 1)]
    Path(a.out).write_text(json.dumps(res, ensure_ascii=False, indent=1))
    print(json.dumps(res["by_page"], ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
