"""The referral in two real browsers, on a phone: Socialjouren holds a place; the unit's
operator, signed in in a second browser context, sees the referral appear without reloading
and accepts; the officer's hold page shows the acceptance without reloading and the decision
follows. A second run: the operator declines and the proposals come back with that unit
marked. The officer's night flow is counted from the sign-in page to the decision (at most 10
actions), and no night page scrolls sideways at 390 px."""

from __future__ import annotations

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import text

from placement.db import make_engine
from tests.browser.conftest import Actions, LiveApp, axe_check, sign_in

pytestmark = pytest.mark.browser
MAX_ACTIONS = 10
PHONE = {"width": 390, "height": 844}
CALLBACK = "08-465 004 99"  # the fictional range; a staff number, never a client's
SHOT_DIR = Path(os.environ.get("BK_SHOTS_DIR", "test-artifacts/screenshots/referral"))


def _sql(db_url: str, statement: str, params: dict[str, Any]) -> list[Any]:
    """A statement on the table owner's connection (the test's own setup)."""

    async def run() -> list[Any]:
        engine = make_engine(db_url)
        async with engine.begin() as conn:
            result = await conn.execute(text(statement), params)
            rows = list(result.all()) if result.returns_rows else []
        await engine.dispose()
        return rows

    with ThreadPoolExecutor(1) as pool:  # its own event loop
        return pool.submit(asyncio.run, run()).result()


def _operator_runs(live: LiveApp, username: str, unit_id: str) -> None:
    """Let the demo operator user work for the organisation that runs this unit."""
    _sql(
        live.db_url,
        "UPDATE user_account SET operator_id = (SELECT operator_id FROM unit WHERE id = :unit) "
        "WHERE username = :name",
        {"unit": uuid.UUID(unit_id), "name": username},
    )


