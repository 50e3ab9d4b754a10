"""The Home Affairs office manages digest subscriptions on /ban-tin in real Chromium: a refusal explained in
Vietnamese, an addition with a unit picked by typing, listed; a removal after the confirmation."""

from __future__ import annotations

import pytest

from dashboard.subscriptions import SubscriptionStore, path_for

pytestmark = pytest.mark.browser


def test_add_see_listed_and_remove_a_subscription(page):
    store = SubscriptionStore(path_for(page.db))
    before = [s.id for s in store.load()]
    p = page.goto("/ban-tin")
    assert "cchc " not in p.locator(".page").inner_text()  # no command lines in the page text
    p.fill("#sub-name", "Bản tin Bình Minh")
    p.fill("#sub-to", "bm@tayninh.example")
    p.fill("#sub-schedule", "Thứ 9 07:00")
    p.click("#sub-add")
    p.wait_for_selector("#sub-error")
    assert "không hiểu ngày" in p.locator("#sub-error").inner_text()
    assert [s.id for s in store.load()] == before

    p.fill("#sub-schedule", "T2,T5 07:30")
    p.locator("#sub-unit").click()
    p.wait_for_function("() => document.activeElement.classList.contains('dash-dropdown-search')")
    p.keyboard.type("xa binh minh")  # typed without accents
    option = p.get_by_role("option", name="Xã Bình Minh")
    option.wait_for(timeout=10000)
    option.click()
    p.click("#sub-add")
    p.wait_for_selector("#sub-added")
    [sub] = [s for s in store.load() if s.id not in before]
    assert (sub.to, sub.schedule, sub.period, sub.name) == (["bm@tayninh.example"], "T2,T5 07:30", "quarter",
                                                            "Bản tin Bình Minh")
    row = p.locator(f"#subscriptions-table tr[data-subscription='{sub.id}']")
    text = row.inner_text()
    assert "bm@tayninh.example" in text and "Xã Bình Minh" in text and "T2, T5 lúc 07:30" in text

    page.goto("/ban-tin")  # still there after a reload: it lives in the state file, not in the page
    row = p.locator(f"#subscriptions-table tr[data-subscription='{sub.id}']")
    row.get_by_role("button", name="Xoá").click()
    p.wait_for_selector("#sub-confirm.show, .modal.show")
    assert "bm@tayninh.example" in p.locator("#sub-confirm-body").inner_text()
    p.click("#sub-confirm-no")  # cancelling keeps it
    p.wait_for_selector(".modal.show", state="detached")
    assert sub.id in [s.id for s in store.load()]
    row.get_by_role("button", name="Xoá").click()
    p.wait_for_selector(".modal.show")
    p.click("#sub-confirm-yes")
    p.wait_for_selector("#sub-removed")
    assert p.locator(f"tr[data-subscription='{sub.id}']").count() == 0
    assert [s.id for s in store.load()] == before
    assert not page.errors


@pytest.fixture
def mail_city(demo_db, tmp_path, browser):
    """A server of its own (a copy of the demo town whose mail server is an SMTP sink on 127.0.0.1): the shared
    server's settings stay as they are."""
    from conftest import cchc
    from harness import free_port, running, serve_cmd, with_demo_users
    from smtp_sink import smtp_sink

    from .conftest import ARTIFACTS, Watched, sign_in

    db = with_demo_users(demo_db, tmp_path)
    smtp_port, port = free_port(), free_port()
    cchc("settings", "smtp_host=127.0.0.1", f"smtp_port={smtp_port}", "mail_from=cchc@tayninh.example", db=db)
    url = f"http://127.0.0.1:{port}"
    with smtp_sink(port=smtp_port) as (_, sink), \
            running(serve_cmd(db, port), url + "/", ARTIFACTS / "server-mail.log", timeout=60):
        from dashboard.auth import DEMO_PASSWORDS

        ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
        w = Watched(ctx.new_page(), url)
        sign_in(w, "noivu", DEMO_PASSWORDS["noivu"])
        w.db = db
        yield w, sink
        ctx.close()


def test_send_a_test_digest_now(mail_city):
    import json

    w, sink = mail_city
    p = w.goto("/ban-tin")
    p.fill("#sub-test-to", "khong-phai-dia-chi")
    p.click("#sub-test")
    p.wait_for_selector("#sub-error")
    assert "Nhập một địa chỉ thư hợp lệ" in p.locator("#sub-error").inner_text()
    p.fill("#sub-test-to", "thu@tayninh.example")
    p.click("#sub-test")
    p.wait_for_selector("#sub-test-sent", timeout=90000)  # printed by chromium in the background, then sent
    assert "Đã gửi «" in p.locator("#sub-test-sent").inner_text()
    assert len(sink.messages) == 1 and sink.envelopes[0][1] == ["thu@tayninh.example"]
    msg = sink.messages[0]
    assert "Quý" in msg["Subject"] and [a.get_filename() for a in msg.iter_attachments()][0].endswith(".pdf")
    audit = [json.loads(line) for line in (w.db.parent / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    [sent] = [a for a in audit if a["event"] == "digest_sent"]
    assert sent["user"] == "noivu" and sent["test"] is True and sent["recipients"] == 1
    assert not w.errors
