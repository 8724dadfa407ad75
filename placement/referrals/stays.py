"""Arrival and safety planning: what the shelter records about a household's stay.

The unit's operator records that the household arrived (at a time) or did not come, and that
the safety plan was made at move-in and at move-out (each with its date). The stay is keyed by
the booking group: an accepted referral's hold and the placement it becomes share it. The
operator reads and writes only stays in its own units, by case number; nothing here carries a
name, a personal identity number or an address. Every change and every listing is audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.audit.service import Audited, record, record_many
from placement.auth.actor import Actor
from placement.clock import Clock
from placement.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from placement.inventory.rules import local_date
from placement.models import Booking, Case, Referral, Stay, Unit
from placement.models.enums import (
    AuditAction,
    BookingKind,
    BookingStatus,
    ReferralStatus,
    Role,
)

NOT_YOURS = N_("This household is not placed in your organisation's units.")
ARRIVAL_FUTURE = N_("The arrival cannot be later than now.")
ARRIVAL_EARLY = N_("The arrival cannot be more than a day before the stay starts.")
ARRIVED_ALREADY = N_(
    "The arrival is recorded; a household that arrived cannot be marked as not come."
)
NOT_ARRIVED = N_("Record the arrival first: the safety plan is made with the household.")
PLAN_FUTURE = N_("The safety plan's date cannot be later than today.")
PLAN_EARLY = N_("The safety plan's date cannot be before the arrival.")

Moment = Literal["in", "out"]
SETTLED = (ReferralStatus.accepted, ReferralStatus.confirmed_by_phone)
LEAVING_DAYS = 3  # "leaving soon": the stay ends today or within this many days
# The move-out safety plan is made when the household moves out, i.e. once the placement
# has ended: it can be recorded for this many days after the placement's end.
MOVE_OUT_PLAN_DAYS = 30
MOVED_OUT_LONG_AGO = N_(
    "The household moved out more than {days} days ago; the move-out safety plan can no "
    "longer be recorded here."
)


@dataclass(frozen=True)
class StayRow:
    """One household in the operator's own view (case number only)."""

    group_id: uuid.UUID
    case_number: str
    unit_name: str
    starts_at: datetime
    ends_at: datetime
    placed: bool  # a placement (a decision is made), not only an accepted hold
    expected_arrival_at: datetime | None
    arrived_at: datetime | None
    did_not_come_at: datetime | None
    safety_plan_in_on: date | None
    safety_plan_out_on: date | None

    @property
    def recorded(self) -> bool:
        return self.arrived_at is not None or self.did_not_come_at is not None


@dataclass(frozen=True)
class OperatorStays:
    expected: list[StayRow]
    living: list[StayRow]
    leaving: list[StayRow]
    moved_out: list[StayRow]  # placements ended within MOVE_OUT_PLAN_DAYS (arrival recorded)


def _require_operator(actor: Actor) -> uuid.UUID:
    if actor.role != Role.operator or actor.operator_id is None:
        raise Forbidden(NOT_YOURS)
    return actor.operator_id


