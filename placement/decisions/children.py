"""A new decision for one child of a household already placed: after the child's immediate
LPSB decision lapsed at the court deadline, or when the court did not confirm it. The child
stays in the household's place (the booking already counts the child); the new decision
runs from now to the end of the adult's decision, with its own legal basis, consent and
assessment."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from placement.auth.actor import Actor
from placement.cases.access import audit_case
from placement.clock import Clock
from placement.config import Settings
from placement.decisions.common import (
    case_children,
    case_office_hours,
    check_no_overlap,
    decision_read,
    load_decision,
    new_decision,
    require_decider,
    require_open,
)
from placement.decisions.rules import check_assessment_notes, check_child_basis
from placement.decisions.schemas import ChildDecisionIn, DecisionRead
from placement.decisions.service import guarded
from placement.errors import N_, Conflict
from placement.models.enums import AuditAction, DecisionStatus

NOT_IN_FORCE = N_(
    "Choose the adult's decision in force for the household; the child's new decision follows it."
)


async def decide_for_child(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    adult_decision_id: uuid.UUID,
    data: ChildDecisionIn,
) -> DecisionRead:
    adult, case, person = await load_decision(
        session, clock, actor, adult_decision_id, action=None, lock=True
    )
    require_decider(actor)
    require_open(case)
    now = clock.now()
    if (
        adult.child_id is not None
        or adult.status != DecisionStatus.active
        or not adult.starts_at <= now < adult.ends_at
    ):
        raise Conflict(NOT_IN_FORCE, field="decision_id")
    await case_children(session, case.id, [data.child_id])
    basis = check_child_basis(0, data)
    check_assessment_notes([data])
    await check_no_overlap(session, case.id, data.child_id, now, adult.ends_at)
    decision = new_decision(
        case=case,
        actor=actor,
        settings=settings,
        now=now,
        child_id=data.child_id,
        unit_id=adult.unit_id,
        group_id=adult.booking_group_id,
        measure=adult.measure,
        legal_basis=basis,
        consent=data.consent_status,
        starts_at=now,
        ends_at=adult.ends_at,
        reason=None,
        overridden_rules=adult.overridden_rules,
        override_reason=adult.override_reason,
        assessment_note=data.assessment_note,
        office=await case_office_hours(session, settings, case, now),
    )
    session.add(decision)
    await guarded(session, session.flush, "There is already a decision for this period.")
    await audit_case(
        session,
        clock,
        actor,
        case,
        person,
        AuditAction.create,
        entity_type="decision",
        entity_id=decision.id,
        reason="child decision",
    )
    return decision_read(decision)
