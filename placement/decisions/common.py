"""Pieces every decision use case shares: loading in scope, periods, overlap, wire shapes."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.calendar import OfficeHours, local, within_office_hours
from placement.cases.access import load_case
from placement.clock import Clock
from placement.config import Settings
from placement.decisions.lapses import active_or_ran_out_sql
from placement.decisions.schemas import (
    DecisionRead,
    FollowUpRead,
    HandoverRead,
)
from placement.errors import N_, Conflict, InvalidInput, NotFound
from placement.models import Case, Child, Decision, District, FollowUp, Handover, Person, Reminder
from placement.models.enums import (
    AuditAction,
    CaseStatus,
    ConsentStatus,
    DecisionStatus,
    LegalBasis,
    Role,
    UnitKind,
)

DECISION_NOT_FOUND = N_("The decision does not exist or is not yours to see.")
MAX_DECISION = timedelta(days=5 * 366)  # SHIS interim housing: at most five years
EXCLUSION_VIOLATION = "23P01"

# Statuses whose period still counts for the person (cancelled decisions never took effect).
COUNTING = (
    DecisionStatus.active,
    DecisionStatus.superseded,
    DecisionStatus.ended,
    DecisionStatus.lapsed,
)


async def decision_length(
    session: AsyncSession, settings: Settings, district_id: uuid.UUID
) -> timedelta:
    """The district's decision length if it has one, else the city-wide setting."""
    days = await session.scalar(
        select(District.decision_days).where(col(District.id) == district_id)
    )
    return timedelta(days=days or settings.default_decision_days)


