"""The referral a hold sends to the unit's operator, and the operator's answer.

Every hold of a case's household opens one (``placement.inventory.holds.create_hold`` calls
:func:`open_referral`). It is a snapshot of what a shelter needs to say yes or no: the case
number, adults and the children's ages, the needs, the risk level, the expected arrival and
the officer's call-back number. Never a name, a personal identity number or an address.

The operator answers while the hold is live: accept, or decline with a coded reason. A
decline releases the hold and the request waits for a place again. The officer may instead
record that the place was agreed by phone. Releasing a hold withdraws an unanswered referral.
Every step is audited (the audit entry never carries the free text).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.audit.service import Audited, record, record_many
from placement.auth.actor import Actor
from placement.auth.scope import elevated
from placement.clock import Clock
from placement.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from placement.models import Booking, Case, Child, PlacementRequest, Referral, Unit
from placement.models.enums import (
    AuditAction,
    BookingKind,
    BookingStatus,
    DeclineReason,
    ReferralStatus,
    RequestStatus,
    Role,
)

NOT_YOURS = N_("This referral is not for your organisation's units.")
ALREADY_ANSWERED = N_("The referral has already been answered.")
HOLD_GONE = N_("The hold has lapsed or was released; the referral can no longer be answered.")
OTHER_NEEDS_TEXT = N_("Write a short reason (3 to 300 characters, no personal data).")
NO_REFERRAL = N_("No referral for this hold.")
REFERRAL_PENDING = N_(
    "The unit has not answered the referral yet, so the place cannot be granted. Wait for "
    "the unit's answer, or record that you agreed the place with the unit by phone "
    "(confirmed by phone); then make the decision."
)
REFERRAL_DECLINED = N_(
    "The unit declined the referral and the hold was released, so nothing can be granted on "
    "it. Choose another place among the proposals."
)
REFERRAL_MISSING = N_(
    "No referral was sent to the unit for this hold, so the place cannot be granted on it. "
    "Hold the place again."
)
SETTLED = (ReferralStatus.accepted, ReferralStatus.confirmed_by_phone)


@dataclass(frozen=True)
class HoldState:
    live: bool
    expires_at: datetime | None


async def hold_state(session: AsyncSession, clock: Clock, group_id: uuid.UUID) -> HoldState:
    rows = (
        (
            await session.execute(
                select(Booking).where(
                    col(Booking.group_id) == group_id, col(Booking.kind) == BookingKind.hold
                )
            )
        )
        .scalars()
        .all()
    )
    expires = rows[0].expires_at if rows else None
    live = bool(rows) and all(
        b.status == BookingStatus.active and b.expires_at is not None and b.expires_at > clock.now()
        for b in rows
    )
    return HoldState(live=live, expires_at=expires)


async def open_referral(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    *,
    case: Case,
    unit: Unit,
    group_id: uuid.UUID,
    request_id: uuid.UUID | None,
    expected_arrival_at: datetime,
    callback_phone: str | None,
    timezone: str,
) -> Referral:
    from placement.cases.risk import current_level
    from placement.inventory.contact import check_phone
    from placement.inventory.rules import local_date

    arrival_day = local_date(expected_arrival_at, timezone)
    kids = (
        (await session.execute(select(Child).where(col(Child.case_id) == case.id))).scalars().all()
    )
    ages = sorted(
        (
            arrival_day.year
            - k.birth_date.year
            - ((arrival_day.month, arrival_day.day) < (k.birth_date.month, k.birth_date.day))
            for k in kids
        ),
        reverse=True,
    )
    referral = Referral(
        group_id=group_id,
        case_id=case.id,
        request_id=request_id,
        unit_id=unit.id,
        operator_id=unit.operator_id,
        case_number=case.case_number,
        adults=case.adults,
        children_ages=ages,
        substance_use=case.substance_use,
        needs_wheelchair=case.needs_wheelchair,
        languages=list(case.languages),
        has_pets=case.has_pets,
        honour_context=case.honour_context,
        risk_level=await current_level(session, case.id),
        expected_arrival_at=expected_arrival_at,
        callback_phone=check_phone(callback_phone, field="callback_phone"),
        created_by_id=actor.user_id,
        created_at=clock.now(),
    )
    session.add(referral)
    await session.flush()
    await record(
        session, clock, actor, AuditAction.create, "referral", referral.id, case_id=case.id
    )
    return referral


async def for_group(session: AsyncSession, group_id: uuid.UUID) -> Referral | None:
    return await session.scalar(select(Referral).where(col(Referral.group_id) == group_id))


async def declined_units(session: AsyncSession, request_id: uuid.UUID) -> dict[str, Referral]:
    """The units that declined this request, by unit id (the proposals mark them)."""
    rows = (
        (
            await session.execute(
                select(Referral).where(
                    col(Referral.request_id) == request_id,
                    col(Referral.status) == ReferralStatus.declined,
                )
            )
        )
        .scalars()
        .all()
    )
    return {str(r.unit_id): r for r in rows}


async def incoming(session: AsyncSession, clock: Clock, actor: Actor) -> list[Referral]:
    """The operator's unanswered referrals whose hold still runs, soonest arrival first."""
    if actor.role != Role.operator or actor.operator_id is None:
        raise Forbidden(NOT_YOURS)
    now = clock.now()
    live_hold = (
        select(Booking.group_id)
        .where(
            col(Booking.kind) == BookingKind.hold,
            col(Booking.status) == BookingStatus.active,
            col(Booking.expires_at) > now,
        )
        .scalar_subquery()
    )
    rows = (
        (
            await session.execute(
                select(Referral)
                .where(
                    col(Referral.operator_id) == actor.operator_id,
                    col(Referral.status) == ReferralStatus.pending,
                    col(Referral.group_id).in_(live_hold),
                )
                .order_by(col(Referral.expected_arrival_at), col(Referral.created_at))
            )
        )
        .scalars()
        .all()
    )
    await record_many(
        session, clock, actor, (Audited(AuditAction.read, "referral", r.id) for r in rows)
    )
    return list(rows)


