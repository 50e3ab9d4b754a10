"""A boundary with a hole (a GeoJSON interior ring) in real Chromium, drawn by the bundled plotly.js: the ward's
area is filled in its status colour, the hole is not (the pixels read back from the rendered chart)."""

from __future__ import annotations

import json

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.browser


def _square(lon, lat, half, clockwise=False):
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half]]
    ring = ring[::-1] if clockwise else ring
    return ring + [ring[0]]


PIXEL = """async ([lon, lat]) => {
  const gd = document.getElementById('g'), L = gd._fullLayout;
  const x = Math.round(L._size.l + L.xaxis.l2p(lon)), y = Math.round(L._size.t + L.yaxis.l2p(lat));
  const url = await Plotly.toImage(gd, {format: 'png', width: L.width, height: L.height, scale: 1});
  const img = new Image(); img.src = url; await img.decode();
  const c = document.createElement('canvas'); c.width = L.width; c.height = L.height;
  const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
  return Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3));
}"""


@pytest.mark.parametrize("kind", ["Polygon", "MultiPolygon"])
def test_a_hole_in_a_boundary_is_not_filled(browser, kind):
    from plotly.utils import PlotlyJSONEncoder

    from dashboard.ui import figures

    outer, hole = _square(106.70, 10.78, 0.02), _square(106.71, 10.79, 0.005, clockwise=True)
    poly = [outer, hole]
    geometry = {"type": kind, "coordinates": poly if kind == "Polygon" else [poly]}
    fig = figures.unit_map(["A"], ["Phường An"], [10.77], [106.69], ["missed"], ["50,00%"], shapes={"A": geometry})
    [area] = [t for t in fig["data"] if t.get("fill") == "toself"]
    assert area["x"].count(None) == 2  # the outer ring and the hole, each closed
    fig["layout"].update(width=600, height=600, paper_bgcolor="#ffffff", plot_bgcolor="#ffffff")
    fig["layout"]["xaxis"]["range"] = [106.66, 106.74]
    page = browser.new_page(viewport={"width": 700, "height": 700})
    try:
        page.set_content("<div id='g' style='width:600px;height:600px'></div>")
        page.add_script_tag(path=str(ROOT / "assets" / "05_plotly-basic.min.js"))
        page.evaluate("fig => Plotly.newPlot('g', fig.data, fig.layout, {staticPlot: true})",
                      json.loads(json.dumps(fig, cls=PlotlyJSONEncoder)))
        background = page.evaluate(PIXEL, [106.73, 10.78])  # outside the ward
        in_hole = page.evaluate(PIXEL, [106.71, 10.79])
        in_area = page.evaluate(PIXEL, [106.70, 10.795])  # in the ward, beside the hole
    finally:
        page.close()
    assert in_hole == background == [255, 255, 255], (in_hole, background)
    assert in_area != background and in_area[0] > in_area[2], in_area  # the red of "missed", half transparent
