"""Accessibility in real Chromium: axe-core (the npm package, installed by `make test` into tests/node_modules,
never a CDN) on every page for every role: 0 serious and 0 critical violations; the page says it is Vietnamese;
the status palette keeps its lightness apart and its text readable."""

from __future__ import annotations

import json

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.browser
AXE = ROOT / "tests" / "node_modules" / "axe-core" / "axe.min.js"

PAGES = {
    "noivu": ["/", "/don-vi", "/don-vi?unit=W03", "/ho-so-tre-han", "/bao-cao-quy", "/chi-tieu", "/phan-tich",
              "/du-lieu", "/nhat-ky", "/ban-tin", "/trinh-chieu", "/trinh-chieu?slide=6", "/trinh-chieu?slide=8",
              "/?present=1"],
    "chutich": ["/", "/don-vi", "/ho-so-tre-han", "/bao-cao-quy", "/chi-tieu", "/phan-tich", "/trinh-chieu"],
    "phuong": ["/", "/don-vi", "/ho-so-tre-han", "/bao-cao-quy", "/chi-tieu", "/phan-tich", "/trinh-chieu?slide=2"],
}


def axe_violations(p) -> list[dict]:
    """axe-core run in the page (evaluated through DevTools, so the page's CSP is untouched)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: `make test` installs axe-core (npm install --prefix tests)")
    if not p.evaluate("() => typeof window.axe !== 'undefined'"):
        p.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = p.evaluate(
        """async () => { const r = await axe.run(document, {resultTypes: ['violations']});
           return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
             nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').slice(0, 160))
             }))
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("role", list(PAGES))
def test_axe_no_serious_or_critical_violation_on_any_page(new_page, role):
    w = new_page(role)
    found = {}
    for path in PAGES[role]:
        p = w.goto(path)
        assert p.evaluate("() => document.documentElement.lang") == "vi", path
        bad = axe_violations(p)
        if bad:
            found[path] = bad
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
    assert not w.errors, w.errors


def test_status_palette_lightness_and_contrast():
    """The three statuses are apart in lightness (≥ 1.7:1 between any two), their text ≥ 4.5:1 on the fill,
    the status ink ≥ 4.5:1 on white and on the status tint."""
    from dashboard.ui.theme import STATUS_BG, STATUS_COLORS, STATUS_INK, STATUS_TEXT_ON

    def lum(h):
        c = [int(h[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    def ratio(a, b):
        hi, lo = sorted((lum(a), lum(b)), reverse=True)
        return (hi + 0.05) / (lo + 0.05)

    three = ["met", "at_risk", "missed"]
    for i, a in enumerate(three):
        for b in three[i + 1 :]:
            assert ratio(STATUS_COLORS[a], STATUS_COLORS[b]) >= 1.7, (a, b)
    for s in STATUS_COLORS:
        assert ratio(STATUS_COLORS[s], STATUS_TEXT_ON[s]) >= 4.5, s
        assert ratio(STATUS_INK[s], "#ffffff") >= 4.5, s
        assert ratio(STATUS_INK[s], STATUS_BG[s]) >= 4.5, s
