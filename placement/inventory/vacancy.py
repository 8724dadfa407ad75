"""Operators' side: confirm what is free now, block places for a period; IVO permit warnings.

An operator acts only on units whose operator is its own. A confirmation stamps
``Unit.vacancy_confirmed_at``; a unit not confirmed within ``settings.vacancy_stale_hours`` is
shown as stale wherever it appears (lists, detail, availability, the operator's own list).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.audit.service import record
from placement.auth.actor import Actor
from placement.auth.permissions import Permission, has_permission
from placement.clock import Clock
from placement.config import Settings
from placement.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from placement.inventory import bookings, external
from placement.inventory.booking_schemas import (
    BlockCreate,
    BlockRead,
    IvoPermitRead,
    VacancyReportCreate,
    VacancyReportRead,
)
from placement.inventory.capacity import capacity_by_unit, free_now_window
from placement.inventory.holds import overlap_as_conflict
from placement.inventory.rules import local_date
from placement.models import Booking, District, Operator, Place, Unit, UserAccount, VacancyReport
from placement.models.enums import AuditAction, BookingKind, BookingStatus, PlaceKind

NOT_YOURS = N_("You can only report for your own organisation's units.")


def ensure_own(actor: Actor, unit: Unit) -> None:
    if actor.operator_id is None or actor.operator_id != unit.operator_id:
        raise Forbidden(NOT_YOURS)


def ensure_can_see(actor: Actor, unit: Unit) -> None:
    if has_permission(actor.role, Permission.inventory_read):
        return
    ensure_own(actor, unit)


async def get_unit_for(session: AsyncSession, actor: Actor, unit_id: uuid.UUID) -> Unit:
    # Roles with no inventory access at all are refused before anything is looked up.
    if not (
        has_permission(actor.role, Permission.inventory_read)
        or has_permission(actor.role, Permission.vacancy_report)
    ):
        raise Forbidden("Your role does not give access to this.")
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("No such unit.", field="unit_id")
    ensure_can_see(actor, unit)
    return unit


# --- vacancy reports ----------------------------------------------------------------------------


async def report_vacancy(
    session: AsyncSession, clock: Clock, actor: Actor, unit_id: uuid.UUID, data: VacancyReportCreate
) -> VacancyReportRead:
    unit = await bookings.lock_unit(session, unit_id)
    ensure_own(actor, unit)
    now = clock.now()
    start, end = free_now_window(now)
    # The new report replaces the last one's external occupancy, then is compared with what
    # the bookings leave free.
    await external.release(session, clock, unit.id)
    counted = (await capacity_by_unit(session, [unit.id], start, end, now))[unit.id]
    if data.free_places > counted.places:
        raise InvalidInput(
            N_(
                "The unit has {n} single place(s) in Boendekedjan. Ask the "
                "coordinator to add places first."
            ),
            field="free_places",
            params={"n": counted.places},
        )
    if data.free_family_rooms > len(counted.family_rooms):
        raise InvalidInput(
            N_("The unit has {n} family room(s) in Boendekedjan."),
            field="free_family_rooms",
            params={"n": len(counted.family_rooms)},
        )
    applied = await external.apply_report(
        session,
        clock,
        actor,
        unit.id,
        free_places=data.free_places,
        free_family_rooms=data.free_family_rooms,
    )
    report = VacancyReport(
        unit_id=unit.id,
        reported_at=now,
        reported_by_id=actor.user_id,
        free_places=data.free_places,
        free_family_rooms=data.free_family_rooms,
        note=data.note,
        above_computed=applied.above_computed,
    )
    session.add(report)
    unit.vacancy_confirmed_at = now
    unit.reported_free_places = data.free_places
    unit.reported_free_family_rooms = data.free_family_rooms
    await session.flush()
    await record(
        session,
        clock,
        actor,
        AuditAction.create,
        "vacancy_report",
        report.id,
        flagged_for_review=applied.above_computed,
    )
    free_rooms = len(counted.free_family_rooms)
    message = None
    if applied.above_computed:
        message = (
            f"You reported {data.free_places} free place(s) and {data.free_family_rooms} free "
            f"family room(s); Boendekedjan counts {counted.free_places} and {free_rooms} from "
            "its placements, holds and blocks. The coordinator is told; the counted figure "
            "stays until the bookings change."
        )
    elif applied.external_places or applied.external_family_rooms:
        message = (
            f"{applied.external_places} place(s) and {applied.external_family_rooms} family "
            "room(s) are held as occupied outside Boendekedjan until your next report."
        )
    return VacancyReportRead(
        id=report.id,
        unit_id=unit.id,
        reported_at=now,
        reported_by=actor.username,
        free_places=data.free_places,
        free_family_rooms=data.free_family_rooms,
        note=data.note,
        counted_free_places=counted.free_places,
        counted_free_family_rooms=free_rooms,
        message=message,
        external_places=applied.external_places,
        external_family_rooms=applied.external_family_rooms,
        above_computed=applied.above_computed,
    )


async def list_vacancy_reports(
    session: AsyncSession, unit_id: uuid.UUID, *, limit: int = 50
) -> list[VacancyReportRead]:
    rows = (
        await session.execute(
            select(VacancyReport, UserAccount.username)
            .outerjoin(UserAccount, col(UserAccount.id) == col(VacancyReport.reported_by_id))
            .where(col(VacancyReport.unit_id) == unit_id)
            .order_by(col(VacancyReport.reported_at).desc())
            .limit(limit)
        )
    ).all()
    return [
        VacancyReportRead(
            id=r.id,
            unit_id=r.unit_id,
            reported_at=r.reported_at,
            reported_by=username,
            free_places=r.free_places,
            free_family_rooms=r.free_family_rooms,
            note=r.note,
        )
        for r, username in rows
    ]


# --- blocks -------------------------------------------------------------------------------------


BLOCK_START_PAST = N_("The first day cannot be in the past.")
BLOCK_TOO_LONG = N_("Block at most one year at a time.")


def check_block_window(
    starts_at: datetime, ends_at: datetime, now: datetime, timezone: str
) -> None:
    """A block starts today or later (Stockholm dates) and covers at most a year: the same
    for the operator's page and the JSON API."""
    if local_date(starts_at, timezone) < local_date(now, timezone):
        raise InvalidInput(BLOCK_START_PAST, field="starts_at")
    if ends_at - starts_at > timedelta(days=366):
        raise InvalidInput(BLOCK_TOO_LONG, field="ends_at")


