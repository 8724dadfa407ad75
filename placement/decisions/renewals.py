"""Renewal (the same unit, from exactly where the decision ends) and move (another unit,
the old placement ending when the new one starts). Both act on the whole household: the
adult's decision and every child's decision that ends with it.

A renewed or moved-from decision becomes ``superseded``; it cannot be renewed again (the
renewal is renewed instead). A decision that has ended or was cancelled cannot be renewed:
the household needs a new decision. A move, unlike a renewal, may start inside a decision
that was already renewed: the renewal, not yet begun, is then cancelled.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement import rulebook
from placement.auth.actor import Actor
from placement.cases.access import audit_case
from placement.clock import Clock
from placement.config import Settings
from placement.decisions.common import (
    case_children,
    case_office_hours,
    check_dated_change,
    check_no_overlap,
    check_period,
    decision_length,
    decision_read,
    effective_end,
    follow_up_read,
    handover_read,
    household_siblings,
    load_decision,
    new_decision,
    require_children_covered,
    require_decider,
    require_open,
    require_reason_when_backdated,
    resolve_reminders,
)
from placement.decisions.followups import create_follow_ups
from placement.decisions.handovers import create_handover
from placement.decisions.lapses import ran_out
from placement.decisions.rules import check_child_basis, check_children_unique
from placement.decisions.schemas import ChildDecisionIn, MoveCreate, PlacementResult, RenewCreate
from placement.decisions.service import (
    book_household,
    check_placement_rules,
    guarded,
    inherit_hold_overrides,
    override_note,
    target_unit,
)
from placement.errors import N_, Conflict, InvalidInput
from placement.inventory import bookings
from placement.models import Booking, Case, Decision, Unit
from placement.models.enums import (
    AuditAction,
    ConsentStatus,
    DecisionStatus,
    LegalBasis,
    ReminderKind,
)

RENEWAL_HINT = N_(
    "The household's risk or needs have changed since the decision. Move the household to "
    "a unit that fits, or renew with each of these rules overridden and a recorded reason."
)
ENDING_KINDS = (ReminderKind.decision_ending, ReminderKind.decision_expired)
LIVE = (DecisionStatus.active, DecisionStatus.superseded, DecisionStatus.lapsed)


def require_renewable(decision: Decision) -> None:
    if ran_out(decision):
        return
    if decision.status == DecisionStatus.lapsed:
        raise Conflict(
            "This immediate LPSB decision lapsed because it was not submitted to the "
            "administrative court in time. The child needs a new decision.",
            field="decision_id",
        )
    if decision.status == DecisionStatus.superseded:
        raise Conflict(
            "This decision has already been renewed or replaced. Renew the latest decision.",
            field="decision_id",
        )
    if decision.status != DecisionStatus.active:
        raise Conflict(
            "This decision has ended. A household that needs a place again gets a new "
            "decision, not a renewal.",
            field="decision_id",
        )


def _bases(
    siblings: list[Decision], changes: list[ChildDecisionIn]
) -> dict[uuid.UUID | None, tuple[LegalBasis, ConsentStatus]]:
    """Each person's legal basis for the next decision: unchanged unless given anew."""
    check_children_unique(changes)
    child_ids = {d.child_id for d in siblings if d.child_id is not None}
    out: dict[uuid.UUID | None, tuple[LegalBasis, ConsentStatus]] = {
        d.child_id: (d.legal_basis, d.consent_status) for d in siblings
    }
    for i, change in enumerate(changes):
        if change.child_id not in child_ids:
            raise InvalidInput(
                "That child has no decision in this placement.", field=f"children.{i}.child_id"
            )
        out[change.child_id] = (check_child_basis(i, change), change.consent_status)
    return out


