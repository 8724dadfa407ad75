"""The case page over HTTP: what it shows (and hides), who may see it, one audit entry per
read, the identity behind a stated reason, and every action changing the database, with a
refused form re-rendered next to its field and nothing typed lost."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from placement.clock import FrozenClock
from placement.db import transaction
from placement.models import AuditEntry, Case, Child, Decision, FollowUp, Handover
from placement.models.enums import CaseStatus, DecisionStatus, Role
from tests.conftest import ClientFactory, owner_sm
from tests.decisions.factories import (
    ADULT_NAME,
    PERSONAL_NUMBER,
    World,
    audit_count,
    household_json,
    make_world,
)
from tests.pages.helpers import CSRF, csrf_of, post_form


@pytest.fixture
async def world(app: Any) -> World:
    return await make_world(owner_sm(app))


def children_payload(case: dict[str, Any]) -> list[dict[str, Any]]:
    first, second = case["children"]
    return [
        {
            "child_id": first["id"],
            "legal_basis": "sol_guardian_consent",
            "consent_status": "both_guardians",
            "assessment_note": "Går i skola.",
        },
        {
            "child_id": second["id"],
            "legal_basis": "lpsb_immediate",
            "consent_status": "one_guardian",
            "assessment_note": "Går i skola.",
        },
    ]


async def placed_case(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    """A household of an adult and two children placed in Skydd Ett (over the API)."""
    r = await client.post("/api/cases", json=household_json(world))
    assert r.status_code == 201, r.text
    case: dict[str, Any] = r.json()
    r = await client.post(
        f"/api/cases/{case['id']}/decisions",
        json={"unit_id": str(world.shelter.id), "children": children_payload(case)},
    )
    assert r.status_code == 201, r.text
    case["placement"] = r.json()
    return case


async def decisions_of(app: Any, case_id: Any) -> list[Decision]:
    async with transaction(owner_sm(app)) as s:
        rows = await s.execute(
            select(Decision)
            .where(col(Decision.case_id) == case_id)
            .order_by(col(Decision.starts_at), col(Decision.child_id).is_not(None))
        )
        return list(rows.scalars().all())


async def test_case_page_shows_the_household_and_audits_once(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed_case(rvt, world)
    sm = owner_sm(app)
    before = await audit_count(sm, case["id"])

    r = await rvt.get(f"/cases/{case['id']}?lang=en")
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    page = r.text
    assert await audit_count(sm, case["id"]) == before + 1  # exactly one entry: the read
    assert await audit_count(sm, case["id"], "read") == 1
    assert f"Case {case['case_number']}" in page and page.count("<h1") == 1
    assert ADULT_NAME not in page and PERSONAL_NUMBER not in page  # hidden by default
    assert "Woman" in page and "born 1985" in page
    assert "Child 1" in page and "Child 2" in page and "4 years" in page  # "Barn 1" in English
    assert "Skydd Ett" in page and "Protected shelter" in page
    assert "SoL, both guardians consent" in page
    assert "LPSB, immediate decision (to the court within a week)" in page
    assert world.district_b.name in page  # the area to keep away from, by name
    assert "Renew for 14 days" in page
    assert "Protected registration" in page and "Show identity" in page
    assert "Skydd Två" in page  # a unit to move to
    assert "Vandrarhem" not in page  # too little protection for a high risk


async def test_who_may_see_a_case_page(
    app: Any, world: World, client_for: ClientFactory, anon_client: httpx.AsyncClient
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed_case(rvt, world)
    path = f"/cases/{case['id']}"
    other = await client_for(Role.rvt_officer, district_id=world.district_b.id)
    assert (await other.get(path)).status_code == 404  # its existence is not disclosed
    assert (await other.get("/cases/7d1f6c5e-0000-4000-8000-000000000000")).status_code == 404
    coordinator = await client_for(Role.coordinator)
    assert (await coordinator.get(path)).status_code == 403
    agency = await client_for(Role.housing_agency)
    assert (await agency.get(path)).status_code == 403
    r = await anon_client.get(path)
    assert r.status_code == 303 and r.headers["location"] == f"/login?next={path}"
    night = await client_for(Role.socialjour)
    r = await night.get(path + "?lang=en")
    assert r.status_code == 200 and case["case_number"] in r.text
    assert "Acknowledge" not in r.text  # only the district acknowledges hand-overs
    # Another district's officer cannot act on the case either.
    token = await csrf_of(rvt, path)
    decision = case["placement"]["decisions"][0]["id"]
    r = await other.post(f"{path}/renew", data={"decision_id": decision, "csrf_token": token})
    assert r.status_code in (403, 404)
    assert len(await decisions_of(app, case["id"])) == 3


async def test_identity_needs_a_stated_reason(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed_case(rvt, world)
    path = f"/cases/{case['id']}"
    sm = owner_sm(app)

    r = await post_form(rvt, path, f"{path}/identity?lang=en", {"reveal_reason": ""})
    assert r.status_code == 422
    assert 'id="reveal_reason-error"' in r.text and ADULT_NAME not in r.text
    assert await audit_count(sm, case["id"], "reveal") == 0

    r = await post_form(
        rvt, path, f"{path}/identity?lang=en", {"reveal_reason": "Contact with the school"}
    )
    assert r.status_code == 200
    assert ADULT_NAME in r.text and PERSONAL_NUMBER in r.text
    assert r.headers["cache-control"] == "no-store"
    async with transaction(sm) as s:
        reveals = (
            (
                await s.execute(
                    select(AuditEntry).where(
                        col(AuditEntry.case_id) == case["id"], col(AuditEntry.action) == "reveal"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert len(reveals) == 1
    assert reveals[0].reason == "Contact with the school" and reveals[0].flagged_for_review
    assert ADULT_NAME not in (await rvt.get(path)).text  # on that answer only


async def test_renew_in_one_step(app: Any, world: World, client_for: ClientFactory) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed_case(rvt, world)
    path = f"/cases/{case['id']}"
    adult = case["placement"]["decisions"][0]
    page = (await rvt.get(path)).text
    decision_id = re.search(r'name="decision_id" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert decision_id == adult["id"]
    token = CSRF.search(page).group(1)  # type: ignore[union-attr]

    r = await rvt.post(f"{path}/renew", data={"decision_id": decision_id, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"{path}?done=renewed"
    decisions = await decisions_of(app, case["id"])
    renewed = [d for d in decisions if d.status == DecisionStatus.active]
    assert len(renewed) == 3  # the adult and both children
    ends = datetime.fromisoformat(adult["ends_at"])
    assert all(d.starts_at == ends and d.ends_at == ends + timedelta(days=14) for d in renewed)
    r = await rvt.get(f"{path}?done=renewed&lang=en")
    assert '<p class="flash" role="status">The household&#39;s decision is renewed.' in r.text

    # The same (now superseded) decision again: refused next to the button.
    r = await post_form(rvt, path, f"{path}/renew?lang=en", {"decision_id": adult["id"]})
    assert r.status_code == 409 and 'id="renew-error"' in r.text
    assert "already been renewed" in r.text
    assert len(await decisions_of(app, case["id"])) == 6


async def test_move_the_household(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed_case(rvt, world)
    path = f"/cases/{case['id']}"
    adult = case["placement"]["decisions"][0]
    today = clock.now().date().isoformat()

    # No unit chosen: the error is next to the field, the date and the reason are kept.
    r = await post_form(
        rvt,
        path,
        f"{path}/move?lang=en",
        {"decision_id": adult["id"], "move_unit_id": "", "move_at": today,
         "move_reason": "Closer to the school"},
    )  # fmt: skip
    assert r.status_code == 422
    assert 'id="move_unit_id-error"' in r.text and "Choose the unit" in r.text
    assert "Closer to the school" in r.text and f'value="{today}"' in r.text
    # A date that is not a date.
    r = await post_form(
        rvt, path, f"{path}/move?lang=en",
        {"decision_id": adult["id"], "move_unit_id": str(world.shelter2.id), "move_at": "soon"},
    )  # fmt: skip
    assert r.status_code == 422 and 'id="move_at-error"' in r.text
    assert f'value="{world.shelter2.id}" selected' in r.text
    # A unit too little protected for a high risk: refused by the decision rules.
    r = await post_form(
        rvt, path, f"{path}/move?lang=en",
        {"decision_id": adult["id"], "move_unit_id": str(world.low_unit.id), "move_at": today},
    )  # fmt: skip
    assert r.status_code == 422 and 'id="move_unit_id-error"' in r.text
    assert len(await decisions_of(app, case["id"])) == 3  # nothing saved

    r = await post_form(
        rvt, path, f"{path}/move",
        {"decision_id": adult["id"], "move_unit_id": str(world.shelter2.id), "move_at": today,
         "move_reason": "Closer to the school"},
    )  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == f"{path}?done=moved"
    active = [d for d in await decisions_of(app, case["id"]) if d.status == "active"]
    assert len(active) == 3 and all(d.unit_id == world.shelter2.id for d in active)
    assert all(d.reason == "Closer to the school" for d in active)
    page = (await rvt.get(f"{path}?lang=en")).text
    assert "Skydd Två</strong>" in page


async def test_end_the_placement_with_its_outcome(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed_case(rvt, world)
    clock.advance(timedelta(minutes=20))
    path = f"/cases/{case['id']}"
    adult = case["placement"]["decisions"][0]

    r = await post_form(
        rvt, path, f"{path}/end?lang=en",
        {"decision_id": adult["id"], "end_outcome": "", "end_reason": "Signed a lease"},
    )  # fmt: skip
    assert r.status_code == 422 and 'id="end_outcome-error"' in r.text
    assert "Signed a lease" in r.text
    assert 'id="end_at-error"' not in r.text

    today = (await rvt.get(path)).text
    day = re.search(r'id="end_at" name="end_at" value="([^"]+)"', today).group(1)  # type: ignore[union-attr]
    r = await post_form(
        rvt, path, f"{path}/end",
        {"decision_id": adult["id"], "end_outcome": "second_hand_lease", "end_at": day,
         "end_reason": "Signed a lease"},
    )  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == f"{path}?done=ended"
    async with transaction(owner_sm(app)) as s:
        row = await s.get(Case, case["id"])
        assert row is not None
        assert row.status == CaseStatus.closed and row.outcome == "second_hand_lease"
        assert row.secure_permanent_housing is True
    assert all(d.status == "ended" for d in await decisions_of(app, case["id"]))
    page = (await rvt.get(f"{path}?lang=en")).text
    assert "Second-hand lease" in page and "Renew for" not in page
    assert 'action="/cases/' + case["id"] + '/end"' not in page


async def test_follow_up_schooling_and_court(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed_case(rvt, world)
    path = f"/cases/{case['id']}"
    phone = next(f for f in case["placement"]["follow_ups"] if f["kind"] == "phone")

    r = await post_form(rvt, path, f"{path}/follow-ups/{phone['id']}/done", {})
    assert r.status_code == 303 and r.headers["location"] == f"{path}?done=follow_up"
    async with transaction(owner_sm(app)) as s:
        row = await s.get(FollowUp, phone["id"])
        assert row is not None and row.done_at == clock.now()
    r = await post_form(rvt, path, f"{path}/follow-ups/{phone['id']}/done?lang=en", {})
    assert r.status_code == 409 and "This follow-up is already recorded." in r.text

    child = case["children"][0]["id"]
    key = f"schooling-{child}"
    tomorrow = (clock.now() + timedelta(days=1)).date().isoformat()
    r = await post_form(rvt, path, f"{path}/children/{child}/schooling?lang=en", {key: tomorrow})
    assert r.status_code == 422 and f'id="{key}-error"' in r.text and tomorrow in r.text
    today = clock.now().date().isoformat()
    r = await post_form(rvt, path, f"{path}/children/{child}/schooling", {key: today})
    assert r.status_code == 303
    async with transaction(owner_sm(app)) as s:
        row_child = await s.get(Child, child)
        assert row_child is not None and row_child.schooling_started_on == clock.now().date()

    immediate = case["placement"]["decisions"][2]
    assert immediate["legal_basis"] == "lpsb_immediate"
    r = await post_form(rvt, path, f"{path}/decisions/{immediate['id']}/court-submission", {})
    assert r.status_code == 303 and r.headers["location"] == f"{path}?done=court"
    async with transaction(owner_sm(app)) as s:
        row_decision = await s.get(Decision, immediate["id"])
        assert row_decision is not None and row_decision.court_submitted_at is not None


async def test_handover_on_the_case_page(app: Any, world: World, client_for: ClientFactory) -> None:
    night = await client_for(Role.socialjour)
    case = await placed_case(night, world)
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    path = f"/cases/{case['id']}"
    handover = case["placement"]["handover"]
    assert handover is not None
    r = await post_form(rvt, path, f"{path}/handovers/{handover['id']}/acknowledge", {})
    assert r.status_code == 303 and r.headers["location"] == f"{path}?done=acknowledged"
    async with transaction(owner_sm(app)) as s:
        row = await s.get(Handover, handover["id"])
        assert row is not None and row.acknowledged_at is not None
    r = await post_form(rvt, path, f"{path}/handovers/{handover['id']}/acknowledge?lang=en", {})
    assert r.status_code == 409 and "already acknowledged" in r.text


async def test_forms_need_csrf(world: World, client_for: ClientFactory) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed_case(rvt, world)
    r = await rvt.post(
        f"/cases/{case['id']}/renew", data={"decision_id": case["placement"]["decisions"][0]["id"]}
    )
    assert r.status_code == 403
