"""Holds and placements through the booking core.

A hold keeps places while staff phone the client or the shelter: ``settings.hold_minutes``
long, extendable once by the same length, then it frees itself (availability ignores it at
once; the ``expire_holds`` sweep marks it expired). Every operation takes the unit lock first,
then the group's rows, then (in the trigger) the place rows: one lock order, no deadlocks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement import rulebook
from placement.auth.actor import Actor
from placement.clock import Clock
from placement.config import Settings
from placement.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from placement.inventory import bookings
from placement.inventory.availability import requesting_district
from placement.inventory.booking_schemas import (
    HoldConfirm,
    HoldCreate,
    HoldRead,
    PlacementCreate,
    PlacementRead,
)
from placement.inventory.rules import ivo_valid_on, local_date, sharing_allows
from placement.models import (
    Booking,
    Case,
    District,
    Place,
    PlacementRequest,
    Referral,
    Unit,
    UserAccount,
)
from placement.models.enums import BookingKind, BookingStatus, Role
from placement.referrals import service as referrals

ONE_HOLD = N_(
    "This placement request already has a place held. Confirm or release that hold first."
)
NOT_HOLDER = N_(
    "Only the person holding the place, or a team lead of the same district, can change the hold."
)
NOT_SHARED = N_("The unit's owner does not share it with the requesting district.")
NO_PERMIT = N_(
    "The unit has no valid IVO permit on the start date and cannot be offered. Choose another unit."
)


@contextmanager
def overlap_as_conflict() -> Iterator[None]:
    """The database trigger's refusal (SQLSTATE 23P01) becomes the same 409 as the service's."""
    try:
        yield
    except DBAPIError as exc:
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if code == "23P01" or "already booked" in str(exc.orig):
            raise Conflict(bookings.NO_ROOM) from exc
        raise


async def _check_refs(
    session: AsyncSession, case_id: uuid.UUID | None, request_id: uuid.UUID | None
) -> Case | None:
    case = None
    if case_id is not None:
        case = await session.get(Case, case_id)
        if case is None:
            raise InvalidInput("Unknown case.", field="case_id")
    if request_id is not None:
        # The request row is locked, so concurrent holds for one request queue up here and
        # the second sees the first's hold: one request, one hold group.
        locked = await session.scalar(
            select(PlacementRequest.id)
            .where(col(PlacementRequest.id) == request_id)
            .with_for_update()
        )
        if locked is None:
            raise InvalidInput("Unknown placement request.", field="request_id")
    return case


async def _no_live_hold_for_request(
    session: AsyncSession, clock: Clock, request_id: uuid.UUID | None
) -> None:
    if request_id is None:
        return
    live = await session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(
            col(Booking.request_id) == request_id,
            col(Booking.kind) == BookingKind.hold,
            col(Booking.status) == BookingStatus.active,
            col(Booking.expires_at) > clock.now(),
        )
    )
    if live:
        raise Conflict(ONE_HOLD, field="request_id")


async def _offerable(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    unit: Unit,
    start: datetime,
    requesting_id: uuid.UUID | None,
    case: Case | None,
) -> None:
    """Who asks, and for places kept without a case, the rules availability applies to the
    unit as a whole (IVO permit and sharing). With a case, the rule book judges everything,
    these two included, and they can then be overridden like any rule."""
    asking = requesting_id or (case.responsible_district_id if case else None)
    requesting = await requesting_district(session, actor, asking, required=True)
    if case is not None:
        return
    if not ivo_valid_on(unit, local_date(start, settings.timezone)):
        raise Conflict(NO_PERMIT, field="unit_id")
    owner = await session.get(District, unit.owner_district_id or unit.district_id)
    if owner is None or not sharing_allows(unit.sharing_policy, owner, requesting):
        raise Forbidden(NOT_SHARED, field="unit_id")


async def _rule_book(
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    actor: Actor,
    case: Case | None,
    unit: Unit,
    start: datetime,
    data: HoldCreate | PlacementCreate,
) -> list[str]:
    """Places kept for a case are judged by the same rule book as the decision; returns the
    rules overridden."""
    if case is None:
        if data.overridden_rules:
            raise InvalidInput(
                "Rules are overridden only for a case's household.", field="overridden_rules"
            )
        return []
    return await rulebook.check_placement(
        session,
        settings,
        clock.now(),
        actor.role,
        case=case,
        unit=unit,
        starts_at=start,
        ends_at=start + timedelta(days=data.nights),
        overrides=rulebook.Overrides(tuple(data.overridden_rules), data.override_reason),
        requesting_district_id=data.requesting_district_id,
        grant=False,
    )


async def create_hold(
    session: AsyncSession, clock: Clock, settings: Settings, actor: Actor, data: HoldCreate
) -> HoldRead:
    start = data.starts_at or clock.now()
    case = await _check_refs(session, data.case_id, data.request_id)
    await _no_live_hold_for_request(session, clock, data.request_id)
    unit = await bookings.lock_unit(session, data.unit_id)
    await _offerable(session, settings, actor, unit, start, data.requesting_district_id, case)
    overridden = await _rule_book(session, settings, clock, actor, case, unit, start, data)
    with overlap_as_conflict():
        rows = await bookings.book(
            session,
            clock,
            actor,
            unit_id=unit.id,
            kind=BookingKind.hold,
            household_size=data.size,
            starts_at=start,
            ends_at=start + timedelta(days=data.nights),
            case_id=data.case_id,
            request_id=data.request_id,
            hold_minutes=settings.hold_minutes,
        )
    _record_overrides(rows, overridden, data.override_reason)
    if case is not None:
        await referrals.open_referral(
            session,
            clock,
            actor,
            case=case,
            unit=unit,
            group_id=rows[0].group_id,
            request_id=data.request_id,
            expected_arrival_at=max(data.expected_arrival_at or start, start),
            callback_phone=data.callback_phone,
            timezone=settings.timezone,
        )
    return (await describe_holds(session, clock, rows))[0]


def _record_overrides(rows: Sequence[Booking], overridden: list[str], reason: str | None) -> None:
    if overridden:
        for b in rows:
            b.overridden_rules = list(overridden)
            b.override_reason = reason


async def _locked_group(
    session: AsyncSession, group_id: uuid.UUID, kind: BookingKind
) -> list[Booking]:
    unit_id = await session.scalar(
        select(Booking.unit_id).where(col(Booking.group_id) == group_id).limit(1)
    )
    if unit_id is None:
        raise NotFound("No such hold.", field="group_id")
    await bookings.lock_unit(session, unit_id)
    rows = await bookings.group_bookings(session, group_id)
    if all(b.kind != kind for b in rows):
        raise NotFound("No such hold.", field="group_id")
    return rows


async def _check_holder(session: AsyncSession, rows: Sequence[Booking], actor: Actor) -> None:
    """The holder, or a team lead of the hold's own district (Socialjouren's team lead for
    Socialjouren's holds). A team lead of another district is refused."""
    first = rows[0]
    if first.created_by_id == actor.user_id:
        return
    if actor.is_team_lead:
        holder = (
            await session.get(UserAccount, first.created_by_id) if first.created_by_id else None
        )
        districts: set[uuid.UUID] = set()
        if holder is not None and holder.district_id is not None:
            districts.add(holder.district_id)
        if first.case_id is not None:
            case = await session.get(Case, first.case_id)
            if case is not None:
                districts.add(case.responsible_district_id)
        if actor.role == Role.socialjour and holder is not None and holder.role == Role.socialjour:
            return
        if actor.district_id is not None and actor.district_id in districts:
            return
    raise Forbidden(NOT_HOLDER)


