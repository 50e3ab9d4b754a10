"""Helpers shared by the page modules: reading the URL's filters, the standard filter bar."""
from __future__ import annotations

import functools

import dash_bootstrap_components as dbc

from .. import state
from ..metrics import views
from ..ui.components import filter_dropdown, units_options

LEVEL_OPTIONS = [{"label": "Tất cả đơn vị", "value": ""}, {"label": "Cấp thành phố (phòng, ban)", "value": "city"},
                 {"label": "Cấp phường, xã", "value": "ward"}]


def cached_layout(page: str):
    """A rendered page depends only on its URL query and the data version: build it once per pair.
    (Dash serialises the returned components without changing them, so one tree can serve many requests.)"""
    def deco(layout):
        @functools.wraps(layout)
        def wrapper(**query):
            ctx = views.context()
            key = ("layout", page, tuple(sorted((k, str(v)) for k, v in query.items() if v not in (None, ""))))
            return state.cached(ctx.snap, key, lambda: layout(**query))
        return wrapper
    return deco


def clean(v: str | None) -> str | None:
    v = (v or "").strip()
    return v or None


def valid_unit(ctx: views.Context, code: str | None) -> str | None:
    code = clean(code)
    return code if code and views.unit_name(ctx, code) else None


def period_filter(ctx: views.Context, period, width: int = 4) -> dbc.Col:
    opts = views.period_options(ctx)
    if period.key not in {o["value"] for o in opts}:
        opts.insert(0, {"label": period.label, "value": period.key})
    return filter_dropdown("period", "Kỳ báo cáo", opts, period.key, width=width)


def unit_filter(ctx: views.Context, unit: str | None, width: int = 4, all_label: str = "Toàn thành phố",
                level: str | None = None) -> dbc.Col:
    return filter_dropdown("unit", "Đơn vị", units_options(views.units_df(ctx), level, with_all=all_label),
                           unit or "", width=width)
