"""Operators, units and places through the JSON API: CRUD, validation, addresses, permissions."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import col, func, select

from placement.clock import FrozenClock
from placement.models import AuditEntry, Place, Unit
from placement.models.enums import Role
from tests.conftest import owner_sm
from tests.inventory.factories import World, make_unit, make_world

ClientFor = Any


def unit_body(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "operator_id": str(world.city),
        "name": "Kriscentrum Test",
        "kind": "protected_shelter",
        "district_id": str(world.sodermalm),
        "sharing_policy": "city_wide",
        "protection_level": 3,
        "accepted_genders": ["female"],
        "substance_policy": "no_active_use",
        "accepts_children": True,
        "max_children": 3,
        "languages": ["sv", "ar"],
        "address": "Hemliga gatan 1",
        "places": [
            {"label": "P1"},
            {"label": "P2"},
            {"label": "F1", "kind": "family_room", "capacity": 4},
        ],
    }
    body.update(overrides)
    return body


async def count(app: Any, model: Any) -> int:
    async with app.state.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_operator_crud(client_for: ClientFor, app: Any) -> None:
    coord = await client_for(Role.coordinator)
    r = await coord.post(
        "/api/inventory/operators", json={"name": "Jouren", "kind": "civil_society"}
    )
    assert r.status_code == 201, r.text
    op_id = r.json()["id"]
    r = await coord.post("/api/inventory/operators", json={"name": "jouren", "kind": "private"})
    assert r.status_code == 409 and "already exists" in r.json()["detail"]
    r = await coord.patch(f"/api/inventory/operators/{op_id}", json={"phone": "08-123"})
    assert r.status_code == 200 and r.json()["phone"] == "08-123"
    r = await coord.get(f"/api/inventory/operators/{op_id}")
    assert r.json()["name"] == "Jouren"
    r = await coord.get("/api/inventory/operators")
    assert [o["name"] for o in r.json()] == ["Jouren"]
    r = await coord.post(f"/api/inventory/operators/{op_id}/retire")
    assert r.status_code == 200 and r.json()["retired_at"] is not None
    assert (await coord.get("/api/inventory/operators")).json() == []
    r = await coord.post("/api/inventory/operators", json={"name": "X", "kind": "spaceship"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"


async def test_operator_with_units_cannot_retire(client_for: ClientFor, sessionmaker: Any) -> None:
    world = await make_world(sessionmaker)
    await make_unit(sessionmaker, world, operator_id=world.ngo)
    coord = await client_for(Role.coordinator)
    r = await coord.post(f"/api/inventory/operators/{world.ngo}/retire")
    assert r.status_code == 409 and "retire them first" in r.json()["detail"]


async def test_create_update_retire_unit(
    client_for: ClientFor, sessionmaker: Any, app: Any
) -> None:
    world = await make_world(sessionmaker)
    coord = await client_for(Role.coordinator)
    r = await coord.post("/api/inventory/units", json=unit_body(world))
    assert r.status_code == 201, r.text
    unit = r.json()
    assert unit["places"] == 2 and unit["family_rooms"] == [4]
    assert unit["free_places_now"] == 2 and unit["free_family_rooms_now"] == [4]
    assert unit["has_address"] is True and unit["address"] is None  # coordinator: write-only
    assert unit["vacancy_stale"] is True  # never confirmed
    assert unit["ivo_permit_required"] is False
    uid = unit["id"]

    r = await coord.patch(f"/api/inventory/units/{uid}", json={"protection_level": 2})
    assert r.status_code == 200 and r.json()["protection_level"] == 2
    r = await coord.patch(f"/api/inventory/units/{uid}", json={"min_age": 30, "max_age": 20})
    assert r.status_code == 422 and r.json()["field"] == "max_age"
    r = await coord.patch(f"/api/inventory/units/{uid}", json={"name": None})
    assert r.status_code == 422 and r.json()["field"] == "name"
    r = await coord.patch(f"/api/inventory/units/{uid}", json={"district_id": str(uuid.uuid4())})
    assert r.status_code == 422 and r.json()["field"] == "district_id"

    r = await coord.patch(f"/api/inventory/units/{uid}", json={"address": "Nya vägen 2"})
    assert r.status_code == 200 and r.json()["address"] is None
    rvt = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    assert (await rvt.get(f"/api/inventory/units/{uid}")).json()["address"] == "Nya vägen 2"

    r = await coord.post(f"/api/inventory/units/{uid}/retire")
    assert r.status_code == 200 and r.json()["retired_at"] is not None
    listed = (await coord.get("/api/inventory/units")).json()
    assert listed["total"] == 0
    listed = (await coord.get("/api/inventory/units?include_retired=true")).json()
    assert listed["total"] == 1


async def test_private_shelter_needs_ivo_permit(client_for: ClientFor, sessionmaker: Any) -> None:
    world = await make_world(sessionmaker)
    coord = await client_for(Role.coordinator)
    r = await coord.post(
        "/api/inventory/units", json=unit_body(world, operator_id=str(world.private))
    )
    assert r.status_code == 201 and r.json()["ivo_permit_required"] is True
    r = await coord.post(
        "/api/inventory/units",
        json=unit_body(world, operator_id=str(world.private), ivo_permit_required=False),
    )
    assert r.status_code == 422 and r.json()["field"] == "ivo_permit_required"


async def test_bad_input_is_named_and_nothing_saved(
    client_for: ClientFor, sessionmaker: Any, app: Any
) -> None:
    world = await make_world(sessionmaker)
    coord = await client_for(Role.coordinator)
    cases = [
        (unit_body(world, kind="castle"), "kind"),
        (
            unit_body(
                world,
                places=[{"label": "P1"}, {"label": "F", "kind": "family_room", "capacity": -2}],
            ),
            "places.1.capacity",
        ),
        (unit_body(world, district_id=str(uuid.uuid4())), "district_id"),
        (unit_body(world, owner_district_id=str(uuid.uuid4())), "owner_district_id"),
        (unit_body(world, operator_id=str(uuid.uuid4())), "operator_id"),
        (unit_body(world, accepts_children=False, max_children=2), "max_children"),
        (unit_body(world, protection_level=7), "protection_level"),
        (unit_body(world, places=[{"label": "P1"}, {"label": "P1"}]), "places"),
        (unit_body(world, places=[{"label": "P1", "capacity": 3}]), "places.0.capacity"),
        (unit_body(world, sharing_policy="regional_pool"), "sharing_policy"),
        (unit_body(world, languages=["Swedish!"]), "languages.0"),
    ]
    for body, field in cases:
        r = await coord.post("/api/inventory/units", json=body)
        assert r.status_code == 422, (field, r.text)
        data = r.json()
        fields = [e["field"] for e in data.get("errors", [])] + [data.get("field")]
        assert field in fields, (field, data)
        assert data["detail"]
    assert await count(app, Unit) == 0
    assert await count(app, Place) == 0


async def test_address_only_in_detail_for_allowed_roles_and_audited(
    client_for: ClientFor, sessionmaker: Any, app: Any
) -> None:
    world = await make_world(sessionmaker)
    coord = await client_for(Role.coordinator)
    uid = (await coord.post("/api/inventory/units", json=unit_body(world))).json()["id"]
    rvt = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    listed = await rvt.get("/api/inventory/units")
    assert "Hemliga" not in listed.text and "address" not in listed.json()["items"][0]
    detail = await rvt.get(f"/api/inventory/units/{uid}")
    assert detail.status_code == 200 and detail.json()["address"] == "Hemliga gatan 1"
    async with app.state.sessionmaker() as s:
        entries = (
            (
                await s.execute(
                    select(AuditEntry).where(col(AuditEntry.entity_type) == "unit_address")
                )
            )
            .scalars()
            .all()
        )
    assert len(entries) == 1 and str(entries[0].entity_id) == uid
    assert entries[0].username and entries[0].username.startswith("rvt_officer")
    # Ciphertext at rest, bound to its purpose.
    async with owner_sm(app)() as s:
        stored = await s.scalar(
            select(Unit.address_ciphertext).where(col(Unit.id) == uuid.UUID(uid))
        )
        assert stored and "Hemliga" not in stored


async def test_list_filters_and_staleness(
    client_for: ClientFor, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    fresh = await make_unit(sessionmaker, world, name="Fresh", confirmed_at=clock.now())
    await make_unit(
        sessionmaker,
        world,
        name="Old",
        kind="hostel",
        confirmed_at=clock.now() - timedelta(hours=13),
    )
    await make_unit(
        sessionmaker,
        world,
        name="Farsta flat",
        district_id=world.farsta,
        kind="on_call_flat",
        sharing_policy="own_district",
    )
    coord = await client_for(Role.coordinator)
    page = (await coord.get("/api/inventory/units")).json()
    assert page["total"] == 3
    by_name = {u["name"]: u for u in page["items"]}
    assert by_name["Fresh"]["vacancy_stale"] is False
    assert by_name["Old"]["vacancy_stale"] is True and by_name["Old"]["vacancy_age_hours"] == 13
    assert by_name["Farsta flat"]["vacancy_confirmed_at"] is None
    assert by_name["Farsta flat"]["vacancy_stale"] is True
    stale = (await coord.get("/api/inventory/units?stale=true")).json()
    assert {u["name"] for u in stale["items"]} == {"Old", "Farsta flat"}
    fresh_only = (await coord.get("/api/inventory/units?stale=false")).json()
    assert [u["id"] for u in fresh_only["items"]] == [str(fresh)]
    r = await coord.get(f"/api/inventory/units?kind=on_call_flat&district_id={world.farsta}")
    assert [u["name"] for u in r.json()["items"]] == ["Farsta flat"]
    r = await coord.get("/api/inventory/units?q=old")
    assert [u["name"] for u in r.json()["items"]] == ["Old"]
    r = await coord.get("/api/inventory/units?sharing_policy=own_district&limit=1")
    assert r.json()["total"] == 1
    r = await coord.get("/api/inventory/units?kind=palace")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"


async def test_places_add_update_retire(client_for: ClientFor, sessionmaker: Any) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world, singles=1)
    coord = await client_for(Role.coordinator)
    r = await coord.post(
        f"/api/inventory/units/{uid}/places",
        json={"label": "F1", "kind": "family_room", "capacity": 3},
    )
    assert r.status_code == 201, r.text
    room = r.json()
    r = await coord.post(f"/api/inventory/units/{uid}/places", json={"label": "F1"})
    assert r.status_code == 409 and r.json()["field"] == "label"
    r = await coord.post(f"/api/inventory/units/{uid}/places", json={"label": "X", "capacity": 0})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "capacity"
    r = await coord.patch(f"/api/inventory/places/{room['id']}", json={"capacity": 5})
    assert r.status_code == 200 and r.json()["capacity"] == 5
    r = await coord.patch(f"/api/inventory/places/{room['id']}", json={"capacity": -1})
    assert r.status_code == 422
    r = await coord.post(f"/api/inventory/places/{room['id']}/retire")
    assert r.status_code == 200 and r.json()["retired_at"]
    r = await coord.get(f"/api/inventory/units/{uid}/places")
    assert [p["label"] for p in r.json()] == ["P1"]
    r = await coord.get(f"/api/inventory/units/{uid}/places?include_retired=true")
    assert [p["label"] for p in r.json()] == ["F1", "P1"]
    r = await coord.get(f"/api/inventory/units/{uuid.uuid4()}/places")
    assert r.status_code == 404


async def test_booked_place_cannot_be_retired_nor_unit(
    client_for: ClientFor, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world, singles=1)
    rvt = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    r = await rvt.post("/api/inventory/holds", json={"unit_id": str(uid), "nights": 3})
    assert r.status_code == 201, r.text
    coord = await client_for(Role.coordinator)
    place = (await coord.get(f"/api/inventory/units/{uid}/places")).json()[0]
    r = await coord.post(f"/api/inventory/places/{place['id']}/retire")
    assert r.status_code == 409 and "booked" in r.json()["detail"]
    r = await coord.post(f"/api/inventory/units/{uid}/retire")
    assert r.status_code == 409
    clock.advance(timedelta(minutes=91))  # the hold runs out: nothing stands in the way
    r = await coord.post(f"/api/inventory/units/{uid}/retire")
    assert r.status_code == 200


async def test_permissions(
    client_for: ClientFor, sessionmaker: Any, anon_client: httpx.AsyncClient
) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world)
    assert (await anon_client.get("/api/inventory/units")).status_code == 401
    rvt = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    operator = await client_for(Role.operator, operator_id=world.city)
    agency = await client_for(Role.housing_agency)
    assert (await rvt.post("/api/inventory/units", json=unit_body(world))).status_code == 403
    assert (await rvt.patch(f"/api/inventory/units/{uid}", json={})).status_code == 403
    assert (await rvt.post(f"/api/inventory/units/{uid}/retire")).status_code == 403
    assert (
        await rvt.post("/api/inventory/operators", json={"name": "A", "kind": "private"})
    ).status_code == 403
    assert (await rvt.patch(f"/api/inventory/operators/{world.city}", json={})).status_code == 403
    assert (await rvt.post(f"/api/inventory/operators/{world.city}/retire")).status_code == 403
    assert (
        await rvt.post(f"/api/inventory/units/{uid}/places", json={"label": "Z"})
    ).status_code == 403
    place = (await rvt.get(f"/api/inventory/units/{uid}/places")).json()[0]["id"]
    assert (await rvt.patch(f"/api/inventory/places/{place}", json={})).status_code == 403
    assert (await rvt.post(f"/api/inventory/places/{place}/retire")).status_code == 403
    for client in (operator, agency):
        assert (await client.get("/api/inventory/units")).status_code == 403
        assert (await client.get(f"/api/inventory/units/{uid}")).status_code == 403
        assert (await client.get("/api/inventory/operators")).status_code == 403
        assert (await client.get(f"/api/inventory/operators/{world.city}")).status_code == 403
    r = await agency.get("/api/inventory/units")
    assert r.json()["detail"] == "Your role does not give access to this."
