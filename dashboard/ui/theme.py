"""One palette and one plotly template for every chart, card and matrix cell.

The three statuses (met / at risk / missed) have the same colours and symbols everywhere; text on
them passes WCAG AA contrast (≥ 4.5:1, see STATUS_TEXT_ON / STATUS_INK)."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

FONT_FAMILY = '"Be Vietnam Pro", "Segoe UI", Arial, sans-serif'
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#d9e2ec"
PRIMARY = "#1d4e89"
TARGET_LINE = "#111827"

# Colour-blind-safe: the three statuses differ in lightness (CIE L* 45 / 78 / 30), not only in hue, so they stay
# apart under deuteranopia and in grey print; every coloured cell and bar also carries its symbol (STATUS_ICONS).
STATUS_COLORS = {  # fills: badges, bars, card borders
    "met": "#1e7b3c",  # green, L* 45 (white text 5.3:1)
    "at_risk": "#f2b705",  # amber, L* 78 (black text 10.4:1)
    "missed": "#8e1329",  # dark crimson, L* 30 (white text 9.2:1)
    "unreachable": "#8e1329",  # a projection that cannot reach the target any more is missed
    "no_target": "#5f6b7a",
    "no_data": "#5f6b7a",
    "invalid_target": "#5f6b7a",
}
STATUS_TEXT_ON = {  # text drawn on a STATUS_COLORS fill
    "met": "#ffffff", "at_risk": "#111111", "missed": "#ffffff", "unreachable": "#ffffff",
    "no_target": "#ffffff", "no_data": "#ffffff", "invalid_target": "#ffffff",
}
STATUS_INK = {  # the status as text colour on white or on its STATUS_BG tint (all ≥ 7:1)
    "met": "#155d2c",
    "at_risk": "#6b4500",
    "missed": "#8e1329",
    "unreachable": "#8e1329",
    "no_target": "#3e4c59",
    "no_data": "#3e4c59",
    "invalid_target": "#3e4c59",
}
STATUS_BG = {
    "met": "#e6f4ea",
    "at_risk": "#fff4d1",
    "missed": "#fbe3e7",
    "unreachable": "#fbe3e7",
    "no_target": "#eef1f4",
    "no_data": "#f5f7fa",
    "invalid_target": "#eef1f4",
}
STATUS_ICONS = {"met": "✔", "at_risk": "▲", "missed": "✖", "unreachable": "✖", "no_target": "–", "no_data": "–",
                "invalid_target": "⚠"}
COLORWAY = [PRIMARY, "#e07b00", "#2f9e44", "#9c36b5", "#0b7285", "#c2255c", "#5c940d", "#495057"]
THIS_YEAR, LAST_YEAR = PRIMARY, "#9aa5b1"

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT_FAMILY, size=15, color=INK),
        title=dict(font=dict(size=18, color=INK), x=0, xanchor="left"),
        colorway=COLORWAY,
        separators=",.",  # Vietnamese: decimal comma, thousands dot
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=10, r=10, t=40, b=10),
        xaxis=dict(gridcolor=GRID, linecolor=GRID, zerolinecolor=GRID, automargin=True),
        yaxis=dict(gridcolor=GRID, linecolor=GRID, zerolinecolor=GRID, automargin=True),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, font=dict(size=14)),
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=14)),
    )
)
pio.templates["cchc"] = TEMPLATE
pio.templates.default = "cchc"

GRAPH_CONFIG = {  # no mode bar: 8 English-labelled tab stops per chart that nobody in a meeting uses
    "displayModeBar": False,
    "displaylogo": False,
    "locale": "vi",
    "scrollZoom": False,
}
