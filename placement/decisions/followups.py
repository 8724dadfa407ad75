"""Follow-ups: a phone contact within a day and a physical meeting within a week of a
placement's start (settings). Recording one closes it and its overdue reminder.

Due times count calendar days, not working days: the phone call after a Friday-night
placement is due on Saturday night, and Socialjouren can make it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.cases.access import audit_case, load_case
from placement.clock import Clock
from placement.config import Settings
from placement.decisions.common import follow_up_read, resolve_reminders
from placement.decisions.schemas import FollowUpDone, FollowUpRead
from placement.errors import N_, Conflict, InvalidInput, NotFound
from placement.models import Decision, FollowUp
from placement.models.enums import AuditAction, DecisionStatus, FollowUpKind, ReminderKind

FOLLOW_UP_NOT_FOUND = N_("The follow-up does not exist or is not yours to see.")


def create_follow_ups(
    session: AsyncSession, settings: Settings, decision: Decision, start: datetime
) -> list[FollowUp]:
    rows = [
        FollowUp(
            case_id=decision.case_id,
            decision_id=decision.id,
            kind=FollowUpKind.phone,
            due_at=start + timedelta(days=settings.follow_up_phone_days),
        ),
        FollowUp(
            case_id=decision.case_id,
            decision_id=decision.id,
            kind=FollowUpKind.physical,
            due_at=start + timedelta(days=settings.follow_up_physical_days),
        ),
    ]
    session.add_all(rows)
    return rows


def follow_up_still_needed() -> ColumnElement[bool]:
    """Open, and its placement neither cancelled nor ended/moved on before it fell due."""
    return and_(
        col(FollowUp.done_at).is_(None),
        col(Decision.status) != DecisionStatus.cancelled,
        or_(col(Decision.ended_at).is_(None), col(Decision.ended_at) > col(FollowUp.due_at)),
    )


async def record_follow_up(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    follow_up_id: uuid.UUID,
    data: FollowUpDone,
) -> FollowUpRead:
    follow_up = await session.get(FollowUp, follow_up_id)
    if follow_up is None:
        raise NotFound(FOLLOW_UP_NOT_FOUND, field="follow_up_id")
    try:
        case, person = await load_case(
            session, clock, actor, follow_up.case_id, action=None, lock=True
        )
    except NotFound:
        raise NotFound(FOLLOW_UP_NOT_FOUND, field="follow_up_id") from None
    await session.refresh(follow_up, with_for_update=True)
    if follow_up.done_at is not None:
        raise Conflict("This follow-up is already recorded.", field="follow_up_id")
    now = clock.now()
    done_at = data.done_at or now
    if done_at > now:
        raise InvalidInput("Record a follow-up once it has happened.", field="done_at")
    decision = await session.get(Decision, follow_up.decision_id)
    if decision is not None and done_at < decision.starts_at:
        raise InvalidInput("A follow-up cannot predate the placement.", field="done_at")
    follow_up.done_at = done_at
    follow_up.done_by_id = actor.user_id
    follow_up.note = (data.note or "").strip() or None
    await resolve_reminders(session, now, [follow_up.id], ReminderKind.follow_up_overdue)
    await session.flush()
    await audit_case(
        session,
        clock,
        actor,
        case,
        person,
        AuditAction.update,
        entity_type="follow_up",
        entity_id=follow_up.id,
    )
    return follow_up_read(follow_up)


async def follow_ups_of_case(session: AsyncSession, case_id: uuid.UUID) -> list[FollowUp]:
    return list(
        (
            await session.execute(
                select(FollowUp)
                .where(col(FollowUp.case_id) == case_id)
                .order_by(col(FollowUp.due_at), col(FollowUp.kind))
            )
        )
        .scalars()
        .all()
    )
