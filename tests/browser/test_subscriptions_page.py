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