async def operator_view(
    session: AsyncSession, clock: Clock, actor: Actor, *, timezone: str
) -> OperatorStays:
    """Expected today (accepted referrals and placements starting today, nothing recorded
    yet), living there now until the decision's end, and leaving within a few days."""
    operator_id = _require_operator(actor)
    now = clock.now()
    today = local_date(now, timezone)
    settled_hold = (
        select(Referral.group_id)
        .where(col(Referral.operator_id) == operator_id, col(Referral.status).in_(SETTLED))
        .scalar_subquery()
    )
    groups = (
        await session.execute(
            sa_select(
                col(Booking.group_id),
                col(Case.case_number),
                col(Unit.name),
                func.min(Booking.starts_at),
                func.max(Booking.ends_at),
                func.bool_or(col(Booking.kind) == BookingKind.placement),
            )
            .join(Unit, col(Unit.id) == col(Booking.unit_id))
            .join(Case, col(Case.id) == col(Booking.case_id))
            .where(
                col(Unit.operator_id) == operator_id,
                col(Booking.status) == BookingStatus.active,
                col(Booking.ends_at) > now,
                (col(Booking.kind) == BookingKind.placement)
                | (
                    (col(Booking.kind) == BookingKind.hold)
                    & (col(Booking.expires_at) > now)
                    & col(Booking.group_id).in_(settled_hold)
                ),
            )
            .group_by(col(Booking.group_id), col(Case.case_number), col(Unit.name))
        )
    ).all()
    ids = [g[0] for g in groups]
    stays = {
        s.group_id: s
        for s in (await session.execute(select(Stay).where(col(Stay.group_id).in_(ids)))).scalars()
    }
    arrivals = dict(
        (
            await session.execute(
                select(Referral.group_id, Referral.expected_arrival_at).where(
                    col(Referral.group_id).in_(ids)
                )
            )
        ).all()
    )
    expected: list[StayRow] = []
    living: list[StayRow] = []
    leaving: list[StayRow] = []
    for group_id, case_number, unit_name, starts, ends, placed in groups:
        stay = stays.get(group_id)
        row = StayRow(
            group_id=group_id,
            case_number=case_number,
            unit_name=unit_name,
            starts_at=starts,
            ends_at=ends,
            placed=bool(placed),
            expected_arrival_at=arrivals.get(group_id),
            arrived_at=stay.arrived_at if stay else None,
            did_not_come_at=stay.did_not_come_at if stay else None,
            safety_plan_in_on=stay.safety_plan_in_on if stay else None,
            safety_plan_out_on=stay.safety_plan_out_on if stay else None,
        )
        start_day = local_date(row.expected_arrival_at or starts, timezone)
        if not row.recorded and start_day >= today:
            if start_day == today:
                expected.append(row)
            continue  # expected on a later day: not listed yet
        if not placed:
            continue  # an accepted hold whose household came or did not: the decision follows
        if local_date(ends, timezone) <= today + timedelta(days=LEAVING_DAYS):
            leaving.append(row)
        else:
            living.append(row)
    moved_out = await _moved_out(session, operator_id, now)
    await record_many(
        session,
        clock,
        actor,
        (
            Audited(AuditAction.read, "stay", row.group_id)
            for row in expected + living + leaving + moved_out
        ),
    )
    return OperatorStays(
        expected=sorted(expected, key=lambda r: r.expected_arrival_at or r.starts_at),
        living=sorted(living, key=lambda r: (r.ends_at, r.case_number)),
        leaving=sorted(leaving, key=lambda r: (r.ends_at, r.case_number)),
        moved_out=moved_out,
    )


def _ended_recently(now: datetime) -> Any:
    """A placement that has ended (by its end or by a recorded end) within the window."""
    return (
        (col(Booking.kind) == BookingKind.placement)
        & col(Booking.status).in_((BookingStatus.active, BookingStatus.ended))
        & (col(Booking.ends_at) <= now)
        & (col(Booking.ends_at) > now - timedelta(days=MOVE_OUT_PLAN_DAYS))
    )


async def _moved_out(session: AsyncSession, operator_id: uuid.UUID, now: datetime) -> list[StayRow]:
    """Households that lived in the operator's units (arrival recorded) and whose placement
    ended within the window, latest first: the move-out safety plan is made now."""
    rows = (
        await session.execute(
            sa_select(
                col(Booking.group_id),
                col(Case.case_number),
                col(Unit.name),
                func.min(Booking.starts_at),
                func.max(Booking.ends_at),
                Stay,
            )
            .join(Unit, col(Unit.id) == col(Booking.unit_id))
            .join(Case, col(Case.id) == col(Booking.case_id))
            .join(Stay, col(Stay.group_id) == col(Booking.group_id))
            .where(
                col(Unit.operator_id) == operator_id,
                col(Stay.arrived_at).is_not(None),
                _ended_recently(now),
            )
            .group_by(col(Booking.group_id), col(Case.case_number), col(Unit.name), col(Stay.id))
            .order_by(func.max(Booking.ends_at).desc(), col(Case.case_number))
        )
    ).all()
    return [
        StayRow(
            group_id=group_id,
            case_number=case_number,
            unit_name=unit_name,
            starts_at=starts,
            ends_at=ends,
            placed=True,
            expected_arrival_at=None,
            arrived_at=stay.arrived_at,
            did_not_come_at=stay.did_not_come_at,
            safety_plan_in_on=stay.safety_plan_in_on,
            safety_plan_out_on=stay.safety_plan_out_on,
        )
        for group_id, case_number, unit_name, starts, ends, stay in rows
    ]


