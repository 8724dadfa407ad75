"""Expired holds free their places without anyone acting, also after an app restart."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from api.main import create_app
from placement.clock import FrozenClock
from placement.config import Settings
from placement.jobs import SWEEPS, load_sweeps, run_all_sweeps
from placement.models import Booking, Reminder
from placement.models.enums import BookingKind, BookingStatus, ReminderKind, Role
from tests.inventory.factories import make_unit, make_world

ClientFor = Any


async def hold_statuses(sm: Any) -> list[BookingStatus]:
    async with sm() as s:
        rows = await s.execute(select(Booking.status).where(col(Booking.kind) == BookingKind.hold))
        return list(rows.scalars().all())


async def test_expired_hold_is_free_at_once_and_swept(
    client_for: ClientFor, sessionmaker: Any, clock: FrozenClock, settings: Settings
) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world, singles=1)
    anna = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    r = await anna.post("/api/inventory/holds", json={"unit_id": str(uid), "nights": 3})
    assert r.status_code == 201
    gid = r.json()["group_id"]
    ask = {"nights": 3}
    assert (await anna.post("/api/inventory/availability", json=ask)).json()["total"] == 0
    clock.advance(timedelta(minutes=89))
    assert (await anna.post("/api/inventory/availability", json=ask)).json()["total"] == 0
    clock.advance(timedelta(minutes=1))
    # No sweep has run: the expired hold already frees the place.
    assert (await anna.post("/api/inventory/availability", json=ask)).json()["total"] == 1
    assert (await anna.get("/api/inventory/holds")).json() == []
    assert await hold_statuses(sessionmaker) == [BookingStatus.active]

    load_sweeps()
    assert "expire_holds" in SWEEPS
    results = await run_all_sweeps(sessionmaker, clock, settings)
    assert results["expire_holds"] == 1
    assert await hold_statuses(sessionmaker) == [BookingStatus.expired]
    again = await run_all_sweeps(sessionmaker, clock, settings)  # idempotent
    assert again["expire_holds"] == 0
    async with sessionmaker() as s:
        reminders = (await s.execute(select(Reminder))).scalars().all()
    assert [(m.kind, str(m.subject_id)) for m in reminders] == [(ReminderKind.hold_expired, gid)]
    assert reminders[0].user_id is not None  # the holder is told
    # The place can be held again by someone else.
    other = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    assert (
        await other.post("/api/inventory/holds", json={"unit_id": str(uid), "nights": 3})
    ).status_code == 201


async def test_holds_expire_after_restart_without_anyone_acting(
    db_url: str, sessionmaker: Any, clock: FrozenClock, settings: Settings
) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world, singles=2)
    # First life of the app: a hold is made, then the app stops.
    first = create_app(settings, database_url=db_url, clock=clock, run_scheduler=False)
    async with first.router.lifespan_context(first):
        from placement.auth.actor import Actor
        from placement.db import transaction
        from placement.inventory import bookings

        async with transaction(first.state.sessionmaker) as s:
            await bookings.book(
                s,
                clock,
                Actor(None, "anna", Role.rvt_officer),
                unit_id=uid,
                kind=BookingKind.hold,
                household_size=2,
                starts_at=clock.now(),
                ends_at=clock.now() + timedelta(days=3),
                hold_minutes=settings.hold_minutes,
            )
    assert await hold_statuses(sessionmaker) == [BookingStatus.active] * 2
    clock.advance(timedelta(hours=5))  # the app was down while the hold ran out
    # Second life: the scheduler runs every sweep at start-up; nobody calls any endpoint.
    with_scheduler = settings.model_copy(update={"scheduler_enabled": True})
    second = create_app(with_scheduler, database_url=db_url, clock=clock, run_scheduler=True)
    async with second.router.lifespan_context(second):
        for _ in range(300):
            if await hold_statuses(sessionmaker) == [BookingStatus.expired] * 2:
                break
            await asyncio.sleep(0.05)
    assert await hold_statuses(sessionmaker) == [BookingStatus.expired] * 2


async def test_ivo_sweep_reminds_once(
    sessionmaker: Any, clock: FrozenClock, settings: Settings
) -> None:
    from datetime import date

    world = await make_world(sessionmaker)
    await make_unit(
        sessionmaker,
        world,
        operator_id=world.private,
        ivo_permit_required=True,
        ivo_permit_valid_until=date(2027, 1, 10),
    )
    await make_unit(
        sessionmaker,
        world,
        operator_id=world.private,
        ivo_permit_required=True,
        ivo_permit_valid_until=date(2028, 1, 10),
    )
    assert (await run_all_sweeps(sessionmaker, clock, settings))["ivo_permits"] == 1
    assert (await run_all_sweeps(sessionmaker, clock, settings))["ivo_permits"] == 0
