"""The operator's households in a real browser, at phone width and on a desk: by case number
only, no sideways scroll, the arrival and safety-plan buttons at least 44 px tall; record an
arrival and the move-in safety plan with a tap each. Screenshots at 390 and 1366 px."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import Actions, LiveApp, axe_check, sign_in

pytestmark = pytest.mark.browser

OUT = Path(os.environ.get("BK_SHOTS_DIR", "")) if os.environ.get("BK_SHOTS_DIR") else None


def _save(actions: Actions, label: str) -> None:
    path = actions.shot(label)
    if OUT is not None:
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / path.name).write_bytes(path.read_bytes())


def test_households_on_a_phone_and_a_desk(browser: Browser, live: LiveApp) -> None:
    for width in (390, 1366):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        actions = Actions(page, f"operator-stays-{width}")
        sign_in(actions, live, "jour.ankaret")
        page.wait_for_url(f"{live.base_url}/operator")
        section = page.locator("#stays")
        expect(section).to_be_visible()
        cards = section.locator("article.stay")
        assert cards.count() >= 1  # the demo city has households living there now
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"sideways scroll at {width} px"
        for button in section.locator("button").all():
            box = button.bounding_box()
            assert box is not None and box["height"] >= 44, f"tap target at {width} px"
        section.scroll_into_view_if_needed()
        _save(actions, "households")
        assert axe_check(page) == []
        if width == 390:
            card = cards.first
            card_id = card.get_attribute("id") or ""
            actions.click(f"#{card_id} form[action$='/arrived'] button")
            expect(page).to_have_url(f"{live.base_url}/operator?done=arrived#stays")
            assert "arrived" in page.locator(f"#{card_id}").inner_text().lower() or (
                "kom " in page.locator(f"#{card_id}").inner_text()
            )
            actions.click(f"#{card_id} form[action$='/safety-plan/in'] button")
            expect(page).to_have_url(f"{live.base_url}/operator?done=plan_in#stays")
            page.locator(f"#{card_id}").scroll_into_view_if_needed()
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, "sideways scroll after recording"
            _save(actions, "recorded")
            assert axe_check(page) == []
        context.close()