async def renew(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    decision_id: uuid.UUID,
    data: RenewCreate,
) -> PlacementResult:
    decision, case, person = await load_decision(
        session, clock, actor, decision_id, action=None, lock=True
    )
    require_decider(actor)
    require_renewable(decision)
    require_open(case)
    siblings = await household_siblings(session, decision)
    await require_children_covered(session, case.id, siblings)
    bases = _bases(siblings, data.children)
    now = clock.now()
    starts = decision.ends_at
    ends = data.ends_at or starts + await decision_length(
        session, settings, case.responsible_district_id
    )
    check_period(starts, ends)
    for d in siblings:
        await check_no_overlap(session, case.id, d.child_id, starts, ends)
    overridden = await _renewal_gate(
        session, settings, now, actor, case, decision, starts, ends, data
    )
    group_id = decision.booking_group_id
    booking_ids: list[uuid.UUID] = []
    if group_id is not None:
        rows = await guarded(
            session,
            lambda: _extend(session, clock, group_id, ends),
            "The place is booked by someone else after the current end. Renew in another "
            "unit (a move) or for a shorter period.",
        )
        booking_ids = [b.id for b in rows]
    for d in siblings:
        d.status = DecisionStatus.superseded
    await session.flush()
    office = await case_office_hours(session, settings, case, now)
    renewed = [
        new_decision(
            case=case,
            actor=actor,
            settings=settings,
            now=now,
            child_id=d.child_id,
            unit_id=d.unit_id,
            group_id=d.booking_group_id,
            measure=d.measure,
            legal_basis=bases[d.child_id][0],
            consent=bases[d.child_id][1],
            starts_at=starts,
            ends_at=ends,
            reason=data.reason,
            renews=d.id,
            overridden_rules=overridden,
            override_reason=_override_reason(data, decision) if overridden else None,
            assessment_note=d.assessment_note,
            court_due=d.court_submission_due_at,
            office=office,
        )
        for d in siblings
    ]
    for old, new in zip(siblings, renewed, strict=True):
        # The court clock is the original decision's: a renewal never restarts it.
        if new.legal_basis == old.legal_basis:
            new.court_submitted_at = old.court_submitted_at
            new.court_outcome = old.court_outcome
            new.court_decided_at = old.court_decided_at
    session.add_all(renewed)
    await guarded(session, session.flush, "There is already a decision for this period.")
    handover = create_handover(session, clock, settings, actor, case, renewed[0], office)
    await resolve_reminders(session, now, [d.id for d in siblings], *ENDING_KINDS)
    await session.flush()
    await audit_case(
        session,
        clock,
        actor,
        case,
        person,
        AuditAction.create,
        entity_type="decision",
        entity_id=renewed[0].id,
        reason="renewal" + (f"; {override_note(overridden)}" if overridden else ""),
        flag=bool(overridden),
    )
    return PlacementResult(
        decisions=[decision_read(d) for d in renewed],
        follow_ups=[],
        handover=None if handover is None else handover_read(handover, case.case_number),
        booking_ids=booking_ids,
    )


def _override_reason(data: RenewCreate, decision: Decision) -> str | None:
    return data.override_reason if data.overridden_rules else decision.override_reason


async def _renewal_gate(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    actor: Actor,
    case: Case,
    decision: Decision,
    starts: datetime,
    ends: datetime,
    data: RenewCreate,
) -> list[str]:
    """A renewal is judged again with today's risk and needs. A rule overridden in the
    decision it continues stays overridden while it still fails (that choice was made and
    reasoned); a rule that newly fails refuses the renewal unless overridden now."""
    unit = await session.get(Unit, decision.unit_id) if decision.unit_id else None
    if unit is None:
        return []
    broken = await rulebook.breaches(
        session, settings, now, case=case, unit=unit, starts_at=starts, ends_at=ends
    )
    inherited = [r for r in decision.overridden_rules if r in broken]
    given = list(dict.fromkeys([*data.overridden_rules, *inherited]))
    reason = _override_reason(data, decision)
    try:
        rulebook.enforce(broken, rulebook.Overrides(tuple(given), reason), actor.role, settings)
    except rulebook.RuleBreach as exc:
        raise rulebook.RuleBreach(
            exc.template, exc.rules, hint=RENEWAL_HINT if exc.template == rulebook.BROKEN else None
        ) from None
    return given


