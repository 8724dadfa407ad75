"""The rule book's states in a real browser, at phone and desktop width: the case page of a
household living on after its decision ran out, and the case page of a reasoned override
(the refused renewal's override form is tested over HTTP in tests/pages). axe on each page,
no page wider than the screen, a screenshot of each."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import text

from placement.db import make_engine
from tests.browser.conftest import Actions, LiveApp, axe_check, sign_in

pytestmark = pytest.mark.browser
NAMED = {"sodermalm": "rvt.sodermalm", "enskede-arsta-vantor": "rvt.eav", "farsta": "rvt.farsta"}
WIDTHS = (390, 1366)


def _query(db_url: str, sql: str) -> list[tuple[str, str]]:
    async def run() -> list[tuple[str, str]]:
        engine = make_engine(db_url)
        async with engine.connect() as conn:
            rows = (await conn.execute(text(sql))).all()
        await engine.dispose()
        return [(str(a), str(b)) for a, b in rows]

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def _case_of(live: LiveApp, where: str) -> tuple[str, str]:
    rows = _query(
        live.db_url,
        'SELECT c.id, d.code FROM decision x JOIN "case" c ON c.id = x.case_id '
        f"JOIN district d ON d.id = c.responsible_district_id WHERE x.child_id IS NULL AND {where} "
        "ORDER BY c.case_number LIMIT 1",
    )
    assert rows, where
    return rows[0]


def _look(page: Page, actions: Actions, label: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (label, width)
        actions.shot(f"{label}-{width}")
        assert axe_check(page) == [], (label, width)


def test_case_pages_of_the_rule_book(browser: Browser, live: LiveApp) -> None:
    lapsed_case, lapsed_district = _case_of(
        live, "x.ends_at < now() AND x.status IN ('active', 'lapsed') AND c.status = 'open'"
    )
    page = browser.new_page()
    actions = Actions(page, "rulebook")
    sign_in(actions, live, NAMED.get(lapsed_district, f"rvt.{lapsed_district}"))
    page.goto(f"{live.base_url}/cases/{lapsed_case}")
    assert "Bor kvar utan giltigt beslut." in page.inner_text("main")
    _look(page, actions, "living-without-decision")
    page.close()

    override_case, override_district = _case_of(
        live, "cardinality(x.overridden_rules) > 0 AND x.status = 'active'"
    )
    page = browser.new_page()
    actions = Actions(page, "rulebook-override")
    sign_in(actions, live, NAMED.get(override_district, f"rvt.{override_district}"))
    page.goto(f"{live.base_url}/cases/{override_case}")
    main = page.inner_text("main")
    assert "Undantag" in main and "skyddsnivå" in main
    _look(page, actions, "override")
    page.close()