async def block_places(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    unit_id: uuid.UUID,
    data: BlockCreate,
    *,
    timezone: str = "Europe/Stockholm",
) -> BlockRead:
    unit = await bookings.lock_unit(session, unit_id)
    ensure_own(actor, unit)
    now = clock.now()
    check_block_window(data.starts_at, data.ends_at, now, timezone)
    await bookings.expire_due_holds(session, clock, unit.id)
    free = await bookings.free_places(session, unit.id, data.starts_at, data.ends_at, now)
    free_ids = {p.id for p in free}
    if data.place_ids is not None:
        places = (
            (await session.execute(select(Place).where(col(Place.id).in_(data.place_ids))))
            .scalars()
            .all()
        )
        if len(places) != len(set(data.place_ids)) or any(
            p.unit_id != unit.id or p.retired_at for p in places
        ):
            raise InvalidInput(
                "Every place to block must be an open place of the unit.", field="place_ids"
            )
        busy = sorted(p.label for p in places if p.id not in free_ids)
        if busy:
            raise Conflict(
                N_(
                    "{places} is booked or blocked in that period; a block cannot cover "
                    "a booked place."
                ),
                field="place_ids",
                params={"places": busy},
            )
        chosen = [p.id for p in places]
    else:
        count = data.count or 0
        singles = [p.id for p in free if p.kind == PlaceKind.place]
        if len(singles) < count:
            raise Conflict(
                N_(
                    "Only {n} single place(s) are free for the whole period; the "
                    "others are booked or already blocked."
                ),
                field="count",
                params={"n": len(singles)},
            )
        chosen = singles[:count]
    with overlap_as_conflict():
        rows = await bookings.book(
            session,
            clock,
            actor,
            unit_id=unit.id,
            kind=BookingKind.block,
            household_size=len(chosen),
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            block_reason=data.reason,
            place_ids=chosen,
        )
    await record(session, clock, actor, AuditAction.create, "block", rows[0].group_id)
    return (await describe_blocks(session, rows))[0]