async def _extend(
    session: AsyncSession, clock: Clock, group_id: uuid.UUID, ends: datetime
) -> list[Booking]:
    try:
        return await bookings.set_group_end(session, clock, group_id, ends)
    except Conflict:
        raise Conflict(
            "The booking behind this decision is no longer active, so it cannot be extended. "
            "Make a new decision for the household.",
            field="decision_id",
        ) from None


async def move(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    decision_id: uuid.UUID,
    data: MoveCreate,
) -> PlacementResult:
    """Move the household to another unit from ``at``: what is in force then ends at ``at``,
    what was already decided for later (a renewal not yet begun) is cancelled, and each
    person gets a decision in the new unit from ``at`` with the usual follow-ups."""
    decision, case, person = await load_decision(
        session, clock, actor, decision_id, action=None, lock=True
    )
    require_decider(actor)
    now = clock.now()
    at = data.at or now
    live = await live_decisions(session, case.id, at)
    # Not before the placement in force started (a renewal not yet begun is moved from
    # the decision it continues), nor too far back.
    earliest = min((d.starts_at for d in live), default=decision.starts_at)
    check_dated_change(at, earliest, now, settings, field="at")
    require_reason_when_backdated(at, now, data.reason)
    if decision.id not in {d.id for d in live}:
        require_renewable(decision)  # explains why (renewed, moved or ended)
        raise InvalidInput(
            "A move happens within the decision's period (from its start to its end).",
            field="at",
        )
    require_open(case)
    in_force = [d for d in live if d.starts_at <= at]
    later = [d for d in live if d.starts_at > at]
    if not in_force:
        raise InvalidInput("Nothing is in force for the household at that time.", field="at")
    await require_children_covered(session, case.id, in_force)
    bases = _bases(in_force, data.children)
    children = [d.child_id for d in in_force if d.child_id is not None]
    await case_children(session, case.id, children)
    ends = data.ends_at or at + await decision_length(
        session, settings, case.responsible_district_id
    )
    check_period(at, ends)
    unit, holds = await target_unit(session, case, data.unit_id, data.hold_group_id)
    data = inherit_hold_overrides(data, holds)
    overridden = await check_placement_rules(
        session,
        settings,
        now,
        actor,
        case=case,
        unit=unit,
        starts_at=at,
        ends_at=ends,
        overrides=data,
    )
    ignore = [d.id for d in live]
    for d in in_force:
        await check_no_overlap(session, case.id, d.child_id, at, ends, ignore=ignore)
    # The old placement ends first so that a move within the same unit finds its place free.
    groups = {d.booking_group_id for d in live if d.booking_group_id is not None}
    for group_id in sorted(groups):
        await bookings.end_group(session, clock, group_id, at)
    placed = await book_household(
        session,
        clock,
        actor,
        case=case,
        unit=unit,
        holds=holds,
        household_size=case.adults + len(children),
        starts_at=at,
        ends_at=ends,
    )
    # A decision that begins exactly at the move never takes effect (a renewal moved to
    # another unit from its first day); the others end at the move.
    continues: dict[uuid.UUID | None, uuid.UUID | None] = {}
    for d in in_force:
        if at <= d.starts_at:
            d.status = DecisionStatus.cancelled
            continues[d.child_id] = d.renews_decision_id
        else:
            d.status = DecisionStatus.superseded
            d.ended_at = at if at < d.ends_at else None
            continues[d.child_id] = d.id
    for d in later:
        d.status = DecisionStatus.cancelled
    await session.flush()
    office = await case_office_hours(session, settings, case, now)
    moved = [
        new_decision(
            case=case,
            actor=actor,
            settings=settings,
            now=now,
            child_id=d.child_id,
            unit_id=unit.id,
            group_id=placed[0].group_id,
            measure=unit.kind,
            legal_basis=bases[d.child_id][0],
            consent=bases[d.child_id][1],
            starts_at=at,
            ends_at=ends,
            reason=data.reason,
            renews=continues[d.child_id],
            overridden_rules=overridden,
            override_reason=data.override_reason if overridden else None,
            assessment_note=d.assessment_note,
            court_due=d.court_submission_due_at,
            office=office,
        )
        for d in in_force
    ]
    for old, new in zip(in_force, moved, strict=True):
        if new.legal_basis == old.legal_basis:
            new.court_submitted_at = old.court_submitted_at
            new.court_outcome = old.court_outcome
            new.court_decided_at = old.court_decided_at
    session.add_all(moved)
    await guarded(session, session.flush, "There is already a decision for this period.")
    follow_ups = create_follow_ups(session, settings, moved[0], at)
    handover = create_handover(session, clock, settings, actor, case, moved[0], office)
    await resolve_reminders(session, now, [d.id for d in live], *ENDING_KINDS)
    await session.flush()
    await audit_case(
        session,
        clock,
        actor,
        case,
        person,
        AuditAction.create,
        entity_type="decision",
        entity_id=moved[0].id,
        reason="move" + (f"; {override_note(overridden)}" if overridden else ""),
        flag=bool(overridden),
    )
    return PlacementResult(
        decisions=[decision_read(d) for d in moved],
        follow_ups=[follow_up_read(f) for f in follow_ups],
        handover=None if handover is None else handover_read(handover, case.case_number),
        booking_ids=[b.id for b in placed],
    )


