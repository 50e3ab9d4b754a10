"""The phone's filter summary (components.filter_summary / filter_card): the period and the unit named by their
option's label, every other filter not at its default counted, the card's toggle wired for assistive tech."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.ui.components import (
    FILTER_COLLAPSE,
    FILTER_TOGGLE,
    filter_card,
    filter_dropdown,
    filter_radio,
    filter_summary,
)

PERIODS = [
    {"label": "Quý này — Quý 4/2026 (đến 20/11/2026)", "value": "2026-Q4"},
    {"label": "Quý 3/2026", "value": "2026-Q3"},
]
UNITS = [{"label": "Toàn thành phố", "value": ""}, {"label": "Xã Bình Minh", "value": "W08"}]
FIELDS = [{"label": "Hộ tịch", "value": "Hộ tịch"}, {"label": "Đất đai", "value": "Đất đai"}]
VIEWS = [{"label": "Tất cả", "value": "all"}, {"label": "Quá hạn", "value": "overdue"}]


def _rows(period="2026-Q4", unit="", field=None, handler=None, view="all"):
    return [
        dbc.Row(
            [
                filter_dropdown("period", "Kỳ báo cáo", PERIODS, period),
                filter_dropdown("unit", "Đơn vị", UNITS, unit),
                None,
                filter_dropdown("field", "Lĩnh vực", FIELDS, field, clearable=True),
                filter_dropdown("handler", "Cán bộ", [{"label": "A", "value": "A"}], handler, clearable=True),
            ]
        ),
        dbc.Row([filter_radio("view", "Loại hồ sơ", VIEWS, view)]),
    ]


def test_defaults_name_period_and_unit_only():
    assert filter_summary(_rows(), {"view": "all"}) == "Quý 4/2026 · Toàn thành phố"


def test_filters_other_than_defaults_are_counted():
    rows = _rows("2026-Q3", "W08", field="Hộ tịch", view="overdue")
    assert filter_summary(rows, {"view": "all"}) == "Quý 3/2026 · Xã Bình Minh · 2 bộ lọc khác"
    assert filter_summary(rows) == "Quý 3/2026 · Xã Bình Minh · 2 bộ lọc khác"  # "overdue" is not empty
    assert filter_summary(_rows(view="all")) == "Quý 4/2026 · Toàn thành phố · 1 bộ lọc khác"  # no default given


@settings(derandomize=True, max_examples=60)
@given(
    field=st.sampled_from([None, "", "Hộ tịch"]),
    handler=st.sampled_from([None, "A"]),
    view=st.sampled_from(["all", "overdue"]),
)
def test_count_is_the_number_of_non_default_others(field, handler, view):
    n = bool(field) + bool(handler) + (view != "all")
    summary = filter_summary(_rows(field=field, handler=handler, view=view), {"view": "all"})
    assert summary.startswith("Quý 4/2026 · Toàn thành phố")
    assert summary.endswith(f" · {n} bộ lọc khác") if n else "bộ lọc khác" not in summary


def test_card_toggle_controls_the_collapse_closed_on_drawing():
    card = filter_card(*_rows(), defaults={"view": "all"})
    toggle, collapse = card.children
    assert isinstance(toggle, html.Button) and toggle.id == FILTER_TOGGLE
    assert toggle.to_plotly_json()["props"]["aria-expanded"] == "false"
    assert toggle.to_plotly_json()["props"]["aria-controls"] == FILTER_COLLAPSE == collapse.id
    assert collapse.is_open is False and len(collapse.children) == 2
