"""The night flow in a real browser, counted: from the sign-in page to a confirmed decision
with a hand-over in at most 10 actions (clicks, selections, submissions; typing a field is one).

The device remembers the last user name (as a night desk's shared laptop would), so signing in
is the password, the one-time code and the button."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import Actions, LiveApp, axe_check, sign_in

pytestmark = pytest.mark.browser
MAX_ACTIONS = 10
# The widest scroll width of any element on the page.
WIDEST = "Math.max(...[...document.querySelectorAll('body *')].map(e => e.scrollWidth))"


def test_night_flow_in_at_most_ten_actions(browser: Browser, live: LiveApp) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    setup = Actions(page, "night-setup")
    sign_in(setup, live, "socialjour")  # first sign-in on this device: sets up two-step sign-in
    context.clear_cookies(name="bk_session")

    actions = Actions(page, "night")
    page.goto(f"{live.base_url}/login")
    actions.shot("sign-in")
    assert axe_check(page) == []
    sign_in(actions, live, "socialjour")
    page.wait_for_url("**/night")
    actions.shot("request")
    assert axe_check(page) == []
    # On a phone every choice of the form shows its whole text (radio buttons, not selects
    # that cut their text), and nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(WIDEST) <= 390
    assert page.locator("fieldset.choices input[type=radio]").count() >= 5
    actions.shot("request-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    actions.type("#children_ages", "4, 9")
    actions.select(
        "#avoid", [page.locator("#avoid option", has_text="Farsta").get_attribute("value") or ""]
    )
    actions.select(
        "#responsible",
        page.locator("#responsible option", has_text="Farsta").get_attribute("value") or "",
    )
    actions.click("button.primary")
    page.wait_for_url("**/night/requests/**")
    assert page.locator("li.proposal").count() >= 1
    assert "Senast bekräftad" in page.inner_text("main")
    actions.shot("proposals")
    assert axe_check(page) == []

    actions.click("li.proposal >> nth=0 >> button.primary")
    page.wait_for_url("**/night/holds/**")
    # The unit has been sent a referral; here the officer agrees the place by phone instead
    # (tests/browser/test_referral.py has the unit accept on its own page).
    actions.click("form[action$='/phone'] button")
    page.wait_for_url("**/night/holds/**")
    assert page.locator("input[name^=basis_]:checked").count() == 2  # one decision per child
    actions.shot("decide")
    assert axe_check(page) == []

    actions.click("form[action$='/decide'] button.primary")
    page.wait_for_url("**/night/done/**")
    main = page.inner_text("main")
    assert "Överlämning till" in main
    assert main.count("LPSB, omedelbart beslut") == 2 and "SoL (socialtjänstlagen)" in main
    actions.shot("done")
    assert axe_check(page) == []
    # On a phone the decisions are cards, none of their columns behind a sideways scroll.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(WIDEST) <= 390
    actions.shot("done-phone")

    assert actions.count <= MAX_ACTIONS, actions.count
    context.close()


def test_night_request_error_keeps_what_was_typed(browser: Browser, live: LiveApp) -> None:
    page = browser.new_page()
    actions = Actions(page, "night-error")
    sign_in(actions, live, "socialjour")
    page.wait_for_url("**/night")
    actions.type("#children_ages", "fyra")
    actions.click("label.check:has-text('Arabiska')")
    actions.select("#language_other", "am")
    actions.click("button.primary")
    assert page.locator("#children_ages-error").is_visible()
    assert page.input_value("#children_ages") == "fyra"
    assert page.locator("input[name=languages][value=ar]").is_checked()
    assert page.input_value("#language_other") == "am"
    actions.shot("error")
    assert axe_check(page) == []
    page.close()
