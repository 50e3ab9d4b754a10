"""create_app(db_path) -> Dash. The shell (navigation, URL-writing filters) and nothing else.

The app's data (database, cache, warmer: `state.AppData`) hangs off its Flask server, so two apps in one
process each read their own database; pages find it through `reader.current_reader()`."""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import dash
import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, clientside_callback, dcc, html


from . import security, timing
from .auth import current_principal
from .config import NAV_KEEP, PROJECT_ROOT
from .metrics.kpis import validate_against_schema
from .state import AppData
from .ui import ids
from .ui import theme  # noqa: F401  (registers the plotly template)


def _nav(path: str | None = None, search: str = "") -> dbc.Navbar:
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(
                    [
                        html.Span("CCHC", className="brand-mark"),
                        html.Span(" Bảng điều hành cải cách hành chính", className="brand-text"),
                    ],
                    href="/",
                    className="brand",
                ),
                html.Button(
                    html.Span(className="navbar-toggler-icon"),
                    id="nav-toggler",
                    n_clicks=0,
                    type="button",
                    className="navbar-toggler",
                    title="Menu",
                    **{"aria-label": "Mở menu điều hướng"},
                ),
                dbc.Collapse(
                    [
                        dbc.Nav(_nav_links(path, search), id=ids.NAV, className="ms-auto main-nav", navbar=True),
                        html.A(
                            ["▶ Trình chiếu"],
                            id=ids.PRESENT_LINK,
                            href=ids.PRESENT_PATH,
                            className="btn btn-light btn-sm ms-lg-3 present-btn",
                            title="Chế độ trình chiếu cho cuộc họp (phím ← → để chuyển trang, Esc để thoát)",
                        ),
                        _user_menu(),
                    ],
                    id="nav-collapse",
                    is_open=False,
                    navbar=True,
                ),
            ],
            fluid=True,
        ),
        color="primary",
        dark=True,
        expand="lg",  # below 992 px (a phone): one bar with a menu button
        className="app-navbar",
        id="app-navbar",
    )


def _user_menu():
    """Who is signed in, and a sign-out button (a POST form with the session's CSRF token)."""
    import flask

    if not flask.has_request_context() or flask.current_app.extensions.get("cchc_no_auth"):
        return html.Span("Không đăng nhập (--no-auth)", className="user-chip ms-3", id="user-chip")
    p = flask.g.get("principal")
    if p is None:  # Dash validating the layout before any reader is known
        return html.Span(id="user-chip")
    return html.Form(
        [
            html.Span(
                p.display_name or p.username,
                className="user-chip",
                id="user-chip",
                title=f"{p.label} — tên đăng nhập: {p.username}",
            ),
            dcc.Input(type="hidden", name="csrf", value=security.csrf_token()),
            html.Button(
                "Đăng xuất",
                type="submit",
                className="btn btn-outline-light btn-sm ms-2",
                id="logout-button",
                title=f"Đăng xuất {p.display_name or p.username} ({p.username})",
            ),
        ],
        method="POST",
        action=security.LOGOUT,
        className="d-flex align-items-center ms-3 user-menu",
    )


def layout() -> html.Div:
    """The shell. Asked for by the browser's `/_dash-layout` right after the page's HTML: the page of the address
    it came from (its Referer, same origin) is rendered into it with the address's filters, so the first screen
    (after sign-in, a reload, a shared link) needs no round trip through the router and the page's callback.
    Without a usable Referer the page container is Dash's own and the router draws the page as before."""
    here = _requested_location()
    container = dash.page_container
    if here:
        try:
            container = _page_container(*here)
        except Exception:  # never a blank screen: the router draws the page (and says what went wrong)
            logging.getLogger("cchc").exception("the shell could not draw %s%s", *here)
            here = None
    path, search = here if here else (None, "")
    return html.Div(
        id=ids.APP_ROOT,
        className="app-root present" if here and _present(path, search) else "app-root",
        # the filters every link keeps (config.NAV_KEEP), read by the browser's link code (assets/07_clientside.js)
        **{"data-nav-keep": ",".join(NAV_KEEP)},
        children=[
            dcc.Location(id=ids.URL, refresh="callback-nav", **(_location_props(*here) if here else {})),
            _nav(path, search),
            dbc.Container(container, fluid=True, className="page-body", id="page-body"),
            # the filters' values of a page drawn with the shell are written into the address by the browser
            # (assets/07_clientside.js, drawnDefaults), as they are when the router draws a page
            dcc.Store(id=ids.DRAWN, data=path),
        ],
    )


def _requested_location() -> tuple[str, str] | None:
    """(path, search) of the address the browser shows, for the shell's request: the Referer of `/_dash-layout`
    when it is this server's own page of a registered path; None otherwise (and outside a request)."""
    import flask

    if not flask.has_request_context() or not flask.request.path.endswith("/_dash-layout"):
        return None
    ref = flask.request.headers.get("Referer", "")
    if not ref or len(ref) > 4096:
        return None
    try:
        parts = urlsplit(ref)
    except ValueError:
        return None
    if parts.netloc != flask.request.host or parts.scheme not in ("http", "https"):
        return None
    page, _ = _page_of(parts.path)
    if not page:
        return None
    return parts.path, ("?" + parts.query if parts.query else "")


