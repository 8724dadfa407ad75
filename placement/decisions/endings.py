"""Ending a household's placement: the outcome (what the household moved on to), whether it
is secure permanent housing, the bookings freed, and the case closed when nothing remains.

Ending acts on the whole case from ``at``: decisions in force then end at ``at``; renewals
or moves decided for later are cancelled; every booking behind them ends at ``at``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.cases.access import audit_case
from placement.clock import Clock
from placement.config import Settings
from placement.decisions.common import (
    check_dated_change,
    decision_read,
    effective_end,
    load_decision,
    require_decider,
    require_reason_when_backdated,
    resolve_reminders,
)
from placement.decisions.lapses import ran_out
from placement.decisions.outcomes import check_contract, is_secure_permanent
from placement.decisions.schemas import DecisionRead, EndCreate
from placement.errors import Conflict
from placement.inventory import bookings
from placement.models import Decision
from placement.models.enums import (
    AuditAction,
    CaseStatus,
    DecisionStatus,
    ReminderKind,
)

LIVE = (DecisionStatus.active, DecisionStatus.superseded, DecisionStatus.lapsed)


def _still_running(d: Decision, at: datetime) -> bool:
    """Still in force after ``at``; a lapsed decision's household lives on in the place
    until the placement is ended (the booking, not the paperwork, says so)."""
    return ran_out(d) or effective_end(d) > at


async def end_placement(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    decision_id: uuid.UUID,
    data: EndCreate,
) -> list[DecisionRead]:
    decision, case, person = await load_decision(
        session, clock, actor, decision_id, action=None, lock=True
    )
    require_decider(actor)
    check_contract(data.outcome, data.contract_months)
    now = clock.now()
    at = data.at or now
    check_dated_change(at, None, now, settings, field="at")
    require_reason_when_backdated(at, now, data.reason)
    if decision.status not in LIVE or not _still_running(decision, at):
        raise Conflict("This decision has already ended.", field="decision_id")
    live = (
        (
            await session.execute(
                select(Decision)
                .where(col(Decision.case_id) == case.id, col(Decision.status).in_(LIVE))
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    check_dated_change(at, min(d.starts_at for d in live), now, settings, field="at")
    affected = [d for d in live if _still_running(d, at)]
    secure = is_secure_permanent(data.outcome, data.contract_months)
    groups: list[uuid.UUID] = []
    for d in affected:
        if d.booking_group_id is not None and d.booking_group_id not in groups:
            groups.append(d.booking_group_id)
        if d.starts_at >= at:
            d.status = DecisionStatus.cancelled
            continue
        d.status = DecisionStatus.ended
        d.ended_at = at if at < d.ends_at else None
        d.outcome = data.outcome
        d.secure_permanent_housing = secure
        d.stay_end = data.stay_end
        d.contract_months = data.contract_months
        if data.reason:
            d.reason = data.reason if not d.reason else f"{d.reason}\n\n{data.reason}"
    await session.flush()
    for group_id in groups:
        await bookings.end_group(session, clock, group_id, at)
    await resolve_reminders(
        session,
        now,
        [d.id for d in affected],
        ReminderKind.decision_ending,
        ReminderKind.decision_expired,
        ReminderKind.court_deadline,
    )
    remaining = await session.scalar(
        select(Decision.id)
        .where(col(Decision.case_id) == case.id, col(Decision.status) == DecisionStatus.active)
        .limit(1)
    )
    if remaining is None and case.status == CaseStatus.open:
        case.status = CaseStatus.closed
        case.closed_at = max(at, now)
        case.outcome = data.outcome
        case.secure_permanent_housing = secure
        case.stay_end = data.stay_end
        case.contract_months = data.contract_months
    await session.flush()
    await audit_case(
        session,
        clock,
        actor,
        case,
        person,
        AuditAction.update,
        entity_type="decision",
        entity_id=decision.id,
        reason="end",
    )
    return [
        decision_read(d) for d in sorted(affected, key=lambda d: (d.starts_at, str(d.child_id)))
    ]
