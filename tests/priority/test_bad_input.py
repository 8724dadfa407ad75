"""Bad input is refused with a message a housing officer or social worker understands, and
nothing is half-saved."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from placement.clock import FrozenClock
from placement.crypto import Keyring
from placement.db import transaction
from placement.models import (
    FlatOffer,
    PriorityAppeal,
    PriorityApplication,
    PriorityCommitteeMeeting,
    PriorityStatusChange,
    WatchedFlat,
)
from placement.models.enums import PriorityStatus, Role
from tests.conftest import owner_sm
from tests.priority.conftest import World
from tests.priority.flow import (
    add_flat,
    assess_criterion,
    ok,
    start_application,
    watched_household,
)


async def _count(app: Any, model: Any, *where: Any) -> int:
    async with transaction(owner_sm(app)) as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@pytest.mark.parametrize(
    ("household", "flat", "words"),
    [
        ({"adults": 2, "children_ages": [3, 6, 9]}, {"rooms": 1}, "needs at least 3"),
        ({"adults": 1}, {"rooms": 4}, "let at most 2"),
        ({"avoid_district_codes": ["skarholmen"]}, {"rooms": 2}, "must avoid"),
        ({"needs_wheelchair": True}, {"rooms": 2}, "wheelchair-accessible"),
    ],
)
async def test_offer_to_a_household_the_flat_does_not_suit(
    app: Any,
    clock: FrozenClock,
    keyring: Keyring,
    world: World,
    sign_in: Any,
    household: dict[str, Any],
    flat: dict[str, Any],
    words: str,
) -> None:
    agency = await sign_in(Role.housing_agency)
    app_id = await watched_household(
        app, clock, keyring, world.districts["kungsholmen"], "RV-2026-0500", **household
    )
    registered = await add_flat(agency, "skarholmen", **flat)
    r = await agency.post(
        f"/api/priority/agency/flats/{registered['id']}/offers",
        json={"application_id": str(app_id)},
    )
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith("This flat does not suit the household:")
    assert words in r.json()["detail"]
    assert r.json()["field"] == "application_id"
    # Nothing half-saved: no offer, the flat is still free, the household still waits.
    assert await _count(app, FlatOffer) == 0
    async with transaction(owner_sm(app)) as s:
        row = await s.get(WatchedFlat, uuid.UUID(registered["id"]))
        assert row is not None and row.status == "available"
        application = await s.get(PriorityApplication, app_id)
        assert application is not None and application.status == PriorityStatus.watch_active
    assert await _count(app, PriorityStatusChange) == 0


async def test_a_committee_date_in_the_past_is_refused(app: Any, sign_in: Any) -> None:
    agency = await sign_in(Role.housing_agency)
    r = await agency.post(
        "/api/priority/agency/committee-meetings", json={"meets_on": "2026-11-23"}
    )
    assert r.status_code == 422
    assert r.json() == {
        "detail": "The committee date 2026-11-23 is in the past. Enter a coming date.",
        "field": "meets_on",
    }
    assert await _count(app, PriorityCommitteeMeeting) == 0
    today = ok(
        await agency.post(
            "/api/priority/agency/committee-meetings", json={"meets_on": "2026-11-24"}
        ),
        201,
    )
    assert today["papers_due_on"] == "2026-11-17"  # committee_papers_due_days = 7
    twice = await agency.post(
        "/api/priority/agency/committee-meetings", json={"meets_on": "2026-11-24"}
    )
    assert twice.status_code == 409
    assert await _count(app, PriorityCommitteeMeeting) == 1


async def test_a_status_jump_that_skips_a_step_is_refused(
    app: Any, world: World, sign_in: Any
) -> None:
    handler = await sign_in(Role.rvt_officer, world.districts["sodermalm"])
    agency = await sign_in(Role.housing_agency)
    created = await start_application(handler, world.case_id)
    path = f"/api/priority/agency/applications/{created['id']}/status"

    skipped = await agency.post(path, json={"to_status": "approved"})
    assert skipped.status_code == 409
    assert skipped.json()["detail"] == (
        "An application that is submitted cannot become approved: that would skip a step. "
        "From submitted you can make it: certificate requested, under review."
    )
    assert skipped.json()["field"] == "to_status"
    far = await agency.post(path, json={"to_status": "contract_signed"})
    assert far.status_code == 409 and "skip a step" in far.json()["detail"]
    # A step with its own action says which action to use.
    via = await agency.post(path, json={"to_status": "certificate_requested", "reason": "x"})
    assert via.status_code == 409
    assert via.json()["detail"] == (
        "To make the application certificate requested, request a certificate."
    )
    # A step that belongs to the other side.
    other_side = await handler.post(
        f"/api/priority/applications/{created['id']}/status", json={"to_status": "under_review"}
    )
    assert other_side.status_code == 403
    assert other_side.json()["detail"] == (
        "Only the housing agency can make an application under review."
    )
    # Nothing changed.
    seen = ok(await agency.get(f"/api/priority/agency/applications/{created['id']}"))
    assert seen["status"] == "submitted"
    assert [h["to_status"] for h in seen["history"]] == ["draft", "submitted"]
    assert seen["next_statuses"] == ["certificate_requested", "under_review"]


async def test_review_needs_a_certificate_and_a_request_notifies_the_handler(
    app: Any, world: World, sign_in: Any
) -> None:
    from placement.models import Notification, Reminder
    from placement.models.enums import ReminderKind

    handler = await sign_in(Role.rvt_officer, world.districts["sodermalm"])
    agency = await sign_in(Role.housing_agency)
    created = await start_application(handler, world.case_id, certificate=False)
    agency_path = f"/api/priority/agency/applications/{created['id']}"
    r = await agency.post(f"{agency_path}/status", json={"to_status": "under_review"})
    assert r.status_code == 409
    assert "no certificate" in r.json()["detail"]

    asked = ok(
        await agency.post(
            f"{agency_path}/certificate-request",
            json={"reason": "Please describe the need for a flat in Skärholmen."},
        )
    )
    assert asked["status"] == "certificate_requested"
    async with transaction(owner_sm(app)) as s:
        reminder = await s.scalar(
            select(Reminder).where(col(Reminder.kind) == ReminderKind.certificate_requested)
        )
        assert reminder is not None
        assert reminder.district_id == world.districts["sodermalm"]
        assert reminder.case_id == world.case_id and reminder.resolved_at is None
        inbox = await s.scalar(
            select(Notification).where(col(Notification.reminder_id) == reminder.id)
        )
        assert inbox is not None
        assert inbox.recipient_key == f"team:{world.districts['sodermalm']}"
        assert inbox.kind == "certificate_requested"

    # The handler sees the request, writes the certificate, and the application is back.
    seen = ok(await handler.get(f"/api/priority/applications/{created['id']}"))
    assert seen["history"][-1]["reason"] == "Please describe the need for a flat in Skärholmen."
    back = ok(
        await handler.post(
            f"/api/priority/applications/{created['id']}/certificates",
            json={"supports": "The children's school is in Skärholmen; strong social needs."},
        ),
        201,
    )
    assert back["status"] == "submitted"
    assert back["certificates"][0]["written_by"] is not None
    ok(await agency.post(f"{agency_path}/status", json={"to_status": "under_review"}))
    async with transaction(owner_sm(app)) as s:
        reminder = await s.scalar(
            select(Reminder).where(col(Reminder.kind) == ReminderKind.certificate_requested)
        )
        assert reminder is not None and reminder.resolved_at is not None


async def test_an_override_needs_the_agency_and_a_reason(
    app: Any, world: World, sign_in: Any
) -> None:
    handler = await sign_in(Role.rvt_officer, world.districts["sodermalm"])
    agency = await sign_in(Role.housing_agency)
    created = await start_application(handler, world.case_id, registered_in_city_since="2026-01-01")
    path = f"/api/priority/agency/applications/{created['id']}"
    ok(await agency.post(f"{path}/status", json={"to_status": "under_review"}))
    short = await agency.post(
        f"{path}/eligibility-overrides", json={"check": "two_year_registration", "reason": "ok"}
    )
    assert short.status_code == 422
    passing = await agency.post(
        f"{path}/eligibility-overrides",
        json={"check": "independent_living", "reason": "Confirmed by the handler already."},
    )
    assert passing.status_code == 409 and "passes" in passing.json()["detail"]
    done = ok(
        await agency.post(
            f"{path}/eligibility-overrides",
            json={
                "check": "two_year_registration",
                "reason": "Lived in the city on sublets since 2019 (leases shown).",
            },
        ),
        201,
    )
    check = next(c for c in done["eligibility"] if c["code"] == "two_year_registration")
    assert check["result"] == "failed" and check["overridden"] is True  # shown, not hidden
    assert check["override_reason"].startswith("Lived in the city")
    assert check["overridden_by"] is not None and check["overridden_at"] is not None
    await assess_criterion(agency, created["id"])
    approved = ok(await agency.post(f"{path}/status", json={"to_status": "approved"}))
    assert approved["status"] == "approved"
    handler_view = ok(await handler.get(f"/api/priority/applications/{created['id']}"))
    assert handler_view["eligibility"][0]["overridden"] is True


async def test_more_refusals_leave_nothing_behind(
    app: Any, clock: FrozenClock, keyring: Keyring, world: World, sign_in: Any
) -> None:
    handler = await sign_in(Role.rvt_officer, world.districts["sodermalm"])
    agency = await sign_in(Role.housing_agency)
    new = "/api/priority/applications"
    both = await handler.post(
        new,
        json={
            "case_id": str(world.case_id),
            "avoid_district_codes": ["farsta"],
            "needed_district_codes": ["farsta"],
        },
    )
    assert both.status_code == 422
    assert both.json()["detail"] == "An area cannot be both avoided and needed: farsta."
    unknown = await handler.post(
        new, json={"case_id": str(world.case_id), "avoid_district_codes": ["atlantis"]}
    )
    assert unknown.status_code == 422 and "atlantis" in unknown.json()["detail"]
    future = await handler.post(
        new, json={"case_id": str(world.case_id), "registered_in_city_since": "2027-01-01"}
    )
    assert future.status_code == 422
    bad_age = await handler.post(new, json={"case_id": str(world.case_id), "children_ages": [40]})
    assert bad_age.status_code == 422 and "children_ages" in bad_age.json()["detail"]
    assert await _count(app, PriorityApplication) == 0

    # Reject without a reason; appeal with no meeting planned.
    created = await start_application(handler, world.case_id, registered_in_city_since="2026-01-01")
    path = f"/api/priority/agency/applications/{created['id']}"
    ok(await agency.post(f"{path}/status", json={"to_status": "under_review"}))
    silent = await agency.post(f"{path}/status", json={"to_status": "rejected"})
    assert silent.status_code == 422 and silent.json()["field"] == "reason"
    ok(await agency.post(f"{path}/status", json={"to_status": "rejected", "reason": "Two years."}))
    appeal = await handler.post(
        f"/api/priority/applications/{created['id']}/appeal",
        json={"grounds": "The registration was interrupted by the protected address."},
    )
    assert appeal.status_code == 409 and "next meeting" in appeal.json()["detail"]
    assert await _count(app, PriorityAppeal) == 0
    assert ok(await handler.get(f"/api/priority/applications/{created['id']}"))["status"] == (
        "rejected"
    )

    # Decline without a reason; a contract dated in the future.
    waiting = await watched_household(
        app, clock, keyring, world.districts["kungsholmen"], "RV-2026-0600"
    )
    flat = await add_flat(agency, "hagersten", 2)
    offered = ok(
        await agency.post(
            f"/api/priority/agency/flats/{flat['id']}/offers",
            json={"application_id": str(waiting)},
        ),
        201,
    )
    offer_id = offered["offers"][0]["id"]
    declined = await agency.post(
        f"/api/priority/agency/offers/{offer_id}/response", json={"accepted": False}
    )
    assert declined.status_code == 422 and declined.json()["field"] == "reason"
    async with transaction(owner_sm(app)) as s:
        offer = await s.get(FlatOffer, uuid.UUID(offer_id))
        assert offer is not None and offer.response == "pending"
    ok(
        await agency.post(
            f"/api/priority/agency/offers/{offer_id}/response", json={"accepted": True}
        )
    )
    future_contract = await agency.post(
        f"/api/priority/agency/offers/{offer_id}/contract", json={"signed_on": "2026-12-24"}
    )
    assert future_contract.status_code == 422
    assert future_contract.json()["detail"] == "The contract date cannot be in the future."
    async with transaction(owner_sm(app)) as s:
        offer = await s.get(FlatOffer, uuid.UUID(offer_id))
        assert offer is not None and offer.contract_signed_on is None
        assert (await s.get(WatchedFlat, uuid.UUID(flat["id"]))).status == "offered"  # type: ignore[union-attr]
