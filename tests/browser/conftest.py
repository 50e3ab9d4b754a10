"""Browser tests: the real app served on 127.0.0.1, driven by Playwright through Debian's chromium.

They never skip: without chromium the fixture fails (CI installs it through `make test`)."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from harness import free_port, running, serve_cmd, with_demo_users

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CCHC_CHROMIUM", "/usr/bin/chromium")
AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(scope="session")
def browser_db(demo_db, tmp_path_factory) -> Path:
    """A copy of the session's legacy demo town (`demo_db`, as of AS_OF: W08, Xã Bình Minh) with the demo users:
    the server's own files (users, sessions, audit log), apart from the in-process tests'."""
    return with_demo_users(demo_db, tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="session")
def server(browser_db):
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running(serve_cmd(browser_db, port), url + "/", ARTIFACTS / "server.log", timeout=60):
        yield url


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"])
        yield b
        b.close()


class Watched:
    """A page that records console errors and every request to a host other than 127.0.0.1."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", self._request)

    def _request(self, req):
        url = req.url
        if not (url.startswith(self.base) or url.startswith("data:") or url.startswith("blob:")):
            self.foreign.append(url)

    def goto(self, path: str):
        self.page.goto(self.base + path)
        self.settle()
        return self.page

    def settle(self, timeout: int = 30000):
        """Wait until Dash has no callback in flight and the page content is rendered."""
        p = self.page
        p.wait_for_load_state("networkidle", timeout=timeout)
        p.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=timeout)
        p.wait_for_selector(".page", timeout=timeout)
        p.wait_for_load_state("networkidle", timeout=timeout)

    def shot(self, name: str):
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@contextmanager
def sized(browser, server, user: str, w: int, h: int):
    """A browser context at a window size, signed in as `user` (a demo account): its Watched page; closed after."""
    from dashboard.auth import DEMO_PASSWORDS

    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="vi-VN")
    try:
        watched = Watched(ctx.new_page(), server)
        sign_in(watched, user, DEMO_PASSWORDS[user])
        yield watched
    finally:
        ctx.close()


def sign_in(w: Watched, username: str, password: str) -> None:
    """Through the real sign-in form, as a person would."""
    p = w.page
    p.goto(w.base + "/dang-nhap")
    p.fill("#username", username)
    p.fill("#password", password)
    p.click("#login-submit")
    p.wait_for_url(lambda url: "/dang-nhap" not in url, timeout=15000)


@pytest.fixture
def new_page(browser, server, browser_db):
    """A factory: a fresh browser context (own cookies) signed in as `username` (None: not signed in)."""
    from dashboard.auth import DEMO_PASSWORDS

    contexts = []

    def make(username: str | None = "noivu") -> Watched:
        ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN", accept_downloads=True)
        contexts.append(ctx)
        w = Watched(ctx.new_page(), server)
        w.db = str(browser_db)
        if username:
            sign_in(w, username, DEMO_PASSWORDS[username])
        return w

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def page(new_page):
    """Signed in as the Home Affairs office (every page, every unit, personal data)."""
    return new_page("noivu")
