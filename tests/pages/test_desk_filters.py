"""The desk's filters, order and pages over HTTP, with 500 cases: 50 a page, the filters
narrow the list, only the cases shown are audited, a value the form does not offer is a
clear 422 page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlmodel import col, func, select

from placement.clock import FrozenClock
from placement.models import AuditEntry
from placement.models.enums import Role
from tests.conftest import ClientFactory, owner_sm
from tests.decisions.factories import World, make_world
from tests.pages.bulk import make_cases
from tests.pages.test_desk_page import placed

ROW = re.compile(r'<th scope="row" class="nowrap"><a href="/cases/[^"]+">([^<]+)</a>')


@pytest.fixture
async def world(app: Any) -> World:
    return await make_world(owner_sm(app))


def numbers(page: str) -> list[str]:
    return ROW.findall(page)


async def _reads(app: Any) -> int:
    async with owner_sm(app)() as s:
        n = await s.scalar(
            select(func.count()).select_from(AuditEntry).where(col(AuditEntry.action) == "read")
        )
        return int(n or 0)


async def test_500_cases_in_pages_of_50_with_filters(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    real = await placed(rvt, world, children=0)  # high risk, in a protected shelter
    bulk = await make_cases(owner_sm(app), world.district_a.id, 500, clock.now(), closed_every=10)
    await rvt.get("/desk?lang=en")
    before = await _reads(app)
    page = (await rvt.get("/desk")).text
    assert "Cases 1–50 of 451" in page  # 450 open bulk cases and the real one
    assert len(numbers(page)) == 50
    # Only the cases shown are audited (one read each; none of them is due).
    assert await _reads(app) - before == 50
    assert 'rel="next" href="/desk?page=2"' in page and 'rel="prev"' not in page

    last = (await rvt.get("/desk?page=10")).text
    assert "Cases 451–451 of 451" in last and len(numbers(last)) == 1
    assert "Page 10 of 10" in last and 'rel="next"' not in last
    beyond = (await rvt.get("/desk?page=99")).text
    assert "Page 10 of 10" in beyond  # a page past the end shows the last

    ordered = numbers((await rvt.get("/desk?sort=number&status=all")).text)
    assert ordered == sorted([*bulk, real["case_number"]])[:50]
    assert "Cases 1–50 of 501" in (await rvt.get("/desk?status=all")).text
    closed = (await rvt.get("/desk?status=closed&sort=number")).text
    assert "Cases 1–50 of 50" in closed and numbers(closed)[0] == bulk[0]
    newest = numbers((await rvt.get("/desk?sort=opened&status=open")).text)
    assert newest[0] == real["case_number"]

    high = (await rvt.get("/desk?risk=high")).text
    assert numbers(high) == [real["case_number"]]
    sheltered = (await rvt.get("/desk?kind=protected_shelter")).text
    assert numbers(sheltered) == [real["case_number"]]
    unplaced = (await rvt.get("/desk?kind=none&risk=none")).text
    assert "Cases 1–50 of 450" in unplaced
    nothing_due = (await rvt.get("/desk?due=nothing")).text
    assert "of 450" in nothing_due  # the real placement has its first follow-up due soon
    assert numbers((await rvt.get("/desk?due=soon")).text) == [real["case_number"]]
    assert "No case matches the filters." in (await rvt.get("/desk?due=overdue")).text
    # The filters are kept in the pager's links.
    filtered = (await rvt.get("/desk?risk=none&sort=number")).text
    assert 'href="/desk?risk=none&amp;sort=number&amp;page=2"' in filtered


async def test_socialjouren_filters_by_district(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    await make_cases(owner_sm(app), world.district_a.id, 3, clock.now())
    await make_cases(owner_sm(app), world.district_b.id, 2, clock.now(), start=100)
    jour = await client_for(Role.socialjour)
    page = (await jour.get("/desk?lang=en")).text
    assert 'id="f-district"' in page and "of 5" in page
    only_b = (await jour.get(f"/desk?district_id={world.district_b.id}")).text
    assert "Cases 1–2 of 2" in only_b
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    own = (await rvt.get("/desk?lang=en")).text
    assert 'id="f-district"' not in own
    # An officer cannot widen the scope with the district filter.
    other = (await rvt.get(f"/desk?district_id={world.district_b.id}")).text
    assert "No case matches the filters." in other


async def test_a_value_the_form_does_not_offer(world: World, client_for: ClientFactory) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    for bad in ("risk=extreme", "page=abc", "sort=name", "district_id=nope"):
        r = await rvt.get(f"/desk?{bad}&lang=en")
        assert r.status_code == 422, bad
        assert r.headers["content-type"].startswith("text/html")
        assert "Check this value." in r.text


async def test_the_due_list_filtered_by_what_and_district(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    from datetime import timedelta

    first = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed(first, world)
    clock.advance(timedelta(days=2))  # the first follow-ups are overdue
    night = await client_for(Role.socialjour)
    await night.get("/due?lang=en")
    page = (await night.get("/due")).text
    assert 'id="f-district"' in page and case["case_number"] in page
    assert '<option value="follow_up_overdue">Follow-up overdue</option>' in page
    before = await _reads(app)
    only = (await night.get("/due?what=follow_up_overdue")).text
    assert case["case_number"] in only and "Court submission deadline" not in only
    assert await _reads(app) - before == 1  # the one case shown, read once
    elsewhere = (await night.get(f"/due?district_id={world.district_b.id}")).text
    assert case["case_number"] not in elsewhere
    assert await _reads(app) - before == 1  # nothing shown, nothing read
    assert (await night.get("/due?page=x")).status_code == 422


def _due_section(page: str) -> str:
    return page[page.index('id="due-heading"') : page.index('id="cases-heading"')]


async def test_the_due_section_honours_the_filters(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    from tests.decisions.factories import audit_count, household_json

    sm = owner_sm(app)
    rvt_a = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    high_a = await placed(rvt_a, world, children=0)  # high risk, district A
    medium = household_json(
        world, children=0, risk_assessments=[{"instrument": "freda", "level": "medium"}]
    )
    r = await rvt_a.post("/api/cases", json=medium)
    assert r.status_code == 201, r.text
    medium_a = r.json()
    body = {"unit_id": str(world.shelter2.id), "children": []}
    r = await rvt_a.post(f"/api/cases/{medium_a['id']}/decisions", json=body)
    assert r.status_code == 201, r.text
    rvt_b = await client_for(Role.rvt_officer, district_id=world.district_b.id)
    in_b = household_json(
        world,
        children=0,
        responsible_district_id=str(world.district_b.id),
        exclusion_areas=[{"district_code": world.district_a.code, "kind": "perpetrator_home"}],
    )
    r = await rvt_b.post("/api/cases", json=in_b)
    assert r.status_code == 201, r.text
    case_b = r.json()
    body = {"unit_id": str(world.shelter.id), "children": []}
    r = await rvt_b.post(f"/api/cases/{case_b['id']}/decisions", json=body)
    assert r.status_code == 201, r.text
    numbers_ = {c["case_number"]: c for c in (high_a, medium_a, case_b)}

    jour = await client_for(Role.socialjour)
    everything = _due_section((await jour.get("/desk?lang=en")).text)
    assert all(n in everything for n in numbers_)  # each has its first follow-up due soon
    reads = {n: await audit_count(sm, c["id"], "read") for n, c in numbers_.items()}

    only_b = _due_section((await jour.get(f"/desk?district_id={world.district_b.id}")).text)
    assert case_b["case_number"] in only_b
    assert high_a["case_number"] not in only_b and medium_a["case_number"] not in only_b
    # Only what is shown is read: the cases of district A were not read again.
    assert await audit_count(sm, high_a["id"], "read") == reads[high_a["case_number"]]
    assert await audit_count(sm, medium_a["id"], "read") == reads[medium_a["case_number"]]
    assert await audit_count(sm, case_b["id"], "read") == reads[case_b["case_number"]] + 1

    by_risk = _due_section((await rvt_a.get("/desk?risk=medium")).text)
    assert medium_a["case_number"] in by_risk and high_a["case_number"] not in by_risk
    for empty in ("risk=none", "kind=none", "status=closed", "due=nothing", "due=overdue"):
        section = _due_section((await jour.get(f"/desk?{empty}")).text)
        assert not any(n in section for n in numbers_), empty
