"""The night hand-over: Socialjouren hands a case back to the responsible district, due at
the start of the district's next working day (placement.calendar, with the district's own
office hours and closed days from placement.office_hours).

Every decision Socialjouren makes creates one: outside office hours it is due at the next
office-hours start; inside office hours (rare: an acute call the district could not take)
it is due at once. An RVT officer's decision never creates one: the case is already with
the district.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.calendar import OfficeHours, next_office_start, within_office_hours
from placement.cases.access import audit_case, audit_cases, case_scope, load_case
from placement.clock import Clock
from placement.config import Settings
from placement.decisions.common import handover_read, resolve_reminders
from placement.decisions.schemas import HandoverRead
from placement.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from placement.models import Case, Decision, Handover, Person
from placement.models.enums import AuditAction, ReminderKind, Role

HANDOVER_NOT_FOUND = N_("The hand-over does not exist or is not yours to see.")


def create_handover(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    case: Case,
    decision: Decision,
    office: OfficeHours | None = None,
) -> Handover | None:
    """``office``: the responsible district's hours (``common.case_office_hours``)."""
    if actor.role != Role.socialjour:
        return None
    now = clock.now()
    if within_office_hours(now, settings, office):
        due = now
    else:
        due = next_office_start(now, settings, office)
    handover = Handover(
        case_id=case.id,
        decision_id=decision.id,
        to_district_id=case.responsible_district_id,
        created_by_id=actor.user_id,
        created_at=now,
        due_at=due,
    )
    session.add(handover)
    return handover


async def acknowledge_handover(
    session: AsyncSession, clock: Clock, actor: Actor, handover_id: uuid.UUID
) -> HandoverRead:
    """The responsible district takes the case back."""
    handover = await session.get(Handover, handover_id)
    if handover is None:
        raise NotFound(HANDOVER_NOT_FOUND, field="handover_id")
    try:
        case, person = await load_case(
            session, clock, actor, handover.case_id, action=None, lock=True
        )
    except NotFound:
        raise NotFound(HANDOVER_NOT_FOUND, field="handover_id") from None
    if actor.role != Role.rvt_officer or actor.district_id != handover.to_district_id:
        raise Forbidden(
            "The responsible district's RVT acknowledges the hand-over.", field="handover_id"
        )
    await session.refresh(handover, with_for_update=True)
    if handover.acknowledged_at is not None:
        raise Conflict("The hand-over is already acknowledged.", field="handover_id")
    now = clock.now()
    handover.acknowledged_at = now
    handover.acknowledged_by_id = actor.user_id
    if case.handler_id is None:
        case.handler_id = actor.user_id
    await resolve_reminders(session, now, [handover.id], ReminderKind.handover_due)
    await session.flush()
    await audit_case(
        session,
        clock,
        actor,
        case,
        person,
        AuditAction.update,
        entity_type="handover",
        entity_id=handover.id,
    )
    return handover_read(handover, case.case_number)


HANDOVER_PAGE = 500  # the most one page of the listing holds


async def list_handovers(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    *,
    open_only: bool = True,
    limit: int = HANDOVER_PAGE,
    offset: int = 0,
) -> tuple[list[HandoverRead], int]:
    """One page of the hand-overs to the actor's district (Socialjouren: all), oldest due
    first, and how many there are in all (so a caller knows when more exist)."""
    if not 1 <= limit <= HANDOVER_PAGE:
        raise InvalidInput(N_("Check this value."), field="limit")
    if offset < 0:
        raise InvalidInput(N_("Check this value."), field="offset")
    where = [case_scope(actor)]
    if open_only:
        where.append(col(Handover.acknowledged_at).is_(None))
    total = await session.scalar(
        select(func.count(col(Handover.id)))
        .join(Case, col(Case.id) == col(Handover.case_id))
        .where(*where)
    )
    stmt = (
        select(Handover, Case, Person)
        .join(Case, col(Case.id) == col(Handover.case_id))
        .join(Person, col(Person.id) == col(Case.person_id))
        .where(*where)
        .order_by(col(Handover.due_at), col(Case.case_number), col(Handover.id))
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.execute(stmt)).all()
    firsts: dict[uuid.UUID, tuple[Case, Person | None]] = {}
    for _, case, person in rows:
        firsts.setdefault(case.id, (case, person))
    await audit_cases(session, clock, actor, firsts.values())
    return [handover_read(handover, case.case_number) for handover, case, _ in rows], int(
        total or 0
    )


async def handovers_of_case(session: AsyncSession, case_id: uuid.UUID) -> list[Handover]:
    return list(
        (
            await session.execute(
                select(Handover)
                .where(col(Handover.case_id) == case_id)
                .order_by(col(Handover.created_at))
            )
        )
        .scalars()
        .all()
    )
