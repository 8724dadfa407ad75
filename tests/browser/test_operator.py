"""The operator's page in a real browser: sign in, see the own units, confirm the free places
in one tap, block a place (first refused, the reason next to the field, nothing typed lost),
lift the block; axe on every page and a screenshot of each (also at phone width)."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import text

from placement.db import make_engine
from tests.browser.conftest import Actions, LiveApp, axe_check, sign_in

pytestmark = pytest.mark.browser


def test_operator_reports_and_blocks(browser: Browser, live: LiveApp) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    actions = Actions(page, "operator")
    sign_in(actions, live, "jour.ankaret")
    page.wait_for_url(f"{live.base_url}/operator")
    assert page.locator("h1").count() == 1
    units = page.locator("section.unit")
    assert units.count() == 1  # Föreningen Ankaret runs one unit; nobody else's is shown
    assert "Kvinnojouren Ankaret" in units.first.locator("h2").inner_text()
    unit_id = (units.first.get_attribute("id") or "").removeprefix("unit-")
    prefilled = page.input_value(f"#free_places-{unit_id}")
    assert prefilled.isdigit()
    actions.shot("units")
    assert axe_check(page) == []

    # Report the free places: the form is prefilled from the bookings, one tap confirms.
    before = actions.count
    actions.click(f"#unit-{unit_id} form.report button[type=submit]")
    expect(page).to_have_url(re.compile(r"/operator\?done=reported(_differs)?#unit-"))
    assert actions.count - before == 1
    assert page.locator(".flash").is_visible()
    assert page.locator(f"#stale-{unit_id}").count() == 0  # just confirmed: not stale
    assert page.locator(f"#unit-{unit_id} .badge.ok").is_visible()
    actions.shot("reported")
    assert axe_check(page) == []

    # Block more single places than are free: the count is refused, next to the field, and
    # the reason typed stays.
    actions.click(f"#unit-{unit_id} details.block summary")
    actions.type(f"#count-{unit_id}", "99")
    actions.type(f"#reason-{unit_id}", "Vattenskada i badrummet")
    actions.click(f"#unit-{unit_id} details.block button[type=submit]")
    error = page.locator(f"#count-{unit_id}-error")
    assert error.is_visible() and error.inner_text().strip()
    assert page.get_attribute(f"#count-{unit_id}", "aria-invalid") == "true"
    assert page.input_value(f"#reason-{unit_id}") == "Vattenskada i badrummet"
    actions.shot("block-refused")
    assert axe_check(page) == []

    # Tick a place that is free now instead (and clear the count); the block is listed with
    # its reason. "Free now" is about this moment while the block covers whole days, so a
    # place booked later in the period is refused by the service: take the next one then.
    actions.type(f"#count-{unit_id}", "")
    free = page.locator(f"#unit-{unit_id} .places label.check:not(:has(em)) input")
    assert free.count() >= 1
    for i in range(free.count()):
        free.nth(i).check()
        actions.count += 1
        actions.click(f"#unit-{unit_id} details.block button[type=submit]")
        if "done=blocked" in page.url:
            break
        assert "bokad eller spärrad" in page.inner_text("main")
        free = page.locator(f"#unit-{unit_id} .places label.check:not(:has(em)) input")
        free.nth(i).uncheck()
    expect(page).to_have_url(re.compile(r"/operator\?done=blocked#unit-"))
    assert page.locator(".flash").is_visible()
    assert "Vattenskada i badrummet" in page.locator(f"#unit-{unit_id} .blocks").inner_text()
    actions.shot("blocked")
    assert axe_check(page) == []

    # At phone width.
    page.set_viewport_size({"width": 390, "height": 844})
    actions.shot("phone")
    assert axe_check(page) == []

    # Lift the block again.
    page.set_viewport_size({"width": 1280, "height": 900})
    actions.click(f"#unit-{unit_id} .blocks button[type=submit]")
    expect(page).to_have_url(re.compile(r"/operator\?done=released#unit-"))
    assert page.locator(f"#unit-{unit_id} .blocks").count() == 0
    actions.shot("released")
    assert axe_check(page) == []
    page.close()


def _make_stale(db_url: str, unit_name: str) -> None:
    """Let the unit's last confirmation be a day old (on the table owner's connection)."""

    async def run() -> None:
        engine = make_engine(db_url)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE unit SET vacancy_confirmed_at = now() - interval '26 hours' "
                    "WHERE name = :name"
                ),
                {"name": unit_name},
            )
        await engine.dispose()

    with ThreadPoolExecutor(1) as pool:  # its own event loop
        pool.submit(asyncio.run, run()).result()


def test_stale_unit_warns(browser: Browser, live: LiveApp) -> None:
    """Trygghet Omsorg AB's unit, a day since it was confirmed: the warning is in words (not
    colour alone) until the operator confirms."""
    _make_stale(live.db_url, "Tryggheten skyddat boende")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    actions = Actions(page, "operator-stale")
    sign_in(actions, live, "tryggheten")
    page.wait_for_url(f"{live.base_url}/operator")
    unit = page.locator("section.unit").first
    assert "Tryggheten" in unit.locator("h2").inner_text()
    unit_id = (unit.get_attribute("id") or "").removeprefix("unit-")
    warning = page.locator(f"#stale-{unit_id}")
    assert warning.is_visible() and warning.inner_text().strip()
    assert page.locator("p.page-warning").is_visible()
    assert unit.locator(".badge.stale").is_visible()
    actions.shot("stale")
    assert axe_check(page) == []
    actions.click(f"#unit-{unit_id} form.report button[type=submit]")
    expect(page).to_have_url(re.compile(r"/operator\?done=reported(_differs)?#unit-"))
    assert page.locator(f"#stale-{unit_id}").count() == 0
    assert page.locator("p.page-warning").count() == 0
    actions.shot("confirmed")
    assert axe_check(page) == []
    page.close()
