"""`cchc export pdf|deck`: the overview slide (one page) or the whole meeting deck as PDF.

The PDF is the dashboard's own deck page printed by Debian's chromium through Playwright, so it
holds exactly the screen's numbers, charts and shipped Vietnamese fonts (fonts are embedded)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

from .metrics.period import Period
from .ui import ids
from .ui.components import href

PAGE = {"width": "1920px", "height": "1080px"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class ExportError(RuntimeError):
    pass


class Passes:
    """The one-time tokens of the export's own browser, each naming the reader it prints as. The export's app
    (security.install(internal=…)) honours a token from 127.0.0.1 while its export runs."""

    def __init__(self) -> None:
        self._by_token: dict[str, object] = {}
        self._lock = threading.Lock()

    def grant(self, principal) -> str:
        import secrets

        token = secrets.token_urlsafe(32)
        with self._lock:
            self._by_token[token] = principal
        return token

    def revoke(self, token: str) -> None:
        with self._lock:
            self._by_token.pop(token, None)

    def principal(self, token: str):
        """The reader a token was granted for, or None (compared in constant time, token by token)."""
        import secrets

        with self._lock:
            held = list(self._by_token.items())
        found = None
        for tok, principal in held:
            if secrets.compare_digest(tok.encode(), token.encode()):
                found = principal
        return found


class _Printer:
    """The export's own app and loopback server for one database, built at the first PDF of a process and kept:
    every later PDF (the "Tải PDF" button, a digest per subscription) reuses them instead of building a Dash app."""

    def __init__(self, db_path: Path) -> None:
        from .app import create_app

        self.passes = Passes()
        app = create_app(db_path, internal=self.passes)
        self.server = make_server("127.0.0.1", 0, app.server, threaded=True, request_handler=_QuietHandler)
        threading.Thread(target=self.server.serve_forever, daemon=True, name="cchc-pdf-server").start()
        self.base = f"http://127.0.0.1:{self.server.server_port}"


_PRINTERS: dict[Path, _Printer] = {}
_PRINTERS_LOCK = threading.Lock()


def _printer(db_path: Path) -> _Printer:
    key = Path(db_path).resolve()
    with _PRINTERS_LOCK:
        if key not in _PRINTERS:
            _PRINTERS[key] = _Printer(key)
        return _PRINTERS[key]


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # the export's own page loads are not news
        pass


def chromium_path() -> str:
    path = os.environ.get("CCHC_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise ExportError("không tìm thấy chromium (apt-get install chromium) để xuất PDF")
    return path


def export_pdf(db_path: Path, kind: str, period: Period, unit: str | None, out: Path, principal=None) -> int:
    """Write the PDF as `principal` sees the data (default: the CLI's operator); returns its number of pages.
    The export's private server (one per database and process) answers only requests carrying a one-time token,
    valid while this export runs."""
    from playwright.sync_api import sync_playwright

    from .auth import SYSTEM
    from .security import INTERNAL_HEADER

    printer = _printer(db_path)
    token = printer.passes.grant(principal or SYSTEM)
    url = printer.base + href(
        ids.PRESENT_PATH, print="1", slides="1" if kind == "pdf" else None, period=period.key, unit=unit
    )
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page(
                viewport={"width": 1920, "height": 1080}, extra_http_headers={INTERNAL_HEADER: token}
            )
            page.goto(url)
            page.wait_for_selector("#deck .slide", timeout=60_000)
            page.wait_for_load_state("networkidle")
            # every chart drawn before printing
            page.wait_for_function(
                "() => [...document.querySelectorAll('.dash-graph')].every(g => g.querySelector('.main-svg'))",
                timeout=60_000,
            )
            page.evaluate("document.fonts.ready")
            pages = page.locator("#deck .slide").count()
            page.emulate_media(media="print")
            page.pdf(path=str(out), print_background=True, prefer_css_page_size=True, **PAGE)
            browser.close()
    finally:
        printer.passes.revoke(token)
    return pages


def install_route(app, db_path) -> None:
    """`GET /tai-pdf?kind=pdf|deck&period=…&unit=…`: the "Tải PDF" button. The same export as the CLI, printed
    through the signed-in reader's own scope (a ward's PDF holds only that ward); audited like any export."""
    import tempfile

    import flask
    from werkzeug.exceptions import BadRequest

    from . import audit
    from .metrics.period import PeriodError, resolve_period
    from .metrics.units import permit
    from .reader import current_reader

    @app.server.route(ids.PDF_PATH)
    def download_pdf():
        principal = flask.g.principal
        kind = flask.request.args.get("kind", "pdf")
        if kind not in ("pdf", "deck"):
            raise BadRequest("loại PDF chỉ nhận pdf hoặc deck")
        reader = current_reader()
        try:
            period = resolve_period(reader, flask.request.args.get("period") or None)
        except PeriodError as exc:
            raise BadRequest(str(exc)) from None
        unit = permit(reader, flask.request.args.get("unit") or None)  # 403 outside the reader's scope
        with tempfile.TemporaryDirectory(prefix="cchc-pdf-") as tmp:
            out = Path(tmp) / "out.pdf"
            try:
                pages = export_pdf(Path(db_path), kind, period, unit, out, principal=principal)
            except ExportError as exc:
                return flask.make_response(f"Không xuất được PDF: {exc}", 503)
            data = out.read_bytes()
        audit.record("export", principal.username, what=f"{kind}_pdf", period=period.key, unit=unit, pages=pages,
                     via="web")
        name = f"cchc-{'trinh-chieu' if kind == 'deck' else 'tong-quan'}-{period.key}{'-' + unit if unit else ''}.pdf"
        resp = flask.make_response(data)
        resp.headers["Content-Type"] = "application/pdf"
        resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return resp
