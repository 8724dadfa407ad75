"""Two steps the agency's menu now gets right: after the landlord refuses the household as
tenant, the application goes back to the watch (the refusal kept on the offer and in the
history, the flat free for another household, a new offer possible); and the committee route
to the watch needs the priority criterion assessed as met, like approval does."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta
from typing import Any

from placement.clock import FrozenClock
from placement.crypto import Keyring
from placement.db import transaction
from placement.models import PriorityAppeal, PriorityCommitteeMeeting, WatchedFlat
from placement.models.enums import PriorityStatus, Role
from placement.priority import steps
from tests.conftest import owner_sm
from tests.pages.helpers import post_form
from tests.priority.conftest import World
from tests.priority.flow import add_flat, assess_criterion, ok, watched_household

AGENCY = "/api/priority/agency"


async def _accepted(
    app: Any, clock: FrozenClock, keyring: Keyring, world: World, agency: Any, number: str
) -> tuple[str, str, str]:
    """A watched household that accepted an offered flat: (application, offer, flat) ids."""
    waiting = await watched_household(app, clock, keyring, world.districts["kungsholmen"], number)
    flat = await add_flat(agency, "hagersten", 2)
    offered = ok(
        await agency.post(
            f"{AGENCY}/flats/{flat['id']}/offers", json={"application_id": str(waiting)}
        ),
        201,
    )
    offer_id = offered["offers"][0]["id"]
    ok(await agency.post(f"{AGENCY}/offers/{offer_id}/response", json={"accepted": True}))
    return str(waiting), offer_id, flat["id"]


async def test_a_landlord_refusal_sends_the_application_back_to_the_watch(
    app: Any, clock: FrozenClock, keyring: Keyring, world: World, sign_in: Any
) -> None:
    agency = await sign_in(Role.housing_agency)
    app_id, offer_id, flat_id = await _accepted(app, clock, keyring, world, agency, "RV-2026-0801")
    status = f"{AGENCY}/applications/{app_id}/status"
    landlord = f"{AGENCY}/offers/{offer_id}/landlord"

    seen = ok(await agency.get(f"{AGENCY}/applications/{app_id}"))
    assert seen["status"] == "offer_accepted"
    assert {b["status"]: b["code"] for b in seen["blocked_statuses"]} == {
        "watch_active": steps.LANDLORD_NOT_REFUSED
    }
    early = await agency.post(status, json={"to_status": "watch_active"})
    assert early.status_code == 409 and "landlord refuses" in early.json()["detail"]
    ok(await agency.post(landlord, json={"answer": "asked"}))
    asked = await agency.post(status, json={"to_status": "watch_active"})
    assert asked.status_code == 409  # asked is not refused
    ok(
        await agency.post(
            landlord, json={"answer": "refused", "reason": "Skulder hos Kronofogden."}
        )
    )

    back = ok(await agency.post(status, json={"to_status": "watch_active"}))
    assert back["status"] == "watch_active" and back["blocked_statuses"] == []
    last = back["history"][-1]
    assert (last["from_status"], last["to_status"]) == ("offer_accepted", "watch_active")
    assert last["reason"] == "Skulder hos Kronofogden."  # the refusal, in the history
    assert back["offers"][0]["landlord_answer"] == "refused"  # and kept on the offer
    async with transaction(owner_sm(app)) as s:
        flat = await s.get(WatchedFlat, uuid.UUID(flat_id))
        assert flat is not None and flat.status == "available"

    # A new offer can be made to the household, and the refused flat to another one.
    other_flat = await add_flat(agency, "hagersten", 2)
    again = ok(
        await agency.post(
            f"{AGENCY}/flats/{other_flat['id']}/offers", json={"application_id": app_id}
        ),
        201,
    )
    assert again["status"] == "flat_offered" and len(again["offers"]) == 2
    neighbour = await watched_household(
        app, clock, keyring, world.districts["kungsholmen"], "RV-2026-0802"
    )
    ok(
        await agency.post(
            f"{AGENCY}/flats/{flat_id}/offers", json={"application_id": str(neighbour)}
        ),
        201,
    )


async def test_an_approved_landlord_does_not_open_the_way_back(
    app: Any, clock: FrozenClock, keyring: Keyring, world: World, sign_in: Any
) -> None:
    agency = await sign_in(Role.housing_agency)
    app_id, offer_id, _ = await _accepted(app, clock, keyring, world, agency, "RV-2026-0803")
    landlord = f"{AGENCY}/offers/{offer_id}/landlord"
    ok(await agency.post(landlord, json={"answer": "asked"}))
    ok(await agency.post(landlord, json={"answer": "approved"}))
    r = await agency.post(
        f"{AGENCY}/applications/{app_id}/status", json={"to_status": "watch_active"}
    )
    assert r.status_code == 409
    assert ok(await agency.get(f"{AGENCY}/applications/{app_id}"))["status"] == "offer_accepted"


async def test_the_page_offers_the_watch_after_the_landlords_refusal(
    app: Any, clock: FrozenClock, keyring: Keyring, world: World, sign_in: Any
) -> None:
    agency = await sign_in(Role.housing_agency)
    app_id, offer_id, _ = await _accepted(app, clock, keyring, world, agency, "RV-2026-0804")
    page = f"/priority/{app_id}"
    before = html.unescape((await agency.get(page, params={"lang": "sv"})).text)
    assert 'value="watch_active"' not in before  # not offered while the landlord may approve
    assert "Bevakningen startar igen bara om hyresvärden nekar" in before  # what is missing
    landlord = f"{page}/offers/{offer_id}/landlord"
    assert (await post_form(agency, page, landlord, {"answer": "asked"})).status_code == 303
    refused = await post_form(
        agency, page, landlord, {"answer": "refused", "reason": "Betalningsanmärkning."}
    )
    assert refused.status_code == 303

    after = html.unescape((await agency.get(page, params={"lang": "sv"})).text)
    assert 'value="watch_active"' in after and "Nekad" in after
    moved = await post_form(agency, page, f"{page}/status", {"to_status": "watch_active"})
    assert moved.status_code == 303
    shown = html.unescape((await agency.get(page, params={"lang": "sv"})).text)
    history = shown[shown.index('id="history-h"') :]
    row = re.search(r"<tr>(?:(?!</tr>).)*Betalningsanmärkning\.(?:(?!</tr>).)*</tr>", history, re.S)
    assert row is not None  # the refusal is the reason of the step back to the watch
    assert "Bevakning" in row.group(0) or "bevakning" in row.group(0)
    assert ok(await agency.get(f"{AGENCY}/applications/{app_id}"))["status"] == "watch_active"


async def _decided_by_committee(
    app: Any, clock: FrozenClock, keyring: Keyring, world: World, number: str
) -> str:
    """An application whose appeal the committee approved, written directly."""
    app_id = await watched_household(app, clock, keyring, world.districts["kungsholmen"], number)
    async with transaction(owner_sm(app)) as s:
        from placement.models import PriorityApplication

        row = await s.get(PriorityApplication, app_id)
        assert row is not None
        row.status = PriorityStatus.decided_by_committee
        meets = clock.now().date() - timedelta(days=1)
        meeting = PriorityCommitteeMeeting(meets_on=meets, papers_due_on=meets - timedelta(7))
        s.add(meeting)
        await s.flush()
        s.add(
            PriorityAppeal(
                application_id=app_id,
                meeting_id=meeting.id,
                filed_at=clock.now() - timedelta(days=20),
                grounds="Se bifogat.",
                outcome="approved",
                decided_at=clock.now(),
            )
        )
    return str(app_id)


async def test_the_committee_route_needs_the_criterion_met(
    app: Any, clock: FrozenClock, keyring: Keyring, world: World, sign_in: Any
) -> None:
    agency = await sign_in(Role.housing_agency)
    app_id = await _decided_by_committee(app, clock, keyring, world, "RV-2026-0805")
    status = f"{AGENCY}/applications/{app_id}/status"

    seen = ok(await agency.get(f"{AGENCY}/applications/{app_id}"))
    assert [b["code"] for b in seen["blocked_statuses"]] == [steps.COMMITTEE_CRITERION_NOT_ASSESSED]
    r = await agency.post(status, json={"to_status": "watch_active"})
    assert r.status_code == 409 and "has not been assessed yet" in r.json()["detail"]
    await assess_criterion(agency, app_id, met=False, reason="Inga starka behov visade.")
    r = await agency.post(status, json={"to_status": "watch_active"})
    assert r.status_code == 409 and "assessed as not met" in r.json()["detail"]
    await assess_criterion(agency, app_id, reason="Utskottet fann starka sociala behov.")
    watched = ok(await agency.post(status, json={"to_status": "watch_active"}))
    assert watched["status"] == "watch_active"


async def test_the_committee_route_on_the_page(
    app: Any, clock: FrozenClock, keyring: Keyring, world: World, sign_in: Any
) -> None:
    agency = await sign_in(Role.housing_agency)
    app_id = await _decided_by_committee(app, clock, keyring, world, "RV-2026-0806")
    page = f"/priority/{app_id}"
    before = html.unescape((await agency.get(page, params={"lang": "sv"})).text)
    assert 'value="watch_active"' not in before
    assert "Bevakningen kan inte starta efter utskottets beslut" in before
    assert f'action="{page}/criterion#criterion-h"' in before  # the agency can assess here
    refused = await post_form(agency, page, f"{page}/status", {"to_status": "watch_active"})
    assert refused.status_code == 409 and "inte bedömt än" in html.unescape(refused.text)
    done = await post_form(
        agency,
        page,
        f"{page}/criterion",
        {"met": "yes", "reason": "Utskottet fann starka sociala behov."},
    )
    assert done.status_code == 303, done.text
    after = html.unescape((await agency.get(page, params={"lang": "sv"})).text)
    assert 'value="watch_active"' in after
    moved = await post_form(agency, page, f"{page}/status", {"to_status": "watch_active"})
    assert moved.status_code == 303
