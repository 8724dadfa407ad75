"""The landlord approves the tenant before an offer becomes a contract: asked, then approved
or refused with a reason (debt is the usual obstacle). Every refusal is a clear 4xx and leaves
the offer as it was."""

from __future__ import annotations

import uuid
from typing import Any

from placement.clock import FrozenClock
from placement.crypto import Keyring
from placement.db import transaction
from placement.models import FlatOffer
from placement.models.enums import Role
from tests.conftest import owner_sm
from tests.pages.helpers import post_form
from tests.priority.conftest import World
from tests.priority.flow import add_flat, ok, watched_household


async def _accepted_offer(
    app: Any, clock: FrozenClock, keyring: Keyring, world: World, sign_in: Any, number: str
) -> tuple[Any, str, str]:
    agency = await sign_in(Role.housing_agency)
    waiting = await watched_household(app, clock, keyring, world.districts["kungsholmen"], number)
    flat = await add_flat(agency, "hagersten", 2)
    offered = ok(
        await agency.post(
            f"/api/priority/agency/flats/{flat['id']}/offers",
            json={"application_id": str(waiting)},
        ),
        201,
    )
    offer_id = offered["offers"][0]["id"]
    return agency, offer_id, str(waiting)


async def test_no_contract_without_the_landlords_approval(
    app: Any, clock: FrozenClock, keyring: Keyring, world: World, sign_in: Any
) -> None:
    agency, offer_id, _ = await _accepted_offer(app, clock, keyring, world, sign_in, "RV-2026-0701")
    landlord = f"/api/priority/agency/offers/{offer_id}/landlord"
    contract = f"/api/priority/agency/offers/{offer_id}/contract"
    today = clock.now().date().isoformat()

    early = await agency.post(landlord, json={"answer": "asked"})
    assert early.status_code == 409 and "accepted the offer" in early.json()["detail"]
    ok(
        await agency.post(
            f"/api/priority/agency/offers/{offer_id}/response", json={"accepted": True}
        )
    )

    refused = await agency.post(contract, json={"signed_on": today})
    assert refused.status_code == 409 and "not approved" in refused.json()["detail"]
    skipped = await agency.post(landlord, json={"answer": "approved"})
    assert skipped.status_code == 409 and "asked" in skipped.json()["detail"]

    asked = ok(await agency.post(landlord, json={"answer": "asked"}))
    assert asked["offers"][0]["landlord_answer"] == "asked"
    assert asked["status"] == "offer_accepted"
    bare = await agency.post(landlord, json={"answer": "refused", "reason": "  "})
    assert bare.status_code == 422 and bare.json()["field"] == "reason"
    no = ok(
        await agency.post(
            landlord, json={"answer": "refused", "reason": "Skulder hos Kronofogden."}
        )
    )
    assert no["offers"][0]["landlord_answer"] == "refused"
    assert no["offers"][0]["landlord_reason"] == "Skulder hos Kronofogden."
    again = await agency.post(landlord, json={"answer": "approved"})
    assert again.status_code == 409 and "already answered" in again.json()["detail"]
    after = await agency.post(contract, json={"signed_on": today})
    assert after.status_code == 409 and "refused" in after.json()["detail"]
    async with transaction(owner_sm(app)) as s:
        offer = await s.get(FlatOffer, uuid.UUID(offer_id))
        assert offer is not None and offer.contract_signed_on is None


async def test_approved_leads_to_the_contract_and_only_the_agency_answers(
    app: Any, clock: FrozenClock, keyring: Keyring, world: World, sign_in: Any
) -> None:
    agency, offer_id, _ = await _accepted_offer(app, clock, keyring, world, sign_in, "RV-2026-0702")
    ok(
        await agency.post(
            f"/api/priority/agency/offers/{offer_id}/response", json={"accepted": True}
        )
    )
    landlord = f"/api/priority/agency/offers/{offer_id}/landlord"
    handler = await sign_in(Role.rvt_officer, world.districts["kungsholmen"])
    assert (await handler.post(landlord, json={"answer": "asked"})).status_code == 403
    assert (await agency.post(landlord, json={"answer": "maybe"})).status_code == 422
    ok(await agency.post(landlord, json={"answer": "asked"}))
    ok(await agency.post(landlord, json={"answer": "approved"}))
    signed = ok(
        await agency.post(
            f"/api/priority/agency/offers/{offer_id}/contract",
            json={"signed_on": clock.now().date().isoformat()},
        )
    )
    assert signed["status"] == "contract_signed"


async def test_the_landlords_answer_on_the_agency_page(
    app: Any, clock: FrozenClock, keyring: Keyring, world: World, sign_in: Any
) -> None:
    agency, offer_id, app_id = await _accepted_offer(
        app, clock, keyring, world, sign_in, "RV-2026-0703"
    )
    ok(
        await agency.post(
            f"/api/priority/agency/offers/{offer_id}/response", json={"accepted": True}
        )
    )
    page = f"/priority/{app_id}"
    action = f"{page}/offers/{offer_id}/landlord"
    shown = (await agency.get(page, params={"lang": "sv"})).text
    assert "Inte tillfrågad än" in shown and f'action="{action}#landlord-{offer_id}"' in shown

    asked = await post_form(agency, page, action, {"answer": "asked"})
    assert asked.status_code == 303
    shown = (await agency.get(page, params={"lang": "sv"})).text
    assert "Tillfrågad, väntar på svar" in shown and 'value="refused"' in shown
    bare = await post_form(agency, page, action, {"answer": "refused", "reason": ""})
    assert bare.status_code == 422 and "oftast skulder" in bare.text
    refused = await post_form(
        agency, page, action, {"answer": "refused", "reason": "Betalningsanmärkning."}
    )
    assert refused.status_code == 303
    shown = (await agency.get(page, params={"lang": "sv"})).text
    assert "Nekad" in shown and "Betalningsanmärkning." in shown
    assert f'action="{action}' not in shown  # answered: nothing more to record
