"""The administrator and the header search in a real browser: create a user, give a role,
disable the account, reset a second factor; then an officer types a case number in the
header and lands on the case, with an audit entry written. Screenshots at 1366 and 390 px;
no page wider than the screen; axe clean."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from placement.config import Settings
from placement.db import make_engine, make_sessionmaker, transaction
from tests.browser.conftest import Actions, LiveApp, axe_check, sign_in

pytestmark = pytest.mark.browser
SHOTS = Path("/work/shots/i15-admin")


def _query(db_url: str, sql: str, **params: Any) -> list[Any]:
    from sqlalchemy import text

    async def run() -> list[Any]:
        settings = Settings(environment="test", cookie_secure=False, scheduler_enabled=False)
        engine = make_engine(db_url)
        async with transaction(make_sessionmaker(engine)) as s:
            rows = list((await s.execute(text(sql), params)).all())
        await engine.dispose()
        del settings
        return rows

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width  # type: ignore[index]


def _shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        _fits(page)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        page.screenshot(path=str(SHOTS / f"{name}-{width}-top.png"))  # the first screen
    page.set_viewport_size({"width": 1366, "height": 900})
    assert axe_check(page) == []


def test_admin_manages_a_user(browser: Browser, live: LiveApp) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    actions = Actions(page, "admin")
    sign_in(actions, live, "admin")
    page.wait_for_url(f"{live.base_url}/admin")
    page.goto(f"{live.base_url}/admin?lang=sv")
    assert page.locator("h1").inner_text() == "Användare"
    _shoot(page, "admin-users")

    page.fill("#username", "ny.handlaggare")
    page.fill("#display_name", "Ny Handläggare")
    page.fill("#password", "ett långt lösenord")
    page.select_option("#role", "coordinator")
    page.click("text=Skapa kontot")
    page.wait_for_url("**/admin/users/*?done=created")
    assert "Kontot är skapat." in page.locator(".flash").inner_text()
    _shoot(page, "admin-user")

    # Give the account a role with a district, then disable it.
    page.select_option("#role", "rvt_officer")
    page.select_option("#district_id", label="Farsta")
    page.check("input[name=is_team_lead]")
    page.click("text=Spara ändringarna")
    page.wait_for_url("**?done=updated")
    assert page.locator("#role").input_value() == "rvt_officer"
    page.uncheck("input[name=is_active]")
    page.click("text=Spara ändringarna")
    page.wait_for_url("**?done=updated")
    assert page.locator(".badge.bad").first.inner_text() == "Avstängt"
    rows = _query(
        live.db_url,
        "SELECT role, is_active, is_team_lead FROM user_account WHERE username = :u",
        u="ny.handlaggare",
    )
    assert [tuple(r) for r in rows] == [("rvt_officer", False, True)]

    # Reset the second factor of an officer who has one (rvt.farsta enrols on sign-in).
    other = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(Actions(other, "farsta"), live, "rvt.farsta")
    other.wait_for_url(f"{live.base_url}/desk")
    other.close()
    uid = _query(live.db_url, "SELECT id FROM user_account WHERE username = 'rvt.farsta'")[0][0]
    page.goto(f"{live.base_url}/admin/users/{uid}")
    assert "En autentiseringsapp är kopplad." in page.content()
    page.click("text=Återställ andra faktorn")
    page.wait_for_url("**?done=second_factor")
    assert "Ingen autentiseringsapp är kopplad." in page.content()
    live.totp_secrets.pop("rvt.farsta", None)
    audits = _query(
        live.db_url,
        "SELECT count(*) FROM audit_entry WHERE entity_id = :id AND reason = 'second_factor_reset'",
        id=uid,
    )
    assert audits[0][0] == 1

    # The other sections and an error page.
    page.goto(f"{live.base_url}/admin/tokens")
    _shoot(page, "admin-tokens")
    page.goto(f"{live.base_url}/admin/operators")
    _shoot(page, "admin-operators")
    page.goto(f"{live.base_url}/admin/districts")
    _shoot(page, "admin-districts")
    page.click("table a >> nth=0")
    _shoot(page, "admin-district")
    page.goto(f"{live.base_url}/admin/users/not-an-id")
    assert page.locator("h1").inner_text() == "Sidan finns inte"
    _shoot(page, "error-404")
    page.close()


def test_header_search_opens_the_case(browser: Browser, live: LiveApp) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    actions = Actions(page, "search")
    sign_in(actions, live, "socialjour")
    page.wait_for_url(f"{live.base_url}/night")
    _shoot(page, "night-menu")
    number, case_id = _query(
        live.db_url,
        "SELECT case_number, id FROM \"case\" WHERE status = 'open' ORDER BY case_number LIMIT 1",
    )[0]
    before = _query(
        live.db_url,
        "SELECT count(*) FROM audit_entry WHERE case_id = :c AND reason = 'search'",
        c=case_id,
    )[0][0]
    page.fill("#header-search", number.lower())
    page.press("#header-search", "Enter")
    page.wait_for_url(f"{live.base_url}/cases/{case_id}")
    assert number in page.content()
    after = _query(
        live.db_url,
        "SELECT count(*) FROM audit_entry WHERE case_id = :c AND reason = 'search'",
        c=case_id,
    )[0][0]
    assert after == before + 1
    page.fill("#header-search", number[:7])
    page.press("#header-search", "Enter")
    page.wait_for_url("**/search?number=*")
    assert page.locator(".cardlist li").count() >= 2
    _shoot(page, "search-results")
    page.goto(f"{live.base_url}/desk")
    _shoot(page, "desk-menu")
    page.goto(f"{live.base_url}/due")
    _shoot(page, "due-filters")
    page.close()


def test_auditor_finds_the_search_by_case_number(browser: Browser, live: LiveApp) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(Actions(page, "audit"), live, "granskare")
    page.wait_for_url(f"{live.base_url}/audit")
    number = _query(
        live.db_url,
        'SELECT c.case_number FROM audit_entry a JOIN "case" c ON c.id = a.case_id '
        "WHERE a.reason = 'search' LIMIT 1",
    )[0][0]
    page.fill("#case_number", number)
    page.fill("#username", "socialjour")
    page.click("button.primary")
    page.wait_for_url("**case_number=*")
    body = page.locator("tbody").inner_text()
    assert number in body and "hittat genom sökning" in body and "Socialjouren" in body
    _shoot(page, "audit-filtered")
    page.close()


def _bulk(db_url: str, district_code: str, count: int) -> list[str]:
    from datetime import UTC, datetime

    from sqlalchemy import text

    from tests.pages.bulk import make_cases

    async def run() -> list[str]:
        engine = make_engine(db_url)
        sm = make_sessionmaker(engine)
        async with transaction(sm) as s:
            district_id = (
                await s.execute(
                    text("SELECT id FROM district WHERE code = :c"), {"c": district_code}
                )
            ).scalar_one()
        numbers = await make_cases(sm, district_id, count, datetime.now(UTC), closed_every=5)
        await engine.dispose()
        return numbers

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def test_desk_filters_and_pages_500_cases(browser: Browser, live: LiveApp) -> None:
    bulk = _bulk(live.db_url, "sodermalm", 500)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    actions = Actions(page, "desk-filters")
    sign_in(actions, live, "rvt.sodermalm")
    page.wait_for_url(f"{live.base_url}/desk")
    page.goto(f"{live.base_url}/desk?lang=sv")
    rows = page.locator("table.cases tbody tr")
    assert rows.count() == 50
    status = page.locator("#case-count").inner_text()
    total = int(status.split(" av ")[1])
    assert total >= 400  # 400 open bulk cases and the district's own
    _shoot(page, "desk-filtered-first")
    page.click("a[rel=next]")
    page.wait_for_url("**/desk?page=2")
    assert page.locator("#case-count").inner_text().startswith("Ärende 51–100 av")
    # Closed cases, by number: the bulk cases that were closed.
    page.select_option("#f-status", "closed")
    page.select_option("#f-sort", "number")
    page.click("text=Visa")
    page.wait_for_url("**status=closed**")
    first = page.locator("table.cases tbody th[scope=row] a").first.inner_text()
    closed = sorted(n for i, n in enumerate(bulk) if i % 5 == 0)
    assert first in closed[:5] or first < closed[0]
    page.select_option("#f-risk", "none")
    page.select_option("#f-kind", "none")
    page.click("text=Visa")
    page.wait_for_url("**risk=none**")
    assert "av 100" in page.locator("#case-count").inner_text()
    _shoot(page, "desk-filtered-closed")
    page.click("text=Rensa filtren")
    page.wait_for_url(f"{live.base_url}/desk")
    assert page.locator("table.cases tbody tr").count() == 50
    page.close()
