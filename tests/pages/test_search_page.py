"""Search by case number from the page header: the whole number opens the case, the start
of it lists the cases it fits; only the reader's own cases; every case found audited."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, func, select

from placement.models import AuditEntry
from placement.models.enums import Role
from tests.conftest import ClientFactory, owner_sm
from tests.decisions.factories import World, make_world
from tests.pages.test_desk_page import placed


@pytest.fixture
async def world(app: Any) -> World:
    return await make_world(owner_sm(app))


async def _searches(app: Any, case_id: str) -> int:
    async with owner_sm(app)() as s:
        n = await s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(col(AuditEntry.case_id) == case_id, col(AuditEntry.reason) == "search")
        )
        return int(n or 0)


async def test_the_whole_number_opens_the_case_and_is_audited(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed(rvt, world, children=0)
    number = case["case_number"]
    r = await rvt.get("/search", params={"number": f"  {number.lower()} "})
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{case['id']}"
    assert await _searches(app, case["id"]) == 1
    assert (await rvt.get(r.headers["location"])).status_code == 200


async def test_the_start_of_a_number_lists_the_cases_it_fits(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    one = await placed(rvt, world, children=0)
    two = await placed(rvt, world, children=0)
    prefix = "RV-"
    r = await rvt.get("/search", params={"number": prefix, "lang": "en"})
    assert r.status_code == 200
    assert one["case_number"] in r.text and two["case_number"] in r.text
    assert "Cases whose number starts with RV-" in r.text
    assert await _searches(app, one["id"]) == 1
    r = await rvt.get("/search", params={"number": "ZZZZ"})
    assert r.status_code == 200 and "No case of yours" in r.text


async def test_another_districts_case_is_not_found(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    owner = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed(owner, world, children=0)
    other = await client_for(Role.rvt_officer, district_id=world.district_b.id)
    r = await other.get("/search", params={"number": case["case_number"], "lang": "en"})
    assert r.status_code == 200 and "No case of yours" in r.text
    assert case["id"] not in r.text
    assert await _searches(app, case["id"]) == 0


async def test_bad_input_and_other_roles(client_for: ClientFactory, world: World) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    r = await rvt.get("/search", params={"number": "%_", "lang": "en"})
    assert r.status_code == 422 and "Write at least two characters" in r.text
    assert 'aria-invalid="true"' in r.text
    auditor = await client_for(Role.auditor)
    r = await auditor.get("/search", params={"number": "RV-2026"})
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