def _live_holds(rows: Sequence[Booking], now: datetime) -> list[Booking]:
    holds = [b for b in rows if b.kind == BookingKind.hold]
    if any(b.status == BookingStatus.confirmed for b in holds):
        raise Conflict("The hold has already been confirmed into a placement.")
    if any(
        b.status != BookingStatus.active or (b.expires_at and b.expires_at <= now) for b in holds
    ):
        raise Conflict("The hold has expired or was released. Hold the place again.")
    return holds


async def extend_hold(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    group_id: uuid.UUID,
    reason: str | None = None,
) -> HoldRead:
    rows = await _locked_group(session, group_id, BookingKind.hold)
    await _check_holder(session, rows, actor)
    holds = _live_holds(rows, clock.now())
    if any(b.extension_count >= 1 for b in holds):
        raise Conflict("A hold can be extended only once. Confirm it or let it go.")
    for b in holds:
        b.expires_at = (b.expires_at or clock.now()) + timedelta(minutes=settings.hold_minutes)
        b.extension_count += 1
        b.extension_reason = " ".join((reason or "").split())[:300] or None
    await session.flush()
    return (await describe_holds(session, clock, holds))[0]


async def release_hold(
    session: AsyncSession, clock: Clock, actor: Actor, group_id: uuid.UUID
) -> None:
    rows = await _locked_group(session, group_id, BookingKind.hold)
    await _check_holder(session, rows, actor)
    if any(b.status == BookingStatus.confirmed for b in rows):
        raise Conflict("The hold has already been confirmed into a placement.")
    await bookings.release_group(session, clock, group_id, status=BookingStatus.released)
    await referrals.withdraw(session, clock, actor, group_id)


