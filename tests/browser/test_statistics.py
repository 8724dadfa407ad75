"""/statistics in a real browser: the coordinator follows the board's link, sees the goals,
the district table and the charts, filters by district, opens the committee view; axe on
each page (0 serious), screenshots at desktop and phone width (also under /work/shots)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import Actions, LiveApp, axe_check, sign_in

pytestmark = pytest.mark.browser
COPY_TO = Path("/work/shots/i13-statistics")


def _keep(path: Path) -> None:
    if COPY_TO.parent.exists():
        COPY_TO.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, COPY_TO / path.name)


def _viewport(page: Page, width: int, label: str) -> None:
    """A screen-sized picture as well (the full-page ones are very tall)."""
    if COPY_TO.parent.exists():
        COPY_TO.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(COPY_TO / f"statistics-{width}-view-{label}.png"))


@pytest.mark.parametrize("width", [1366, 390])
def test_statistics_pages(browser: Browser, live: LiveApp, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    actions = Actions(page, f"statistics-{width}")
    sign_in(actions, live, "samordnare")
    page.wait_for_url(f"{live.base_url}/board")
    actions.click("a[href='/statistics']")
    page.wait_for_url(f"{live.base_url}/statistics")
    assert page.locator("h1").count() == 1
    assert page.locator("ol.goals li.goal").count() == 4
    assert page.locator("figure.chart img").count() == 3
    assert page.locator("table.stats").count() >= 6
    # Nothing wider than the screen: wide tables scroll inside their own region.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow
    _keep(actions.shot("overview"))
    _viewport(page, width, "top")
    for section in ("districts-heading", "reporting-heading"):
        page.locator(f"#{section}").scroll_into_view_if_needed()
        _viewport(page, width, section.removesuffix("-heading"))
    assert axe_check(page) == []

    actions.select("#district", "sodermalm")
    actions.click("form.filters button[type=submit]")
    page.wait_for_url("**/statistics?**district=sodermalm**")
    assert page.locator("#districts-caption").is_visible()
    _keep(actions.shot("district"))
    assert axe_check(page) == []

    actions.click("a[href^='/statistics/committee']")
    page.wait_for_url("**/statistics/committee**")
    assert page.locator("form.filters #risk").count() == 0  # read-only view
    page.emulate_media(media="print")
    _keep(actions.shot("committee-print"))
    page.emulate_media(media="screen")
    assert axe_check(page) == []
    page.close()
