"""Helpers shared by the page modules: the page decorator (reader, permission, memoised render), reading the
URL's filters, the standard filter bar."""

from __future__ import annotations

import functools
import inspect

import dash_bootstrap_components as dbc
from werkzeug.exceptions import Forbidden

from .. import audit
from ..auth import current_principal
from ..metrics.period import period_options
from ..metrics.units import home_unit, permit, unit_name, units
from ..reader import current_reader
from ..ui.components import filter_dropdown, units_options

LEVEL_OPTIONS = [
    {"label": "Tất cả đơn vị", "value": ""},
    {"label": "Cấp thành phố (phòng, ban)", "value": "city"},
    {"label": "Cấp phường, xã", "value": "ward"},
]


def page(name: str, permission: str | None = None):
    """A page's `layout(**query)`: rendered once per (data version, reader's scope, the URL parameters the
    layout declares) through the reader's memo; unknown URL parameters are dropped, so they neither reach the
    layout nor split the cache. `permission`: the role right the page needs ('imports', 'audit').
    Outside a request, `reader.reading(r)` says whose data it is: pages are testable without Flask."""

    def deco(layout):
        declared = [
            p.name
            for p in inspect.signature(layout).parameters.values()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        ]

        @functools.wraps(layout)
        def wrapper(**query):
            if permission and not current_principal().can(permission):
                return forbidden()
            reader = current_reader()
            q = {k: str(query[k]) for k in declared if query.get(k) not in (None, "")}
            reader.rendered(name, q)
            try:
                return reader.memo("layout:" + name, q, lambda: layout(**q))
            except Forbidden as exc:  # e.g. ?unit= another ward: a page saying so, not a blank screen
                return forbidden(exc.description)

        wrapper.cchc_page = name
        return wrapper

    return deco


def forbidden(what: str | None = None):
    """What a reader sees on a page (or a unit) their role does not open; the refusal is audited."""
    from dash import html

    p = current_principal()
    audit.record("denied", p.username, what=what or "page")
    return html.Div(
        dbc.Alert(
            [
                html.H2("Không có quyền truy cập", className="h4"),
                html.P(
                    f"Vai trò {p.info.label} không xem được "
                    f"{f'nội dung này ({what})' if what else 'trang này'}. "
                    "Liên hệ Phòng Nội vụ nếu cần cấp quyền.",
                    className="mb-0",
                ),
            ],
            color="warning",
            className="mt-4",
            id="forbidden",
        ),
        className="page page-forbidden",
    )


def clean(v: str | None) -> str | None:
    v = (v or "").strip()
    return v or None


def valid_unit(reader, code: str | None) -> str | None:
    """The URL's unit if it exists (403 if outside the reader's scope); a one-unit reader's own unit by default."""
    code = permit(reader, clean(code))
    if not code:
        return home_unit(reader)
    return code if unit_name(reader, code) else None


def period_filter(reader, period, width: int = 4) -> dbc.Col:
    opts = period_options(reader)
    if period.key not in {o["value"] for o in opts}:
        opts.insert(0, {"label": period.label, "value": period.key})
    return filter_dropdown("period", "Kỳ báo cáo", opts, period.key, width=width)


def unit_filter(
    reader, unit: str | None, width: int = 4, all_label: str | None = "Toàn thành phố", level: str | None = None
) -> dbc.Col:
    if reader.scoped:
        all_label = None if home_unit(reader) else "Các đơn vị được giao"
    return filter_dropdown(
        "unit", "Đơn vị", units_options(units(reader), level, with_all=all_label), unit or "", width=width
    )
