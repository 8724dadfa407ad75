"""One request, one hold (under real concurrency); hold actions stay in the hold's district."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlmodel import col, func, select

from placement.clock import FrozenClock
from placement.db import transaction
from placement.inventory.holds import NOT_HOLDER, ONE_HOLD
from placement.models import Booking, PlacementRequest
from placement.models.enums import BookingKind, BookingStatus, Role
from tests.conftest import owner_sm
from tests.inventory.factories import make_case, make_unit, make_world
from tests.inventory.test_concurrency import staff_clients

N = 20


async def test_twenty_concurrent_holds_for_one_request_give_one(
    app: Any, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    units = [await make_unit(sessionmaker, world, singles=3) for _ in range(4)]
    case_id = await make_case(sessionmaker, world.sodermalm, clock.now())
    async with transaction(owner_sm(app)) as s:
        request = PlacementRequest(
            case_id=case_id,
            requesting_district_id=world.sodermalm,
            starts_at=clock.now(),
            nights=3,
            requested_at=clock.now(),
        )
        s.add(request)
        await s.flush()
        request_id = request.id
    clients = await staff_clients(app, clock, world, N)
    try:
        answers = await asyncio.gather(
            *(
                c.post(
                    "/api/inventory/holds",
                    json={
                        "unit_id": str(units[i % len(units)]),
                        "nights": 3,
                        "case_id": str(case_id),
                        "request_id": str(request_id),
                    },
                )
                for i, c in enumerate(clients)
            )
        )
    finally:
        for c in clients:
            await c.aclose()
    codes = sorted(r.status_code for r in answers)
    assert codes == [201] + [409] * (N - 1), codes
    assert {r.json()["detail"] for r in answers if r.status_code == 409} == {ONE_HOLD}
    async with owner_sm(app)() as s:
        groups = await s.scalar(
            select(func.count(func.distinct(Booking.group_id))).where(
                col(Booking.request_id) == request_id,
                col(Booking.kind) == BookingKind.hold,
                col(Booking.status) == BookingStatus.active,
            )
        )
    assert groups == 1


async def test_team_lead_of_another_district_cannot_touch_the_hold(
    client_for: Any, sessionmaker: Any
) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world, singles=1)
    anna = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    farsta_lead = await client_for(Role.rvt_officer, district_id=world.farsta, is_team_lead=True)
    own_lead = await client_for(Role.rvt_officer, district_id=world.sodermalm, is_team_lead=True)
    r = await anna.post("/api/inventory/holds", json={"unit_id": str(uid), "nights": 2})
    gid = r.json()["group_id"]
    r = await farsta_lead.post(f"/api/inventory/holds/{gid}/extend")
    assert r.status_code == 403 and r.json()["detail"] == NOT_HOLDER
    assert (await farsta_lead.delete(f"/api/inventory/holds/{gid}")).status_code == 403
    assert (await own_lead.post(f"/api/inventory/holds/{gid}/extend")).status_code == 200
    assert (await own_lead.delete(f"/api/inventory/holds/{gid}")).status_code == 204
    assert uuid.UUID(gid)
