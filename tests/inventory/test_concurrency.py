"""No double booking under real concurrency, through the HTTP API against real PostgreSQL.

Fifty different staff members (each with their own signed-in session, so that nothing but
the booking itself serialises them) ask for the last free place at the same moment.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import col, func, select

from api.csrf import SESSION_COOKIE
from placement.auth.service import start_session
from placement.clock import FrozenClock
from placement.db import transaction
from placement.inventory.bookings import NO_ROOM
from placement.models import Booking, UserAccount
from placement.models.enums import BookingStatus, Role
from tests.conftest import owner_sm
from tests.inventory.factories import World, make_case, make_unit, make_world, place_ids

N = 50
HUMAN_MESSAGES = {NO_ROOM, "The place was just taken by someone else. Choose another."}


async def staff_clients(
    app: Any, clock: FrozenClock, world: World, n: int
) -> list[httpx.AsyncClient]:
    tokens = []
    async with transaction(owner_sm(app)) as s:
        for i in range(n):
            user = UserAccount(
                username=f"staff{i}-{uuid.uuid4().hex[:4]}",
                display_name=f"Staff {i}",
                password_hash="not-used",
                role=Role.socialjour if i % 2 else Role.rvt_officer,
                district_id=world.sodermalm,
                totp_enabled=True,
            )
            s.add(user)
            await s.flush()
            # A real sign-in session past both steps (sign-in itself is tested elsewhere).
            tokens.append(await start_session(s, clock, user, second_factor_done=True))
    transport = httpx.ASGITransport(app=app)
    return [
        httpx.AsyncClient(
            transport=transport,
            base_url="http://testserver",
            cookies={SESSION_COOKIE: t},
            headers={"accept-language": "en"},
            timeout=60,
        )
        for t in tokens
    ]


async def active_bookings(app: Any, unit_id: uuid.UUID) -> int:
    async with owner_sm(app)() as s:
        return int(
            await s.scalar(
                select(func.count())
                .select_from(Booking)
                .where(col(Booking.unit_id) == unit_id, col(Booking.status) == BookingStatus.active)
            )
            or 0
        )


async def test_fifty_concurrent_holds_for_the_last_place(
    app: Any, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world, singles=3)
    clients = await staff_clients(app, clock, world, N)
    try:
        # Two of three places are taken already: one is left.
        for c in clients[:2]:
            r = await c.post("/api/inventory/holds", json={"unit_id": str(uid), "nights": 7})
            assert r.status_code == 201, r.text
        contenders = clients[2:] + clients[:2]  # 50 requests, two from staff with a hold
        responses = await asyncio.gather(
            *(
                c.post("/api/inventory/holds", json={"unit_id": str(uid), "nights": 7})
                for c in contenders
            )
        )
    finally:
        for c in clients:
            await c.aclose()
    codes = [r.status_code for r in responses]
    assert len(responses) == N
    assert codes.count(201) == 1, codes
    assert codes.count(409) == N - 1, codes
    assert {r.json()["detail"] for r in responses if r.status_code == 409} <= HUMAN_MESSAGES
    assert await active_bookings(app, uid) == 3


async def test_concurrent_overlapping_placements_on_one_place(
    app: Any, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world, singles=2)
    target, _ = await place_ids(sessionmaker, uid)
    case_id = await make_case(sessionmaker, world.sodermalm, clock.now())
    clients = await staff_clients(app, clock, world, N)
    start = clock.now()
    try:
        responses = await asyncio.gather(
            *(
                c.post(
                    "/api/inventory/placements",
                    json={
                        "unit_id": str(uid),
                        "case_id": str(case_id),
                        "place_ids": [str(target)],
                        # Every period overlaps every other one (all cover day 10).
                        "starts_at": (start + timedelta(hours=i)).isoformat(),
                        "nights": 14,
                    },
                )
                for i, c in enumerate(clients)
            )
        )
    finally:
        for c in clients:
            await c.aclose()
    codes = [r.status_code for r in responses]
    assert codes.count(201) == 1, codes
    assert codes.count(409) == N - 1, codes
    assert {r.json()["detail"] for r in responses if r.status_code == 409} <= HUMAN_MESSAGES
    assert await active_bookings(app, uid) == 1
