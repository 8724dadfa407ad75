"""In a real browser, at 390 and 1366 px: the admin's district page with its own office
hours and a closed day, the agency's application after the landlord refused the tenant (the
way back to the watch offered), and an unknown address as a signed-in RVT officer (the menu
and the search shown). No page wider than the viewport; axe finds nothing serious."""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page

from placement.calendar import is_working_day
from tests.browser.conftest import Actions, LiveApp, axe_check, sign_in

pytestmark = pytest.mark.browser

WIDTHS = (390, 1366)
OUT = Path(os.environ.get("BK_SHOTS_DIR", "")) if os.environ.get("BK_SHOTS_DIR") else None


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width  # type: ignore[index]


def _shots(page: Page, actions: Actions, label: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        _fits(page)
        actions.shot(f"{label}-{width}")
        if OUT is not None:
            OUT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUT / f"{label}-{width}.png"), full_page=True)
    assert axe_check(page) == []


def _today() -> date:
    return datetime.now(ZoneInfo("Europe/Stockholm")).date()


def _a_coming_working_day() -> date:
    day = _today() + timedelta(days=14)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def test_admin_district_office_hours(browser: Browser, live: LiveApp) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    actions = Actions(page, "offices")
    sign_in(actions, live, "admin")
    page.goto(f"{live.base_url}/admin/districts")
    actions.click("main table a >> nth=0")
    page.wait_for_url(re.compile(r"/admin/districts/[0-9a-f-]+$"))
    district_page = page.url
    actions.type("#office_hours_start", "07:30")
    actions.type("#office_hours_end", "16:00")
    actions.click("#office-hours-h ~ form button[type=submit]")
    page.wait_for_url(re.compile(r"done=office_hours"))
    assert page.input_value("#office_hours_start") == "07:30"
    day = _a_coming_working_day()
    actions.type("#day", day.isoformat())
    actions.type("#note", "Klämdag")
    actions.click("#office-days-h ~ form button[type=submit]")
    page.wait_for_url(re.compile(r"done=office_day"))
    assert page.locator(f"text={day.isoformat()}").count() == 1
    # A refused day says what to fix and keeps what was typed.
    saturday = day + timedelta(days=(5 - day.weekday()) % 7)
    actions.type("#day", saturday.isoformat())
    actions.type("#note", "Personaldag")
    actions.click("#office-days-h ~ form button[type=submit]")
    assert page.locator("#day-error").is_visible()
    assert page.input_value("#note") == "Personaldag"
    page.goto(district_page)
    assert page.locator("h1").count() == 1 and page.locator("#office-days-h").is_visible()
    _shots(page, actions, "admin-district-office-hours")


def _api(page: Page, method: str, path: str, **kwargs: Any) -> Any:
    r = page.request.fetch(path, method=method, **kwargs)
    assert r.ok, (path, r.status, r.text())
    return r.json()


def test_priority_after_the_landlords_refusal(browser: Browser, live: LiveApp) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    actions = Actions(page, "refusal")
    sign_in(actions, live, "formedling")
    base = live.base_url
    agency = f"{base}/api/priority/agency"
    offer: dict[str, Any] | None = None
    for code in ("skarholmen", "hagersten", "farsta", "sodermalm", "kungsholmen", "bromma"):
        for rooms in (2, 3, 4):
            flat = _api(
                page,
                "POST",
                f"{agency}/flats",
                data={
                    "reference": f"BF-{code[:4]}-{rooms}",
                    "district_code": code,
                    "rooms": rooms,
                    "size_sqm": 40 + 15 * rooms,
                    "rent_sek": 6000 + 1200 * rooms,
                    "landlord": "Familjebostäder",
                    "available_from": (_today() + timedelta(days=40)).isoformat(),
                },
            )
            proposals = _api(page, "GET", f"{agency}/flats/{flat['id']}/proposals")
            fits = [
                p
                for p in proposals["proposals"]
                if p["eligible"] and p["application"]["status"] == "watch_active"
            ]
            if fits:
                offer = _api(
                    page,
                    "POST",
                    f"{agency}/flats/{flat['id']}/offers",
                    data={"application_id": fits[0]["application"]["id"]},
                )
                break
        if offer is not None:
            break
    assert offer is not None, "no watched household fits any flat"
    app_id, offer_id = offer["id"], offer["offers"][-1]["id"]
    _api(page, "POST", f"{agency}/offers/{offer_id}/response", data={"accepted": True})
    _api(page, "POST", f"{agency}/offers/{offer_id}/landlord", data={"answer": "asked"})
    _api(
        page,
        "POST",
        f"{agency}/offers/{offer_id}/landlord",
        data={"answer": "refused", "reason": "Skulder hos Kronofogden."},
    )
    page.goto(f"{base}/priority/{app_id}")
    assert page.locator("#to_status option[value=watch_active]").count() == 1
    _shots(page, actions, "priority-after-landlord-refusal")


def test_unknown_address_as_a_signed_in_rvt_officer(browser: Browser, live: LiveApp) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    actions = Actions(page, "notfound")
    sign_in(actions, live, "rvt.sodermalm")
    r = page.goto(f"{live.base_url}/no/such/page")
    assert r is not None and r.status == 404
    assert page.locator("nav.menu a[href='/desk']").count() == 1
    assert page.locator("form.search input[name=number]").count() == 1
    _shots(page, actions, "404-signed-in-rvt")