async def _answerable(
    session: AsyncSession, clock: Clock, actor: Actor, referral_id: uuid.UUID
) -> Referral:
    referral = await session.scalar(
        select(Referral).where(col(Referral.id) == referral_id).with_for_update()
    )
    if referral is None or actor.operator_id is None or referral.operator_id != actor.operator_id:
        raise NotFound(NOT_YOURS, field="referral_id")
    if referral.status != ReferralStatus.pending:
        raise Conflict(ALREADY_ANSWERED)
    if not (await hold_state(session, clock, referral.group_id)).live:
        raise Conflict(HOLD_GONE)
    return referral


async def accept(
    session: AsyncSession, clock: Clock, actor: Actor, referral_id: uuid.UUID
) -> Referral:
    referral = await _answerable(session, clock, actor, referral_id)
    referral.status = ReferralStatus.accepted
    referral.answered_at = clock.now()
    referral.answered_by_id = actor.user_id
    await session.flush()
    await record(session, clock, actor, AuditAction.update, "referral", referral.id)
    return referral


async def decline(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    referral_id: uuid.UUID,
    reason: DeclineReason,
    text: str | None = None,
) -> Referral:
    """Decline with a coded reason ("other" needs a short text); the hold is released and
    the request waits for a place again."""
    from placement.inventory import bookings

    cleaned = " ".join((text or "").split()) or None
    if reason == DeclineReason.other and (cleaned is None or not 3 <= len(cleaned) <= 300):
        raise InvalidInput(OTHER_NEEDS_TEXT, field="decline_text")
    if cleaned is not None and len(cleaned) > 300:
        raise InvalidInput(OTHER_NEEDS_TEXT, field="decline_text")
    referral = await _answerable(session, clock, actor, referral_id)
    referral.status = ReferralStatus.declined
    referral.decline_reason = reason
    referral.decline_text = cleaned
    referral.answered_at = clock.now()
    referral.answered_by_id = actor.user_id
    await session.flush()
    await record(session, clock, actor, AuditAction.update, "referral", referral.id)
    # The operator sees neither bookings' case nor the request: releasing them is done for
    # the stated purpose beyond the operator's own scope (audited).
    async with elevated(session, clock, actor, "referral declined: release the hold"):
        await bookings.lock_unit(session, referral.unit_id)
        await bookings.release_group(
            session, clock, referral.group_id, status=BookingStatus.released
        )
        if referral.request_id is not None:
            request = await session.get(PlacementRequest, referral.request_id)
            if request is not None and request.status == RequestStatus.held:
                request.status = RequestStatus.open
        await session.flush()
    return referral


