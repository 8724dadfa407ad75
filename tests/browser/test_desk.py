"""The RVT officer's day in a real browser: sign in to the desk, open a case, renew it in one
step, move another household, end a third placement with its outcome (after a refused try
that keeps what was typed), see an identity for a stated reason, then the inbox and the due
list. axe on every page and a screenshot of each (also at phone width)."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Browser, Page, expect

from placement.clock import SystemClock
from placement.config import Settings
from placement.db import make_engine, make_sessionmaker
from placement.jobs import run_all_sweeps
from tests.browser.conftest import Actions, LiveApp, axe_check, sign_in

pytestmark = pytest.mark.browser

CASE_LINKS = "table.cases tbody th[scope=row] a"


def _sweep(db_url: str) -> None:
    """Run the scheduler's sweeps once, so the inbox has reminders in it."""

    async def run() -> None:
        settings = Settings(environment="test", cookie_secure=False, scheduler_enabled=False)
        engine = make_engine(db_url, app_role=settings.app_db_role)
        await run_all_sweeps(make_sessionmaker(engine), SystemClock(), settings)
        await engine.dispose()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def _placed_cases(page: Page) -> list[str]:
    """Links of the desk's cases whose household has a placement now."""
    links = page.locator("table.cases tbody tr.placed th[scope=row] a")
    return [links.nth(i).get_attribute("href") or "" for i in range(links.count())]


def _check(actions: Actions, label: str) -> None:
    actions.shot(label)
    assert axe_check(actions.page) == []


def test_day_desk(browser: Browser, live: LiveApp) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    actions = Actions(page, "desk")
    sign_in(actions, live, "rvt.sodermalm")
    page.wait_for_url(f"{live.base_url}/desk")
    page.goto(f"{live.base_url}/desk?lang=en")
    assert page.locator("h1").count() == 1
    assert "Södermalm" in page.locator("h1").inner_text()
    assert page.locator(CASE_LINKS).count() >= 3  # the demo district's open cases
    placed = _placed_cases(page)
    assert len(placed) >= 3
    _check(actions, "desk")

    # Open a case and renew it (one step and its confirmation).
    actions.click(f'{CASE_LINKS}[href="{placed[0]}"]')
    page.wait_for_url(f"{live.base_url}{placed[0]}")
    assert page.locator("#renew").is_visible()
    assert page.locator("h2#decisions-heading").is_visible()
    _check(actions, "case")
    ends_before = page.locator(".now dd.decision-ends").inner_text()
    actions.click("#renew")
    # The confirmation step says exactly what is renewed: who, where, from when to when.
    confirm = page.locator("#renew-confirm")
    assert confirm.is_visible()
    assert confirm.locator("li").count() >= 1
    _check(actions, "renew-confirm")
    actions.click("#renew-confirm-button")
    expect(page).to_have_url(re.compile(r"\?done=renewed$"))
    assert page.locator(".flash").is_visible()
    assert page.locator(".now dd.decision-ends").inner_text() != ends_before  # the decision runs on
    _check(actions, "renewed")

    # Show the identity for a stated reason (first refused without one).
    actions.click(".reveal button[type=submit]")
    assert page.locator("#reveal_reason-error").is_visible()
    actions.type("#reveal_reason", "Contact with the school")
    actions.click(".reveal button[type=submit]")
    assert page.locator("section.identity").is_visible()
    _check(actions, "identity")

    # Move another household to a unit with room (the first one the inventory has room for).
    moved = None
    for href in placed[1:]:
        page.goto(f"{live.base_url}{href}")
        if page.locator("#move_unit_id option:not([value=''])").count():
            moved = href
            break
    assert moved is not None, "no household in the demo district has a unit to move to"
    option = page.locator("#move_unit_id option:not([value=''])").first
    target = option.get_attribute("value") or ""
    unit_name = option.inner_text().split(" · ")[0]
    actions.select("#move_unit_id", target)
    actions.type("#move_reason", "Closer to the children's school")
    actions.click("#move-heading ~ form button[type=submit]")
    expect(page).to_have_url(re.compile(r"\?done=moved$"))
    assert unit_name in page.locator(".now").inner_text()
    _check(actions, "moved")

    # End a third placement with its outcome: first without one, which is refused next to
    # the field and keeps the note.
    third = next(h for h in placed[1:] if h != moved)
    actions.click('nav.menu a[href="/desk"]')
    actions.click(f'{CASE_LINKS}[href="{third}"]')
    page.wait_for_url(f"{live.base_url}{third}")
    actions.type("#end_reason", "Moved to a second-hand lease")
    actions.click("#end-heading ~ form button[type=submit]")
    assert page.locator("#end_outcome-error").is_visible()
    assert page.input_value("#end_reason") == "Moved to a second-hand lease"
    _check(actions, "end-refused")
    actions.select("#end_outcome", "second_hand_lease")
    actions.click("#end-heading ~ form button[type=submit]")
    expect(page).to_have_url(re.compile(r"\?done=ended$"))
    assert page.locator(".flash").is_visible()
    assert page.locator("#renew").count() == 0
    _check(actions, "ended")

    # The inbox, after the scheduler has run once.
    _sweep(live.db_url)
    actions.click('nav.menu a[href="/inbox"]')
    page.wait_for_url(f"{live.base_url}/inbox")
    assert page.locator("h1").count() == 1
    assert page.locator("table.inbox tbody tr").count() >= 1
    _check(actions, "inbox")
    actions.click("form[action='/inbox/read-all'] button")
    expect(page).to_have_url(re.compile(r"done=all_read$"))
    assert page.locator("tr.unread").count() == 0
    _check(actions, "inbox-read")

    # The due list on a page of its own.
    actions.click('nav.menu a[href="/due"]')
    page.wait_for_url(f"{live.base_url}/due")
    assert page.locator("h1").count() == 1
    _check(actions, "due")

    # At phone width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live.base_url}/desk")
    _check(actions, "desk-phone")
    page.goto(f"{live.base_url}{placed[0]}")
    _check(actions, "case-phone")
    page.close()