async def _own_stay(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    group_id: uuid.UUID,
    *,
    moved_out: bool = False,
) -> tuple[Stay, datetime]:
    """The stay of a placement or an accepted hold in the operator's own units (made on the
    first record, locked for the change), and when the stay starts. ``moved_out``: also a
    placement that ended within ``MOVE_OUT_PLAN_DAYS`` (for the move-out safety plan)."""
    operator_id = _require_operator(actor)
    now = clock.now()
    settled = await session.scalar(
        select(func.count())
        .select_from(Referral)
        .where(col(Referral.group_id) == group_id, col(Referral.status).in_(SETTLED))
    )
    row = (
        await session.execute(
            select(Booking.case_id, Booking.unit_id, func.min(Booking.starts_at))
            .join(Unit, col(Unit.id) == col(Booking.unit_id))
            .where(
                col(Booking.group_id) == group_id,
                col(Unit.operator_id) == operator_id,
                col(Booking.status) == BookingStatus.active,
                col(Booking.case_id).is_not(None),
                (col(Booking.kind) == BookingKind.placement)
                | ((col(Booking.kind) == BookingKind.hold) & (col(Booking.expires_at) > now)),
            )
            .group_by(col(Booking.case_id), col(Booking.unit_id))
        )
    ).first()
    if row is None and moved_out:
        row = (
            await session.execute(
                select(Booking.case_id, Booking.unit_id, func.min(Booking.starts_at))
                .join(Unit, col(Unit.id) == col(Booking.unit_id))
                .where(
                    col(Booking.group_id) == group_id,
                    col(Unit.operator_id) == operator_id,
                    col(Booking.case_id).is_not(None),
                    _ended_recently(now),
                )
                .group_by(col(Booking.case_id), col(Booking.unit_id))
            )
        ).first()
        if row is None and await _ended_long_ago(session, operator_id, group_id, now):
            raise Conflict(
                MOVED_OUT_LONG_AGO, field="group_id", params={"days": MOVE_OUT_PLAN_DAYS}
            )
    if row is None:
        raise NotFound(NOT_YOURS, field="group_id")
    case_id, unit_id, starts = row
    placed = await session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(col(Booking.group_id) == group_id, col(Booking.kind) == BookingKind.placement)
    )
    if not placed and not settled:
        raise NotFound(NOT_YOURS, field="group_id")
    await session.execute(
        insert(Stay)
        .values(
            id=uuid.uuid4(),
            group_id=group_id,
            case_id=case_id,
            unit_id=unit_id,
            operator_id=operator_id,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["group_id"])
    )
    stay = await session.scalar(
        select(Stay)
        .where(col(Stay.group_id) == group_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if stay is None:  # the row was just made or already there; nothing else removes it
        raise NotFound(NOT_YOURS, field="group_id")
    return stay, starts


async def _ended_long_ago(
    session: AsyncSession, operator_id: uuid.UUID, group_id: uuid.UUID, now: datetime
) -> bool:
    n = await session.scalar(
        select(func.count())
        .select_from(Booking)
        .join(Unit, col(Unit.id) == col(Booking.unit_id))
        .where(
            col(Booking.group_id) == group_id,
            col(Unit.operator_id) == operator_id,
            col(Booking.kind) == BookingKind.placement,
            col(Booking.status).in_((BookingStatus.active, BookingStatus.ended)),
            col(Booking.ends_at) <= now - timedelta(days=MOVE_OUT_PLAN_DAYS),
        )
    )
    return bool(n)


async def _saved(session: AsyncSession, clock: Clock, actor: Actor, stay: Stay) -> Stay:
    stay.updated_at = clock.now()
    stay.updated_by_id = actor.user_id
    await session.flush()
    await record(session, clock, actor, AuditAction.update, "stay", stay.id, case_id=stay.case_id)
    return stay


async def record_arrival(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    group_id: uuid.UUID,
    arrived_at: datetime | None = None,
) -> Stay:
    """The household arrived (now, or at the time given); it replaces a "did not come"."""
    now = clock.now()
    at = arrived_at or now
    if at > now + timedelta(minutes=5):
        raise InvalidInput(ARRIVAL_FUTURE, field="arrived_at")
    stay, starts = await _own_stay(session, clock, actor, group_id)
    if at < starts - timedelta(days=1):
        raise InvalidInput(ARRIVAL_EARLY, field="arrived_at")
    stay.arrived_at = min(at, now)
    stay.did_not_come_at = None
    return await _saved(session, clock, actor, stay)


async def record_did_not_come(
    session: AsyncSession, clock: Clock, actor: Actor, group_id: uuid.UUID
) -> Stay:
    stay, _ = await _own_stay(session, clock, actor, group_id)
    if stay.arrived_at is not None:
        raise Conflict(ARRIVED_ALREADY, field="group_id")
    stay.did_not_come_at = clock.now()
    return await _saved(session, clock, actor, stay)


async def record_safety_plan(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    group_id: uuid.UUID,
    moment: Moment,
    on: date,
    *,
    timezone: str,
) -> Stay:
    """The safety plan at move-in or at move-out was made on ``on`` (a Stockholm date). The
    move-out plan may also be recorded up to ``MOVE_OUT_PLAN_DAYS`` after the placement
    ended: the household has moved out, which is when that plan is made."""
    today = local_date(clock.now(), timezone)
    if on > today:
        raise InvalidInput(PLAN_FUTURE, field="on")
    stay, _ = await _own_stay(session, clock, actor, group_id, moved_out=moment == "out")
    if stay.arrived_at is None:
        raise Conflict(NOT_ARRIVED, field="group_id")
    if on < local_date(stay.arrived_at, timezone):
        raise InvalidInput(PLAN_EARLY, field="on")
    if moment == "in":
        stay.safety_plan_in_on = on
    else:
        stay.safety_plan_out_on = on
    return await _saved(session, clock, actor, stay)


@dataclass(frozen=True)
class CaseStay:
    """What the case page shows of the current (or latest) stay."""

    unit_name: str
    arrived_at: datetime | None
    did_not_come_at: datetime | None
    safety_plan_in_on: date | None
    safety_plan_out_on: date | None


async def for_case(session: AsyncSession, clock: Clock, case_id: uuid.UUID) -> CaseStay | None:
    """The stay of the case's current placement (nothing recorded yet reads as such); None
    when the household is not placed now. The case page's read is audited by the case view;
    row-level security keeps the stay to those who may read the case."""
    now = clock.now()
    current = (
        await session.execute(
            select(Booking.group_id, Unit.name)
            .join(Unit, col(Unit.id) == col(Booking.unit_id))
            .where(
                col(Booking.case_id) == case_id,
                col(Booking.kind) == BookingKind.placement,
                col(Booking.status) == BookingStatus.active,
                col(Booking.starts_at) <= now,
                col(Booking.ends_at) > now,
            )
            .limit(1)
        )
    ).first()
    if current is None:
        return None
    group_id, unit_name = current
    stay = await session.scalar(select(Stay).where(col(Stay.group_id) == group_id))
    if stay is None:
        return CaseStay(unit_name, None, None, None, None)
    return CaseStay(
        unit_name=unit_name,
        arrived_at=stay.arrived_at,
        did_not_come_at=stay.did_not_come_at,
        safety_plan_in_on=stay.safety_plan_in_on,
        safety_plan_out_on=stay.safety_plan_out_on,
    )