async def release_block(
    session: AsyncSession, clock: Clock, actor: Actor, unit_id: uuid.UUID, group_id: uuid.UUID
) -> None:
    unit = await bookings.lock_unit(session, unit_id)
    ensure_own(actor, unit)
    rows = await bookings.group_bookings(session, group_id)
    if any(b.kind != BookingKind.block or b.unit_id != unit.id for b in rows):
        raise NotFound("No such block in this unit.", field="group_id")
    await bookings.release_group(session, clock, group_id, status=BookingStatus.released)
    await record(session, clock, actor, AuditAction.delete, "block", group_id)


async def list_blocks(session: AsyncSession, clock: Clock, unit_id: uuid.UUID) -> list[BlockRead]:
    return (await blocks_by_unit(session, clock, [unit_id]))[unit_id]


async def blocks_by_unit(
    session: AsyncSession, clock: Clock, unit_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[BlockRead]]:
    """The current and coming blocks of many units in one query (the operator's page)."""
    rows = (
        (
            await session.execute(
                select(Booking)
                .where(
                    col(Booking.unit_id).in_(list(unit_ids)),
                    col(Booking.kind) == BookingKind.block,
                    col(Booking.external_occupancy).is_(False),  # shown as a count instead
                    col(Booking.status) == BookingStatus.active,
                    col(Booking.ends_at) > clock.now(),
                )
                .order_by(col(Booking.starts_at))
            )
        )
        .scalars()
        .all()
    )
    out: dict[uuid.UUID, list[BlockRead]] = {uid: [] for uid in unit_ids}
    for block in await describe_blocks(session, rows) if rows else []:
        out[block.unit_id].append(block)
    return out


async def describe_blocks(session: AsyncSession, rows: Sequence[Booking]) -> list[BlockRead]:
    labels = dict(
        (
            await session.execute(
                select(Place.id, Place.label).where(col(Place.id).in_({b.place_id for b in rows}))
            )
        ).all()
    )
    users = dict(
        (
            await session.execute(
                select(UserAccount.id, UserAccount.username).where(
                    col(UserAccount.id).in_({b.created_by_id for b in rows if b.created_by_id})
                )
            )
        ).all()
    )
    groups: dict[uuid.UUID, list[Booking]] = {}
    for b in rows:
        groups.setdefault(b.group_id, []).append(b)
    return [
        BlockRead(
            group_id=gid,
            unit_id=g[0].unit_id,
            place_labels=sorted(labels[b.place_id] for b in g),
            starts_at=g[0].starts_at,
            ends_at=g[0].ends_at,
            reason=g[0].block_reason,
            created_at=g[0].created_at,
            created_by=users.get(g[0].created_by_id) if g[0].created_by_id else None,
        )
        for gid, g in groups.items()
    ]


# --- IVO permits --------------------------------------------------------------------------------


async def ivo_permits_expiring(
    session: AsyncSession, clock: Clock, settings: Settings, within_days: int | None = None
) -> list[IvoPermitRead]:
    """Units that need a permit whose permit runs out within the warning period, has run out,
    or was never registered (those are not offered at all)."""
    today = local_date(clock.now(), settings.timezone)
    horizon = today + timedelta(
        days=settings.ivo_warning_days if within_days is None else within_days
    )
    rows = (
        await session.execute(
            select(Unit, Operator.name, District.name)
            .join(Operator, col(Operator.id) == col(Unit.operator_id))
            .join(District, col(District.id) == col(Unit.district_id))
            .where(
                col(Unit.retired_at).is_(None),
                col(Unit.ivo_permit_required).is_(True),
                or_(
                    col(Unit.ivo_permit_valid_until).is_(None),
                    col(Unit.ivo_permit_valid_until) <= horizon,
                ),
            )
            .order_by(col(Unit.ivo_permit_valid_until).asc().nulls_first(), col(Unit.name))
        )
    ).all()
    out = []
    for unit, op_name, d_name in rows:
        valid = unit.ivo_permit_valid_until
        out.append(
            IvoPermitRead(
                unit_id=unit.id,
                unit_name=unit.name,
                operator_name=op_name,
                district_name=d_name,
                valid_until=valid,
                days_left=None if valid is None else (valid - today).days,
                status="missing" if valid is None else "expired" if valid < today else "expiring",
            )
        )
    return out
