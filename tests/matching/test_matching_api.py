"""The matcher through HTTP on the demo city: proposals obey the hard rules, scope holds,
overrides need reasons, the joint plan carries no personal data, runs are stored."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import col, select

from placement.crypto import Keyring
from placement.db import transaction
from placement.models import (
    Case,
    District,
    ExclusionArea,
    Person,
    PlacementRequest,
    RiskAssessment,
    Unit,
)
from placement.models.enums import RequestStatus, Role
from tests.conftest import ClientFactory, owner_sm

REQUIRED = {"low": 1, "medium": 2, "high": 3}


async def _open_requests(app: Any) -> list[tuple[PlacementRequest, Case]]:
    async with transaction(owner_sm(app)) as s:
        rows = (
            await s.execute(
                select(PlacementRequest, Case)
                .join(Case, col(Case.id) == col(PlacementRequest.case_id))
                .where(col(PlacementRequest.status) == RequestStatus.open)
                .order_by(col(PlacementRequest.requested_at))
            )
        ).all()
        return [(r, c) for r, c in rows]


async def test_proposals_obey_hard_rules(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    jour = await client_for(Role.socialjour)
    checked = 0
    for request, case in await _open_requests(app):
        r = await jour.post(f"/api/matching/requests/{request.id}/proposals", json={"limit": 5})
        assert r.status_code == 200, r.text
        body = r.json()
        result = body["result"]
        assert uuid.UUID(body["run_id"])
        async with transaction(owner_sm(app)) as s:
            risk = (
                (
                    await s.execute(
                        select(RiskAssessment.level)
                        .where(col(RiskAssessment.case_id) == case.id)
                        .order_by(col(RiskAssessment.assessed_at).desc())
                    )
                )
                .scalars()
                .first()
            )
            excluded = set(
                (
                    await s.execute(
                        select(ExclusionArea.district_id).where(
                            col(ExclusionArea.case_id) == case.id
                        )
                    )
                ).scalars()
            )
            for p in result["proposals"]:
                unit = await s.get(Unit, uuid.UUID(p["unit_id"]))
                assert unit is not None
                assert unit.protection_level >= REQUIRED[str(risk)]
                assert unit.district_id not in excluded
                assert p["reasons"] and all(x["text_sv"] and x["text_en"] for x in p["reasons"])
                checked += 1
        if not result["proposals"]:
            assert result["message_sv"] and result["next_steps"]
        assert sum(result["excluded_counts"].values()) >= 0
    assert checked > 0


async def test_other_district_gets_404_and_overrides_need_reasons(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    request, case = (await _open_requests(app))[0]
    async with transaction(owner_sm(app)) as s:
        other = (
            (
                await s.execute(
                    select(District.id).where(
                        col(District.id) != case.responsible_district_id,
                        col(District.municipality) == "Stockholm",
                    )
                )
            )
            .scalars()
            .first()
        )
    stranger = await client_for(Role.rvt_officer, district_id=other)
    r = await stranger.post(f"/api/matching/requests/{request.id}/proposals", json={})
    assert r.status_code == 404
    own = await client_for(Role.rvt_officer, district_id=case.responsible_district_id)
    r = await own.post(
        f"/api/matching/requests/{request.id}/proposals", json={"overridden_rules": ["wheelchair"]}
    )
    assert r.status_code == 422 and r.json()["field"] == "override_reason"
    r = await own.post(
        f"/api/matching/requests/{request.id}/proposals",
        json={"overridden_rules": ["household_does_not_fit"], "override_reason": "x"},
    )
    assert r.status_code == 422
    r = await own.post(
        f"/api/matching/requests/{request.id}/proposals",
        json={
            "overridden_rules": ["wheelchair"],
            "override_reason": "Ramp is being installed; agreed by phone.",
        },
    )
    assert r.status_code == 200
    coordinator = await client_for(Role.coordinator)
    r = await coordinator.post(f"/api/matching/requests/{request.id}/proposals", json={})
    assert r.status_code == 404  # the coordinator has no access to case files


async def test_hold_a_proposal(app: Any, demo: dict[str, int], client_for: ClientFactory) -> None:
    jour = await client_for(Role.socialjour)
    for request, _case in await _open_requests(app):
        r = await jour.post(f"/api/matching/requests/{request.id}/proposals", json={})
        proposals = r.json()["result"]["proposals"]
        if proposals:
            break
    else:
        raise AssertionError("no request in the demo city has a proposal")
    unit_id = proposals[0]["unit_id"]
    r = await jour.post(f"/api/matching/requests/{request.id}/hold", json={"unit_id": unit_id})
    assert r.status_code == 201, r.text
    assert r.json()["unit_id"] == unit_id and r.json()["expires_at"]
    again = await jour.post(f"/api/matching/requests/{request.id}/hold", json={"unit_id": unit_id})
    assert again.status_code == 409


async def test_joint_plan_and_move_on_for_the_coordinator(
    app: Any, demo: dict[str, int], client_for: ClientFactory, keyring: Keyring
) -> None:
    coordinator = await client_for(Role.coordinator)
    r = await coordinator.post("/api/matching/joint-plan")
    assert r.status_code == 200, r.text
    body = r.json()
    result = body["result"]
    assert result["status"] in ("OPTIMAL", "FEASIBLE")
    assert len(result["assignments"]) == len(body["case_numbers"]) > 0
    async with transaction(owner_sm(app)) as s:
        names = [
            keyring.decrypt(v, associated="person_name")
            for v in (await s.execute(select(Person.name_ciphertext))).scalars()
            if v
        ]
    assert not any(n in r.text for n in names)  # case numbers only, never a name
    placed = [a for a in result["assignments"] if a["unit_id"]]
    assert placed
    run_id = body["run_id"]
    r = await coordinator.post(f"/api/matching/runs/{run_id}/accept/{placed[0]['request_id']}")
    assert r.status_code == 201, r.text
    assert (await coordinator.get(f"/api/matching/runs/{run_id}")).json()["mode"] == "joint"
    r = await coordinator.post("/api/matching/move-on")
    assert r.status_code == 200, r.text
    moves = r.json()["result"]
    assert "moves" in moves and "freed_acute_places" in moves
    async with transaction(owner_sm(app)) as s:
        some_district = (await s.execute(select(District.id))).scalars().first()
    rvt = await client_for(Role.rvt_officer, district_id=some_district)
    assert (await rvt.post("/api/matching/joint-plan")).status_code == 403


async def test_plans_audit_every_case_they_read(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    from placement.models import AuditEntry

    coordinator = await client_for(Role.coordinator, username="plan.granskas")
    body = (await coordinator.post("/api/matching/joint-plan")).json()
    async with transaction(owner_sm(app)) as s:
        audited = set(
            (
                await s.execute(
                    select(AuditEntry.case_id).where(col(AuditEntry.username) == "plan.granskas")
                )
            ).scalars()
        )
    read = {c.id for _, c in await _open_requests(app)}
    assert len(body["case_numbers"]) == len(read) and audited >= read
