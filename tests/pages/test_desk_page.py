"""The day desk and the due list over HTTP: my district's open cases and what is due, most
urgent first, no names; acknowledging a hand-over in one click; who may see the pages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from placement.clock import FrozenClock
from placement.crypto import Keyring
from placement.db import transaction
from placement.models import District, Handover, Unit
from placement.models.enums import Role
from tests.conftest import ClientFactory, owner_sm
from tests.decisions.factories import (
    ADULT_NAME,
    PERSONAL_NUMBER,
    World,
    audit_count,
    household_json,
    make_world,
)
from tests.pages.helpers import csrf_of


@pytest.fixture
async def world(app: Any) -> World:
    return await make_world(owner_sm(app))


async def placed(client: httpx.AsyncClient, world: World, children: int = 1) -> dict[str, Any]:
    r = await client.post("/api/cases", json=household_json(world, children=children))
    assert r.status_code == 201, r.text
    case: dict[str, Any] = r.json()
    body: dict[str, Any] = {"unit_id": str(world.shelter.id)}
    body["children"] = [
        {"child_id": c["id"], "legal_basis": "sol_guardian_consent",
         "consent_status": "both_guardians", "assessment_note": "Går i skola."}
        for c in case["children"]
    ]  # fmt: skip
    r = await client.post(f"/api/cases/{case['id']}/decisions", json=body)
    assert r.status_code == 201, r.text
    case["placement"] = r.json()
    return case


async def test_desk_lists_open_cases_and_what_is_due(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    first = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    early = await placed(first, world, children=2)
    clock.advance(timedelta(days=13))  # follow-ups overdue, the decision ends tomorrow
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    late = await placed(rvt, world, children=0)  # a new placement: nothing due yet
    sm = owner_sm(app)

    r = await rvt.get("/desk?lang=en")
    assert r.status_code == 200, r.text
    page = r.text
    assert (
        page.count("<h1") == 1 and f'Day desk <span class="sub">· {world.district_a.name}' in page
    )
    assert early["case_number"] in page and late["case_number"] in page
    assert ADULT_NAME not in page and PERSONAL_NUMBER not in page  # no names by default
    assert "Skydd Ett" in page and "Protected shelter" in page
    assert "Follow-up overdue" in page and "Decision ends soon" in page
    assert '<th scope="col">' in page and 'class="tablewrap' in page
    # Most urgent first: the overdue follow-ups, then the decision ending tomorrow.
    due = page[page.index('id="due-heading"') : page.index('id="cases-heading"')]
    assert due.index("Follow-up overdue") < due.index("Decision ends soon")
    assert due.index(">Overdue <") < due.index("Later, within 48 hours")
    cases = page[page.index('id="cases-heading"') :]
    assert cases.index(early["case_number"]) < cases.index(late["case_number"])
    # Each case shown is audited once, although it is both listed and due.
    assert await audit_count(sm, early["id"], "read") == 1
    assert await audit_count(sm, late["id"], "read") == 1

    stranger = await client_for(Role.rvt_officer, district_id=world.district_b.id)
    other = (await stranger.get("/desk?lang=en")).text
    assert early["case_number"] not in other and "No case matches the filters." in other


async def test_the_due_page(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    first = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed(first, world)
    clock.advance(timedelta(days=2))
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    r = await rvt.get("/due?lang=en")
    assert r.status_code == 200
    assert "Due and overdue" in r.text and "Follow-up overdue" in r.text
    assert f'href="/cases/{case["id"]}"' in r.text and ADULT_NAME not in r.text
    assert await audit_count(owner_sm(app), case["id"], "read") == 1
    night = await client_for(Role.socialjour)
    r = await night.get("/due?lang=en")
    assert r.status_code == 200 and case["case_number"] in r.text


async def test_acknowledge_a_handover_from_the_desk(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    night = await client_for(Role.socialjour)
    case = await placed(night, world)
    handover = case["placement"]["handover"]
    assert handover is not None
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    page = (await rvt.get("/desk?lang=en")).text
    action = f'action="/handovers/{handover["id"]}/acknowledge"'
    assert action in page and "Hand-over from the social emergency service" in page
    assert action not in (await night.get("/desk?lang=en")).text  # not Socialjouren's to do

    token = await csrf_of(rvt, "/desk")
    r = await rvt.post(
        f"/handovers/{handover['id']}/acknowledge",
        data={"csrf_token": token, "next": "/desk"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/desk?done=acknowledged"
    async with transaction(owner_sm(app)) as s:
        row = await s.get(Handover, handover["id"])
        assert row is not None and row.acknowledged_at is not None
    page = (await rvt.get("/desk?done=acknowledged&lang=en")).text
    assert 'class="flash"' in page and action not in page

    # Twice: the message shows on the page it came from (the due list here).
    token = await csrf_of(rvt, "/due")
    r = await rvt.post(
        f"/handovers/{handover['id']}/acknowledge?lang=en",
        data={"csrf_token": token, "next": "/due"},
    )
    assert r.status_code == 409 and "Due and overdue" in r.text
    assert "The hand-over is already acknowledged." in r.text
    # An unknown hand-over; an outside redirect target is ignored.
    token = await csrf_of(rvt, "/desk")
    r = await rvt.post(
        "/handovers/7d1f6c5e-0000-4000-8000-000000000000/acknowledge?lang=en",
        data={"csrf_token": token, "next": "https://example.com/"},
    )
    assert r.status_code == 404 and "Day desk" in r.text


async def test_who_may_see_the_desk(
    world: World, client_for: ClientFactory, anon_client: httpx.AsyncClient
) -> None:
    for path in ("/desk", "/due"):
        r = await anon_client.get(path)
        assert r.status_code == 303 and r.headers["location"] == f"/login?next={path}"
    coordinator = await client_for(Role.coordinator)
    agency = await client_for(Role.housing_agency)
    for client in (coordinator, agency):
        assert (await client.get("/desk")).status_code == 403
        assert (await client.get("/due")).status_code == 403
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    assert (await rvt.get("/desk")).status_code == 200
    r = await rvt.post("/handovers/7d1f6c5e-0000-4000-8000-000000000000/acknowledge", data={})
    assert r.status_code == 403  # no CSRF token


async def test_desk_and_case_pages_in_the_demo_city(
    app: Any, demo: dict[str, int], client_for: ClientFactory, keyring: Keyring
) -> None:
    """The demo city's Södermalm desk: real volume, and never a shelter's street address."""
    async with transaction(owner_sm(app)) as s:
        sodermalm = await s.scalar(select(District).where(col(District.code) == "sodermalm"))
        assert sodermalm is not None
        ciphers = (await s.execute(select(Unit.address_ciphertext))).scalars().all()
    addresses = [keyring.decrypt(c, associated="unit_address") for c in ciphers if c]
    rvt = await client_for(Role.rvt_officer, district_id=sodermalm.id)
    desk = await rvt.get("/desk")
    assert desk.status_code == 200
    links = re.findall(r'<th scope="row" class="nowrap"><a href="(/cases/[0-9a-f-]+)">', desk.text)
    assert links
    for page in [desk.text, (await rvt.get(links[0])).text, (await rvt.get("/due")).text]:
        assert not any(a in page for a in addresses)
    # Socialjouren works city-wide: its desk lists every district's open cases.
    night = await client_for(Role.socialjour)
    r = await night.get(links[0])
    assert r.status_code == 200
    r = await night.get("/desk")
    assert r.status_code == 200 and links[0] in r.text