def check_period(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidInput("The end of the decision must be after its start.", field="ends_at")
    if ends_at - starts_at > MAX_DECISION:
        raise InvalidInput("A decision can run for at most five years.", field="ends_at")


def effective_end(d: Decision) -> datetime:
    return min(d.ends_at, d.ended_at) if d.ended_at is not None else d.ends_at


async def check_no_overlap(
    session: AsyncSession,
    case_id: uuid.UUID,
    child_id: uuid.UUID | None,
    starts_at: datetime,
    ends_at: datetime,
    *,
    ignore: Iterable[uuid.UUID] = (),
) -> None:
    """Refuse a second decision for the same person over any part of the same period."""
    end = func.least(
        col(Decision.ends_at), func.coalesce(col(Decision.ended_at), col(Decision.ends_at))
    )
    stmt = select(Decision.id).where(
        col(Decision.case_id) == case_id,
        col(Decision.status).in_(COUNTING),
        col(Decision.starts_at) < ends_at,
        end > starts_at,
    )
    stmt = stmt.where(
        col(Decision.child_id).is_(None) if child_id is None else col(Decision.child_id) == child_id
    )
    ignored = list(ignore)
    if ignored:
        stmt = stmt.where(col(Decision.id).not_in(ignored))
    if await session.scalar(stmt.limit(1)) is not None:
        raise Conflict(
            N_(
                "There is already a decision for the adult covering part of this period. "
                "Renew, move or end that decision instead."
            )
            if child_id is None
            else N_(
                "There is already a decision for a child covering part of this period. "
                "Renew, move or end that decision instead."
            ),
            field="starts_at",
        )


async def load_decision(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    decision_id: uuid.UUID,
    *,
    action: AuditAction | None = AuditAction.read,
    lock: bool = False,
) -> tuple[Decision, Case, Person]:
    """A decision in the actor's scope (404 otherwise); ``lock`` locks the case first."""
    decision = await session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(DECISION_NOT_FOUND, field="decision_id")
    try:
        case, person = await load_case(
            session, clock, actor, decision.case_id, action=action, lock=lock
        )
    except NotFound:
        raise NotFound(DECISION_NOT_FOUND, field="decision_id") from None
    if lock:
        fresh = await session.scalar(
            select(Decision)
            .where(col(Decision.id) == decision_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert fresh is not None  # noqa: S101 - the case lock keeps it
        decision = fresh
    return decision, case, person


def require_open(case: Case) -> None:
    if case.status != CaseStatus.open:
        raise Conflict(
            "The case is closed. A new need for a place is registered as a new case.",
            field="case_id",
        )


def require_decider(actor: Actor) -> None:
    if actor.role not in (Role.rvt_officer, Role.socialjour):
        raise InvalidInput("Only an RVT officer or Socialjouren decides.", field="decided_role")


async def household_siblings(session: AsyncSession, decision: Decision) -> list[Decision]:
    """The active decisions of one household placement that end together (adult first)."""
    if decision.booking_group_id is None:
        return [decision]
    rows = (
        (
            await session.execute(
                select(Decision)
                .where(
                    col(Decision.case_id) == decision.case_id,
                    col(Decision.booking_group_id) == decision.booking_group_id,
                    active_or_ran_out_sql(),
                    col(Decision.ends_at) == decision.ends_at,
                )
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    return sorted(rows, key=lambda d: (d.child_id is not None, str(d.child_id)))


async def case_children(
    session: AsyncSession, case_id: uuid.UUID, wanted: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Child]:
    if not wanted:
        return {}
    rows = (
        (
            await session.execute(
                select(Child).where(col(Child.case_id) == case_id, col(Child.id).in_(wanted))
            )
        )
        .scalars()
        .all()
    )
    found = {c.id: c for c in rows}
    for i, child_id in enumerate(wanted):
        if child_id not in found:
            raise InvalidInput("No such child in this case.", field=f"children.{i}.child_id")
    return found


async def require_every_child(
    session: AsyncSession, case_id: uuid.UUID, given: Sequence[uuid.UUID]
) -> None:
    """A household placement takes every accompanying child: one decision each."""
    all_ids = set(
        (await session.execute(select(Child.id).where(col(Child.case_id) == case_id)))
        .scalars()
        .all()
    )
    if all_ids - set(given):
        raise InvalidInput(
            "Every accompanying child needs their own decision in the placement. Add a "
            "decision for each child of the household.",
            field="children",
        )


CHILD_WITHOUT_DECISION = N_(
    "A child in the household has no decision in force (an immediate LPSB decision that "
    "lapsed, or a child added later). Make a new decision for the child first."
)


async def require_children_covered(
    session: AsyncSession, case_id: uuid.UUID, decisions: Sequence[Decision]
) -> None:
    """Renewing or moving a household carries every child's decision along: refuse while a
    child of the household has none to carry."""
    all_ids = set(
        (await session.execute(select(Child.id).where(col(Child.case_id) == case_id)))
        .scalars()
        .all()
    )
    if all_ids - {d.child_id for d in decisions}:
        raise Conflict(CHILD_WITHOUT_DECISION, field="children")


async def case_office_hours(
    session: AsyncSession, settings: Settings, case: Case, now: datetime
) -> OfficeHours:
    """The office hours of the case's responsible district around ``now`` (its own hours and
    dated exceptions, else the city's): what the decision flag and the hand-over follow."""
    from placement.office_hours import office_hours_for

    day = local(now, settings).date()
    return await office_hours_for(session, settings, case.responsible_district_id, day)


def new_decision(
    *,
    case: Case,
    actor: Actor,
    settings: Settings,
    now: datetime,
    child_id: uuid.UUID | None,
    unit_id: uuid.UUID | None,
    group_id: uuid.UUID | None,
    measure: UnitKind,
    legal_basis: LegalBasis,
    consent: ConsentStatus,
    starts_at: datetime,
    ends_at: datetime,
    reason: str | None,
    renews: uuid.UUID | None = None,
    overridden_rules: Sequence[str] = (),
    override_reason: str | None = None,
    assessment_note: str | None = None,
    court_due: datetime | None = None,
    office: OfficeHours | None = None,
) -> Decision:
    if legal_basis == LegalBasis.lpsb_immediate and court_due is None:
        court_due = now + timedelta(days=settings.court_submission_days)
    if legal_basis != LegalBasis.lpsb_immediate:
        court_due = None
    return Decision(
        case_id=case.id,
        child_id=child_id,
        unit_id=unit_id,
        booking_group_id=group_id,
        measure=measure,
        legal_basis=legal_basis,
        consent_status=consent,
        status=DecisionStatus.active,
        starts_at=starts_at,
        ends_at=ends_at,
        decided_at=now,
        decided_by_id=actor.user_id,
        decided_role=actor.role,
        outside_office_hours=not within_office_hours(now, settings, office),
        reason=reason,
        renews_decision_id=renews,
        court_submission_due_at=court_due,
        overridden_rules=list(overridden_rules),
        override_reason=override_reason,
        assessment_note=assessment_note,
    )


async def resolve_reminders(
    session: AsyncSession, now: datetime, subject_ids: Iterable[uuid.UUID], *kinds: str
) -> None:
    """Close the open reminders about things that were just dealt with."""
    ids = list(subject_ids)
    if not ids:
        return
    stmt = (
        update(Reminder)
        .where(col(Reminder.subject_id).in_(ids), col(Reminder.resolved_at).is_(None))
        .values(resolved_at=now)
    )
    if kinds:
        stmt = stmt.where(col(Reminder.kind).in_(kinds))
    await session.execute(stmt)


def is_exclusion_violation(exc: DBAPIError) -> bool:
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return code == EXCLUSION_VIOLATION or "exclusion_violation" in str(orig)


def decision_read(d: Decision) -> DecisionRead:
    return DecisionRead(
        id=d.id,
        case_id=d.case_id,
        child_id=d.child_id,
        unit_id=d.unit_id,
        booking_group_id=d.booking_group_id,
        measure=d.measure,
        legal_basis=d.legal_basis,
        consent_status=d.consent_status,
        status=d.status,
        starts_at=d.starts_at,
        ends_at=d.ends_at,
        ended_at=d.ended_at,
        decided_at=d.decided_at,
        decided_by_id=d.decided_by_id,
        decided_role=d.decided_role,
        outside_office_hours=d.outside_office_hours,
        reason=d.reason,
        renews_decision_id=d.renews_decision_id,
        court_submission_due_at=d.court_submission_due_at,
        court_submitted_at=d.court_submitted_at,
        outcome=d.outcome,
        secure_permanent_housing=d.secure_permanent_housing,
        overridden_rules=list(d.overridden_rules),
        override_reason=d.override_reason,
        court_outcome=d.court_outcome,
        court_decided_at=d.court_decided_at,
        lapsed_at=d.lapsed_at,
        assessment_note=d.assessment_note,
    )


def follow_up_read(f: FollowUp) -> FollowUpRead:
    return FollowUpRead(
        id=f.id,
        case_id=f.case_id,
        decision_id=f.decision_id,
        kind=f.kind,
        due_at=f.due_at,
        done_at=f.done_at,
        done_by_id=f.done_by_id,
        note=f.note,
    )


def handover_read(h: Handover, case_number: str) -> HandoverRead:
    return HandoverRead(
        id=h.id,
        case_id=h.case_id,
        case_number=case_number,
        decision_id=h.decision_id,
        to_district_id=h.to_district_id,
        created_at=h.created_at,
        due_at=h.due_at,
        acknowledged_at=h.acknowledged_at,
        acknowledged_by_id=h.acknowledged_by_id,
    )


def check_dated_change(
    at: datetime,
    decision_starts_at: datetime | None,
    now: datetime,
    settings: Settings,
    field: str,
) -> None:
    """An ending or move is dated neither before the decision it ends started, nor more than
    ``settings.backdate_days`` back, nor more than a year ahead."""
    if decision_starts_at is not None and at < decision_starts_at:
        raise InvalidInput(
            "The date is before the decision it changes started. Choose a later date.",
            field=field,
        )
    if at < now - timedelta(days=settings.backdate_days):
        raise InvalidInput(
            "The date lies too far back. Record the change with today's date and explain "
            "the real date in the reason.",
            field=field,
        )
    if at > now + timedelta(days=366):
        raise InvalidInput("The date lies more than a year ahead.", field=field)


BACKDATED_REASON = N_(
    "The change is dated back: write in the reason what happened and when, so the record "
    "explains the earlier date."
)


def require_reason_when_backdated(at: datetime, now: datetime, reason: str | None) -> None:
    """A move or ending dated before today needs its reason (the record must say why)."""
    if at < now - timedelta(hours=12) and not (reason and reason.strip()):
        raise InvalidInput(BACKDATED_REASON, field="reason")
