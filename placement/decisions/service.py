"""Granting a placement to a household: one decision for the adult and one per child, the
booking behind them, the follow-ups, and the hand-over when Socialjouren decided.

Everything happens in the caller's transaction: if any part is refused, nothing is saved.
Who may decide when: Socialjouren at any hour (a hand-over follows); an RVT officer also
outside office hours (working late happens, and refusing would leave a household without a
roof), but such a decision is flagged ``outside_office_hours`` like any other, so the
statistics and the audit review show it. No hand-over follows: the case is already with
the district.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement import rulebook
from placement.auth.actor import Actor
from placement.cases.access import audit_case, load_case
from placement.clock import Clock
from placement.config import Settings
from placement.decisions import rules
from placement.decisions.common import (
    case_children,
    case_office_hours,
    check_no_overlap,
    check_period,
    decision_length,
    decision_read,
    effective_end,
    follow_up_read,
    handover_read,
    is_exclusion_violation,
    load_decision,
    new_decision,
    require_decider,
    require_every_child,
    require_open,
    resolve_reminders,
)
from placement.decisions.followups import create_follow_ups, follow_ups_of_case
from placement.decisions.handovers import create_handover, handovers_of_case
from placement.decisions.lapses import end_decision
from placement.decisions.schemas import (
    CaseDecisions,
    ChildDecisionIn,
    CourtAnswerIn,
    CourtSubmissionIn,
    DecisionRead,
    GrantCreate,
    PlacementResult,
    PlacementRules,
)
from placement.errors import N_, Conflict, InvalidInput, NotFound
from placement.inventory import bookings
from placement.models import (
    Booking,
    Case,
    Decision,
    PlacementRequest,
    Unit,
)
from placement.models.enums import (
    AuditAction,
    BookingKind,
    ConsentStatus,
    CourtOutcome,
    DecisionStatus,
    LegalBasis,
    ReminderKind,
    RequestStatus,
)

T = TypeVar("T")

LATE_SUBMISSION = N_(
    "The deadline for submitting this immediate LPSB decision to the administrative court "
    "has passed, so the decision has lapsed and a late submission cannot revive it. Make a "
    "new decision for the child."
)
NOT_SUBMITTED = N_("Record the submission to the court before the court's answer.")
PLACE_TAKEN = N_(
    "The place is booked by someone else for part of this period. "
    "Choose another unit (a move) or a shorter period."
)


async def guarded(
    session: AsyncSession, action: Callable[[], Awaitable[T]], message: str = PLACE_TAKEN
) -> T:
    """Run a booking step in a savepoint so the database's overlap refusal reads clearly."""
    try:
        async with session.begin_nested():
            return await action()
    except DBAPIError as exc:
        if is_exclusion_violation(exc):
            raise Conflict(message) from None
        raise


async def target_unit(
    session: AsyncSession, case: Case, unit_id: uuid.UUID | None, hold_group_id: uuid.UUID | None
) -> tuple[Unit, list[Booking] | None]:
    """The unit to place in: given directly, or the unit of a held place."""
    holds = None
    if hold_group_id is not None:
        holds = await bookings.group_bookings(session, hold_group_id)
        if any(b.kind != BookingKind.hold for b in holds):
            raise InvalidInput("That booking is not a hold.", field="hold_group_id")
        if any(b.case_id not in (None, case.id) for b in holds):
            raise InvalidInput("The hold was made for another case.", field="hold_group_id")
        if unit_id is not None and unit_id != holds[0].unit_id:
            raise InvalidInput("The hold is in another unit.", field="unit_id")
        unit_id = holds[0].unit_id
    if unit_id is None:
        raise InvalidInput("Choose a unit or a held place.", field="unit_id")
    unit = await session.get(Unit, unit_id)
    if unit is None or unit.retired_at is not None:
        raise NotFound("The unit does not exist or has been retired.", field="unit_id")
    return unit, holds


async def check_placement_rules(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    actor: Actor,
    *,
    case: Case,
    unit: Unit,
    starts_at: datetime,
    ends_at: datetime,
    overrides: PlacementRules,
    request_id: uuid.UUID | None = None,
) -> list[str]:
    """The rule book's gate for a decision; returns the rules overridden."""
    requesting = None
    if request_id is not None:
        requesting = await session.scalar(
            select(PlacementRequest.requesting_district_id).where(
                col(PlacementRequest.id) == request_id,
                col(PlacementRequest.case_id) == case.id,
            )
        )
        if requesting is None:
            raise InvalidInput("No such placement request in this case.", field="request_id")
    return await rulebook.check_placement(
        session,
        settings,
        now,
        actor.role,
        case=case,
        unit=unit,
        starts_at=starts_at,
        ends_at=ends_at,
        overrides=rulebook.Overrides(tuple(overrides.overridden_rules), overrides.override_reason),
        requesting_district_id=requesting,
    )