def _page_of(path: str):
    from dash._pages import _path_to_page

    return _path_to_page(path.strip("/"))  # the app is served at the root (requests_pathname_prefix "/")


def _location_props(path: str, search: str) -> dict:
    """A dcc.Location that already holds the browser's address: it reports nothing when it mounts (Dash's router
    and the pages' callbacks stay quiet) until the address changes."""
    import flask

    return {"pathname": path, "search": search, "hash": "", "href": flask.request.headers.get("Referer", "")}


def _page_container(path: str, search: str) -> html.Div:
    """Dash Pages' container (same ids, so its router takes over at the next navigation) with the page drawn."""
    from dash._pages import _parse_query_string

    page, path_variables = _page_of(path)
    content = page["layout"]
    if callable(content):
        content = content(**{**(path_variables or {}), **_parse_query_string(search)})
    title = page["title"](**(path_variables or {})) if callable(page["title"]) else page["title"]
    return html.Div(
        [
            dcc.Location(id=ids.PAGES_LOCATION, refresh="callback-nav", **_location_props(path, search)),
            html.Div(content, id="_pages_content", disable_n_clicks=True),
            dcc.Store(id="_pages_store", data={"title": title}),
            html.Div(id="_pages_dummy", disable_n_clicks=True),
        ]
    )


def _present(path: str | None, search: str) -> bool:
    return path == ids.PRESENT_PATH or _query(search).get("present") == "1"


def _query(search) -> dict:
    """The URL's query as a dict (a forged non-text value reads as empty)."""
    return dict(parse_qsl(search.lstrip("?"))) if isinstance(search, str) else {}


def _nav_links(path: str | None, search: str) -> list:
    """The pages this reader may open, each link keeping the period and unit chosen (config.NAV_KEEP), the
    current page marked. Drawn with the shell; the browser keeps them up to date on every navigation
    (assets/07_clientside.js, navLinks): no round trip."""
    import flask

    if not flask.has_request_context() or flask.g.get("principal") is None:
        return []
    q = _query(search)
    keep = {k: v for k, v in q.items() if k in NAV_KEEP and v}
    reader = current_principal()
    links = []
    for page in dash.page_registry.values():
        if page.get("nav") is False or (page.get("permission") and not reader.can(page["permission"])):
            continue
        target = page["path"] + ("?" + urlencode(keep) if keep else "")
        links.append(
            dbc.NavItem(
                dbc.NavLink(
                    page["name"],
                    href=target,
                    active=path == page["path"],
                    className="nav-page",
                    id=ids.nav_link(page["path"]),
                )
            )
        )
    return links


