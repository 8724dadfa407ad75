"""The booking core: choose places for a household and book them without double booking.

Two layers keep a place from being booked twice:
1. here, the unit row is locked (SELECT ... FOR UPDATE) before free places are counted, so
   concurrent requests for the same unit queue up and each sees the others' bookings;
2. in the database, the ``booking_no_overlap`` trigger refuses any overlapping active booking
   of a place, whatever code inserts it (SQLSTATE 23P01, mapped to HTTP 409).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.clock import Clock
from placement.decisions.lapses import keep_occupied
from placement.errors import N_, Conflict, InvalidInput, NotFound
from placement.models import Booking, Place, Unit
from placement.models.enums import BookingKind, BookingStatus, PlaceKind
from placement.referrals import service as referrals

NO_ROOM = N_(
    "There is no longer room for this household in the unit for the whole period. "
    "Someone else may just have taken the place; choose another unit."
)


def check_period(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput("Times must include a time zone.", field="starts_at")
    if ends_at <= starts_at:
        raise InvalidInput("The end must be after the start.", field="ends_at")


async def lock_unit(session: AsyncSession, unit_id: uuid.UUID) -> Unit:
    unit = await session.scalar(select(Unit).where(col(Unit.id) == unit_id).with_for_update())
    if unit is None or unit.retired_at is not None:
        raise NotFound("The unit does not exist or has been retired.", field="unit_id")
    return unit


async def expire_due_holds(
    session: AsyncSession, clock: Clock, unit_id: uuid.UUID | None = None
) -> list[uuid.UUID]:
    """Mark holds whose time ran out as expired; return the affected booking groups."""
    stmt = (
        update(Booking)
        .where(
            col(Booking.kind) == BookingKind.hold,
            col(Booking.status) == BookingStatus.active,
            col(Booking.expires_at) <= clock.now(),
        )
        .values(status=BookingStatus.expired, closed_at=clock.now())
        .returning(col(Booking.group_id))
    )
    if unit_id is not None:
        stmt = stmt.where(col(Booking.unit_id) == unit_id)
    rows = (await session.execute(stmt)).scalars().all()
    return sorted(set(rows))


async def busy_place_ids(
    session: AsyncSession,
    unit_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    *,
    ignore_group: uuid.UUID | None = None,
) -> set[uuid.UUID]:
    """Places of the unit with an active booking overlapping [starts_at, ends_at)."""
    stmt = select(Booking.place_id).where(
        col(Booking.unit_id) == unit_id,
        col(Booking.status) == BookingStatus.active,
        col(Booking.starts_at) < ends_at,
        col(Booking.ends_at) > starts_at,
        # A hold whose time has run out no longer blocks, even before the sweep marks it.
        (col(Booking.kind) != BookingKind.hold) | (col(Booking.expires_at) > now),
    )
    if ignore_group is not None:
        stmt = stmt.where(col(Booking.group_id) != ignore_group)
    return set((await session.execute(stmt)).scalars().all())


async def busy_place_ids_of_units(
    session: AsyncSession,
    unit_ids: Sequence[uuid.UUID],
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
) -> set[uuid.UUID]:
    """``busy_place_ids`` for many units in one query (for pages listing many units)."""
    stmt = select(Booking.place_id).where(
        col(Booking.unit_id).in_(list(unit_ids)),
        col(Booking.status) == BookingStatus.active,
        col(Booking.starts_at) < ends_at,
        col(Booking.ends_at) > starts_at,
        (col(Booking.kind) != BookingKind.hold) | (col(Booking.expires_at) > now),
    )
    return set((await session.execute(stmt)).scalars().all())


async def free_places(
    session: AsyncSession,
    unit_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    *,
    ignore_group: uuid.UUID | None = None,
) -> list[Place]:
    busy = await busy_place_ids(
        session, unit_id, starts_at, ends_at, now, ignore_group=ignore_group
    )
    places = (
        (
            await session.execute(
                select(Place)
                .where(col(Place.unit_id) == unit_id, col(Place.retired_at).is_(None))
                .order_by(col(Place.label))
            )
        )
        .scalars()
        .all()
    )
    return [p for p in places if p.id not in busy]


def choose_places(free: Sequence[Place], household_size: int) -> list[Place] | None:
    """The smallest family room that fits the whole household, else enough single places.

    A household is never split across units; within a unit a family room is preferred
    because it keeps the family together and leaves single places for single adults. A
    household of one takes a single place if there is one, for the same reason.
    """
    if household_size < 1:
        raise InvalidInput("A household has at least one person.", field="household_size")
    rooms = sorted(
        (p for p in free if p.kind == PlaceKind.family_room and p.capacity >= household_size),
        key=lambda p: (p.capacity, p.label),
    )
    singles = [p for p in free if p.kind == PlaceKind.place]
    # One person takes a single place while there is one: family rooms stay for families.
    if household_size == 1 and singles:
        return singles[:1]
    if rooms:
        return [rooms[0]]
    if len(singles) >= household_size:
        return singles[:household_size]
    return None


async def book(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    *,
    unit_id: uuid.UUID,
    kind: BookingKind,
    household_size: int,
    starts_at: datetime,
    ends_at: datetime,
    case_id: uuid.UUID | None = None,
    request_id: uuid.UUID | None = None,
    hold_minutes: int | None = None,
    block_reason: str | None = None,
    place_ids: Sequence[uuid.UUID] | None = None,
) -> list[Booking]:
    """Book places in one unit for one household (or block given places). Flushes."""
    check_period(starts_at, ends_at)
    now = clock.now()
    await lock_unit(session, unit_id)
    await expire_due_holds(session, clock, unit_id)
    # A household living on after its decision ran out still occupies its place.
    await keep_occupied(session, now, unit_id=unit_id)
    free = await free_places(session, unit_id, starts_at, ends_at, now)
    if place_ids is not None:
        by_id = {p.id: p for p in free}
        missing = [pid for pid in place_ids if pid not in by_id]
        if missing:
            raise Conflict(NO_ROOM)
        chosen: list[Place] | None = [by_id[pid] for pid in place_ids]
    else:
        chosen = choose_places(free, household_size)
    if not chosen:
        raise Conflict(NO_ROOM)
    group = uuid.uuid4()
    expires_at = None
    if kind == BookingKind.hold:
        if hold_minutes is None or hold_minutes < 1:
            raise InvalidInput("A hold needs a length in minutes.", field="hold_minutes")
        expires_at = now + timedelta(minutes=hold_minutes)
    bookings = [
        Booking(
            place_id=p.id,
            unit_id=unit_id,
            kind=kind,
            status=BookingStatus.active,
            group_id=group,
            case_id=case_id,
            request_id=request_id,
            starts_at=starts_at,
            ends_at=ends_at,
            expires_at=expires_at,
            block_reason=block_reason,
            created_by_id=actor.user_id,
            created_at=now,
        )
        for p in chosen
    ]
    session.add_all(bookings)
    await session.flush()
    return bookings


async def group_bookings(
    session: AsyncSession, group_id: uuid.UUID, *, lock: bool = True
) -> list[Booking]:
    stmt = select(Booking).where(col(Booking.group_id) == group_id).order_by(col(Booking.id))
    if lock:
        stmt = stmt.with_for_update()
    rows = list((await session.execute(stmt)).scalars().all())
    if not rows:
        raise NotFound("No such booking.", field="group_id")
    return rows


async def confirm_hold(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    group_id: uuid.UUID,
    *,
    case_id: uuid.UUID,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> list[Booking]:
    """Turn an active hold into a placement of the same places (same group id)."""
    holds = await group_bookings(session, group_id)
    now = clock.now()
    if any(b.kind != BookingKind.hold for b in holds):
        raise Conflict("This booking is not a hold.")
    if any(b.case_id not in (None, case_id) for b in holds):
        raise InvalidInput("The hold was made for another case.", field="hold_group_id")
    live = not any(
        b.status != BookingStatus.active or (b.expires_at and b.expires_at <= now) for b in holds
    )
    # The referral's answer (a declined one says why its hold is gone).
    await referrals.require_grantable(session, group_id, holds[0].case_id, live=live)
    if not live:
        raise Conflict("The hold has expired or was released. Hold the place again.")
    new_start = starts_at or holds[0].starts_at
    new_end = ends_at or holds[0].ends_at
    check_period(new_start, new_end)
    for hold in holds:
        hold.status = BookingStatus.confirmed
        hold.closed_at = now
    await session.flush()
    placements = [
        Booking(
            place_id=h.place_id,
            unit_id=h.unit_id,
            kind=BookingKind.placement,
            status=BookingStatus.active,
            group_id=h.group_id,
            case_id=case_id,
            request_id=h.request_id,
            starts_at=new_start,
            ends_at=new_end,
            created_by_id=actor.user_id,
            created_at=now,
        )
        for h in holds
    ]
    session.add_all(placements)
    await session.flush()
    return placements


async def release_group(
    session: AsyncSession, clock: Clock, group_id: uuid.UUID, *, status: BookingStatus
) -> list[Booking]:
    rows = await group_bookings(session, group_id)
    for b in rows:
        if b.status == BookingStatus.active:
            b.status = status
            b.closed_at = clock.now()
    await session.flush()
    return rows


async def set_group_end(
    session: AsyncSession, clock: Clock, group_id: uuid.UUID, ends_at: datetime
) -> list[Booking]:
    """Move the end of an active placement (renewal extends, ending shortens)."""
    rows = [
        b
        for b in await group_bookings(session, group_id)
        if b.kind == BookingKind.placement and b.status == BookingStatus.active
    ]
    if not rows:
        raise Conflict("The placement is not active.")
    for b in rows:
        check_period(b.starts_at, ends_at)
        b.ends_at = ends_at
    await session.flush()
    return rows


async def end_group(
    session: AsyncSession, clock: Clock, group_id: uuid.UUID, at: datetime
) -> list[Booking]:
    """End a placement at ``at``: the places are free from then on.

    Ending in the future keeps the booking active with an earlier end; the status becomes
    ``ended`` (or ``cancelled`` if it never started) once ``at`` is not in the future.
    """
    rows = [
        b
        for b in await group_bookings(session, group_id)
        if b.kind == BookingKind.placement and b.status == BookingStatus.active
    ]
    now = clock.now()
    for b in rows:
        if at <= b.starts_at:
            b.status = BookingStatus.cancelled
            b.closed_at = now
            continue
        b.ends_at = min(b.ends_at, at)
        if at <= now:
            b.status = BookingStatus.ended
            b.closed_at = now
    await session.flush()
    return rows
