"""Sign-in in a real browser: the page, its accessibility, and an error next to the field."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import Actions, LiveApp, axe_check

pytestmark = pytest.mark.browser


def test_sign_in_page(browser: Browser, live: LiveApp) -> None:
    page = browser.new_page()
    actions = Actions(page, "sign-in")
    page.goto(f"{live.base_url}/login")
    assert page.locator("h1").inner_text() == "Logga in"
    actions.shot("form")
    assert axe_check(page) == []
    actions.type("#username", "samordnare")
    actions.type("#password", "fel lösenord")
    actions.click("button[type=submit]")
    assert "Fel användarnamn eller lösenord." in page.inner_text("[role=alert]")
    assert page.input_value("#username") == "samordnare"  # nothing typed is lost
    actions.shot("wrong-password")
    assert axe_check(page) == []
    page.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_throttled_sign_in_says_so_in_swedish(browser: Browser, live: LiveApp, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    actions = Actions(page, f"sign-in-throttled-{width}")
    page.goto(f"{live.base_url}/login")
    for _ in range(6):  # five failures, then the sixth attempt from this address waits
        actions.type("#username", f"granskare-{width}")
        actions.type("#password", "fel lösenord")
        actions.click("button[type=submit]")
    alert = page.inner_text("[role=alert]")
    assert "För många misslyckade försök från den här enheten" in alert
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    actions.shot("throttled")
    assert axe_check(page) == []
    page.close()