async def confirm_hold(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    group_id: uuid.UUID,
    data: HoldConfirm,
) -> PlacementRead:
    await _check_refs(session, data.case_id, None)
    rows = await _locked_group(session, group_id, BookingKind.hold)
    await _check_holder(session, rows, actor)
    holds = _live_holds(rows, clock.now())
    start = data.starts_at or holds[0].starts_at
    length = timedelta(days=data.nights) if data.nights else holds[0].ends_at - holds[0].starts_at
    with overlap_as_conflict():
        placed = await bookings.confirm_hold(
            session,
            clock,
            actor,
            group_id,
            case_id=data.case_id,
            starts_at=start,
            ends_at=start + length,
        )
    return await describe_placement(session, placed)


async def create_placement(
    session: AsyncSession, clock: Clock, settings: Settings, actor: Actor, data: PlacementCreate
) -> PlacementRead:
    """Place a household directly (the place is agreed by phone; no hold first)."""
    case = await _check_refs(session, data.case_id, data.request_id)
    unit = await bookings.lock_unit(session, data.unit_id)
    await _offerable(
        session, settings, actor, unit, data.starts_at, data.requesting_district_id, case
    )
    overridden = await _rule_book(session, settings, clock, actor, case, unit, data.starts_at, data)
    if data.place_ids is not None:
        await _check_chosen_places(session, unit.id, data.place_ids, data.size)
    with overlap_as_conflict():
        rows = await bookings.book(
            session,
            clock,
            actor,
            unit_id=unit.id,
            kind=BookingKind.placement,
            household_size=data.size,
            starts_at=data.starts_at,
            ends_at=data.starts_at + timedelta(days=data.nights),
            case_id=data.case_id,
            request_id=data.request_id,
            place_ids=data.place_ids,
        )
    _record_overrides(rows, overridden, data.override_reason)
    await session.flush()
    return await describe_placement(session, rows)


