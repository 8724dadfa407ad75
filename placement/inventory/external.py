"""External occupancy: the operator's own word about its beds counts when it says less.

Civil-society shelters take women who come to them directly, so an operator may report fewer
free places or family rooms than Boendekedjan computes from its placements, holds and blocks.
The difference is then held as external occupancy: blocks of that many free places (marked
``external_occupancy``) from the report until the next report replaces them (at most
``MAX_DAYS``, and never over a booking already made for a later day). Availability, the
booking core and the matcher count them like any block, so they offer the lower figure. A
report of *more* free than computed cannot be applied (the bookings say those places are
taken); it is flagged for the coordinator and nothing changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.clock import Clock
from placement.inventory import bookings
from placement.inventory.capacity import free_now_window
from placement.models import Booking, Place, VacancyReport
from placement.models.enums import BookingKind, BookingStatus, PlaceKind

MAX_DAYS = 7
REASON = "External occupancy (operator's report)"


@dataclass(frozen=True)
class Applied:
    external_places: int
    external_family_rooms: int
    above_computed: bool


async def release(session: AsyncSession, clock: Clock, unit_id: uuid.UUID) -> int:
    """End the unit's external occupancy (a new report replaces it)."""
    rows = (
        (
            await session.execute(
                select(Booking).where(
                    col(Booking.unit_id) == unit_id,
                    col(Booking.external_occupancy).is_(True),
                    col(Booking.status) == BookingStatus.active,
                )
            )
        )
        .scalars()
        .all()
    )
    for b in rows:
        b.status = BookingStatus.released
        b.closed_at = clock.now()
    await session.flush()
    return len(rows)


async def _next_start(session: AsyncSession, place_id: uuid.UUID, now: datetime) -> datetime | None:
    value: datetime | None = await session.scalar(
        select(func.min(col(Booking.starts_at))).where(
            col(Booking.place_id) == place_id,
            col(Booking.status) == BookingStatus.active,
            col(Booking.starts_at) > now,
        )
    )
    return value


async def _occupy(
    session: AsyncSession, clock: Clock, actor: Actor, unit_id: uuid.UUID, places: Iterable[Place]
) -> int:
    now = clock.now()
    n = 0
    for place in places:
        until = now + timedelta(days=MAX_DAYS)
        following = await _next_start(session, place.id, now)
        if following is not None and following < until:
            until = following
        rows = await bookings.book(
            session,
            clock,
            actor,
            unit_id=unit_id,
            kind=BookingKind.block,
            household_size=1,
            starts_at=now,
            ends_at=until,
            block_reason=REASON,
            place_ids=[place.id],
        )
        for b in rows:
            b.external_occupancy = True
        n += 1
    await session.flush()
    return n


async def apply_report(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    unit_id: uuid.UUID,
    *,
    free_places: int,
    free_family_rooms: int,
) -> Applied:
    """Called with the unit locked and its earlier external occupancy released."""
    now = clock.now()
    start, end = free_now_window(now)
    free = await bookings.free_places(session, unit_id, start, end, now)
    singles = [p for p in free if p.kind == PlaceKind.place]
    rooms = sorted((p for p in free if p.kind == PlaceKind.family_room), key=lambda p: p.capacity)
    above = free_places > len(singles) or free_family_rooms > len(rooms)
    extra_places = max(0, len(singles) - free_places)
    extra_rooms = max(0, len(rooms) - free_family_rooms)
    # The last places by label are taken first: the ones an operator fills last.
    taken = singles[len(singles) - extra_places :] + rooms[:extra_rooms]
    await _occupy(session, clock, actor, unit_id, taken)
    return Applied(
        external_places=extra_places, external_family_rooms=extra_rooms, above_computed=above
    )


async def flagged_units(session: AsyncSession, unit_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Units whose latest report said more was free than the bookings allow."""
    ids = list(unit_ids)
    if not ids:
        return set()
    latest = (
        select(VacancyReport.unit_id, func.max(col(VacancyReport.reported_at)).label("at"))
        .where(col(VacancyReport.unit_id).in_(ids))
        .group_by(col(VacancyReport.unit_id))
        .subquery()
    )
    rows = await session.execute(
        select(VacancyReport.unit_id)
        .join(
            latest,
            (col(VacancyReport.unit_id) == latest.c.unit_id)
            & (col(VacancyReport.reported_at) == latest.c.at),
        )
        .where(col(VacancyReport.above_computed).is_(True))
    )
    return set(rows.scalars().all())
