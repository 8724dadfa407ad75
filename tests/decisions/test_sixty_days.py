"""One household (an adult and two children) through 60 days on a controllable clock.

Placed by Socialjouren late on Midsummer Eve (Friday 19 June 2026, a de facto holiday;
Midsummer Day is Saturday 20 June), handed over to the district on Monday 22 June 08:00,
followed up, renewed four times, moved once, ended with an outcome. The sweeps run every
hour of simulated time; every reminder and hand-over must appear exactly once, at the first
sweep at or after the moment it falls due, including across the holiday weekend.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from placement.calendar import warning_at
from placement.cases import upkeep as cases
from placement.cases.schemas import ChildUpdate
from placement.clock import FrozenClock
from placement.config import Settings
from placement.db import make_engine, make_sessionmaker, transaction
from placement.decisions import endings, followups, handovers, renewals, service
from placement.decisions.schemas import (
    ChildDecisionIn,
    CourtSubmissionIn,
    EndCreate,
    FollowUpDone,
    GrantCreate,
    MoveCreate,
    RenewCreate,
)
from placement.models import Case, Decision, Handover, Notification, Reminder
from placement.models.enums import (
    CaseStatus,
    ConsentStatus,
    DecisionStatus,
    FollowUpKind,
    LegalBasis,
    Outcome,
    ReminderKind,
)
from tests.decisions.factories import NOTE, make_world, open_case, run_decision_sweeps

STHLM = ZoneInfo("Europe/Stockholm")
HOUR = timedelta(hours=1)


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STHLM).astimezone(UTC)


def next_tick(at: datetime) -> datetime:
    """The first whole UTC hour at or after ``at``: when an hourly sweep first sees it."""
    floor = at.replace(minute=0, second=0, microsecond=0)
    return floor if floor == at else floor + HOUR


@dataclass
class Expected:
    kind: ReminderKind
    subject_id: uuid.UUID
    due_at: datetime
    appears_at: datetime
    escalated: bool = False


@pytest.mark.slow
async def test_sixty_days_of_one_household(db_url: str, settings: Settings, keyring: Any) -> None:
    engine = make_engine(db_url, pool_size=2)  # pooled: ~1,800 sweep rounds reuse connections
    try:
        await _sixty_days(make_sessionmaker(engine), settings, keyring)
    finally:
        await engine.dispose()


async def _sixty_days(sm: Any, settings: Settings, keyring: Any) -> None:
    world = await make_world(sm)
    night, handler = world.actor(world.night), world.actor(world.handler)
    warn = timedelta(hours=settings.decision_ending_warning_hours)

    t0 = local(2026, 6, 19, 23, 30)  # Friday, Midsummer Eve
    clock = FrozenClock(t0)
    case_id, (child1, child2) = await open_case(sm, clock, keyring, world, night)

    # Actions at fixed moments; sweeps run at every whole hour in between.
    actions: list[tuple[datetime, Callable[[], Awaitable[None]]]] = []
    expected: list[Expected] = []
    state: dict[str, Any] = {}

    def at(when: datetime) -> Callable[[Callable[[], Awaitable[None]]], None]:
        def register(fn: Callable[[], Awaitable[None]]) -> None:
            actions.append((when, fn))

        return register

    def expect_endings(decisions: list[Any]) -> None:
        for d in decisions:
            due = d.ends_at
            expected.append(
                Expected(
                    ReminderKind.decision_ending,
                    d.id,
                    due,
                    # 48 hours ahead, or office start on the last working day before the end.
                    next_tick(min(due - warn, warning_at(due, 0, settings))),
                )
            )

    @at(t0)
    async def place() -> None:
        async with transaction(sm) as s:
            result = await service.grant_placement(
                s,
                clock,
                settings,
                night,
                case_id,
                GrantCreate(
                    unit_id=world.shelter.id,
                    children=[
                        ChildDecisionIn(
                            child_id=child1,
                            legal_basis=LegalBasis.sol_guardian_consent,
                            consent_status=ConsentStatus.both_guardians,
                            assessment_note=NOTE,
                        ),
                        ChildDecisionIn(
                            child_id=child2,
                            legal_basis=LegalBasis.lpsb_immediate,
                            consent_status=ConsentStatus.one_guardian,
                            assessment_note=NOTE,
                        ),
                    ],
                    reason="Acute placement after a police call-out.",
                ),
            )
        assert len(result.decisions) == 3
        assert all(d.outside_office_hours for d in result.decisions)
        assert result.decisions[0].ends_at == t0 + timedelta(days=14)
        assert result.handover is not None
        # Midsummer Eve, Midsummer Day and Sunday are not working days: Monday 08:00.
        assert result.handover.due_at == local(2026, 6, 22, 8, 0)
        immediate = next(d for d in result.decisions if d.child_id == child2)
        assert immediate.court_submission_due_at == t0 + timedelta(days=7)
        phone = next(f for f in result.follow_ups if f.kind == FollowUpKind.phone)
        physical = next(f for f in result.follow_ups if f.kind == FollowUpKind.physical)
        assert phone.due_at == t0 + timedelta(days=1)
        assert physical.due_at == t0 + timedelta(days=7)
        state.update(first=result, physical=physical.id, phone=phone.id)
        expected.extend(
            [
                # The phone call falls due on Midsummer Day night and is made on Monday.
                Expected(
                    ReminderKind.follow_up_overdue, phone.id, phone.due_at, next_tick(phone.due_at)
                ),
                Expected(
                    ReminderKind.handover_due,
                    result.handover.id,
                    result.handover.due_at,
                    local(2026, 6, 22, 8, 0),
                ),
                Expected(
                    ReminderKind.court_deadline,
                    immediate.id,
                    t0 + timedelta(days=7),
                    next_tick(t0 + timedelta(days=7) - warn),
                ),
            ]
        )
        expect_endings(result.decisions)

    @at(local(2026, 6, 22, 8, 20))
    async def take_over() -> None:
        async with transaction(sm) as s:
            await handovers.acknowledge_handover(s, clock, handler, state["first"].handover.id)

    @at(local(2026, 6, 22, 9, 30))
    async def phone_call() -> None:
        async with transaction(sm) as s:
            await followups.record_follow_up(s, clock, handler, state["phone"], FollowUpDone())

    @at(local(2026, 6, 24, 14, 0))
    async def visit_and_school() -> None:
        async with transaction(sm) as s:
            await followups.record_follow_up(s, clock, handler, state["physical"], FollowUpDone())
            child = await cases.update_child(
                s,
                clock,
                handler,
                case_id,
                child1,
                ChildUpdate(schooling_started_on=local(2026, 6, 24, 12, 0).date()),
            )
        assert child.schooling_days_after_placement == 5  # within the one-week goal

    @at(local(2026, 6, 25, 10, 15))
    async def submit_to_court() -> None:
        immediate = next(d for d in state["first"].decisions if d.child_id == child2)
        async with transaction(sm) as s:
            await service.record_court_submission(
                s, clock, handler, immediate.id, CourtSubmissionIn()
            )

    async def renew(key: str, source: str, **kwargs: Any) -> None:
        async with transaction(sm) as s:
            result = await renewals.renew(
                s,
                clock,
                settings,
                kwargs.pop("actor", handler),
                state[source].decisions[0].id,
                RenewCreate(**kwargs),
            )
        previous_end = state[source].decisions[0].ends_at
        assert all(d.starts_at == previous_end for d in result.decisions)  # no gap, no overlap
        assert len(result.decisions) == 3
        state[key] = result
        expect_endings(result.decisions)

    @at(local(2026, 7, 2, 10, 15))
    async def renewal_1() -> None:
        # The court application replaces the immediate decision's basis.
        await renew(
            "r1",
            "first",
            children=[
                ChildDecisionIn(
                    child_id=child2,
                    legal_basis=LegalBasis.lpsb_court_application,
                    consent_status=ConsentStatus.one_guardian,
                    assessment_note=NOTE,
                )
            ],
        )

    @at(local(2026, 7, 16, 11, 15))
    async def renewal_2() -> None:
        await renew("r2", "r1")

    @at(local(2026, 7, 20, 12, 15))
    async def move() -> None:
        async with transaction(sm) as s:
            result = await renewals.move(
                s,
                clock,
                settings,
                handler,
                state["r2"].decisions[0].id,
                MoveCreate(unit_id=world.shelter2.id, reason="Closer to the school."),
            )
        assert all(d.starts_at == clock.now() for d in result.decisions)
        state["moved"] = result
        # R2's endings are no longer due: the move superseded them.
        expected[:] = [
            e for e in expected if e.subject_id not in {d.id for d in state["r2"].decisions}
        ]
        expect_endings(result.decisions)
        phone = next(f for f in result.follow_ups if f.kind == FollowUpKind.phone)
        physical = next(f for f in result.follow_ups if f.kind == FollowUpKind.physical)
        state.update(phone2=phone.id, physical2=physical.id)
        # The physical follow-up after the move is made two hours late.
        expected.append(
            Expected(
                ReminderKind.follow_up_overdue,
                physical.id,
                physical.due_at,
                next_tick(physical.due_at),
            )
        )

    @at(local(2026, 7, 21, 9, 0))
    async def phone_after_move() -> None:
        async with transaction(sm) as s:
            await followups.record_follow_up(s, clock, handler, state["phone2"], FollowUpDone())

    @at(local(2026, 7, 27, 14, 30))
    async def late_visit() -> None:
        async with transaction(sm) as s:
            await followups.record_follow_up(s, clock, handler, state["physical2"], FollowUpDone())

    @at(local(2026, 8, 3, 9, 5))
    async def renewal_3() -> None:
        await renew("r3", "moved")

    # Sunday night: Socialjouren renews, so the district gets a second hand-over on Monday.
    @at(local(2026, 8, 16, 22, 10))
    async def renewal_4() -> None:
        await renew("r4", "r3", actor=night)
        handover = state["r4"].handover
        assert handover is not None and handover.due_at == local(2026, 8, 17, 8, 0)
        expected.append(
            Expected(ReminderKind.handover_due, handover.id, handover.due_at, handover.due_at)
        )

    @at(local(2026, 8, 17, 8, 40))
    async def take_over_again() -> None:
        async with transaction(sm) as s:
            await handovers.acknowledge_handover(s, clock, handler, state["r4"].handover.id)

    @at(local(2026, 8, 18, 10, 15))
    async def end() -> None:
        async with transaction(sm) as s:
            ended = await endings.end_placement(
                s,
                clock,
                settings,
                handler,
                state["r4"].decisions[0].id,
                EndCreate(outcome=Outcome.second_hand_lease),
            )
        assert {d.status for d in ended} == {DecisionStatus.ended}
        expected[:] = [
            e for e in expected if e.subject_id not in {d.id for d in state["r4"].decisions}
        ]

    # --- run: sweeps at every whole hour from the first night until two weeks after the end
    actions.sort(key=lambda a: a[0])
    tick = next_tick(t0)
    stop = local(2026, 9, 2, 0, 0)
    pending = list(actions)
    while tick <= stop:
        while pending and pending[0][0] <= tick:
            when, fn = pending.pop(0)
            clock.set(when)
            await fn()
        clock.set(tick)
        await run_decision_sweeps(sm, clock, settings)
        tick += HOUR
    assert not pending

    # --- every reminder exactly once, when it fell due
    async with transaction(sm) as s:
        reminders = (
            (await s.execute(select(Reminder).where(col(Reminder.case_id) == case_id)))
            .scalars()
            .all()
        )
        got = sorted(
            (r.kind.value, str(r.subject_id), r.due_at, r.created_at, r.escalated)
            for r in reminders
        )
        want = sorted(
            (e.kind.value, str(e.subject_id), e.due_at, e.appears_at, e.escalated) for e in expected
        )
        assert got == want
        assert len(reminders) == 17
        assert len({r.key for r in reminders}) == len(reminders)
        # One decision-ending reminder per person for the first decision, renewals 1 and 3
        # and the move; renewal 2 was superseded by the move and renewal 4 ended early.
        assert sum(r.kind == ReminderKind.decision_ending for r in reminders) == 3 * 4
        assert not any(r.kind == ReminderKind.decision_expired for r in reminders)

        handover_rows = (
            (await s.execute(select(Handover).where(col(Handover.case_id) == case_id)))
            .scalars()
            .all()
        )
        assert sorted(h.due_at for h in handover_rows) == [
            local(2026, 6, 22, 8, 0),
            local(2026, 8, 17, 8, 0),
        ]
        assert all(h.acknowledged_at is not None for h in handover_rows)

        case = await s.get(Case, case_id)
        assert case is not None and case.status == CaseStatus.closed
        assert case.outcome == Outcome.second_hand_lease and case.secure_permanent_housing

        decisions = (
            (await s.execute(select(Decision).where(col(Decision.case_id) == case_id)))
            .scalars()
            .all()
        )
        assert len(decisions) == 3 * 6  # the first, four renewals and one move, per person
        assert not any(d.status == DecisionStatus.active for d in decisions)

        # Inbox lines: the team gets every reminder; none are duplicated.
        notes = (
            (
                await s.execute(
                    select(Notification).where(
                        col(Notification.reminder_id).in_([r.id for r in reminders])
                    )
                )
            )
            .scalars()
            .all()
        )
        team = f"team:{world.district_a.id}"
        assert sum(n.recipient_key == team for n in notes) == len(reminders)
        assert len({(n.reminder_id, n.channel, n.recipient_key) for n in notes}) == len(notes)
