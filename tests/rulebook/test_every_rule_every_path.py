"""For every hard rule: a direct grant, a move, a renewal and an accepted proposal (a hold
of a request's household) into a unit that breaks only that rule are refused with the rule
named, and accepted with the rule overridden and a reason. Nothing refused is saved."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from optimizer.rules import NOT_OVERRIDABLE
from placement.clock import FrozenClock
from placement.db import transaction
from placement.models import Booking, Case, Decision, District, Operator, Place, Unit
from placement.models.enums import (
    DecisionStatus,
    OperatorKind,
    PlaceKind,
    Role,
    SharingPolicy,
    SubstancePolicy,
    UnitKind,
)
from placement.rulebook import PLACEMENT_RULES
from tests.conftest import ClientFactory, owner_sm
from tests.decisions.factories import World, household_json

# The household every test places: a woman of about 41 with one girl of 10, high risk,
# using a wheelchair, in an honour context, kept away from district B.
NEEDS = {"needs_wheelchair": True, "honour_context": True, "languages": ["sv"]}


def passing_unit(op: Operator, district: District, name: str) -> Unit:
    return Unit(
        operator_id=op.id,
        name=name,
        kind=UnitKind.protected_shelter,
        district_id=district.id,
        sharing_policy=SharingPolicy.city_wide,
        protection_level=3,
        staffed_24_7=True,
        substance_policy=SubstancePolicy.no_active_use,
        accepted_genders=["female"],
        min_age=18,
        accepts_children=True,
        max_children=4,
        wheelchair_accessible=True,
        honour_competence=True,
    )


# Each rule: how to change a passing unit so that it breaks that rule alone.
BREAK: dict[str, Callable[[Unit, World], None]] = {
    "protection_level": lambda u, w: setattr(u, "protection_level", 2),
    "exclusion_area": lambda u, w: setattr(u, "district_id", w.district_b.id),
    "exclusion_buffer": lambda u, w: setattr(u, "district_id", w.district_a.id),
    "gender": lambda u, w: setattr(u, "accepted_genders", ["male"]),
    "age": lambda u, w: setattr(u, "max_age", 30),
    "substance_policy": lambda u, w: setattr(u, "substance_policy", SubstancePolicy.drug_free),
    "wheelchair": lambda u, w: setattr(u, "wheelchair_accessible", False),
    "honour_competence": lambda u, w: setattr(u, "honour_competence", False),
    "children_not_accepted": lambda u, w: (
        setattr(u, "accepts_children", False),
        setattr(u, "max_children", 0),
    ),
    "too_many_children": lambda u, w: setattr(u, "max_children", 0),
    "child_age": lambda u, w: setattr(u, "max_child_age", 6),
    "ivo_permit": lambda u, w: (
        setattr(u, "ivo_permit_required", True),
        setattr(u, "ivo_permit_valid_until", date(2020, 12, 31)),
    ),
    "sharing_policy": lambda u, w: (
        setattr(u, "sharing_policy", SharingPolicy.own_district),
        setattr(u, "owner_district_id", w.district_c.id),
    ),
}


def test_every_overridable_rule_has_a_case() -> None:
    assert set(BREAK) == set(PLACEMENT_RULES)
    assert not set(BREAK) & NOT_OVERRIDABLE


async def _units(app: Any, world: World, rule: str) -> tuple[Unit, Unit, Unit]:
    """Two passing units (start and renewal) and one that breaks ``rule`` only."""
    async with transaction(owner_sm(app)) as s:
        op = Operator(name=f"Op {uuid.uuid4().hex[:6]}", kind=OperatorKind.civil_society)
        s.add(op)
        await s.flush()
        good = passing_unit(op, world.district_c, "Skydd Grund")
        good2 = passing_unit(op, world.district_c, "Skydd Andra")
        bad = passing_unit(op, world.district_c, f"Skydd {rule}")
        BREAK[rule](bad, world)
        s.add_all([good, good2, bad])
        await s.flush()
        for u in (good, good2, bad):
            s.add(Place(unit_id=u.id, label="F1", kind=PlaceKind.family_room, capacity=3))
            s.add(Place(unit_id=u.id, label="F2", kind=PlaceKind.family_room, capacity=3))
        if rule == "exclusion_buffer":
            # A next to B (the area to avoid): with the buffer on, A is ruled out too.
            a = await s.get(District, world.district_a.id)
            assert a is not None
            a.neighbour_codes = [world.district_b.code]
        return good, good2, bad


def _children(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "child_id": c["id"],
            "legal_basis": "sol_guardian_consent",
            "consent_status": "both_guardians",
            "assessment_note": "Går i fjärde klass.",
        }
        for c in case["children"]
    ]


async def _counts(app: Any) -> tuple[int, int]:
    async with transaction(owner_sm(app)) as s:
        d = await s.scalar(select(func.count()).select_from(Decision))
        b = await s.scalar(select(func.count()).select_from(Booking))
        return int(d or 0), int(b or 0)


def _refused(r: Any, rule: str) -> None:
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["rules"] == [rule], body
    assert "breaks these rules" in body["detail"]


OVERRIDE = "Enda platsen i natt; bedömt tillsammans med jourhavande."


@pytest.mark.parametrize("rule", sorted(BREAK))
async def test_rule_on_every_path(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock, rule: str
) -> None:
    if rule == "exclusion_buffer":
        app.state.settings.exclusion_buffer = True
    try:
        await _every_path(app, world, client_for, clock, rule)
    finally:
        app.state.settings.exclusion_buffer = False


async def _every_path(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock, rule: str
) -> None:
    good, good2, bad = await _units(app, world, rule)
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    payload = household_json(
        world,
        children=1,
        needs=NEEDS,
        risk_assessments=[{"instrument": "patriark", "level": "high"}],
    )
    payload["person"]["birth_year"] = clock.now().year - 41
    r = await rvt.post("/api/cases", json=payload)
    assert r.status_code == 201, r.text
    case = r.json()
    url = f"/api/cases/{case['id']}/decisions"

    # 1. Direct grant: refused, nothing saved; then granted with the override.
    before = await _counts(app)
    refused = await rvt.post(url, json={"unit_id": str(bad.id), "children": _children(case)})
    _refused(refused, rule)
    assert await _counts(app) == before
    no_reason = await rvt.post(
        url,
        json={"unit_id": str(bad.id), "children": _children(case), "overridden_rules": [rule]},
    )
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "override_reason"
    granted = await rvt.post(
        url,
        json={
            "unit_id": str(bad.id),
            "children": _children(case),
            "overridden_rules": [rule],
            "override_reason": OVERRIDE,
        },
    )
    assert granted.status_code == 201, granted.text
    adult = granted.json()["decisions"][0]
    assert adult["overridden_rules"] == [rule] and adult["override_reason"] == OVERRIDE

    # 2. Renewal in the breaking unit: the override carries on while the rule still fails.
    renewed = await rvt.post(f"/api/decisions/{adult['id']}/renew", json={})
    assert renewed.status_code == 201, renewed.text
    adult = renewed.json()["decisions"][0]
    assert adult["overridden_rules"] == [rule]

    # 3. Move to a passing unit (no override needed, none recorded), then back: refused,
    # then accepted with the override.
    moved = await rvt.post(
        f"/api/decisions/{adult['id']}/move",
        json={"unit_id": str(good.id), "children": []},
    )
    assert moved.status_code == 201, moved.text
    adult = moved.json()["decisions"][0]
    assert adult["overridden_rules"] == []
    needless = await rvt.post(
        f"/api/decisions/{adult['id']}/move",
        json={"unit_id": str(good2.id), "overridden_rules": [rule], "override_reason": OVERRIDE},
    )
    assert needless.status_code == 422 and needless.json()["rules"] == [rule]
    assert "nothing to override" in needless.json()["detail"]
    before = await _counts(app)
    back = await rvt.post(f"/api/decisions/{adult['id']}/move", json={"unit_id": str(bad.id)})
    _refused(back, rule)
    assert await _counts(app) == before
    back = await rvt.post(
        f"/api/decisions/{adult['id']}/move",
        json={"unit_id": str(bad.id), "overridden_rules": [rule], "override_reason": OVERRIDE},
    )
    assert back.status_code == 201, back.text
    adult = back.json()["decisions"][0]

    # 4. A renewal where the rule newly fails: place in the passing unit, make that unit
    # break the rule (as a risk or a need change would), renew: refused with the rule named.
    moved = await rvt.post(f"/api/decisions/{adult['id']}/move", json={"unit_id": str(good.id)})
    assert moved.status_code == 201, moved.text
    adult = moved.json()["decisions"][0]
    async with transaction(owner_sm(app)) as s:
        unit = await s.get(Unit, good.id)
        assert unit is not None
        BREAK[rule](unit, world)
    before = await _counts(app)
    refused = await rvt.post(f"/api/decisions/{adult['id']}/renew", json={})
    _refused(refused, rule)
    assert "Move the household" in refused.json()["detail"]
    assert await _counts(app) == before
    renewed = await rvt.post(
        f"/api/decisions/{adult['id']}/renew",
        json={"overridden_rules": [rule], "override_reason": OVERRIDE},
    )
    assert renewed.status_code == 201, renewed.text
    assert renewed.json()["decisions"][0]["overridden_rules"] == [rule]

    # 5. An accepted proposal for a second household's request: the hold is judged too.
    r = await rvt.post("/api/cases", json=payload)
    assert r.status_code == 201, r.text
    other = r.json()
    req = await rvt.post(
        f"/api/cases/{other['id']}/placement-requests",
        json={"starts_at": clock.now().isoformat(), "nights": 14},
    )
    assert req.status_code == 201, req.text
    hold_url = f"/api/matching/requests/{req.json()['id']}/hold"
    before = await _counts(app)
    refused = await rvt.post(hold_url, json={"unit_id": str(bad.id)})
    _refused(refused, rule)
    assert await _counts(app) == before
    held = await rvt.post(
        hold_url,
        json={"unit_id": str(bad.id), "overridden_rules": [rule], "override_reason": OVERRIDE},
    )
    assert held.status_code == 201, held.text
    # A place is granted only once the unit has agreed: here by phone (the referral rule).
    agreed = await rvt.post(f"/api/holds/{held.json()['group_id']}/referral/confirmed-by-phone")
    assert agreed.status_code == 200, agreed.text
    # The decision from the held place inherits the hold's override.
    granted = await rvt.post(
        f"/api/cases/{other['id']}/decisions",
        json={"hold_group_id": held.json()["group_id"], "children": _children(other)},
    )
    assert granted.status_code == 201, granted.text
    assert granted.json()["decisions"][0]["overridden_rules"] == [rule]


async def test_swedish_refusal_names_the_rule(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    _good, _good2, bad = await _units(app, world, "honour_competence")
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    payload = household_json(world, children=1, needs=NEEDS)
    r = await rvt.post("/api/cases", json=payload)
    case = r.json()
    refused = await rvt.post(
        f"/api/cases/{case['id']}/decisions",
        json={"unit_id": str(bad.id), "children": _children(case)},
        headers={"accept-language": "sv"},
    )
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert detail.startswith("Enheten bryter mot de här reglerna för hushållet: hederskompetens.")
    assert "undantag" in detail


async def test_role_not_allowed_to_override(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    _good, _good2, bad = await _units(app, world, "protection_level")
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    r = await rvt.post("/api/cases", json=household_json(world, children=0))
    case = r.json()
    app.state.settings.override_roles_csv = "socialjour"
    try:
        r = await rvt.post(
            f"/api/cases/{case['id']}/decisions",
            json={
                "unit_id": str(bad.id),
                "overridden_rules": ["protection_level"],
                "override_reason": OVERRIDE,
            },
        )
    finally:
        app.state.settings.override_roles_csv = "rvt_officer,socialjour"
    assert r.status_code == 403, r.text


async def test_a_household_without_assessment_is_not_placed(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    r = await rvt.post("/api/cases", json=household_json(world, children=0, risk_assessments=[]))
    case = r.json()
    url = f"/api/cases/{case['id']}/decisions"
    refused = await rvt.post(url, json={"unit_id": str(world.shelter.id)})
    assert refused.status_code == 422 and "no risk assessment" in refused.json()["detail"]
    assert refused.json()["field"] == "risk_assessment"
    wrong = await rvt.post(
        f"/api/cases/{case['id']}/risk-assessments",
        json={"instrument": "not_assessed", "level": "low"},
    )
    assert wrong.status_code == 422
    r = await rvt.post(
        f"/api/cases/{case['id']}/risk-assessments",
        json={"instrument": "not_assessed", "level": "high"},
    )
    assert r.status_code == 201
    # Treated as high: a protection-1 unit is refused, the protection-3 shelter granted.
    low = await rvt.post(url, json={"unit_id": str(world.low_unit.id)})
    assert low.status_code == 422 and low.json()["rules"] == ["protection_level"]
    ok = await rvt.post(url, json={"unit_id": str(world.shelter.id)})
    assert ok.status_code == 201, ok.text


async def test_a_later_low_freda_does_not_cancel_a_high_patriark(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    r = await rvt.post(
        "/api/cases",
        json=household_json(
            world,
            children=0,
            needs={"honour_context": True},
            risk_assessments=[{"instrument": "patriark", "level": "high"}],
        ),
    )
    case = r.json()
    r = await rvt.post(
        f"/api/cases/{case['id']}/risk-assessments", json={"instrument": "freda", "level": "low"}
    )
    assert r.status_code == 201
    read = (await rvt.get(f"/api/cases/{case['id']}")).json()
    assert read["current_risk_level"] == "high"
    assert read["honour_without_patriark"] is False
    low = await rvt.post(
        f"/api/cases/{case['id']}/decisions", json={"unit_id": str(world.low_unit.id)}
    )
    # High risk (the PATRIARK) needs protection level 3; the hostel has no honour competence.
    assert low.status_code == 422
    assert low.json()["rules"] == ["protection_level", "honour_competence"]
    # Superseding needs a reason; once superseded, the FREDA decides.
    patriark = next(a for a in read["risk_assessments"] if a["instrument"] == "patriark")
    sup = f"/api/cases/{case['id']}/risk-assessments/{patriark['id']}/supersede"
    assert (await rvt.post(sup, json={"reason": ""})).status_code == 422
    r = await rvt.post(sup, json={"reason": "Förövaren är dömd och avvisad från landet."})
    assert r.status_code == 200, r.text
    assert (await rvt.post(sup, json={"reason": "igen"})).status_code == 409
    read = (await rvt.get(f"/api/cases/{case['id']}")).json()
    assert read["current_risk_level"] == "low"
    assert read["honour_without_patriark"] is True


async def test_every_child_needs_a_decision(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = (await rvt.post("/api/cases", json=household_json(world, children=2))).json()
    url = f"/api/cases/{case['id']}/decisions"
    one = _children(case)[:1]
    r = await rvt.post(url, json={"unit_id": str(world.shelter.id), "children": one})
    assert r.status_code == 422 and r.json()["field"] == "children"
    none = await rvt.post(url, json={"unit_id": str(world.shelter.id)})
    assert none.status_code == 422 and none.json()["field"] == "children"
    no_note = [{**c, "assessment_note": " "} for c in _children(case)]
    r = await rvt.post(url, json={"unit_id": str(world.shelter.id), "children": no_note})
    assert r.status_code == 422 and r.json()["field"] == "children.0.assessment_note"
    async with transaction(owner_sm(app)) as s:
        n = await s.scalar(
            select(func.count())
            .select_from(Decision)
            .where(col(Decision.case_id) == uuid.UUID(case["id"]))
        )
        assert n == 0
        assert (await s.get(Case, uuid.UUID(case["id"]))) is not None
    r = await rvt.post(url, json={"unit_id": str(world.shelter.id), "children": _children(case)})
    assert r.status_code == 201
    decisions = r.json()["decisions"]
    assert len(decisions) == 3 and all(d["status"] == DecisionStatus.active for d in decisions)
    assert [d["assessment_note"] for d in decisions[1:]] == ["Går i fjärde klass."] * 2


async def test_overrides_are_flagged_for_the_auditors(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    _good, _good2, bad = await _units(app, world, "wheelchair")
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    auditor = await client_for(Role.auditor)
    case = (
        await rvt.post("/api/cases", json=household_json(world, children=0, needs=NEEDS))
    ).json()
    r = await rvt.post(
        f"/api/cases/{case['id']}/decisions",
        json={
            "unit_id": str(bad.id),
            "overridden_rules": ["wheelchair"],
            "override_reason": OVERRIDE,
        },
    )
    assert r.status_code == 201, r.text
    review = (await auditor.get("/api/audit/review")).json()
    flagged = [e for e in review if e["case_id"] == case["id"] and e["entity_type"] == "decision"]
    assert [e["reason"] for e in flagged] == ["override: wheelchair"]
    # The reason itself (free text about a person) is not in the audit log.
    assert all(OVERRIDE not in (e["reason"] or "") for e in review)


async def test_who_may_grant_is_a_district_setting(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    good, _good2, _bad = await _units(app, world, "gender")
    async with transaction(owner_sm(app)) as s:
        unit = await s.get(Unit, good.id)
        assert unit is not None
        unit.kind = UnitKind.shis_mellanbo
    admin = await client_for(Role.admin)
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    night = await client_for(Role.socialjour)
    url = f"/api/admin/districts/{world.district_a.id}/settings"
    assert (await rvt.put(url, json={"grant_roles": {}})).status_code == 403
    bad = await admin.put(url, json={"grant_roles": {"shis_mellanbo": []}})
    assert bad.status_code == 422
    r = await admin.put(url, json={"grant_roles": {"shis_mellanbo": ["socialjour"]}})
    assert r.status_code == 200 and r.json()["grant_roles"] == {"shis_mellanbo": ["socialjour"]}
    assert (await admin.get(url)).json()["grant_roles"] == {"shis_mellanbo": ["socialjour"]}
    case = (
        await rvt.post("/api/cases", json=household_json(world, children=0, needs=NEEDS))
    ).json()
    refused = await rvt.post(f"/api/cases/{case['id']}/decisions", json={"unit_id": str(good.id)})
    assert refused.status_code == 403 and refused.json()["field"] == "unit_id"
    granted = await night.post(f"/api/cases/{case['id']}/decisions", json={"unit_id": str(good.id)})
    assert granted.status_code == 201, granted.text
