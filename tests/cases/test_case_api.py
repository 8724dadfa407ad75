"""Case intake and upkeep over HTTP: scope, audit, encryption, validation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import col, select

from placement.clock import FrozenClock
from placement.db import transaction
from placement.models import AuditEntry, Person
from placement.models.enums import Role
from tests.conftest import ClientFactory, owner_sm
from tests.decisions.factories import (
    ADULT_NAME,
    PERSONAL_NUMBER,
    World,
    audit_count,
    household_json,
)


async def _open(client: Any, world: World, **extra: Any) -> dict[str, Any]:
    r = await client.post("/api/cases", json=household_json(world, **extra))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_intake_read_and_list(app: Any, world: World, client_for: ClientFactory) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await _open(rvt, world)
    assert case["case_number"].startswith("RV-2026-")
    assert case["current_risk_level"] == "high"
    assert case["protected_identity"] == "protected_registration"
    assert [c["pseudonym"] for c in case["children"]] == ["Barn 1", "Barn 2"]
    assert sorted(c["age"] for c in case["children"]) == [4, 10]
    assert case["exclusion_areas"][0]["district_code"] == world.district_b.code
    assert case["handler_id"] is not None  # the RVT officer who opened it
    assert ADULT_NAME not in str(case) and PERSONAL_NUMBER not in str(case)
    sm = owner_sm(app)
    assert await audit_count(sm, case["id"]) == 1  # the intake itself

    r = await rvt.get(f"/api/cases/{case['id']}")
    assert r.status_code == 200 and r.json()["case_number"] == case["case_number"]
    assert await audit_count(sm, case["id"], "read") == 1  # exactly one per read

    r = await rvt.get("/api/cases")
    assert r.status_code == 200
    assert [c["case_number"] for c in r.json()] == [case["case_number"]]
    assert "name" not in r.json()[0]
    assert await audit_count(sm, case["id"], "read") == 2

    async with transaction(sm) as s:
        entry = (
            (
                await s.execute(
                    select(AuditEntry)
                    .where(col(AuditEntry.case_id) == case["id"], col(AuditEntry.action) == "read")
                    .limit(1)
                )
            )
            .scalars()
            .one()
        )
        assert entry.entity_type == "case" and entry.protected_identity
        assert ADULT_NAME not in (entry.reason or "")


async def test_names_are_encrypted_and_revealed_with_an_audited_request(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await _open(rvt, world)
    sm = owner_sm(app)
    async with transaction(sm) as s:
        hits = await s.scalar(
            text(
                "SELECT count(*) FROM person WHERE name_ciphertext LIKE :n "
                "OR personal_number_ciphertext LIKE :p"
            ),
            {"n": f"%{ADULT_NAME}%", "p": f"%{PERSONAL_NUMBER}%"},
        )
        assert hits == 0
        stored = (await s.execute(select(Person.name_ciphertext))).scalars().all()
        assert any(v and v.startswith("dev:") for v in stored)
    before = await audit_count(sm, case["id"])
    no_reason = await rvt.post(f"/api/cases/{case['id']}/identity", json={"reason": ""})
    assert no_reason.status_code == 422
    r = await rvt.post(
        f"/api/cases/{case['id']}/identity", json={"reason": "Kontakt med skolan om barnen"}
    )
    assert r.status_code == 200
    assert r.json()["name"] == ADULT_NAME and r.json()["personal_number"] == PERSONAL_NUMBER
    assert await audit_count(sm, case["id"]) == before + 1
    assert await audit_count(sm, case["id"], "reveal") == 1


async def test_another_districts_case_is_not_found(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    owner = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    stranger = await client_for(Role.rvt_officer, district_id=world.district_b.id)
    night = await client_for(Role.socialjour)
    coordinator = await client_for(Role.coordinator)
    case = await _open(owner, world)
    cid = case["id"]
    for method, path, body in [
        ("GET", f"/api/cases/{cid}", None),
        ("POST", f"/api/cases/{cid}/identity", {"reason": "need to call the school"}),
        ("GET", f"/api/cases/{cid}/decisions", None),
        ("PATCH", f"/api/cases/{cid}", {"phase": "post_acute"}),
        ("POST", f"/api/cases/{cid}/risk-assessments", {"instrument": "freda", "level": "low"}),
    ]:
        r = await stranger.request(method, path, json=body)
        assert r.status_code == 404, (path, r.text)
    assert (await stranger.get("/api/cases")).json() == []
    assert await audit_count(owner_sm(app), cid, "read") == 0
    # Socialjouren sees every district's cases; other roles have no case access at all.
    assert (await night.get(f"/api/cases/{cid}")).status_code == 200
    assert (await coordinator.get(f"/api/cases/{cid}")).status_code == 403
    assert (await coordinator.post("/api/cases", json=household_json(world))).status_code == 403
    # An RVT officer opens cases for their own district only.
    r = await stranger.post("/api/cases", json=household_json(world))
    assert r.status_code == 403 and r.json()["field"] == "responsible_district_id"


async def test_case_numbers_are_unique_pseudonyms(world: World, client_for: ClientFactory) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await _open(rvt, world, case_number="RV-2026-TEST1")
    assert case["case_number"] == "RV-2026-TEST1"
    r = await rvt.post("/api/cases", json=household_json(world, case_number="RV-2026-TEST1"))
    assert r.status_code == 409 and r.json()["field"] == "case_number"
    r = await rvt.post("/api/cases", json=household_json(world, case_number="850612-1234"))
    assert r.status_code == 422 and "personal identity number" in r.json()["detail"]
    # Without a name: the case number is enough.
    data = household_json(world)
    del data["person"]["name"], data["person"]["personal_number"]
    r = await rvt.post("/api/cases", json=data)
    assert r.status_code == 201


async def test_intake_validation(world: World, client_for: ClientFactory) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    data = household_json(world)
    data["children"][0].pop("birth_date")
    r = await rvt.post("/api/cases", json=data)
    assert r.status_code == 422 and "birth_date or age" in r.json()["detail"]
    data = household_json(world)
    data["exclusion_areas"] = [{"district_code": "no-such-district", "kind": "other"}]
    r = await rvt.post("/api/cases", json=data)
    assert r.status_code == 422 and r.json()["field"] == "exclusion_areas"
    data = household_json(world)
    data["children"][0]["birth_date"] = "2001-01-01"
    r = await rvt.post("/api/cases", json=data)
    assert r.status_code == 422 and "adult" in r.json()["detail"]
    assert (await rvt.get("/api/cases")).json() == []  # nothing half-saved


async def test_upkeep_endpoints(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await _open(rvt, world, children=1)
    cid = case["id"]
    sm = owner_sm(app)

    r = await rvt.patch(
        f"/api/cases/{cid}",
        json={"phase": "post_acute", "needs": {"needs_wheelchair": True, "languages": ["so"]}},
    )
    assert r.status_code == 200
    assert r.json()["phase"] == "post_acute" and r.json()["needs"]["needs_wheelchair"]

    r = await rvt.post(f"/api/cases/{cid}/children", json={"gender": "male", "age": 12})
    assert r.status_code == 201 and r.json()["pseudonym"] == "Barn 2"
    child_id = r.json()["id"]
    r = await rvt.patch(
        f"/api/cases/{cid}/children/{child_id}", json={"schooling_started_on": "2026-11-23"}
    )
    assert r.status_code == 200 and r.json()["schooling_started_on"] == "2026-11-23"
    r = await rvt.patch(
        f"/api/cases/{cid}/children/{child_id}", json={"schooling_started_on": "2027-01-10"}
    )
    assert r.status_code == 422  # not in the future

    r = await rvt.post(
        f"/api/cases/{cid}/exclusion-areas",
        json={"district_code": world.district_c.code, "kind": "extended_family"},
    )
    assert r.status_code == 201
    area_id = r.json()["id"]
    r = await rvt.post(
        f"/api/cases/{cid}/exclusion-areas",
        json={"district_code": world.district_c.code, "kind": "extended_family"},
    )
    assert r.status_code == 409
    assert (await rvt.delete(f"/api/cases/{cid}/exclusion-areas/{area_id}")).status_code == 204

    # A later, lower assessment does not replace the earlier one: the highest in force
    # counts until the earlier one is superseded, with a reason.
    clock.advance(timedelta(minutes=20))
    r = await rvt.post(
        f"/api/cases/{cid}/risk-assessments", json={"instrument": "patriark", "level": "medium"}
    )
    assert r.status_code == 201
    read = (await rvt.get(f"/api/cases/{cid}")).json()
    assert read["current_risk_level"] == "high"
    earlier = next(a for a in read["risk_assessments"] if a["level"] == "high")
    r = await rvt.post(
        f"/api/cases/{cid}/risk-assessments/{earlier['id']}/supersede",
        json={"reason": "Ny bedömning efter samtal med polisen."},
    )
    assert r.status_code == 200, r.text
    assert (await rvt.get(f"/api/cases/{cid}")).json()["current_risk_level"] == "medium"
    n_reads = 1  # one more read: the case above, to find the earlier assessment

    r = await rvt.post(f"/api/cases/{cid}/placement-requests", json={"nights": 14})
    assert r.status_code == 201 and r.json()["status"] == "open"
    request_id = r.json()["id"]
    r = await rvt.post(f"/api/cases/{cid}/placement-requests/{request_id}/withdraw")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = await rvt.post(f"/api/cases/{cid}/placement-requests/{request_id}/withdraw")
    assert r.status_code == 409

    # The intake and each of the nine successful changes (the supersession included) wrote
    # exactly one audit entry, each read one more; refused requests wrote none.
    assert await audit_count(sm, cid, "read") == 1 + n_reads
    assert await audit_count(sm, cid) == 1 + 9 + 1 + n_reads