async def _check_chosen_places(
    session: AsyncSession, unit_id: uuid.UUID, place_ids: Sequence[uuid.UUID], size: int
) -> None:
    if len(set(place_ids)) != len(place_ids):
        raise InvalidInput("A place is listed twice.", field="place_ids")
    places = (
        (await session.execute(select(Place).where(col(Place.id).in_(place_ids)))).scalars().all()
    )
    if len(places) != len(place_ids) or any(p.unit_id != unit_id or p.retired_at for p in places):
        raise InvalidInput(
            "Every chosen place must be an open place of the unit.", field="place_ids"
        )
    room = sum(p.capacity for p in places)
    if room < size:
        raise InvalidInput(
            N_("The chosen places hold {room} person(s); the household has {size}."),
            field="place_ids",
            params={"room": room, "size": size},
        )


# --- reading ------------------------------------------------------------------------------------


async def _names(
    session: AsyncSession, rows: Sequence[Booking]
) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, Place], dict[uuid.UUID, str]]:
    unit_ids = {b.unit_id for b in rows}
    place_ids = {b.place_id for b in rows}
    user_ids = {b.created_by_id for b in rows if b.created_by_id}
    units = dict(
        (await session.execute(select(Unit.id, Unit.name).where(col(Unit.id).in_(unit_ids)))).all()
    )
    places = {
        p.id: p
        for p in (await session.execute(select(Place).where(col(Place.id).in_(place_ids))))
        .scalars()
        .all()
    }
    users = dict(
        (
            await session.execute(
                select(UserAccount.id, UserAccount.username).where(
                    col(UserAccount.id).in_(user_ids)
                )
            )
        ).all()
    )
    return units, places, users


def _groups(rows: Sequence[Booking]) -> dict[uuid.UUID, list[Booking]]:
    groups: dict[uuid.UUID, list[Booking]] = {}
    for b in rows:
        groups.setdefault(b.group_id, []).append(b)
    return groups


async def describe_holds(
    session: AsyncSession, clock: Clock, rows: Sequence[Booking]
) -> list[HoldRead]:
    units, places, users = await _names(session, rows)
    answers = dict(
        (
            await session.execute(
                select(Referral.group_id, Referral.status).where(
                    col(Referral.group_id).in_({b.group_id for b in rows})
                )
            )
        ).all()
    )
    out = []
    for group_id, group in _groups(rows).items():
        first = group[0]
        labels = sorted(places[b.place_id].label for b in group)
        out.append(
            HoldRead(
                group_id=group_id,
                unit_id=first.unit_id,
                unit_name=units.get(first.unit_id, ""),
                place_labels=labels,
                beds=sum(places[b.place_id].capacity for b in group),
                starts_at=first.starts_at,
                ends_at=first.ends_at,
                expires_at=first.expires_at,
                extension_count=first.extension_count,
                can_extend=first.extension_count == 0,
                status=first.status.value,
                held_by=users.get(first.created_by_id) if first.created_by_id else None,
                held_at=first.created_at,
                referral_status=str(answers[group_id]) if group_id in answers else None,
            )
        )
    return out


async def list_active_holds(
    session: AsyncSession, clock: Clock, *, unit_id: uuid.UUID | None = None
) -> list[HoldRead]:
    """Every hold still running, with who holds it: staff see each other's holds."""
    stmt = select(Booking).where(
        col(Booking.kind) == BookingKind.hold,
        col(Booking.status) == BookingStatus.active,
        col(Booking.expires_at) > clock.now(),
    )
    if unit_id is not None:
        stmt = stmt.where(col(Booking.unit_id) == unit_id)
    rows = (await session.execute(stmt.order_by(col(Booking.expires_at)))).scalars().all()
    return await describe_holds(session, clock, rows)


async def describe_placement(session: AsyncSession, rows: Sequence[Booking]) -> PlacementRead:
    units, places, _ = await _names(session, rows)
    first = rows[0]
    return PlacementRead(
        group_id=first.group_id,
        unit_id=first.unit_id,
        unit_name=units.get(first.unit_id, ""),
        place_labels=sorted(places[b.place_id].label for b in rows),
        case_id=first.case_id,
        starts_at=first.starts_at,
        ends_at=first.ends_at,
    )
