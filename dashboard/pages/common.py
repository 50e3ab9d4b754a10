"""Helpers shared by the page modules: reading the URL's filters, the standard filter bar."""
from __future__ import annotations

import functools

import dash_bootstrap_components as dbc

from werkzeug.exceptions import Forbidden

from .. import audit, state
from ..auth import current_principal
from ..metrics import views
from ..ui.components import filter_dropdown, units_options

LEVEL_OPTIONS = [{"label": "Tất cả đơn vị", "value": ""}, {"label": "Cấp thành phố (phòng, ban)", "value": "city"},
                 {"label": "Cấp phường, xã", "value": "ward"}]


def cached_layout(page: str, permission: str | None = None):
    """A rendered page depends only on its URL query, the data version and the reader's scope: build it
    once per triple. (Dash serialises the returned components without changing them, so one tree can
    serve many requests.) `permission`: the role right the page needs ('imports', 'audit')."""
    def deco(layout):
        @functools.wraps(layout)
        def wrapper(**query):
            if permission and not current_principal().can(permission):
                return forbidden()
            ctx = views.context()
            query_items = tuple(sorted((k, str(v)) for k, v in query.items() if v not in (None, "")))
            key = ("layout", page, query_items)
            state.used(ctx.snap.scope, page, dict(query_items))
            try:
                return state.cached(ctx.snap, key, lambda: layout(**query))
            except Forbidden as exc:  # e.g. ?unit= another ward: a page saying so, not a blank screen
                return forbidden(exc.description)
        state.register_layout(page, wrapper)
        return wrapper
    return deco


def forbidden(what: str | None = None):
    """What a reader sees on a page (or a unit) their role does not open; the refusal is audited."""
    from dash import html
    p = current_principal()
    audit.record("denied", p.username, what=what or "page")
    return html.Div(dbc.Alert([html.H2("Không có quyền truy cập", className="h4"),
                               html.P(f"Vai trò {p.info.label} không xem được "
                                      f"{f'nội dung này ({what})' if what else 'trang này'}. "
                                      "Liên hệ Phòng Nội vụ nếu cần cấp quyền.", className="mb-0")],
                              color="warning", className="mt-4", id="forbidden"), className="page page-forbidden")


def clean(v: str | None) -> str | None:
    v = (v or "").strip()
    return v or None


def valid_unit(ctx: views.Context, code: str | None) -> str | None:
    """The URL's unit if it exists (403 if outside the reader's scope); a one-unit reader's own unit by default."""
    code = views.permit(ctx, clean(code))
    if not code:
        return views.home_unit(ctx)
    return code if views.unit_name(ctx, code) else None


def period_filter(ctx: views.Context, period, width: int = 4) -> dbc.Col:
    opts = views.period_options(ctx)
    if period.key not in {o["value"] for o in opts}:
        opts.insert(0, {"label": period.label, "value": period.key})
    return filter_dropdown("period", "Kỳ báo cáo", opts, period.key, width=width)


def unit_filter(ctx: views.Context, unit: str | None, width: int = 4, all_label: str = "Toàn thành phố",
                level: str | None = None) -> dbc.Col:
    if views.scoped(ctx):
        all_label = None if views.home_unit(ctx) else "Các đơn vị được giao"
    return filter_dropdown("unit", "Đơn vị", units_options(views.units_df(ctx), level, with_all=all_label),
                           unit or "", width=width)