async def book_household(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    *,
    case: Case,
    unit: Unit,
    holds: list[Booking] | None,
    household_size: int,
    starts_at: datetime,
    ends_at: datetime,
    request_id: uuid.UUID | None = None,
) -> list[Booking]:
    if holds is not None:
        group_id = holds[0].group_id
        return await guarded(
            session,
            lambda: bookings.confirm_hold(
                session,
                clock,
                actor,
                group_id,
                case_id=case.id,
                starts_at=starts_at,
                ends_at=ends_at,
            ),
        )
    return await guarded(
        session,
        lambda: bookings.book(
            session,
            clock,
            actor,
            unit_id=unit.id,
            kind=BookingKind.placement,
            household_size=household_size,
            starts_at=starts_at,
            ends_at=ends_at,
            case_id=case.id,
            request_id=request_id,
        ),
    )


P = TypeVar("P", bound=PlacementRules)


def inherit_hold_overrides(data: P, holds: list[Booking] | None) -> P:
    """A decision from a held near-miss place carries the hold's overrides unless the
    decision lists its own."""
    if data.overridden_rules or not holds or not holds[0].overridden_rules:
        return data
    return data.model_copy(
        update={
            "overridden_rules": list(holds[0].overridden_rules),
            "override_reason": holds[0].override_reason,
        }
    )


def override_note(overridden: list[str]) -> str | None:
    """The audit entry of a decision that overrides rules names them (codes, no free text):
    such decisions are flagged for the auditors' review and can be counted."""
    return f"override: {','.join(overridden)}" if overridden else None


def child_bases(children: list[ChildDecisionIn]) -> list[tuple[ChildDecisionIn, LegalBasis]]:
    rules.check_children_unique(children)
    return [(c, rules.check_child_basis(i, c)) for i, c in enumerate(children)]


async def grant_placement(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    case_id: uuid.UUID,
    data: GrantCreate,
) -> PlacementResult:
    case, person = await load_case(session, clock, actor, case_id, action=None, lock=True)
    require_decider(actor)
    require_open(case)
    now = clock.now()
    children = child_bases(data.children)
    await case_children(session, case.id, [c.child_id for c, _ in children])
    await require_every_child(session, case.id, [c.child_id for c, _ in children])
    rules.check_assessment_notes(data.children)
    starts = data.starts_at or now
    ends = data.ends_at or starts + await decision_length(
        session, settings, case.responsible_district_id
    )
    check_period(starts, ends)
    await check_no_overlap(session, case.id, None, starts, ends)
    for child, _ in children:
        await check_no_overlap(session, case.id, child.child_id, starts, ends)
    unit, holds = await target_unit(session, case, data.unit_id, data.hold_group_id)
    data = inherit_hold_overrides(data, holds)
    overridden = await check_placement_rules(
        session,
        settings,
        now,
        actor,
        case=case,
        unit=unit,
        starts_at=starts,
        ends_at=ends,
        overrides=data,
        request_id=data.request_id,
    )
    placed = await book_household(
        session,
        clock,
        actor,
        case=case,
        unit=unit,
        holds=holds,
        household_size=case.adults + len(children),
        starts_at=starts,
        ends_at=ends,
        request_id=data.request_id,
    )
    group_id = placed[0].group_id
    office = await case_office_hours(session, settings, case, now)

    def decide(
        child_id: uuid.UUID | None,
        basis: LegalBasis,
        consent: ConsentStatus,
        note: str | None = None,
    ) -> Decision:
        return new_decision(
            case=case,
            actor=actor,
            settings=settings,
            now=now,
            child_id=child_id,
            unit_id=unit.id,
            group_id=group_id,
            measure=unit.kind,
            legal_basis=basis,
            consent=consent,
            starts_at=starts,
            ends_at=ends,
            reason=data.reason,
            overridden_rules=overridden,
            override_reason=data.override_reason if overridden else None,
            assessment_note=note,
            office=office,
        )

    adult = decide(None, LegalBasis.sol, ConsentStatus.not_applicable)
    decisions = [adult] + [
        decide(c.child_id, b, c.consent_status, c.assessment_note) for c, b in children
    ]
    session.add_all(decisions)
    await guarded(session, session.flush, "There is already a decision for this period.")
    follow_ups = create_follow_ups(session, settings, adult, starts)
    handover = create_handover(session, clock, settings, actor, case, adult, office)
    await _mark_requests_placed(session, case.id, data.request_id)
    await session.flush()
    await audit_case(
        session,
        clock,
        actor,
        case,
        person,
        AuditAction.create,
        entity_type="decision",
        entity_id=adult.id,
        reason=override_note(overridden),
        flag=bool(overridden),
    )
    return PlacementResult(
        decisions=[decision_read(d) for d in decisions],
        follow_ups=[follow_up_read(f) for f in follow_ups],
        handover=None if handover is None else handover_read(handover, case.case_number),
        booking_ids=[b.id for b in placed],
    )


