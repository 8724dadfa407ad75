"""Everything due or overdue for the actor's district (Socialjouren: the whole city), most
urgent first (overdue escalations, other overdue items, then upcoming by due time):
computed from the live state, so it is right even between two sweeps.

Items: follow-ups not yet made, active decisions ending within the horizon or already run
out, hand-overs not yet acknowledged, immediate LPSB decisions awaiting court submission.
Each case that appears counts as a read of it: one audit entry per case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.sql.expression import Select

from placement.auth.actor import Actor
from placement.cases.access import audit_case_rows, case_scope, require_case_role
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
    ProtectedIdentity,
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


@dataclass(frozen=True, slots=True)
class DueRow:
    """One due item as columns only (no ORM objects): what the menu's count needs."""

    kind: ReminderKind
    escalated: bool
    case_id: uuid.UUID
    subject_id: uuid.UUID
    due_at: datetime


def _kind_of(source: ReminderKind, due: datetime, now: datetime) -> tuple[ReminderKind, bool]:
    """The reminder kind and escalation of a row of ``source``, by its due time."""
    if source == ReminderKind.decision_ending:
        if due <= now:
            return ReminderKind.decision_expired, True
        return ReminderKind.decision_ending, False
    if source == ReminderKind.court_deadline:
        return source, due <= now
    return source, False


def _sources(
    actor: Actor, horizon: datetime, mine: bool
) -> list[tuple[ReminderKind, Select[Any, Any, Any]]]:
    """The four kinds of due item, one statement each, selecting (subject id, case id, due
    at): the one place their rules are written. ``due_items`` adds the columns it shows and
    audits; ``due_rows`` runs them as they are."""
    scope = [case_scope(actor), col(Case.status) == CaseStatus.open]
    if mine:
        scope.append(col(Case.handler_id) == actor.user_id)
    follow_ups = (
        select(col(FollowUp.id), col(Case.id), col(FollowUp.due_at))
        .join(Decision, col(Decision.id) == col(FollowUp.decision_id))
        .join(Case, col(Case.id) == col(FollowUp.case_id))
        .where(*scope, follow_up_still_needed(), col(FollowUp.due_at) <= horizon)
    )
    decisions = (
        select(col(Decision.id), col(Case.id), col(Decision.ends_at))
        .join(Case, col(Case.id) == col(Decision.case_id))
        .where(*scope, active_or_ran_out_sql(), col(Decision.ends_at) <= horizon)
    )
    handovers = (
        select(col(Handover.id), col(Case.id), col(Handover.due_at))
        .join(Case, col(Case.id) == col(Handover.case_id))
        .where(*scope, col(Handover.acknowledged_at).is_(None), col(Handover.due_at) <= horizon)
    )
    court = (
        select(col(Decision.id), col(Case.id), col(Decision.court_submission_due_at))
        .join(Case, col(Case.id) == col(Decision.case_id))
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
    return [
        (ReminderKind.follow_up_overdue, follow_ups),
        (ReminderKind.decision_ending, decisions),
        (ReminderKind.handover_due, handovers),
        (ReminderKind.court_deadline, court),
    ]


async def due_rows(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    *,
    within: timedelta,
    mine: bool = False,
) -> list[DueRow]:
    """The rows of ``due_items`` as columns only, unsorted and not audited (nothing is
    shown): for counts."""
    require_case_role(actor)
    now = clock.now()
    out: list[DueRow] = []
    for source, stmt in _sources(actor, now + within, mine):
        for subject, case_id, due in (await session.execute(stmt)).all():
            kind, escalated = _kind_of(source, due, now)
            out.append(DueRow(kind, escalated, case_id, subject, due))
    return out


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
    items: list[DueItem] = []
    # The cases read, for the audit: (id, handler, protected identity), columns only.
    cases: dict[uuid.UUID, tuple[uuid.UUID | None, bool]] = {}
    for source, stmt in _sources(actor, now + within, mine):
        shown = stmt.add_columns(
            col(Case.case_number), col(Case.handler_id), col(Person.protected_identity)
        ).join(Person, col(Person.id) == col(Case.person_id))
        for subject, case_id, due, number, handler, protected in (
            await session.execute(shown)
        ).all():
            kind, escalated = _kind_of(source, due, now)
            cases[case_id] = (handler, protected != ProtectedIdentity.none)
            items.append(
                DueItem(
                    kind=kind,
                    case_id=case_id,
                    case_number=number,
                    subject_id=subject,
                    due_at=due,
                    overdue=due <= now,
                    escalated=escalated,
                    label=label(kind, escalated),
                    what=what_is_due(kind, due <= now),
                )
            )

    if audit:
        await audit_case_rows(
            session,
            clock,
            actor,
            [(case_id, handler, protected) for case_id, (handler, protected) in cases.items()],
        )
    # Overdue before upcoming; among the overdue, escalations (a decision run out, a court
    # deadline passed) first; then by due time.
    items.sort(
        key=lambda i: (not i.overdue, not i.escalated, i.due_at, i.kind.value, i.case_number or "")
    )
    return items
