"""Everything due or overdue for the actor's district (Socialjouren: the whole city), most
urgent first (overdue escalations, other overdue items, then upcoming by due time):
computed from the live state, so it is right even between two sweeps.

Items: follow-ups not yet made, active decisions ending within the horizon or already run
out, hand-overs not yet acknowledged, immediate LPSB decisions awaiting court submission.
Each case that appears counts as a read of it: one audit entry per case.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, exists
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.cases.access import audit_cases, case_scope, require_case_role
from placement.clock import Clock
from placement.decisions.followups import follow_up_still_needed
from placement.decisions.lapses import active_or_ran_out_sql
from placement.decisions.notifications import label
from placement.decisions.schemas import DueItem
from placement.models import Case, Decision, FollowUp, Handover, Person
from placement.models.enums import (
    CaseStatus,
    DecisionStatus,
    LegalBasis,
    ReminderKind,
)


def _replaced_for_child() -> ColumnElement[bool]:
    """A lapsed LPSB decision leaves the due list once the child has a new decision."""
    later = Decision.__table__.alias("later")  # type: ignore[attr-defined]
    return and_(
        col(Decision.status) == DecisionStatus.lapsed,
        exists().where(
            later.c.case_id == col(Decision.case_id),
            later.c.child_id == col(Decision.child_id),
            later.c.status.in_([DecisionStatus.active.value, DecisionStatus.ended.value]),
            later.c.starts_at >= col(Decision.lapsed_at),
        ),
    )


def what_is_due(kind: ReminderKind, overdue: bool) -> str:
    """The label key of a due item: a follow-up is overdue only once its date has passed."""
    if kind == ReminderKind.follow_up_overdue and not overdue:
        return "follow_up_due"
    return kind.value


async def due_items(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    *,
    within: timedelta,
    mine: bool = False,
    audit: bool = True,
) -> list[DueItem]:
    require_case_role(actor)
    now = clock.now()
    horizon = now + within
    scope = [case_scope(actor), col(Case.status) == CaseStatus.open]
    if mine:
        scope.append(col(Case.handler_id) == actor.user_id)
    items: list[DueItem] = []
    cases: dict[uuid.UUID, tuple[Case, Person]] = {}

    def add(
        kind: ReminderKind,
        case: Case,
        person: Person,
        subject: uuid.UUID,
        due: datetime,
        escalated: bool = False,
    ) -> None:
        cases[case.id] = (case, person)
        items.append(
            DueItem(
                kind=kind,
                case_id=case.id,
                case_number=case.case_number,
                subject_id=subject,
                due_at=due,
                overdue=due <= now,
                escalated=escalated,
                label=label(kind, escalated),
                what=what_is_due(kind, due <= now),
            )
        )

    follow_ups = await session.execute(
        select(FollowUp, Case, Person)
        .join(Decision, col(Decision.id) == col(FollowUp.decision_id))
        .join(Case, col(Case.id) == col(FollowUp.case_id))
        .join(Person, col(Person.id) == col(Case.person_id))
        .where(*scope, follow_up_still_needed(), col(FollowUp.due_at) <= horizon)
    )
    for f, case, person in follow_ups.all():
        add(ReminderKind.follow_up_overdue, case, person, f.id, f.due_at)

    decisions = await session.execute(
        select(Decision, Case, Person)
        .join(Case, col(Case.id) == col(Decision.case_id))
        .join(Person, col(Person.id) == col(Case.person_id))
        .where(
            *scope,
            active_or_ran_out_sql(),
            col(Decision.ends_at) <= horizon,
        )
    )
    for d, case, person in decisions.all():
        if d.ends_at <= now:
            add(ReminderKind.decision_expired, case, person, d.id, d.ends_at, True)
        else:
            add(ReminderKind.decision_ending, case, person, d.id, d.ends_at)

    handovers = await session.execute(
        select(Handover, Case, Person)
        .join(Case, col(Case.id) == col(Handover.case_id))
        .join(Person, col(Person.id) == col(Case.person_id))
        .where(*scope, col(Handover.acknowledged_at).is_(None), col(Handover.due_at) <= horizon)
    )
    for h, case, person in handovers.all():
        add(ReminderKind.handover_due, case, person, h.id, h.due_at)

    court = await session.execute(
        select(Decision, Case, Person)
        .join(Case, col(Case.id) == col(Decision.case_id))
        .join(Person, col(Person.id) == col(Case.person_id))
        .where(
            *scope,
            col(Decision.legal_basis) == LegalBasis.lpsb_immediate,
            col(Decision.court_submitted_at).is_(None),
            col(Decision.status).in_(
                (DecisionStatus.active, DecisionStatus.superseded, DecisionStatus.lapsed)
            ),
            col(Decision.court_submission_due_at) <= horizon,
            ~_replaced_for_child(),
        )
    )
    for d, case, person in court.all():
        due = d.court_submission_due_at
        if due is not None:
            add(ReminderKind.court_deadline, case, person, d.id, due, due <= now)

    if audit:
        await audit_cases(session, clock, actor, cases.values())
    # Overdue before upcoming; among the overdue, escalations (a decision run out, a court
    # deadline passed) first; then by due time.
    items.sort(
        key=lambda i: (not i.overdue, not i.escalated, i.due_at, i.kind.value, i.case_number or "")
    )
    return items
