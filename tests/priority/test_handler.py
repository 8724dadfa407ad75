"""The handler's side: list, edit, consent to share the debt note, answer an offer, withdraw."""

from __future__ import annotations

from typing import Any

from placement.clock import FrozenClock
from placement.crypto import Keyring
from placement.db import transaction
from placement.models import Case
from placement.models.enums import CaseStatus, Role
from tests.conftest import owner_sm
from tests.priority.conftest import World
from tests.priority.flow import (
    add_flat,
    assess_criterion,
    ok,
    start_application,
    watched_household,
)


async def test_handler_edits_lists_and_shares_the_debt_note_only_with_consent(
    app: Any, world: World, sign_in: Any
) -> None:
    handler = await sign_in(Role.rvt_officer, world.districts["sodermalm"])
    agency = await sign_in(Role.housing_agency)
    draft = await start_application(
        handler,
        world.case_id,
        certificate=True,
        submit=False,
        debt_obstacle=True,
        debt_note="Hyresskuld 8 000 kr",
    )
    path = f"/api/priority/applications/{draft['id']}"
    early = await handler.post(f"{path}/messages", json={"body": "Hello"})
    assert early.status_code == 409  # nothing to say to the agency about a draft
    twice = await handler.post("/api/priority/applications", json={"case_id": str(world.case_id)})
    assert twice.status_code == 409 and "in progress" in twice.json()["detail"]

    edited = ok(
        await handler.patch(
            path,
            json={"children_ages": [7, 1], "needed_district_codes": ["hagersten"]},
        )
    )
    assert edited["household_size"] == 3
    assert edited["needed_district_codes"] == ["hagersten"]
    assert edited["avoid_district_codes"] == ["farsta"]  # untouched
    empty = await handler.patch(path, json={"adults": None})
    assert empty.status_code == 422 and empty.json()["field"] == "adults"

    listed = ok(
        await handler.get("/api/priority/applications", params={"case_id": str(world.case_id)})
    )
    assert [a["id"] for a in listed] == [draft["id"]]
    assert ok(await handler.get("/api/priority/applications", params={"status": "approved"})) == []

    ok(await handler.post(f"{path}/status", json={"to_status": "submitted"}))
    agency_path = f"/api/priority/agency/applications/{draft['id']}"
    hidden = ok(await agency.get(agency_path))
    assert hidden["debt_obstacle"] is None and hidden["debt_note"] is None
    ok(await handler.patch(path, json={"consent_to_share": True}))
    ok(await agency.post(f"{agency_path}/status", json={"to_status": "under_review"}))
    await assess_criterion(agency, draft["id"])
    ok(await agency.post(f"{agency_path}/status", json={"to_status": "approved"}))
    fixed = await handler.patch(path, json={"registered_in_city_since": "2010-01-01"})
    assert fixed.status_code == 409 and fixed.json()["field"] == "registered_in_city_since"
    shared = ok(await agency.get(agency_path))
    assert shared["debt_obstacle"] is True and shared["debt_note"] == "Hyresskuld 8 000 kr"
    assert shared["household_size"] == 3 and shared["children_ages"] == [7, 1]

    withdrawn = await handler.post(f"{path}/status", json={"to_status": "closed"})
    assert withdrawn.status_code == 422  # a reason is needed
    closed = ok(
        await handler.post(
            f"{path}/status", json={"to_status": "closed", "reason": "Found a sublet."}
        )
    )
    assert closed["status"] == "closed"
    locked = await handler.patch(path, json={"max_rent_sek": 7000})
    assert locked.status_code == 409


async def test_handler_records_a_declined_offer_and_the_watch_goes_on(
    app: Any, clock: FrozenClock, keyring: Keyring, world: World, sign_in: Any
) -> None:
    handler = await sign_in(Role.rvt_officer, world.districts["sodermalm"])
    agency = await sign_in(Role.housing_agency)
    waiting = await watched_household(
        app, clock, keyring, world.districts["sodermalm"], "RV-2026-0800"
    )
    flat = await add_flat(agency, "hagersten", 2)
    offer = ok(
        await agency.post(
            f"/api/priority/agency/flats/{flat['id']}/offers",
            json={"application_id": str(waiting)},
        ),
        201,
    )["offers"][0]
    seen = ok(await handler.get(f"/api/priority/applications/{waiting}"))
    assert seen["status"] == "flat_offered"
    assert seen["offers"][0]["flat"]["landlord"] == "Familjebostäder"
    declined = ok(
        await handler.post(
            f"/api/priority/applications/{waiting}/offers/{offer['id']}/response",
            json={"accepted": False, "reason": "Too far from the children's school."},
        )
    )
    assert declined["status"] == "offer_declined"
    assert declined["offers"][0]["decline_reason"] == "Too far from the children's school."
    again = await handler.post(
        f"/api/priority/applications/{waiting}/offers/{offer['id']}/response",
        json={"accepted": True},
    )
    assert again.status_code == 409
    assert ok(await agency.get(f"/api/priority/agency/flats/{flat['id']}"))["status"] == (
        "available"
    )
    resumed = ok(
        await agency.post(
            f"/api/priority/agency/applications/{waiting}/status",
            json={"to_status": "watch_active"},
        )
    )
    assert resumed["status"] == "watch_active"


async def test_no_application_for_a_closed_case(app: Any, world: World, sign_in: Any) -> None:
    handler = await sign_in(Role.rvt_officer, world.districts["sodermalm"])
    async with transaction(owner_sm(app)) as s:
        case = await s.get(Case, world.case_id)
        assert case is not None
        case.status = CaseStatus.closed
    r = await handler.post("/api/priority/applications", json={"case_id": str(world.case_id)})
    assert r.status_code == 409 and "closed" in r.json()["detail"]
