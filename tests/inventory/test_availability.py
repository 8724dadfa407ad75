"""Availability: capacity counting, capability filters, sharing policy, IVO rule, freshness."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from placement.auth.actor import Actor
from placement.clock import FrozenClock
from placement.db import transaction
from placement.inventory import bookings
from placement.models.enums import BookingKind, Role, SharingPolicy, SubstancePolicy, UnitKind
from tests.inventory.factories import make_unit, make_world, place_ids

ClientFor = Any
STAFF = Actor(user_id=None, username="t", role=Role.socialjour)


def names(result: dict[str, Any]) -> set[str]:
    return {u["name"] for u in result["units"]}


async def ask(client: Any, **body: Any) -> dict[str, Any]:
    body.setdefault("nights", 7)
    r = await client.post("/api/inventory/availability", json=body)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


async def test_counts_placements_holds_blocks_and_family_rooms(
    client_for: ClientFor, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world, name="A", singles=2, rooms=(4,))
    rvt = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    start = clock.now()
    family = [{"age": 4}, {"age": 9}]

    res = await ask(rvt, adults=1, children=family)
    assert names(res) == {"A"}
    unit = res["units"][0]
    assert unit["free_places"] == 2 and unit["free_family_rooms"] == [4]
    assert unit["fits_in"] == "family_room" and res["household_size"] == 3

    p1, p2, f1 = await place_ids(sessionmaker, uid)  # labels F1, P1, P2 sort: F1 first
    async with transaction(sessionmaker) as s:
        # The family room is blocked for days 2-4 only: a 7-night stay from today overlaps it.
        await bookings.book(
            s,
            clock,
            STAFF,
            unit_id=uid,
            kind=BookingKind.block,
            household_size=1,
            starts_at=start + timedelta(days=2),
            ends_at=start + timedelta(days=4),
            block_reason="repair",
            place_ids=[p1],
        )
    res = await ask(rvt, adults=1, children=family)
    assert names(res) == set()  # two singles cannot take three persons
    res = await ask(rvt, adults=2)
    assert res["units"][0]["fits_in"] == "places" and res["units"][0]["free_family_rooms"] == []
    # After the block, the room is free again.
    res = await ask(
        rvt, adults=1, children=family, starts_at=(start + timedelta(days=4)).isoformat()
    )
    assert names(res) == {"A"}

    async with transaction(sessionmaker) as s:
        await bookings.book(
            s,
            clock,
            STAFF,
            unit_id=uid,
            kind=BookingKind.placement,
            household_size=1,
            starts_at=start,
            ends_at=start + timedelta(days=30),
            place_ids=[p2],
        )
        await bookings.book(
            s,
            clock,
            STAFF,
            unit_id=uid,
            kind=BookingKind.hold,
            household_size=1,
            starts_at=start,
            ends_at=start + timedelta(days=30),
            hold_minutes=90,
            place_ids=[f1],
        )
    assert names(await ask(rvt, adults=1)) == set()
    clock.advance(timedelta(minutes=90))  # the hold runs out: the place is free at once
    res = await ask(rvt, adults=1)
    assert names(res) == {"A"} and res["units"][0]["free_places"] == 1


async def test_capability_filters(
    client_for: ClientFor, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    await make_unit(sessionmaker, world, name="basic", protection_level=1, languages=["sv"])
    await make_unit(sessionmaker, world, name="wheel", wheelchair_accessible=True)
    await make_unit(
        sessionmaker, world, name="active", substance_policy=SubstancePolicy.active_use_accepted
    )
    await make_unit(
        sessionmaker, world, name="drugfree", substance_policy=SubstancePolicy.drug_free
    )
    await make_unit(sessionmaker, world, name="honour", honour_competence=True, languages=["ar"])
    await make_unit(sessionmaker, world, name="men", accepted_genders=["male"])
    await make_unit(sessionmaker, world, name="youth", min_age=16, max_age=25)
    await make_unit(sessionmaker, world, name="pets", pets_allowed=True)
    await make_unit(
        sessionmaker,
        world,
        name="kids",
        singles=0,
        rooms=(4,),
        max_children=2,
        max_child_age=17,
        max_boy_age=12,
    )
    await make_unit(sessionmaker, world, name="hostel", kind=UnitKind.hostel, protection_level=1)
    rvt = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    everyone = {
        "basic",
        "wheel",
        "active",
        "drugfree",
        "honour",
        "men",
        "youth",
        "pets",
        "hostel",
        "kids",
    }
    assert names(await ask(rvt)) == everyone
    assert "basic" not in names(await ask(rvt, min_protection_level=2))
    assert names(await ask(rvt, needs_wheelchair=True)) == {"wheel"}
    assert names(await ask(rvt, honour_context=True)) == {"honour"}
    assert names(await ask(rvt, has_pets=True)) == {"pets"}
    assert names(await ask(rvt, substance_use="active")) == {"active"}
    assert names(await ask(rvt, substance_use="wants_drug_free")) == {"drugfree"}
    assert "drugfree" not in names(await ask(rvt, substance_use="none"))
    assert names(await ask(rvt, gender="male")) == {"men"}
    assert "men" not in names(await ask(rvt, gender="female"))
    assert "youth" not in names(await ask(rvt, age=40))
    assert names(await ask(rvt, age=17)) == {"youth"}
    assert names(await ask(rvt, languages=["ar", "so"])) == {"honour"}
    assert names(await ask(rvt, kinds=["hostel"])) == {"hostel"}
    assert names(await ask(rvt, exclude_district_ids=[str(world.sodermalm)])) == set()
    assert names(await ask(rvt, children=[{"age": 3}])) == {"kids"}
    assert names(await ask(rvt, children=[{"age": 3}, {"age": 5}, {"age": 7}])) == set()
    assert names(await ask(rvt, children=[{"age": 18}])) == set()
    assert names(await ask(rvt, children=[{"age": 14, "gender": "male"}])) == set()
    assert names(await ask(rvt, children=[{"age": 14, "gender": "female"}])) == {"kids"}


async def test_sharing_policy_decides_who_is_offered(
    client_for: ClientFor, sessionmaker: Any
) -> None:
    world = await make_world(sessionmaker)
    await make_unit(
        sessionmaker,
        world,
        name="farsta-own",
        district_id=world.farsta,
        kind=UnitKind.on_call_flat,
        sharing_policy=SharingPolicy.own_district,
    )
    # Located in Södermalm but owned by Farsta: the owner decides.
    await make_unit(
        sessionmaker,
        world,
        name="owned-by-farsta",
        district_id=world.sodermalm,
        owner_district_id=world.farsta,
        sharing_policy=SharingPolicy.own_district,
    )
    await make_unit(sessionmaker, world, name="city", sharing_policy=SharingPolicy.city_wide)
    await make_unit(
        sessionmaker,
        world,
        name="pool",
        district_id=world.sollentuna,
        kind=UnitKind.regional_pool_flat,
        sharing_policy=SharingPolicy.regional_pool,
    )
    await make_unit(
        sessionmaker,
        world,
        name="open",
        district_id=world.uppsala,
        sharing_policy=SharingPolicy.open,
    )
    farsta = await client_for(Role.rvt_officer, district_id=world.farsta)
    soder = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    jarfalla = await client_for(Role.rvt_officer, district_id=world.jarfalla)
    uppsala = await client_for(Role.rvt_officer, district_id=world.uppsala)
    assert names(await ask(farsta)) == {"farsta-own", "owned-by-farsta", "city", "open"}
    assert names(await ask(soder)) == {"city", "open"}
    assert names(await ask(jarfalla)) == {"pool", "open"}
    assert names(await ask(uppsala)) == {"open"}
    # Staff may ask on behalf of another district (the case's); the answer follows it.
    assert names(await ask(soder, requesting_district_id=str(world.jarfalla))) == {"pool", "open"}
    socialjour = await client_for(Role.socialjour)
    r = await socialjour.post("/api/inventory/availability", json={"nights": 1})
    assert r.status_code == 422 and r.json()["field"] == "requesting_district_id"
    r = await socialjour.post(
        "/api/inventory/availability",
        json={"nights": 1, "requesting_district_id": str(uuid.uuid4())},
    )
    assert r.status_code == 422 and r.json()["detail"] == "Unknown district."
    coord = await client_for(Role.coordinator)  # the whole inventory, for an overview
    assert len(names(await ask(coord))) == 5


async def test_ivo_rule_and_freshness(
    client_for: ClientFor, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    today = date(2026, 11, 24)
    await make_unit(
        sessionmaker,
        world,
        name="valid",
        operator_id=world.private,
        ivo_permit_required=True,
        ivo_permit_valid_until=today + timedelta(days=400),
        confirmed_at=clock.now() - timedelta(hours=2),
    )
    await make_unit(
        sessionmaker,
        world,
        name="ends-soon",
        operator_id=world.private,
        ivo_permit_required=True,
        ivo_permit_valid_until=today + timedelta(days=3),
    )
    await make_unit(
        sessionmaker,
        world,
        name="expired",
        operator_id=world.private,
        ivo_permit_required=True,
        ivo_permit_valid_until=today - timedelta(days=1),
    )
    await make_unit(
        sessionmaker, world, name="missing", operator_id=world.private, ivo_permit_required=True
    )
    rvt = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    res = await ask(rvt, nights=14)
    by_name = {u["name"]: u for u in res["units"]}
    assert set(by_name) == {"valid", "ends-soon"}
    assert by_name["ends-soon"]["ivo_expires_during_stay"] is True
    assert by_name["valid"]["ivo_expires_during_stay"] is False
    # Fresh units first; stale ones are marked, and can be left out.
    assert [u["name"] for u in res["units"]] == ["valid", "ends-soon"]
    assert by_name["valid"]["vacancy_stale"] is False
    assert by_name["valid"]["vacancy_age_hours"] == 2
    assert by_name["ends-soon"]["vacancy_stale"] is True
    assert names(await ask(rvt, include_stale=False)) == {"valid"}
    # Starting after the permit's last day: not offered.
    later = (clock.now() + timedelta(days=5)).isoformat()
    assert names(await ask(rvt, starts_at=later)) == {"valid"}


async def test_availability_validation_and_permission(
    client_for: ClientFor, sessionmaker: Any
) -> None:
    world = await make_world(sessionmaker)
    rvt = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    r = await rvt.post("/api/inventory/availability", json={"nights": 0})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "nights"
    r = await rvt.post(
        "/api/inventory/availability", json={"nights": 2, "starts_at": "2026-11-24T10:00:00"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "starts_at"
    r = await rvt.post("/api/inventory/availability", json={"nights": 2, "kinds": ["castle"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kinds.0"
    operator = await client_for(Role.operator, operator_id=world.city)
    r = await operator.post("/api/inventory/availability", json={"nights": 2})
    assert r.status_code == 403
