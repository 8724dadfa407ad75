"""Operators report vacancy and block places for their own units only; IVO permit warnings."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlmodel import select

from placement.clock import FrozenClock
from placement.models import Unit, VacancyReport
from placement.models.enums import Role
from tests.inventory.factories import make_unit, make_world, place_ids

ClientFor = Any


async def test_vacancy_report_marks_unit_fresh_everywhere(
    client_for: ClientFor, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(
        sessionmaker,
        world,
        name="Ankaret",
        operator_id=world.ngo,
        singles=3,
        rooms=(4,),
        confirmed_at=clock.now() - timedelta(hours=20),
    )
    await make_unit(sessionmaker, world, name="City unit", operator_id=world.city)
    op = await client_for(Role.operator, operator_id=world.ngo, username="jour")
    rvt = await client_for(Role.rvt_officer, district_id=world.sodermalm)

    mine = (await op.get("/api/inventory/my-units")).json()
    assert [u["name"] for u in mine["items"]] == ["Ankaret"]
    assert mine["items"][0]["vacancy_stale"] is True and mine["items"][0]["free_places_now"] == 3
    avail = (await rvt.post("/api/inventory/availability", json={"nights": 1})).json()
    assert {u["name"]: u["vacancy_stale"] for u in avail["units"]}["Ankaret"] is True

    r = await op.post(
        f"/api/inventory/units/{uid}/vacancy-reports",
        json={"free_places": 3, "free_family_rooms": 1, "note": "all free"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["message"] is None and r.json()["reported_by"] == "jour"
    for unit in [
        (await op.get("/api/inventory/my-units")).json()["items"][0],
        (await rvt.get(f"/api/inventory/units/{uid}")).json(),
        next(
            u
            for u in (await rvt.get("/api/inventory/units")).json()["items"]
            if u["id"] == str(uid)
        ),
        next(
            u
            for u in (await rvt.post("/api/inventory/availability", json={"nights": 1})).json()[
                "units"
            ]
            if u["unit_id"] == str(uid)
        ),
    ]:
        assert unit["vacancy_stale"] is False
        assert unit["vacancy_confirmed_at"].startswith(clock.now().isoformat()[:19])
        assert unit["reported_free_places"] == 3
    clock.advance(timedelta(hours=12, minutes=1))
    assert (await rvt.get(f"/api/inventory/units/{uid}")).json()["vacancy_stale"] is True

    # A lower report than Boendekedjan counts is kept and counts: the difference is held
    # as external occupancy (tests/inventory/test_external_occupancy.py).
    r = await op.post(f"/api/inventory/units/{uid}/vacancy-reports", json={"free_places": 1})
    assert r.status_code == 201 and "outside Boendekedjan" in r.json()["message"]
    assert r.json()["external_places"] == 2
    r = await op.post(f"/api/inventory/units/{uid}/vacancy-reports", json={"free_places": 9})
    assert r.status_code == 422 and r.json()["field"] == "free_places"
    r = await op.post(f"/api/inventory/units/{uid}/vacancy-reports", json={"free_places": -1})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "free_places"

    reports = (await op.get(f"/api/inventory/units/{uid}/vacancy-reports")).json()
    assert [x["free_places"] for x in reports] == [1, 3]
    assert len((await rvt.get(f"/api/inventory/units/{uid}/vacancy-reports")).json()) == 2
    async with sessionmaker() as s:
        assert len((await s.execute(select(VacancyReport))).scalars().all()) == 2
        unit_row = await s.get(Unit, uid)
        assert unit_row is not None and unit_row.reported_free_places == 1


async def test_operator_only_own_units(
    client_for: ClientFor, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    theirs = await make_unit(sessionmaker, world, operator_id=world.city, singles=2)
    op = await client_for(Role.operator, operator_id=world.ngo)
    start = clock.now().isoformat()
    end = (clock.now() + timedelta(days=2)).isoformat()
    r = await op.post(f"/api/inventory/units/{theirs}/vacancy-reports", json={"free_places": 1})
    assert r.status_code == 403 and "own organisation" in r.json()["detail"]
    r = await op.post(
        f"/api/inventory/units/{theirs}/blocks",
        json={"starts_at": start, "ends_at": end, "reason": "repair", "count": 1},
    )
    assert r.status_code == 403
    assert (await op.get(f"/api/inventory/units/{theirs}/blocks")).status_code == 403
    assert (await op.get(f"/api/inventory/units/{theirs}/vacancy-reports")).status_code == 403
    owner = await client_for(Role.operator, operator_id=world.city)
    gid = (
        await owner.post(
            f"/api/inventory/units/{theirs}/blocks",
            json={"starts_at": start, "ends_at": end, "reason": "repair", "count": 1},
        )
    ).json()["group_id"]
    assert (await op.delete(f"/api/inventory/units/{theirs}/blocks/{gid}")).status_code == 403
    # Staff and coordinators may not report for operators.
    rvt = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    coord = await client_for(Role.coordinator)
    for c in (rvt, coord):
        r = await c.post(f"/api/inventory/units/{theirs}/vacancy-reports", json={"free_places": 1})
        assert r.status_code == 403
        assert (await c.get("/api/inventory/my-units")).status_code == 403


async def test_blocks(client_for: ClientFor, sessionmaker: Any, clock: FrozenClock) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world, operator_id=world.ngo, singles=2, rooms=(3,))
    f1, p1, p2 = await place_ids(sessionmaker, uid)
    op = await client_for(Role.operator, operator_id=world.ngo, username="jouren")
    rvt = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    now = clock.now()
    period = {"starts_at": now.isoformat(), "ends_at": (now + timedelta(days=5)).isoformat()}

    r = await op.post(
        f"/api/inventory/units/{uid}/blocks",
        json={**period, "reason": "staff shortage", "count": 1},
    )
    assert r.status_code == 201, r.text
    block = r.json()
    assert block["place_labels"] == ["P1"] and block["created_by"] == "jouren"
    assert block["reason"] == "staff shortage"
    avail = (await rvt.post("/api/inventory/availability", json={"nights": 2})).json()
    assert avail["units"][0]["free_places"] == 1
    r = await op.post(
        f"/api/inventory/units/{uid}/blocks", json={**period, "reason": "repair", "count": 2}
    )
    assert r.status_code == 409 and "Only 1 single place" in r.json()["detail"]
    r = await op.post(
        f"/api/inventory/units/{uid}/blocks",
        json={**period, "reason": "repair", "place_ids": [str(p1), str(f1)]},
    )
    assert r.status_code == 409 and "P1" in r.json()["detail"]
    r = await op.post(
        f"/api/inventory/units/{uid}/blocks",
        json={**period, "reason": "repair", "place_ids": [str(f1)]},
    )
    assert r.status_code == 201 and r.json()["place_labels"] == ["F1"]
    r = await op.post(
        f"/api/inventory/units/{uid}/blocks",
        json={**period, "reason": "repair", "place_ids": [str(uuid.uuid4())]},
    )
    assert r.status_code == 422 and r.json()["field"] == "place_ids"
    # End before start, both ways of choosing, no reason: 422 naming the field.
    r = await op.post(
        f"/api/inventory/units/{uid}/blocks",
        json={
            "starts_at": period["ends_at"],
            "ends_at": period["starts_at"],
            "reason": "repair",
            "count": 1,
        },
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "ends_at"
    assert "after the start" in r.json()["detail"]
    r = await op.post(
        f"/api/inventory/units/{uid}/blocks",
        json={**period, "reason": "repair", "count": 1, "place_ids": [str(p2)]},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "count"
    r = await op.post(f"/api/inventory/units/{uid}/blocks", json={**period, "count": 1})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"

    listed = (await rvt.get(f"/api/inventory/units/{uid}/blocks")).json()
    assert sorted(b["place_labels"][0] for b in listed) == ["F1", "P1"]
    r = await op.delete(f"/api/inventory/units/{uid}/blocks/{block['group_id']}")
    assert r.status_code == 204
    assert len((await op.get(f"/api/inventory/units/{uid}/blocks")).json()) == 1
    avail = (await rvt.post("/api/inventory/availability", json={"nights": 2})).json()
    assert avail["units"][0]["free_places"] == 2 and avail["units"][0]["free_family_rooms"] == []
    r = await op.delete(f"/api/inventory/units/{uid}/blocks/{uuid.uuid4()}")
    assert r.status_code == 404


async def test_ivo_permits_expiring(
    client_for: ClientFor, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    today = date(2026, 11, 24)
    for name, until in [
        ("soon", today + timedelta(days=40)),
        ("later", today + timedelta(days=90)),
        ("gone", today - timedelta(days=3)),
        ("none", None),
    ]:
        await make_unit(
            sessionmaker,
            world,
            name=name,
            operator_id=world.private,
            ivo_permit_required=True,
            ivo_permit_valid_until=until,
        )
    await make_unit(sessionmaker, world, name="municipal")
    coord = await client_for(Role.coordinator)
    r = await coord.get("/api/inventory/ivo-permits/expiring")
    assert r.status_code == 200
    got = [(p["unit_name"], p["status"], p["days_left"]) for p in r.json()]
    assert got == [("none", "missing", None), ("gone", "expired", -3), ("soon", "expiring", 40)]
    r = await coord.get("/api/inventory/ivo-permits/expiring?within_days=120")
    assert [p["unit_name"] for p in r.json()] == ["none", "gone", "soon", "later"]
    op = await client_for(Role.operator, operator_id=world.private)
    assert (await op.get("/api/inventory/ivo-permits/expiring")).status_code == 403


async def test_the_api_keeps_the_block_window_of_the_page(
    client_for: ClientFor, sessionmaker: Any, clock: FrozenClock
) -> None:
    """The operator page's rules for a block (not in the past, at most a year) are the
    domain's, so the JSON API refuses the same blocks."""
    world = await make_world(sessionmaker)
    unit = await make_unit(sessionmaker, world, name="Ankaret", operator_id=world.ngo, singles=2)
    operator = await client_for(Role.operator, operator_id=world.ngo)
    now = clock.now()
    url = f"/api/inventory/units/{unit}/blocks"
    past = await operator.post(
        url,
        json={
            "starts_at": (now - timedelta(days=2)).isoformat(),
            "ends_at": (now + timedelta(days=1)).isoformat(),
            "reason": "Vattenskada",
            "count": 1,
        },
    )
    assert past.status_code == 422 and past.json()["field"] == "starts_at"
    long = await operator.post(
        url,
        json={
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=400)).isoformat(),
            "reason": "Renovering",
            "count": 1,
        },
    )
    assert long.status_code == 422 and long.json()["field"] == "ends_at"
