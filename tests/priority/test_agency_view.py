"""Everything the housing agency can receive, walked and searched: no placement, unit, address,
risk or decision data, no ciphertext, no social-file ids — in answers and in error bodies."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from sqlmodel import col, select

from placement.clock import FrozenClock
from placement.config import Settings
from placement.crypto import Keyring
from placement.db import transaction
from placement.models import ApplicationMessage, PriorityApplication
from placement.models.enums import Role
from tests.conftest import owner_sm
from tests.priority.conftest import World, add_case
from tests.priority.flow import DEBT_NOTE, ok, walk_chain
from tests.priority.routes import callable_by, template_of

FORBIDDEN_KEY_PARTS = (
    "unit",
    "address",
    "risk",
    "decision",
    "placement",
    "booking",
    "person",
    "case_id",
    "responsible",
    "protected",
    "exclusion",
    "ciphertext",
)


def keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


async def test_agency_never_receives_social_file_data(
    app: Any,
    clock: FrozenClock,
    keyring: Keyring,
    settings: Settings,
    world: World,
    sign_in: Any,
) -> None:
    seen: list[tuple[str, str, int, str]] = []

    async def remember(response: httpx.Response) -> None:
        await response.aread()
        req = response.request
        seen.append((req.method, req.url.path, response.status_code, response.text))

    handler = await sign_in(Role.rvt_officer, world.districts["sodermalm"])
    agency = await sign_in(Role.housing_agency)
    agency.event_hooks["response"].append(remember)
    chain = await walk_chain(app, clock, keyring, settings, world, handler, agency)

    # The rest of what the agency can call, answers and refusals alike.
    base = "/api/priority/agency"
    app_path = f"{base}/applications/{chain.application_id}"
    ok(await agency.get(f"{base}/applications", params={"status": "contract_signed"}))
    ok(await agency.get(f"{base}/flats"))
    ok(await agency.get(f"{base}/flats/{chain.flat_id}"))
    ok(await agency.get("/api/priority/committee-meetings", params={"include_past": True}))
    ok(await agency.get(f"{base}/committee-meetings/{chain.meeting_id}/papers"))
    ok(await agency.get(f"{app_path}/messages"))
    ok(await agency.post(f"{app_path}/status", json={"to_status": "closed"}))
    single = chain.others["single"]
    override = await agency.post(
        f"{base}/applications/{single}/eligibility-overrides",
        json={"check": "two_year_registration", "reason": "Checked with the tax agency."},
    )
    assert override.status_code == 409
    request = await agency.post(
        f"{base}/applications/{single}/certificate-request", json={"reason": "Please update."}
    )
    assert request.status_code == 409
    decision = await agency.post(
        f"{app_path}/committee-decision", json={"outcome": "approved", "reason": "x" * 5}
    )
    assert decision.status_code == 409
    closed_criterion = await agency.post(
        f"{app_path}/criterion", json={"met": True, "reason": "Strong social needs."}
    )
    assert closed_criterion.status_code == 409
    again = await agency.post(
        f"{base}/flats/{chain.flat_id}/offers", json={"application_id": str(single)}
    )
    assert again.status_code == 409
    ok(await agency.get(f"{base}/flats/{chain.flat_id}/proposals"))
    answered = await agency.post(
        f"{base}/offers/{chain.offer_id}/response", json={"accepted": False}
    )
    assert answered.status_code == 409
    late = await agency.post(
        f"{base}/offers/{chain.offer_id}/contract", json={"signed_on": "2026-12-10"}
    )
    assert late.status_code == 409
    assert (await agency.get(f"{base}/applications/{uuid.uuid4()}")).status_code == 404
    assert (await agency.post(f"{base}/flats", json={"rooms": 0})).status_code == 422
    assert (
        await agency.post(f"{base}/committee-meetings", json={"meets_on": "2020-01-01"})
    ).status_code == 422

    # A draft is the handler's own: the agency cannot see it.
    async with transaction(owner_sm(app)) as s:
        case = await add_case(s, clock, keyring, world.districts["sodermalm"], "RV-2026-0077")
        draft = PriorityApplication(case_id=case.id, created_at=clock.now())
        s.add(draft)
        await s.flush()
        draft_id = draft.id
        ciphertexts = list(
            (await s.execute(select(col(ApplicationMessage.body_ciphertext)))).scalars()
        )
        ours = await s.get(PriorityApplication, uuid.UUID(chain.application_id))
        assert ours is not None and ours.debt_note_ciphertext
        debt_cipher = ours.debt_note_ciphertext
    assert (await agency.get(f"{base}/applications/{draft_id}")).status_code == 404
    assert (await agency.get(f"{base}/applications/{draft_id}/messages")).status_code == 404

    # Every route the agency may call was called.
    called = {(m, template_of(app, m, p)) for m, p, _, _ in seen}
    agency_routes = callable_by(app, Role.housing_agency)
    assert len(agency_routes) == 20
    missing = agency_routes - called
    assert not missing, f"agency routes not walked: {sorted(missing)}"
    assert {status for *_, status, _ in seen} >= {200, 201, 404, 409, 422}

    secrets = {
        **world.secrets,
        "debt note (no consent)": DEBT_NOTE,
        "debt note ciphertext": debt_cipher,
        "draft id": str(draft_id),
        "risk level": '"high"',
    }
    secrets |= {f"message ciphertext {i}": c for i, c in enumerate(ciphertexts)}
    assert ciphertexts and len(seen) > 30
    for method, path, status, text in seen:
        for label, value in secrets.items():
            assert value not in text, f"{method} {path} ({status}) shows the {label}"
        body = json.loads(text) if text else None
        bad = {k for k in keys(body) if any(part in k.lower() for part in FORBIDDEN_KEY_PARTS)}
        assert not bad, f"{method} {path} ({status}) has keys {bad}"
