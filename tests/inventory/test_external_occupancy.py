"""Vacancy that counts: an operator's lower report than computed is held as external
occupancy until the next report, and availability, the booking core and the matcher's
loader offer the lower figure; a higher report is flagged to the coordinator, not applied."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from placement.auth.scope import system_scope
from placement.clock import FrozenClock
from placement.db import transaction
from placement.inventory.capacity import free_now_window
from placement.matching.loader import load_units
from placement.models import AuditEntry, Booking, VacancyReport
from placement.models.enums import BookingStatus, Role
from tests.inventory.factories import make_unit, make_world

ClientFor = Any


async def _offered(rvt: Any, uid: Any) -> dict[str, Any]:
    avail = (await rvt.post("/api/inventory/availability", json={"nights": 3})).json()
    return next(u for u in avail["units"] if u["unit_id"] == str(uid))


async def _matcher_sees(sessionmaker: Any, clock: FrozenClock, uid: Any) -> tuple[int, tuple]:
    start, end = free_now_window(clock.now())
    async with transaction(sessionmaker) as s:
        await system_scope(s)
        units = await load_units(s, start, end + timedelta(days=2), clock.now())
    unit = next(u for u in units if u.unit_id == str(uid))
    return unit.free_places, tuple(unit.free_family_rooms)


async def test_lower_report_counts_until_the_next_report(
    client_for: ClientFor, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(
        sessionmaker, world, name="Ankaret", operator_id=world.ngo, singles=3, rooms=(4, 3)
    )
    op = await client_for(Role.operator, operator_id=world.ngo, username="jour")
    rvt = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    coordinator = await client_for(Role.coordinator)
    before = await _offered(rvt, uid)
    assert before["free_places"] == 3 and sorted(before["free_family_rooms"]) == [3, 4]
    assert await _matcher_sees(sessionmaker, clock, uid) == (3, (4, 3))

    # Two women came to the shelter directly: one place and one family room fewer.
    r = await op.post(
        f"/api/inventory/units/{uid}/vacancy-reports",
        json={"free_places": 2, "free_family_rooms": 1},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["external_places"] == 1 and body["external_family_rooms"] == 1
    assert body["above_computed"] is False and "outside Boendekedjan" in body["message"]
    after = await _offered(rvt, uid)
    assert after["free_places"] == 2 and len(after["free_family_rooms"]) == 1
    places, rooms = await _matcher_sees(sessionmaker, clock, uid)
    assert places == 2 and len(rooms) == 1
    # The larger family room stays offered; the smallest is taken first.
    assert rooms == (4,)

    # The next report replaces it: everything free again, nothing external left.
    clock.advance(timedelta(hours=2))
    r = await op.post(
        f"/api/inventory/units/{uid}/vacancy-reports",
        json={"free_places": 3, "free_family_rooms": 2},
    )
    assert r.status_code == 201 and r.json()["external_places"] == 0
    assert (await _offered(rvt, uid))["free_places"] == 3
    async with transaction(sessionmaker) as s:
        await system_scope(s)
        external = (
            (
                await s.execute(
                    select(Booking).where(
                        col(Booking.unit_id) == uid, col(Booking.external_occupancy).is_(True)
                    )
                )
            )
            .scalars()
            .all()
        )
    assert len(external) == 2 and all(b.status == BookingStatus.released for b in external)

    # The coordinator's board shows the external occupancy as such.
    await op.post(
        f"/api/inventory/units/{uid}/vacancy-reports",
        json={"free_places": 1, "free_family_rooms": 2},
    )
    board = await coordinator.get("/board")
    assert board.status_code == 200
    assert "sub external" in board.text and "utanför Boendekedjan" in board.text


async def test_higher_report_is_flagged_not_applied(
    client_for: ClientFor, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world, name="Ankaret", operator_id=world.ngo, singles=2)
    op = await client_for(Role.operator, operator_id=world.ngo, username="jour")
    rvt = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    r = await rvt.post(
        "/api/inventory/holds",
        json={
            "unit_id": str(uid),
            "adults": 1,
            "nights": 2,
            "requesting_district_id": str(world.sodermalm),
        },
    )
    assert r.status_code == 201, r.text
    assert (await _offered(rvt, uid))["free_places"] == 1

    r = await op.post(f"/api/inventory/units/{uid}/vacancy-reports", json={"free_places": 2})
    assert r.status_code == 201
    body = r.json()
    assert body["above_computed"] is True and body["external_places"] == 0
    assert "coordinator" in body["message"]
    assert (await _offered(rvt, uid))["free_places"] == 1  # the counted figure stays
    assert await _matcher_sees(sessionmaker, clock, uid) == (1, ())

    async with transaction(sessionmaker) as s:
        await system_scope(s)
        report = await s.scalar(select(VacancyReport).where(col(VacancyReport.unit_id) == uid))
        assert report is not None and report.above_computed is True
        flagged = await s.scalar(
            select(AuditEntry).where(
                col(AuditEntry.entity_id) == report.id, col(AuditEntry.flagged_for_review)
            )
        )
        assert flagged is not None
    coordinator = await client_for(Role.coordinator)
    board = await coordinator.get("/board")
    assert "reported-above" in board.text
