"""Helpers shared by the page modules: the page decorator (reader, permission, memoised render), reading the
URL's filters, the standard filter bar."""

from __future__ import annotations

import functools
import inspect
import logging
import re

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, clientside_callback
from werkzeug.exceptions import BadRequest, Forbidden

from .. import audit
from ..auth import current_principal
from ..metrics.period import MAX_YEAR, MIN_YEAR, Period, PeriodError, period_options
from ..metrics.units import current_units, home_unit, permit, unit_name
from ..reader import current_reader
from ..ui.static import compact
from ..ui.components import FILTER_COLLAPSE, FILTER_TOGGLE, filter_dropdown, units_options

LEVEL_OPTIONS = [
    {"label": "Tất cả đơn vị", "value": ""},
    {"label": "Cấp thành phố (phòng, ban)", "value": "city"},
    {"label": "Cấp phường, xã", "value": "ward"},
]


def page(name: str, permission: str | None = None, choices: dict[str, tuple] | None = None):
    """A page's `layout(**query)`: rendered once per (data version, reader's scope, the URL parameters the
    layout declares) through the reader's memo; unknown URL parameters are dropped, so they neither reach the
    layout nor split the cache. `permission`: the role right the page needs ('imports', 'audit').
    `choices`: the values a parameter of this page may take (`by`, `view`…). The URL's parameters are checked
    here, once for every page: a value no page would write (an impossible period, a repeated `unit`,
    `year=0`, `auto=²`…) is dropped with a Vietnamese notice above the page, which shows its default.
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
            query, notices = check_query({k: query[k] for k in declared if k in query}, choices or {})
            q = {k: str(v) for k, v in query.items()}
            reader.rendered(name, q)
            try:
                return with_notices(reader.memo_private("layout:" + name, q, lambda: compact(layout(**q))), notices)
            except Forbidden as exc:  # e.g. ?unit= another ward: a page saying so, not a blank screen
                return forbidden(exc.description)
            except Exception:  # never a blank page or a 500: say so, and log the cause for the operator
                logging.getLogger("cchc").exception("page %s failed for %s", name, sorted(q.items()))
                return with_notices(
                    None,
                    [
                        *notices,
                        "Không hiển thị được trang này với các tham số trong địa chỉ. Hãy chọn lại bộ lọc hoặc mở "
                        "trang từ thanh điều hướng.",
                    ],
                )

        wrapper.cchc_page = name
        return wrapper

    return deco


_NUMBER = re.compile(r"[0-9]{1,6}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_PARAM = 200


def _period_problem(v: str) -> str | None:
    try:
        Period.parse(v)
    except PeriodError as exc:
        return str(exc)
    return None


RULES = {  # parameter -> a check returning what is wrong (None: fine)
    "period": _period_problem,
    "year": lambda v: (
        None
        if re.fullmatch(r"[0-9]{4}", v) and MIN_YEAR <= int(v) <= MAX_YEAR
        else f"cần một năm {MIN_YEAR}–{MAX_YEAR}"
    ),
    "slide": lambda v: None if _NUMBER.fullmatch(v) else "cần một số nguyên dương",
    "slides": lambda v: None if _NUMBER.fullmatch(v) else "cần một số nguyên dương",
    "auto": lambda v: None if _NUMBER.fullmatch(v) else "cần số giây (số nguyên)",
    "present": lambda v: None if v in ("0", "1") else "chỉ nhận 0 hoặc 1",
    "print": lambda v: None if v in ("0", "1") else "chỉ nhận 0 hoặc 1",
    "desc": lambda v: None if v in ("0", "1") else "chỉ nhận 0 hoặc 1",
}


def _shown(v) -> str:
    text = repr(v)[1:-1] if isinstance(v, str) else repr(v)
    return text if len(text) <= 40 else text[:39] + "…"


def check_query(query: dict, choices: dict[str, tuple]) -> tuple[dict, list[str]]:
    """The URL's parameters made safe for a page: (clean query, notices for the reader)."""
    clean_q: dict = {}
    notices: list[str] = []
    for k, v in query.items():
        if isinstance(v, (list, tuple)):
            if not v:
                continue
            notices.append(f"Tham số «{k}» có {len(v)} giá trị trong địa chỉ; dùng giá trị đầu tiên «{_shown(v[0])}».")
            v = v[0]
        if v in (None, ""):
            continue
        if not isinstance(v, str):
            v = str(v)
        if len(v) > MAX_PARAM:
            problem = f"dài quá {MAX_PARAM} ký tự"
        elif _CONTROL.search(v):
            problem = "chứa ký tự điều khiển"
        elif k in choices:
            problem = None if v in choices[k] else "không phải một lựa chọn của trang này"
        else:
            rule = RULES.get(k)
            problem = rule(v) if rule else None
        if problem:
            notices.append(
                f"Giá trị «{_shown(v)}» của tham số «{k}» không hợp lệ: {problem}. Trang hiển thị theo mặc định."
            )
            continue
        clean_q[k] = v
    return clean_q, notices


def callback_state(data) -> dict:
    """A page's stored filters sent back by a callback (a dcc.Store): a dict of short strings, or the request
    was forged: 400."""
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and (v is None or (isinstance(v, str) and len(v) <= MAX_PARAM and not _CONTROL.search(v)))
        for k, v in data.items()
    ):
        raise BadRequest("trạng thái bộ lọc gửi lên không hợp lệ")
    return data


def with_notices(page, notices: list[str]):
    """The page with the notices about its URL above it (the page itself untouched when there are none)."""
    if not notices:
        return page
    from dash import html

    box = dbc.Alert(
        [
            html.Strong("Địa chỉ trang có tham số không hợp lệ. "),
            html.Ul([html.Li(n) for n in notices], className="mb-0"),
        ],
        color="warning",
        className="mt-3 param-notice",
        id="param-notice",
    )
    return html.Div([box, page] if page is not None else [box], className="page" if page is None else None)


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
        "unit", "Đơn vị", units_options(current_units(reader, unit), level, with_all=all_label), unit or "", width=width
    )


def scope_label(reader, unit: str | None) -> str:
    """What the numbers cover, in a sentence: the unit, the one ward of a ward reader, the units assigned, or the
    whole city (never "toàn thành phố" for a ward)."""
    name = unit_name(reader, unit) if unit else None
    if name:
        return name
    if reader.scoped:
        home = home_unit(reader)
        return unit_name(reader, home) if home else "các đơn vị được giao"
    return "toàn thành phố"


_CODE = re.compile(r"[A-Za-z0-9_.-]{1,40}")


def clicked_unit(click) -> str:
    """The unit code a chart's point carries (customdata) in a clickData; 400 for anything else (forged)."""
    try:
        code = click["points"][0]["customdata"]
    except (KeyError, IndexError, TypeError):
        raise BadRequest("clickData không hợp lệ") from None
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise BadRequest("clickData không hợp lệ")
    return code


# The phone's filter card opens and closes in the browser (components.filter_card): no server call. Called when
# a page is drawn too, to open it again after a filter change (07_clientside.js, filterToggle).
clientside_callback(
    ClientsideFunction("cchc", "filterToggle"),
    Output(FILTER_COLLAPSE, "is_open"),
    Output(FILTER_TOGGLE, "aria-expanded"),
    Input(FILTER_TOGGLE, "n_clicks"),
    State(FILTER_COLLAPSE, "is_open"),
)
