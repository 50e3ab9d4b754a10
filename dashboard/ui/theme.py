"""One palette and one plotly template for every chart, card and matrix cell.

The three statuses (met / at risk / missed) have the same colours everywhere; text on
them passes WCAG AA contrast (white on the dark shades, ≥ 4.5:1)."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

FONT_FAMILY = '"Be Vietnam Pro", "Segoe UI", Arial, sans-serif'
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#d9e2ec"
PRIMARY = "#1d4e89"
TARGET_LINE = "#111827"

STATUS_COLORS = {
    "met": "#1a7f37",  # green  (white text 5.1:1)
    "at_risk": "#a85d00",  # amber  (white text 4.8:1)
    "missed": "#c62828",  # red    (white text 5.6:1)
    "unreachable": "#7f1d1d",  # dark red (white text 10:1): a projection that cannot reach the target
    "no_target": "#616e7c",
    "no_data": "#9aa5b1",
    "invalid_target": "#616e7c",
}
STATUS_BG = {
    "met": "#e3f4e8",
    "at_risk": "#fff1dc",
    "missed": "#fde4e4",
    "unreachable": "#f8d4d4",
    "no_target": "#eef1f4",
    "no_data": "#f5f7fa",
    "invalid_target": "#eef1f4",
}
STATUS_ICONS = {"met": "✔", "at_risk": "▲", "missed": "✖", "unreachable": "⊘", "no_target": "•", "no_data": "•",
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

GRAPH_CONFIG = {
    "displaylogo": False,
    "locale": "vi",
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
