"""Holds through the API: create, see who holds what, extend once, confirm, release."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from placement.clock import FrozenClock
from placement.inventory.bookings import NO_ROOM
from placement.models.enums import Role, SharingPolicy
from tests.inventory.factories import make_case, make_unit, make_world, place_ids

ClientFor = Any


async def free_places(client: Any, unit_id: uuid.UUID, nights: int = 3) -> int:
    r = await client.post("/api/inventory/availability", json={"nights": nights})
    for u in r.json()["units"]:
        if u["unit_id"] == str(unit_id):
            return int(u["free_places"])
    return 0


async def test_hold_lifecycle(client_for: ClientFor, sessionmaker: Any, clock: FrozenClock) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world, name="Lyktan", singles=2)
    case_id = await make_case(sessionmaker, world.sodermalm, clock.now())
    anna = await client_for(Role.rvt_officer, district_id=world.sodermalm, username="anna")
    jour = await client_for(Role.socialjour, username="natt")

    r = await anna.post("/api/inventory/holds", json={"unit_id": str(uid), "nights": 14})
    assert r.status_code == 201, r.text
    hold = r.json()
    assert hold["held_by"] == "anna" and hold["unit_name"] == "Lyktan"
    assert hold["place_labels"] == ["P1"] and hold["beds"] == 1 and hold["can_extend"]
    expires = clock.now() + timedelta(minutes=90)
    assert hold["expires_at"].startswith(expires.isoformat()[:19])
    assert await free_places(anna, uid) == 1

    # Other staff see who holds what, without personal data.
    listed = (await jour.get("/api/inventory/holds")).json()
    assert [(h["held_by"], h["unit_name"]) for h in listed] == [("anna", "Lyktan")]
    assert "case" not in str(listed)
    assert (await jour.get(f"/api/inventory/holds?unit_id={uuid.uuid4()}")).json() == []

    gid = hold["group_id"]
    # Only the holder (or a team lead) may change it.
    assert (await jour.post(f"/api/inventory/holds/{gid}/extend")).status_code == 403
    assert (await jour.delete(f"/api/inventory/holds/{gid}")).status_code == 403
    r = await jour.post(f"/api/inventory/holds/{gid}/confirm", json={"case_id": str(case_id)})
    assert r.status_code == 403

    clock.advance(timedelta(minutes=60))
    r = await anna.post(f"/api/inventory/holds/{gid}/extend")
    assert r.status_code == 200 and r.json()["extension_count"] == 1
    assert r.json()["can_extend"] is False
    assert r.json()["expires_at"].startswith((expires + timedelta(minutes=90)).isoformat()[:19])
    r = await anna.post(f"/api/inventory/holds/{gid}/extend")
    assert r.status_code == 409 and "only once" in r.json()["detail"]

    r = await anna.post(f"/api/inventory/holds/{gid}/confirm", json={"case_id": str(uuid.uuid4())})
    assert r.status_code == 422 and r.json()["field"] == "case_id"
    r = await anna.post(f"/api/inventory/holds/{gid}/confirm", json={"case_id": str(case_id)})
    assert r.status_code == 201, r.text
    placement = r.json()
    assert placement["group_id"] == gid and placement["case_id"] == str(case_id)
    assert placement["place_labels"] == ["P1"]
    assert (await jour.get("/api/inventory/holds")).json() == []
    assert await free_places(anna, uid) == 1  # the placement keeps the place
    r = await anna.post(f"/api/inventory/holds/{gid}/confirm", json={"case_id": str(case_id)})
    assert r.status_code == 409 and "already been confirmed" in r.json()["detail"]
    assert (await anna.delete(f"/api/inventory/holds/{gid}")).status_code == 409


async def test_release_and_team_lead(
    client_for: ClientFor, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world, singles=1)
    anna = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    lead = await client_for(Role.rvt_officer, district_id=world.sodermalm, is_team_lead=True)
    gid = (await anna.post("/api/inventory/holds", json={"unit_id": str(uid), "nights": 2})).json()[
        "group_id"
    ]
    r = await lead.post("/api/inventory/holds", json={"unit_id": str(uid), "nights": 2})
    assert r.status_code == 409 and r.json()["detail"] == NO_ROOM
    assert (await lead.delete(f"/api/inventory/holds/{gid}")).status_code == 204
    assert await free_places(anna, uid) == 1
    r = await anna.post(f"/api/inventory/holds/{gid}/extend")
    assert r.status_code == 409 and "released" in r.json()["detail"]
    assert (await anna.delete(f"/api/inventory/holds/{uuid.uuid4()}")).status_code == 404


async def test_expired_hold_cannot_be_confirmed_or_extended(
    client_for: ClientFor, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world, singles=1)
    case_id = await make_case(sessionmaker, world.sodermalm, clock.now())
    anna = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    gid = (await anna.post("/api/inventory/holds", json={"unit_id": str(uid), "nights": 2})).json()[
        "group_id"
    ]
    clock.advance(timedelta(minutes=90))
    r = await anna.post(f"/api/inventory/holds/{gid}/confirm", json={"case_id": str(case_id)})
    assert r.status_code == 409 and "expired" in r.json()["detail"]
    assert (await anna.post(f"/api/inventory/holds/{gid}/extend")).status_code == 409


async def test_hold_refusals(client_for: ClientFor, sessionmaker: Any, clock: FrozenClock) -> None:
    world = await make_world(sessionmaker)
    farsta_flat = await make_unit(
        sessionmaker, world, district_id=world.farsta, sharing_policy=SharingPolicy.own_district
    )
    no_permit = await make_unit(
        sessionmaker,
        world,
        operator_id=world.private,
        ivo_permit_required=True,
        ivo_permit_valid_until=date(2026, 11, 1),
    )
    family = await make_unit(sessionmaker, world, singles=1, rooms=(3,))
    anna = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    r = await anna.post("/api/inventory/holds", json={"unit_id": str(farsta_flat), "nights": 2})
    assert r.status_code == 403 and "does not share" in r.json()["detail"]
    r = await anna.post("/api/inventory/holds", json={"unit_id": str(no_permit), "nights": 2})
    assert r.status_code == 409 and "IVO" in r.json()["detail"]
    r = await anna.post("/api/inventory/holds", json={"unit_id": str(uuid.uuid4()), "nights": 2})
    assert r.status_code == 404
    r = await anna.post("/api/inventory/holds", json={"unit_id": str(family), "nights": 0})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "nights"
    r = await anna.post(
        "/api/inventory/holds",
        json={"unit_id": str(family), "nights": 2, "case_id": str(uuid.uuid4())},
    )
    assert r.status_code == 422 and r.json()["field"] == "case_id"
    big = {"unit_id": str(family), "nights": 2, "adults": 2, "children": [{"age": 1}, {"age": 3}]}
    r = await anna.post("/api/inventory/holds", json=big)
    assert r.status_code == 409 and r.json()["detail"] == NO_ROOM
    r = await anna.post("/api/inventory/holds", json={**big, "children": [{"age": 1}]})
    assert r.status_code == 201 and r.json()["place_labels"] == ["F1"] and r.json()["beds"] == 3
    await single_takes_single_place(anna, family)
    # Socialjouren has no district of its own: the case's district decides what may be held.
    jour = await client_for(Role.socialjour)
    farsta_case = await make_case(sessionmaker, world.farsta, clock.now())
    r = await jour.post("/api/inventory/holds", json={"unit_id": str(farsta_flat), "nights": 2})
    assert r.status_code == 422 and r.json()["field"] == "requesting_district_id"
    r = await jour.post(
        "/api/inventory/holds",
        json={"unit_id": str(farsta_flat), "nights": 2, "case_id": str(farsta_case)},
    )
    assert r.status_code == 201, r.text
    coord = await client_for(Role.coordinator)
    r = await coord.post("/api/inventory/holds", json={"unit_id": str(family), "nights": 2})
    assert r.status_code == 403
    operator = await client_for(Role.operator, operator_id=world.city)
    assert (await operator.get("/api/inventory/holds")).status_code == 403


async def single_takes_single_place(client: Any, unit_id: uuid.UUID) -> Any:
    # A single adult takes the single place, not a family room.
    r = await client.post("/api/inventory/holds", json={"unit_id": str(unit_id), "nights": 2})
    assert r.status_code == 201 and r.json()["place_labels"] == ["P1"]
    return r


async def test_direct_placement(
    client_for: ClientFor, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world, singles=2)
    other = await make_unit(sessionmaker, world, singles=1)
    case_id = await make_case(sessionmaker, world.sodermalm, clock.now())
    anna = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    p1, p2 = await place_ids(sessionmaker, uid)
    (foreign,) = await place_ids(sessionmaker, other)
    body = {
        "unit_id": str(uid),
        "case_id": str(case_id),
        "starts_at": clock.now().isoformat(),
        "nights": 14,
    }
    r = await anna.post("/api/inventory/placements", json={**body, "place_ids": [str(foreign)]})
    assert r.status_code == 422 and r.json()["field"] == "place_ids"
    r = await anna.post(
        "/api/inventory/placements", json={**body, "adults": 2, "place_ids": [str(p1)]}
    )
    assert r.status_code == 422 and "household has 2" in r.json()["detail"]
    r = await anna.post("/api/inventory/placements", json={**body, "place_ids": [str(p2)]})
    assert r.status_code == 201 and r.json()["place_labels"] == ["P2"]
    r = await anna.post("/api/inventory/placements", json=body)
    assert r.status_code == 201 and r.json()["place_labels"] == ["P1"]
    r = await anna.post("/api/inventory/placements", json=body)
    assert r.status_code == 409 and r.json()["detail"] == NO_ROOM
    coord = await client_for(Role.coordinator)
    assert (await coord.post("/api/inventory/placements", json=body)).status_code == 403