async def live_decisions(session: AsyncSession, case_id: uuid.UUID, at: datetime) -> list[Decision]:
    """The case's decisions still running at or after ``at`` (adult first), locked."""
    rows = (
        (
            await session.execute(
                select(Decision)
                .where(col(Decision.case_id) == case_id, col(Decision.status).in_(LIVE))
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    # A decision that ends exactly at ``at`` with nothing after it still counts: moving
    # from its last moment is a renewal into another unit.
    live = [
        d
        for d in rows
        if ran_out(d)
        or (
            d.status != DecisionStatus.lapsed
            and (effective_end(d) > at or (d.status == DecisionStatus.active and d.ends_at == at))
        )
    ]
    return sorted(live, key=lambda d: (d.starts_at, d.child_id is not None, str(d.child_id)))


NOT_RAN_OUT = N_("This decision has not run out; renew it instead, continuing from where it ends.")


async def renew_after_run_out(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    decision_id: uuid.UUID,
    data: RenewCreate,
) -> PlacementResult:
    """A new decision for a household that lived on in its place after the decision ran out:
    the same unit and legal bases, from where the old decision ran out (the place was kept
    for it all along) to the district's decision length counted from today, so it does not
    end in the past. Everything else is the renewal's (rules, overlap, audit)."""
    decision, case, _person = await load_decision(
        session, clock, actor, decision_id, action=None, lock=True
    )
    # Ran out: flagged by the sweep, or past its end before the sweep came round.
    past_end = decision.status == DecisionStatus.active and effective_end(decision) <= clock.now()
    if not (ran_out(decision) or past_end):
        raise Conflict(NOT_RAN_OUT, field="decision_id")
    length = await decision_length(session, settings, case.responsible_district_id)
    data = data.model_copy(update={"ends_at": clock.now() + length})
    return await renew(session, clock, settings, actor, decision_id, data)


async def renewal_scope(session: AsyncSession, decision_id: uuid.UUID) -> list[Decision]:
    """The decisions a renewal of ``decision_id`` continues: the adult's and each child's that
    ends with it (what the confirmation step lists). Read only; the caller has read the case."""
    decision = await session.get(Decision, decision_id)
    if decision is None:
        return []
    return await household_siblings(session, decision)
