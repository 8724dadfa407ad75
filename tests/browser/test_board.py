"""The coordinator's board in a real browser: sign in, every unit by district, filter by kind,
run the joint plan and accept one assignment (a hold), run move-on and accept one move; axe on
every page and a screenshot of each (also at phone width)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import Actions, LiveApp, axe_check, sign_in

pytestmark = pytest.mark.browser


# The widest scroll width of any element on the page: a table scrolling sideways inside its
# card passes the document's check but still hides columns.
WIDEST_BOX = "Math.max(...[...document.querySelectorAll('body *')].map(e => e.scrollWidth))"


def test_coordinator_board(browser: Browser, live: LiveApp) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    actions = Actions(page, "board")
    sign_in(actions, live, "samordnare")
    page.wait_for_url(f"{live.base_url}/board")
    assert page.locator("h1").count() == 1
    all_units = page.locator("table.board th[scope=row]").count()
    assert all_units == 50  # a page of the demo city's inventory
    assert page.locator("nav.pager").count() == 1
    assert page.locator("table.board td.district").count() == 50
    assert page.locator("table.board .badge.stale").count() >= 1  # some reports are old
    actions.shot("units")
    assert axe_check(page) == []
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.context.add_cookies(page.context.cookies())
    phone.goto(f"{live.base_url}/board?sort=free")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # Each unit is a card on a phone; nothing scrolls sideways inside its box either.
    assert phone.evaluate(WIDEST_BOX) <= 390
    assert phone.locator("table.board td.num[data-label]").first.is_visible()
    Actions(phone, "board-390").shot("units")
    phone.close()

    # Filter by kind.
    actions.select("#kind", "protected_shelter")
    actions.click("form.filter button[type=submit]")
    page.wait_for_url("**/board?*kind=protected_shelter*")
    shelters = page.locator("table.board th[scope=row]").count()
    assert 0 < shelters < all_units
    actions.shot("shelters")
    assert axe_check(page) == []

    # The joint plan: every open request at once; accept one assignment.
    actions.click("#joint form button[type=submit]")
    expect(page).to_have_url(
        re.compile(r"/board\?kind=protected_shelter&joint=[0-9a-f-]+.*#joint$")
    )
    assert page.locator("#joint .facts").is_visible()  # solver status and gap
    proposals = page.locator("#joint li.proposal")
    assert proposals.count() >= 1
    first = proposals.first
    anchor = first.get_attribute("id")
    assert first.locator("h3").inner_text().strip()  # the case number
    # The coordinator sees the plan, not the cases: no reasons about the household.
    assert first.locator("ul.reasons li").count() == 0
    assert page.locator("#joint .card .hint").last.is_visible()
    actions.shot("joint-plan")
    assert axe_check(page) == []
    actions.click(f"#{anchor} form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"done=accepted#{anchor}$"))
    assert page.locator(".flash").is_visible()
    assert page.locator(f"#{anchor} .badge.ok").is_visible()  # held
    assert page.locator(f"#{anchor} form").count() == 0
    actions.shot("joint-accepted")
    assert axe_check(page) == []

    # Move-on: post-acute households in shelters to interim housing; accept one move.
    actions.click("#moveon form button[type=submit]")
    expect(page).to_have_url(re.compile(r"moveon=[0-9a-f-]+.*#moveon$"))
    assert page.locator("#joint li.proposal").count() >= 1  # the joint plan stays on show
    assert page.locator("#moveon .facts").is_visible()
    moves = page.locator("#moveon li.proposal")
    assert moves.count() >= 1
    move = moves.first.get_attribute("id")
    actions.shot("move-on")
    assert axe_check(page) == []
    actions.click(f"#{move} form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"done=accepted#{move}$"))
    assert page.locator(f"#{move} .badge.ok").is_visible()
    actions.shot("move-accepted")
    assert axe_check(page) == []

    # At phone width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live.base_url}/board?kind=shis_interim")
    actions.shot("phone")
    assert axe_check(page) == []
    page.close()
