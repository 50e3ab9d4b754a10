"""Sign-in in real Chromium: the sign-in page, a ward account limited to its ward, sign-out,
and no Content-Security-Policy violation on any page."""

from __future__ import annotations

import re

import pytest

from dashboard.ui import ids

pytestmark = pytest.mark.browser
FILTER = """[id='{{"key":"{}","type":"flt"}}']"""


def test_sign_in_page_wrong_password_then_right_one(new_page):
    w = new_page(None)
    p = w.page
    p.goto(w.base + "/ho-so-tre-han?period=2026-Q3")
    assert "/dang-nhap" in p.url  # pages need a signed-in user
    assert p.locator("h1").inner_text() == "Đăng nhập"
    assert p.locator(".login-demo").is_visible()  # the demo's accounts are listed for a newcomer
    p.fill("#username", "chutich")
    p.fill("#password", "sai-mat-khau")
    p.click("#login-submit")
    assert p.locator("#login-error").inner_text() == "Sai tên đăng nhập hoặc mật khẩu."
    w.shot("login-error-1920x1080")
    p.fill("#password", "demo-chutich")
    p.click("#login-submit")
    p.wait_for_url(re.compile(r"/ho-so-tre-han\?period=2026-Q3$"))  # back where they were going
    w.settle()
    assert p.locator("#user-chip").inner_text() == "Chủ tịch UBND (mẫu)"
    assert "Lãnh đạo thành phố" in p.locator("#user-chip").get_attribute("title")
    nav = p.locator(".main-nav").inner_text()
    assert "Dữ liệu" not in nav and "Nhật ký" not in nav  # Home Affairs pages are not offered
    assert not w.errors, w.errors


def test_ward_account_sees_only_its_ward_and_signs_out(new_page):
    w = new_page("phuong")
    p = w.goto("/?period=2026-Q3")
    assert "Xã Bình Minh" in p.locator("#user-chip").inner_text()
    # the unit filter offers only their ward, already chosen
    p.locator(FILTER.format("unit")).click()
    options = [o.strip() for o in p.get_by_role("option").all_inner_texts()]
    assert options == ["Xã Bình Minh"], options
    p.keyboard.press("Escape")
    w.shot("ward-overview-1920x1080")
    # another ward typed into the URL: a refusal, not the data
    w.goto("/ho-so-tre-han?period=2026-Q3&unit=W03")
    assert p.locator("#forbidden").is_visible()
    assert "ngoài phạm vi" in p.locator("#forbidden").inner_text()
    # the late list: their ward only, applicants' names masked to initials
    w.goto("/ho-so-tre-han?period=2026-Q3&view=all")
    p.wait_for_selector(".late-grid .ag-row")
    p.wait_for_function(  # filled rows, not the grid's loading placeholders
        "() => [...document.querySelectorAll(\".late-grid .ag-row [col-id='applicant_name']\")]"
        ".some(c => c.innerText.trim())",
        timeout=30000,
    )
    body = p.locator("#page-body").inner_text()
    assert "Xã Bình Minh" in body and not any(
        other in body for other in ("Xã Thạnh Tân", "Phường 3", "Phường Ninh Sơn")
    )
    # the grid's rows can be drawn before their cells are filled (seen under load): wait for a name
    p.wait_for_function("""() => [...document.querySelectorAll(".late-grid .ag-row [col-id='applicant_name']")]
                               .some(c => c.innerText.trim())""", timeout=30000)
    names = [n for n in p.locator(".late-grid .ag-row [col-id='applicant_name']").all_inner_texts() if n.strip()]
    assert names and all(re.fullmatch(r"\S\.( \S\.)*", n.strip()) for n in names), names[:5]
    w.shot("ward-late-1920x1080")
    # sign out: back to the sign-in page, and pages are closed again
    p.click("#logout-button")
    p.wait_for_url(re.compile(r"/dang-nhap"))
    p.goto(w.base + "/")
    assert "/dang-nhap" in p.url
    assert not w.errors, w.errors


def test_audit_log_page_for_home_affairs(page):
    p = page.goto("/nhat-ky")
    assert p.locator("h1.page-title").inner_text() == "Nhật ký"
    p.wait_for_selector("#audit-grid .ag-row")
    events = set(p.locator("#audit-grid .ag-row [col-id='event']").all_inner_texts())
    assert "Đăng nhập" in events
    page.shot("audit-1920x1080")
    assert not page.errors, page.errors


def test_no_csp_violation_on_any_page(page):
    """Every page, with its charts and grids, under the CSP the server sends (violations are console errors)."""
    violations = []
    page.page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    for path in (*(p for p in ids.PAGE_PATHS if p != ids.PRESENT_PATH), ids.PRESENT_PATH + "?slide=2"):
        page.goto(path)
    assert violations == []
    assert not page.errors, page.errors


@pytest.mark.parametrize(
    "path", ["/ho-so-tre-han?period=2026-Q3&unit=W03&view=late", "/trinh-chieu?period=2026-Q3&unit=W03&slide=4"]
)
def test_a_shared_link_keeps_every_filter_through_sign_in(new_page, path):
    """Opened while signed out, a link with three filters (or a deck slide) lands on exactly that view."""
    w = new_page(None)
    p = w.page
    p.goto(w.base + path)
    assert "/dang-nhap" in p.url
    p.fill("#username", "chutich")
    p.fill("#password", "demo-chutich")
    p.click("#login-submit")
    p.wait_for_url(lambda url: "/dang-nhap" not in url, timeout=15000)
    assert p.url == w.base + path
    w.settle()
    if path.startswith("/trinh-chieu"):
        assert p.locator("#deck").get_attribute("data-slide") == "4"
        assert "Phường 3" in p.locator("#deck").inner_text()
    else:
        assert "Phường 3" in p.locator(".late-total-label").inner_text()
        assert "trễ hạn" in p.locator(".late-total-label").inner_text().lower()
    assert not w.errors, w.errors
