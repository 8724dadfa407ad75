"""The housing agency's priority pages in a real browser: sign in, the list, one application,
a refused status step (the reason next to the field), a message to the handler; axe on every page
and a screenshot of each (also at phone width)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import Actions, LiveApp, axe_check, sign_in

pytestmark = pytest.mark.browser

MESSAGE = "Har hushållet möjlighet att ta en lägenhet i Skärholmen från februari?"


WIDEST_BOX = "Math.max(...[...document.querySelectorAll('body *')].map(e => e.scrollWidth))"


def test_housing_agency_priority_pages(browser: Browser, live: LiveApp) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    actions = Actions(page, "priority")
    sign_in(actions, live, "formedling")
    page.wait_for_url(f"{live.base_url}/priority")
    assert page.locator("h1").count() == 1
    rows = page.locator("table.pr-table tbody th[scope=row] a")
    assert rows.count() >= 4  # the demo city's applications past the draft stage
    actions.shot("list")
    assert axe_check(page) == []

    actions.select("#status", "under_review")
    actions.click("form.pr-filter button[type=submit]")
    page.wait_for_url("**/priority?status=under_review")
    assert rows.count() >= 1
    actions.shot("list-under-review")
    assert axe_check(page) == []

    actions.click("table.pr-table tbody th[scope=row] a >> nth=0")
    page.wait_for_url("**/priority/*")
    assert page.locator("h1").count() == 1
    assert page.locator("#household-h").is_visible()
    assert page.locator(".pr-check").count() == 3  # the eligibility checks, shown
    assert page.locator("#criterion-h").is_visible()  # the agency's own criterion, beside them
    actions.shot("detail")
    assert axe_check(page) == []

    # Approving while a check is unanswered is not offered; the page says what is missing.
    assert page.locator("#to_status option[value=approved]").count() == 0
    assert page.locator("#not-yet-h").is_visible()
    assert page.locator("ul.not-yet li").count() >= 1
    # Changing the status without choosing one is refused next to the field.
    actions.click("#actions button[type=submit]")
    error = page.locator("#to_status-error")
    assert error.is_visible() and error.inner_text().strip()
    assert page.get_attribute("#to_status", "aria-invalid") == "true"
    actions.shot("status-refused")
    assert axe_check(page) == []

    actions.type("#body", MESSAGE)
    actions.click("#messages button[type=submit]")
    expect(page).to_have_url(re.compile(r"/priority/[0-9a-f-]+\?done=message#messages-h$"))
    assert page.locator(".flash").is_visible()
    assert MESSAGE in page.locator(".pr-messages").inner_text()
    actions.shot("message-sent")
    assert axe_check(page) == []

    page.set_viewport_size({"width": 390, "height": 844})
    # The status history is a card per change on a phone, not a table to scroll sideways.
    assert page.evaluate(WIDEST_BOX) <= 390
    actions.shot("detail-phone")
    assert axe_check(page) == []
    page.goto(f"{live.base_url}/priority")
    actions.shot("list-phone")
    assert axe_check(page) == []

    # A submitted application without a certificate: the agency asks the handler for one.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live.base_url}/priority?status=submitted&lang=en")
    actions.click("table.pr-table tbody th[scope=row] a >> nth=0")
    page.wait_for_url("**/priority/*")
    actions.type("#certificate_reason", "The household's need of a home of its own after violence.")
    actions.click("#request-h ~ form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/priority/[0-9a-f-]+\?done=certificate#main$"))
    assert page.locator(".flash").is_visible()
    assert "Certificate requested" in page.locator(".pr-status-line").inner_text()
    history = page.locator("#history-h ~ .tablewrap tbody").inner_text()
    assert "The household's need of a home of its own after violence." in history
    actions.shot("certificate-requested-en")
    assert axe_check(page) == []
    # On a phone each change is a card whose cells say what they are.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(WIDEST_BOX) <= 390
    reason = page.locator("#history-h ~ .tablewrap tbody td[data-label=Reason]").first
    assert reason.is_visible() and reason.bounding_box()["width"] > 250  # type: ignore[index]
    actions.shot("certificate-requested-en-phone")
    page.close()