clientside_callback(
    ClientsideFunction("cchc", "navLinks"),
    Output(ids.nav_link(ALL), "href"),
    Output(ids.nav_link(ALL), "active"),
    Input(ids.PAGES_LOCATION, "pathname"),
    Input(ids.PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction("cchc", "drawnDefaults"),
    Output(ids.nav_link(ALL), "href", allow_duplicate=True),
    Input(ids.DRAWN, "data"),
    State(ids.flt(ALL), "value"),
    prevent_initial_call="initial_duplicate",
)


# The phone's menu button opens and closes the navigation (in the browser).
clientside_callback(
    ClientsideFunction("cchc", "navToggle"),
    Output("nav-collapse", "is_open"),
    Input("nav-toggler", "n_clicks"),
    State("nav-collapse", "is_open"),
    prevent_initial_call=True,
)


# The present mode's class and the filters' URL writing are plain address arithmetic: they run in the browser
# (assets/07_clientside.js), so a navigation costs one server callback (the page) instead of three, and a page
# just drawn is not drawn a second time when its filters' defaults are written into the URL.
clientside_callback(
    ClientsideFunction("cchc", "presentMode"),
    Output(ids.APP_ROOT, "className"),
    Output(ids.PRESENT_LINK, "href"),
    Input(ids.PAGES_LOCATION, "pathname"),
    Input(ids.PAGES_LOCATION, "search"),
)
clientside_callback(
    ClientsideFunction("cchc", "filtersToUrl"),
    Output(ids.URL, "href"),
    Output(ids.nav_link(ALL), "href", allow_duplicate=True),  # a page just drawn: the defaults follow the links
    Input(ids.flt(ALL), "value"),
    State(ids.PAGES_LOCATION, "pathname"),
    State(ids.PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)


def _lazy_libraries() -> None:
    """dash-ag-grid's 1.3 MB bundle leaves the first load (it becomes a dynamic resource, still served from
    the package): assets/06_lazy_grid.js loads it the first time a page renders a grid."""
    import dash_ag_grid

    for entry in dash_ag_grid._js_dist:
        if entry.get("relative_package_path") == "dash_ag_grid.min.js":
            entry["dynamic"] = True


def create_app(db_path: str | Path, *, no_auth: bool = False, internal=None, warm: bool = False) -> dash.Dash:
    """The app. `no_auth`: everyone is the local Home Affairs operator (for a developer's machine only).
    `internal`: the PDF export's one-time tokens (export_pdf.Passes), honoured from 127.0.0.1 only.
    `warm`: render the default views of the all-units roles in the background at start (`cchc serve`)."""
    validate_against_schema()  # the KPI catalogue matches the queries' columns, or the app does not start
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder="",  # pages are imported as package modules below (they use relative imports)
        assets_folder=str(PROJECT_ROOT / "assets"),
        title="CCHC — Bảng điều hành",
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.index_string = INDEX_STRING
    _lazy_libraries()
    callback_map, callback_list = _page_callbacks()
    app.callback_map.update(callback_map)  # this app's own copy of the pages' callbacks
    app._callback_list.extend(callback_list)
    app.layout = layout
    data = AppData(db_path)
    for page in dash.page_registry.values():  # the pages the warmer may render again after an import
        if hasattr(page["layout"], "cchc_page"):
            data.register_layout(page["layout"].cchc_page, page["layout"])
    app.server.extensions["cchc_data"] = data
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    security.install(app, db_path, no_auth=no_auth, internal=internal)
    timing.install(app.server)
    if internal is None:  # the export's own app prints; it never offers the button's route
        from .export_pdf import install_route

        install_route(app, db_path)
    if warm:
        from .auth import ROLES, Principal

        data.warm_start(list(dict.fromkeys(Principal("-", r).scope for r, info in ROLES.items() if info.all_units)))
    return app


@functools.cache
def _page_callbacks() -> tuple[dict, tuple]:
    """The callbacks of the shell and the pages. Dash keeps `@callback` registrations in module globals and
    hands them to the first app that starts serving; they are taken once here and every app gets its own
    copy, so two apps in one process each answer every callback (tests, the PDF export beside a server)."""
    from dash import _callback

    from . import pages  # noqa: F401  (each page module registers itself and its callbacks)

    taken = dict(_callback.GLOBAL_CALLBACK_MAP), tuple(_callback.GLOBAL_CALLBACK_LIST)
    _callback.GLOBAL_CALLBACK_MAP.clear()
    _callback.GLOBAL_CALLBACK_LIST.clear()
    return taken


# Dash's page, in Vietnamese (screen readers and axe-core read `lang`). The shell (with the page drawn in it, see
# `layout`) and the callbacks' list are asked for while the scripts load, not after they have run.
INDEX_STRING = """<!DOCTYPE html>
<html lang="vi">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
        <link rel="preload" href="/_dash-layout" as="fetch" crossorigin="anonymous">
        <link rel="preload" href="/_dash-dependencies" as="fetch" crossorigin="anonymous">
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""

# An upload arrives base64-encoded inside a JSON callback (4/3 of the file), plus the page state.
MAX_REQUEST_BYTES = 210 * 1024 * 1024


def serve(
    db_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8050,
    no_auth: bool = False,
    workers: int = 0,
    threads: int = 4,
) -> None:
    """`workers` = 0: Flask's development server (one process). `workers` ≥ 1: gunicorn with that many worker
    processes (gthread, `threads` each), each building its own app on the read-only snapshots; sessions,
    users and the audit log are files next to the database, so every worker sees the same ones.
    CCHC_WARM_START=0 in the environment: no pre-rendering at start (test servers whose test is not about it)."""
    warm = os.environ.get("CCHC_WARM_START", "1") != "0"
    if no_auth and not security.is_loopback(host):
        raise SystemExit("--no-auth chỉ dùng trên máy cục bộ (--host 127.0.0.1)")
    print(
        f"Bảng điều hành CCHC: http://{host}:{port}  (dữ liệu: {db_path}"
        + (f"; gunicorn, {workers} tiến trình × {threads} luồng)" if workers else "; máy chủ phát triển)"),
        flush=True,
    )
    if no_auth:
        print("CẢNH BÁO: --no-auth — không đăng nhập, mọi người truy cập máy này có toàn quyền.", flush=True)
    else:
        from .auth import UserStore, users_path

        store = UserStore(users_path(db_path))
        demo = store.demo_accounts()
        if demo:
            print("Tài khoản mẫu (xem README, mục Security): " + ", ".join(u["username"] for u in demo), flush=True)
        elif not store.users():
            print("Chưa có người dùng: tạo bằng `cchc users add TEN --role noi_vu`.", flush=True)
    if not workers:
        create_app(db_path, no_auth=no_auth, warm=warm).run(host=host, port=port, debug=False)
        return
    from gunicorn.app.base import BaseApplication

    from . import gunicorn_conf

    class _Gunicorn(BaseApplication):
        def load_config(self):  # the settings a hand-started production server reads too, then this call's
            for k, v in vars(gunicorn_conf).items():
                if k in self.cfg.settings:
                    self.cfg.set(k, v)
            for k, v in {"bind": f"{host}:{port}", "workers": workers, "threads": threads}.items():
                self.cfg.set(k, v)

        def load(self):  # in each worker, after the fork: its own DuckDB connections
            return create_app(db_path, no_auth=no_auth, warm=warm).server

    _Gunicorn().run()
