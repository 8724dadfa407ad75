"""The case page speaks the rule book: a renewal refused by a changed need offers the same
renewal with an override and a reason, overrides are shown on the decisions, and a
household living on after its decision ran out is shown as exactly that."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from placement.clock import FrozenClock
from placement.db import transaction
from placement.models import Unit
from placement.models.enums import Role
from tests.conftest import ClientFactory, owner_sm, sign_in
from tests.decisions.factories import World, household_json, make_world, run_decision_sweeps
from tests.pages.helpers import post_form


@pytest.fixture
async def world(app: Any) -> World:
    return await make_world(owner_sm(app))


async def _placed(rvt: Any, world: World) -> dict[str, Any]:
    case = (await rvt.post("/api/cases", json=household_json(world, children=0))).json()
    r = await rvt.post(
        f"/api/cases/{case['id']}/decisions", json={"unit_id": str(world.shelter.id)}
    )
    assert r.status_code == 201, r.text
    return case


async def test_refused_renewal_offers_an_override(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await _placed(rvt, world)
    # The shelter lost its protection level since the decision (the risk is high).
    async with transaction(owner_sm(app)) as s:
        unit = await s.get(Unit, world.shelter.id)
        assert unit is not None
        unit.protection_level = 2
    page = f"/cases/{case['id']}"
    html = (await rvt.get(page)).text
    decision_id = html.split('name="decision_id" value="')[1].split('"')[0]
    r = await post_form(rvt, page, f"{page}/renew", {"decision_id": decision_id})
    assert r.status_code == 422
    assert "Enheten bryter mot de här reglerna för hushållet: skyddsnivå." in r.text
    assert 'name="override" value="protection_level"' in r.text
    assert "Förläng med undantag" in r.text
    # Without a reason: refused again, the override form stays.
    r = await post_form(
        rvt, page, f"{page}/renew", {"decision_id": decision_id, "override": "protection_level"}
    )
    assert r.status_code == 422 and 'name="override" value="protection_level"' in r.text
    r = await post_form(
        rvt,
        page,
        f"{page}/renew",
        {
            "decision_id": decision_id,
            "override": "protection_level",
            "override_reason": "Polisen bevakar boendet; flytt planeras till nästa vecka.",
        },
    )
    assert r.status_code == 303, r.text
    html = (await rvt.get(page)).text
    assert "Undantag" in html and "Polisen bevakar boendet" in html


async def test_living_without_a_valid_decision(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    name = (await rvt.get("/api/auth/me")).json()["username"]
    case = await _placed(rvt, world)
    clock.advance(timedelta(days=16))
    await run_decision_sweeps(owner_sm(app), clock, app.state.settings)
    rvt = await sign_in(app, name)
    html = (await rvt.get(f"/cases/{case['id']}")).text
    assert "Bor kvar utan giltigt beslut." in html
    assert "Flytta hushållet" in html and "Avsluta placeringen" in html
    assert "Har löpt ut" in html  # the decision that ran out, not "Gäller"