async def _mark_requests_placed(
    session: AsyncSession, case_id: uuid.UUID, request_id: uuid.UUID | None
) -> None:
    """The household's open need for a place is met."""
    stmt = (
        update(PlacementRequest)
        .where(
            col(PlacementRequest.case_id) == case_id,
            col(PlacementRequest.status).in_((RequestStatus.open, RequestStatus.held)),
        )
        .values(status=RequestStatus.placed)
    )
    if request_id is not None:
        stmt = stmt.where(col(PlacementRequest.id) == request_id)
    await session.execute(stmt)


async def get_decision(
    session: AsyncSession, clock: Clock, actor: Actor, decision_id: uuid.UUID
) -> DecisionRead:
    decision, _case, _person = await load_decision(session, clock, actor, decision_id)
    return decision_read(decision)


async def case_decisions(
    session: AsyncSession, clock: Clock, actor: Actor, case_id: uuid.UUID
) -> CaseDecisions:
    """Every decision, follow-up and hand-over of a case (one audit entry)."""
    case, _person = await load_case(session, clock, actor, case_id)
    decisions = (
        (
            await session.execute(
                select(Decision)
                .where(col(Decision.case_id) == case.id)
                .order_by(
                    col(Decision.starts_at),
                    col(Decision.child_id).is_not(None),
                    col(Decision.decided_at),
                )
            )
        )
        .scalars()
        .all()
    )
    return CaseDecisions(
        decisions=[decision_read(d) for d in decisions],
        follow_ups=[follow_up_read(f) for f in await follow_ups_of_case(session, case.id)],
        handovers=[
            handover_read(h, case.case_number) for h in await handovers_of_case(session, case.id)
        ],
    )


async def record_court_submission(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    decision_id: uuid.UUID,
    data: CourtSubmissionIn,
) -> DecisionRead:
    """An immediate LPSB decision has been submitted to the administrative court in time."""
    decision, case, person = await load_decision(
        session, clock, actor, decision_id, action=None, lock=True
    )
    require_decider(actor)
    if decision.legal_basis != LegalBasis.lpsb_immediate:
        raise InvalidInput(
            "Only an immediate LPSB decision is submitted to the administrative court.",
            field="decision_id",
        )
    if decision.court_submitted_at is not None:
        raise Conflict("The submission to the court is already recorded.", field="decision_id")
    now = clock.now()
    submitted = data.submitted_at or now
    due = decision.court_submission_due_at
    if decision.status == DecisionStatus.lapsed or (due is not None and submitted > due):
        raise Conflict(LATE_SUBMISSION, field="decision_id")
    if submitted > now or submitted < decision.decided_at:
        raise InvalidInput(
            "The submission date must lie between the decision and now.", field="submitted_at"
        )
    chain = await court_chain(session, decision)
    for d in chain:
        d.court_submitted_at = submitted
    await resolve_reminders(session, now, [d.id for d in chain], ReminderKind.court_deadline)
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
    )
    return decision_read(decision)


async def court_chain(session: AsyncSession, decision: Decision) -> list[Decision]:
    """The child's immediate LPSB decision and its renewals and moves: one court clock."""
    rows = (
        (
            await session.execute(
                select(Decision)
                .where(
                    col(Decision.case_id) == decision.case_id,
                    col(Decision.child_id) == decision.child_id,
                    col(Decision.legal_basis) == LegalBasis.lpsb_immediate,
                    col(Decision.court_submission_due_at) == decision.court_submission_due_at,
                    col(Decision.status) != DecisionStatus.cancelled,
                )
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    return list(rows) or [decision]


async def record_court_answer(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    decision_id: uuid.UUID,
    data: CourtAnswerIn,
) -> DecisionRead:
    """The administrative court's answer on an immediate LPSB decision. "Not confirmed" ends
    the child's decision there and flags it: the child's stay needs a new decision."""
    decision, case, person = await load_decision(
        session, clock, actor, decision_id, action=None, lock=True
    )
    require_decider(actor)
    if decision.legal_basis != LegalBasis.lpsb_immediate or decision.court_submitted_at is None:
        raise InvalidInput(NOT_SUBMITTED, field="decision_id")
    if decision.court_outcome is not None:
        raise Conflict("The court's answer is already recorded.", field="decision_id")
    now = clock.now()
    answered = data.decided_at or now
    if answered > now or answered < decision.court_submitted_at:
        raise InvalidInput(
            "The court's answer must lie between the submission and now.", field="decided_at"
        )
    for d in await court_chain(session, decision):
        d.court_outcome = data.outcome
        d.court_decided_at = answered
        running = d.status in (DecisionStatus.active, DecisionStatus.superseded)
        if data.outcome == CourtOutcome.not_confirmed and running and effective_end(d) > answered:
            end_decision(d, answered)
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
        reason="court answer",
    )
    return decision_read(decision)