async def confirm_by_phone(
    session: AsyncSession, clock: Clock, actor: Actor, group_id: uuid.UUID
) -> Referral:
    """The officer agreed the place with the unit on the phone: no answer is awaited."""
    referral = await session.scalar(
        select(Referral).where(col(Referral.group_id) == group_id).with_for_update()
    )
    if referral is None:
        raise NotFound(NO_REFERRAL, field="group_id")
    if referral.status != ReferralStatus.pending:
        raise Conflict(ALREADY_ANSWERED)
    if not (await hold_state(session, clock, group_id)).live:
        raise Conflict(HOLD_GONE)
    referral.status = ReferralStatus.confirmed_by_phone
    referral.answered_at = clock.now()
    referral.answered_by_id = actor.user_id
    await session.flush()
    await record(
        session, clock, actor, AuditAction.update, "referral", referral.id, case_id=referral.case_id
    )
    return referral


async def for_officer(
    session: AsyncSession, clock: Clock, actor: Actor, group_id: uuid.UUID
) -> Referral:
    """The hold's referral for the officer: the case is read in the officer's own scope
    (audited, refused outside it), as on the hold page."""
    from placement.cases.access import load_case

    case_id = await session.scalar(
        select(Booking.case_id).where(col(Booking.group_id) == group_id).limit(1)
    )
    if case_id is None:
        raise NotFound(NO_REFERRAL, field="group_id")
    await load_case(session, clock, actor, case_id)
    referral = await for_group(session, group_id)
    if referral is None:
        raise NotFound(NO_REFERRAL, field="group_id")
    return referral


async def withdraw(session: AsyncSession, clock: Clock, actor: Actor, group_id: uuid.UUID) -> None:
    """The hold was released before the unit answered: the referral is withdrawn."""
    referral = await for_group(session, group_id)
    if referral is not None and referral.status == ReferralStatus.pending:
        referral.status = ReferralStatus.withdrawn
        referral.answered_at = clock.now()
        await session.flush()
        await record(session, clock, actor, AuditAction.update, "referral", referral.id)


async def require_grantable(
    session: AsyncSession, group_id: uuid.UUID, case_id: uuid.UUID | None, *, live: bool = True
) -> None:
    """The one gate between a hold and a placement (``bookings.confirm_hold`` calls it, so
    every path does: the decision from a hold, a move into a held place, the inventory API).

    A hold kept for a case sent the unit a referral: the place becomes a placement only once
    the unit accepted it or the officer recorded that it was agreed by phone. A pending
    referral refuses and says what to do; a declined one released the hold. A hold kept
    without a case (places kept while the household is not yet known) sent none; it is
    placed like a place agreed directly. A hold for a case whose referral this actor cannot
    see (or that has none) is refused: the gate fails closed.
    """
    referral = await for_group(session, group_id)
    if referral is not None and referral.status == ReferralStatus.declined:
        raise Conflict(REFERRAL_DECLINED, field="hold_group_id")
    if not live:
        return  # lapsed or released: the booking core refuses it, saying so
    if referral is None:
        if case_id is not None:
            raise Conflict(REFERRAL_MISSING, field="hold_group_id")
        return
    if referral.status == ReferralStatus.pending:
        raise Conflict(REFERRAL_PENDING, field="hold_group_id")


def is_settled(referral: Referral | None) -> bool:
    """The officer may decide: the unit accepted, or the place was agreed by phone (a hold
    made before referrals existed has none)."""
    return referral is None or referral.status in SETTLED