def _no_sideways_scroll(page: Page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{page.url} scrolls sideways by {wide}px"


def _shots(page: Page, label: str) -> None:
    """The page at phone and desktop width."""
    SHOT_DIR.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or PHONE
    page.screenshot(path=str(SHOT_DIR / f"{label}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(SHOT_DIR / f"{label}-1366.png"), full_page=True)
    page.set_viewport_size(size)


def _request_and_proposals(page: Page, actions: Actions, ages: str) -> str:
    actions.type("#children_ages", ages)
    farsta = page.locator("#avoid option", has_text="Farsta").get_attribute("value") or ""
    actions.select("#avoid", [farsta])
    if page.locator("#responsible").count():
        actions.select("#responsible", farsta)
    _no_sideways_scroll(page)
    actions.click("form[action='/night'] button.primary")
    page.wait_for_url("**/night/requests/**")
    _no_sideways_scroll(page)
    first = page.locator("li.proposal").first
    expect(first).to_be_visible()
    return first.get_attribute("data-unit") or ""


def _operator_page(browser: Browser, live: LiveApp, username: str) -> Page:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(Actions(page, f"operator-{username}"), live, username)
    page.wait_for_url(f"{live.base_url}/operator")
    expect(page.locator("[data-referrals=none]")).to_be_visible()
    return page


def test_referral_accepted_and_decided_on_a_phone(browser: Browser, live: LiveApp) -> None:
    officer_context = browser.new_context(viewport=PHONE)
    page = officer_context.new_page()
    sign_in(Actions(page, "referral-setup"), live, "socialjour")  # enrols two-step sign-in
    officer_context.clear_cookies(name="bk_session")

    actions = Actions(page, "referral")
    page.goto(f"{live.base_url}/login")
    sign_in(actions, live, "socialjour")
    page.wait_for_url("**/night")
    _no_sideways_scroll(page)
    _shots(page, "night-request")
    unit_id = _request_and_proposals(page, actions, "4, 9")
    tel = page.locator("li.proposal").first.locator("a.tel")
    assert (tel.get_attribute("href") or "").startswith("tel:08465004")  # the on-duty number
    _shots(page, "night-proposals")
    assert axe_check(page) == []

    _operator_runs(live, "tryggheten", unit_id)
    operator = _operator_page(browser, live, "tryggheten")
    operator_url = operator.url

    actions.type("#callback_phone", CALLBACK)
    actions.click("li.proposal >> nth=0 >> button.primary")
    page.wait_for_url("**/night/holds/**")
    expect(page.locator("[data-referral=pending]")).to_be_visible()
    assert page.locator("input[name^=basis_]:checked").count() == 0  # no decision before the answer
    assert page.locator("#countdown").is_visible()
    _no_sideways_scroll(page)
    _shots(page, "night-hold-waiting")
    assert axe_check(page) == []

    # The referral appears on the operator's page by itself: no reload.
    referral = operator.locator("article.referral")
    expect(referral).to_have_count(1, timeout=15_000)
    assert operator.url == operator_url
    shown = referral.inner_text()
    case_number = page.locator("h1").inner_text().rsplit(" ", 1)[1]
    assert case_number in shown and CALLBACK in shown
    assert "4, 9" in shown or "9, 4" in shown
    _no_sideways_scroll(operator)
    _shots(operator, "operator-referral")
    assert axe_check(operator) == []
    operator.click("article.referral button.primary")
    expect(operator.locator(".flash")).to_be_visible()
    expect(operator.locator("[data-referrals=none]")).to_be_visible()

    # The officer's page shows the acceptance by itself, and then the decision form.
    hold_url = page.url
    expect(page.locator("[data-referral=accepted]")).to_be_visible(timeout=15_000)
    assert page.url == hold_url
    assert page.locator("input[name^=basis_]:checked").count() == 2  # one decision per child
    _no_sideways_scroll(page)
    _shots(page, "night-hold-accepted")
    assert axe_check(page) == []

    actions.click("form[action$='/decide'] button.primary")
    page.wait_for_url("**/night/done/**")
    assert "Överlämning till" in page.inner_text("main")
    _no_sideways_scroll(page)
    _shots(page, "night-done")
    assert actions.count <= MAX_ACTIONS, actions.count

    # Back on the hold page after the decision: the decided state, never the form again.
    page.goto(hold_url)
    expect(page.locator("#referral-state")).to_contain_text("Beslutet är fattat")
    assert page.locator("form[action$='/decide']").count() == 0
    _shots(page, "night-hold-decided")
    operator.context.close()
    officer_context.close()


def test_referral_declined_brings_back_the_proposals(browser: Browser, live: LiveApp) -> None:
    officer_context = browser.new_context(viewport=PHONE)
    page = officer_context.new_page()
    sign_in(Actions(page, "decline"), live, "socialjour")
    page.wait_for_url("**/night")
    actions = Actions(page, "decline-night")
    unit_id = _request_and_proposals(page, actions, "6")

    _operator_runs(live, "jour.ankaret", unit_id)
    operator = _operator_page(browser, live, "jour.ankaret")
    page.click("li.proposal >> nth=0 >> button.primary")
    page.wait_for_url("**/night/holds/**")

    referral = operator.locator("article.referral")
    expect(referral).to_have_count(1, timeout=15_000)
    referral.locator("details.decline summary").click()
    referral.locator("input[value=full]").check()
    _shots(operator, "operator-decline")
    referral.locator("details.decline button[type=submit]").click()
    expect(operator.locator(".flash")).to_be_visible()

    # The officer is brought back to the proposals by itself, the declining unit marked.
    page.wait_for_url("**/night/requests/**?done=declined", timeout=15_000)
    marked = page.locator(f"li.proposal[data-unit='{unit_id}'] .declined-mark")
    expect(marked).to_be_visible()
    assert "Fullt" in marked.inner_text()
    _no_sideways_scroll(page)
    _shots(page, "night-proposals-declined")
    assert axe_check(page) == []
    operator.context.close()
    officer_context.close()
