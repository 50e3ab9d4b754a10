"""Measure the advance width of every character the charts may draw in the shipped font (Be Vietnam Pro 400), in
Chromium (canvas measureText, the font loaded by the app's CSS), and write dashboard/ui/glyph_widths.json: the
server reserves a chart's margins from its labels' widths (dashboard/ui/figures.reserve_margins) so plotly draws
it once instead of drawing it again when automargin grows the margins.

`python -m bench.glyph_widths [--db DB]`"""

from __future__ import annotations

import argparse
import json
import unicodedata
from pathlib import Path

from .browser import _fill_sign_in, _serve, _submit, chromium, new_page
from .run import ROOT, db_for

OUT = ROOT / "dashboard" / "ui" / "glyph_widths.json"
MEASURE = """async ([chars, fam]) => { await document.fonts.load('100px ' + fam.split(',')[0], chars.join(''));
  const c = document.createElement('canvas').getContext('2d'); c.font = '100px ' + fam;
  const w = {}; for (const ch of chars) w[ch] = Math.round(c.measureText(ch).width) / 100; return w; }"""


def charset() -> list[str]:
    chars = {chr(c) for c in range(0x20, 0x7F)} | set("…–—✔▲✖⚠⋯·%“”‘’")
    for c in [*range(0xC0, 0x17F), *range(0x1A0, 0x1B1), *range(0x1EA0, 0x1EFA)]:
        if unicodedata.category(chr(c)).startswith("L"):
            chars.add(chr(c))
    return sorted(chars)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--port", type=int, default=8769)
    a = ap.parse_args()
    db = Path(a.db) if a.db else db_for(100_000)
    with _serve(db, a.port), chromium() as b:
        base = f"http://127.0.0.1:{a.port}"
        _, p = new_page(b)
        _fill_sign_in(p, base)
        _submit(p)
        fam = p.evaluate("() => getComputedStyle(document.querySelector('.js-plotly-plot text')).fontFamily")
        widths = p.evaluate(MEASURE, [charset(), fam])
    doc = {"font": "Be Vietnam Pro 400", "measured": "Chromium canvas measureText, em (python -m bench.glyph_widths)",
           "widths": widths}
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=0, sort_keys=True) + "\n")
    print(f"{len(widths)} characters -> {OUT}")


if __name__ == "__main__":
    main()
