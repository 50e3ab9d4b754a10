"""Bar charts with a target line: no value label touches the target line, the target's label or another value
label, and none is cut off by the chart's edge — read from the bounding boxes Chromium draws, at the three
projector sizes and on a phone, on every chart of this kind (overview's worst units, deck ranking, satisfaction
by unit)."""

from __future__ import annotations

import pytest

from .conftest import sized
from .test_fit import SIZES

pytestmark = pytest.mark.browser

DRAWN = "() => [...document.querySelectorAll('.dash-graph')].every(g => g.querySelector('.main-svg'))"
PAGES = ["/?period=2026-Q3", "/trinh-chieu?period=2026-Q3&slide=6", "/chi-tieu?period=2026-Q3"]
BOXES = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(g => g.offsetParent && g.querySelector('.barlayer .point'))
  .map(g => {
    const box = r => ({l: r.left, r: r.right, t: r.top, b: r.bottom});
    const notes = [...g.querySelectorAll('g.annotation')]
      .map(a => ({text: a.textContent, ...box(a.getBoundingClientRect())}));
    return {
      chart: g.closest('[id]') ? g.closest('[id]').id : '',
      frame: box(g.getBoundingClientRect()),
      bars: g.querySelectorAll('.barlayer .point').length,
      gaps: [...g.querySelectorAll('.ytick text')].filter(t => t.textContent.startsWith('⋯')).length,
      targets: notes.filter(n => n.text.startsWith('Chỉ tiêu')),
      values: notes.filter(n => /^[✔▲✖] .*\\d/.test(n.text)),
      lines: [...g.querySelectorAll('.shapelayer path')].map(p => box(p.getBoundingClientRect())),
    };
  })"""


def _overlap(a: dict, b: dict, tol: float = 0.5) -> bool:
    return a["l"] < b["r"] - tol and b["l"] < a["r"] - tol and a["t"] < b["b"] - tol and b["t"] < a["b"] - tol


def _collisions(chart: dict) -> list:
    bad = []
    values = chart["values"]
    for v in values:
        for t in chart["targets"]:
            if _overlap(v, t):
                bad.append(("value on target label", v["text"], t["text"]))
        for line in chart["lines"]:
            if _overlap(v, {**line, "l": line["l"] - 1, "r": line["r"] + 1}):
                bad.append(("target line through value", v["text"]))
        f = chart["frame"]
        if v["l"] < f["l"] - 0.5 or v["r"] > f["r"] + 0.5:
            bad.append(("value cut by the chart's edge", v["text"]))
    for i, a in enumerate(values):
        for b in values[i + 1:]:
            if _overlap(a, b):
                bad.append(("values overlap", a["text"], b["text"]))
    for t in chart["targets"]:
        f = chart["frame"]
        if t["l"] < f["l"] - 0.5 or t["r"] > f["r"] + 0.5 or t["t"] < f["t"] - 0.5:
            bad.append(("target label cut", t["text"]))
    return bad


@pytest.mark.parametrize("w,h", [*SIZES, (390, 844)])
def test_value_labels_never_meet_the_target(browser, server, w, h):
    with sized(browser, server, "chutich", w, h) as watched:
        checked = 0
        for path in PAGES if w > 400 else PAGES[:1] + PAGES[2:]:
            p = watched.goto(path)
            p.wait_for_function(DRAWN)
            charts = p.evaluate(BOXES)
            assert charts, path
            for c in charts:
                if not c["targets"]:
                    continue
                # one value per bar, but for the row standing for the units left out ("⋯ k đơn vị khác", no value)
                assert len(c["values"]) == c["bars"] - c["gaps"] > 0, (path, c["chart"], c["bars"], len(c["values"]))
                assert c["lines"], (path, c["chart"])
                assert not _collisions(c), (path, c["chart"], _collisions(c))
                checked += 1
        assert checked >= (3 if w > 400 else 2), checked
        watched.shot(f"bar-labels-{w}x{h}")
        assert not watched.errors, watched.errors
