"""Stateful property test of the rule book over the real services and database.

Random sequences of intake, risk changes (new assessments, supersessions), holds of a
request's household, direct grants, renewals, moves, endings, court submissions and the
passing of time (with the scheduler's sweeps). Each step may be refused (a 4xx for a user);
refused steps must leave nothing behind. After every step:

1. every decision made in that step breaks no hard rule beyond its recorded overrides,
   judged by the rule book with the household and unit as they were at that step;
2. no place is occupied twice at any instant (holds still live included);
3. every household living in a place has, for the adult and each child, a decision in force
   or a flagged lapse (a decision that ran out keeps the family in its room);
4. no immediate LPSB decision past its court deadline without a submission is still active;
5. no placement request has two live hold groups;
6. no placement was made from a hold whose referral the unit has not accepted (pending,
   declined or withdrawn) unless the officer recorded it as agreed by phone.

Each example gets its own small world (districts, units and users), so examples never see
each other. The async services run on a dedicated event loop.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlmodel import col, select

from placement import rulebook
from placement.cases import service as cases
from placement.cases import upkeep
from placement.cases.schemas import (
    CaseCreate,
    PlacementRequestCreate,
    RiskAssessmentIn,
    RiskSupersede,
)
from placement.clock import FrozenClock
from placement.config import Settings
from placement.crypto import Keyring
from placement.db import make_sessionmaker, transaction
from placement.decisions import children as children_service
from placement.decisions import endings, renewals
from placement.decisions import service as decisions
from placement.decisions.common import effective_end
from placement.decisions.schemas import (
    ChildDecisionIn,
    CourtSubmissionIn,
    EndCreate,
    GrantCreate,
    MoveCreate,
    RenewCreate,
)
from placement.errors import DomainError
from placement.jobs import SWEEPS, load_sweeps
from placement.matching import service as matching
from placement.models import Booking, Case, Child, Decision, RiskAssessment, Unit, UserAccount
from placement.models.enums import (
    BookingKind,
    BookingStatus,
    CaseStatus,
    ConsentStatus,
    DecisionStatus,
    DeclineReason,
    LegalBasis,
    Outcome,
    RequestStatus,
    RiskInstrument,
    RiskLevel,
    Role,
    SubstancePolicy,
)
from placement.referrals import service as referrals
from placement.rulebook import Overrides
from tests.conftest import make_test_settings
from tests.decisions.factories import World, make_world

T = TypeVar("T")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning
NOTE = "Går i förskola."
REASON = "Bedömt tillsammans med teamledaren; enda möjliga platsen."
LEVELS = ("low", "medium", "high")
ANSWERS = ("none", "accept", "decline", "phone")  # the unit's answer to the hold's referral


class RuleBookMachine(RuleBasedStateMachine):
    loop: asyncio.AbstractEventLoop
    sm: Any
    settings: Settings
    keyring: Keyring
    seen: ClassVar[Counter[str]] = Counter()  # what the runs did, over all examples

    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock(T0)
        self.world: World | None = None
        self.units: list[Unit] = []
        self.case_ids: list[uuid.UUID] = []
        self.known_decisions: set[uuid.UUID] = set()
        self.new_decisions: list[uuid.UUID] = []
        self.verdicts: dict[uuid.UUID, list[str]] = {}
        self.operator_user: UserAccount | None = None

    # --- plumbing ------------------------------------------------------------------------

    def run(self, make: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async def go() -> T:
            async with transaction(self.sm) as s:
                return await make(s)

        return self.loop.run_until_complete(go())

    def attempt(
        self, make: Callable[[AsyncSession], Awaitable[T]], label: str = "step"
    ) -> T | None:
        try:
            out = self.run(make)
        except DomainError as exc:
            self.seen[f"{label}: refused ({type(exc).__name__})"] += 1
            return None
        self.seen[f"{label}: done"] += 1
        return out

    @property
    def w(self) -> World:
        assert self.world is not None
        return self.world

    def rvt(self) -> Any:
        return self.w.actor(self.w.handler)

    def night(self) -> Any:
        return self.w.actor(self.w.night)

    def operator(self) -> Any:
        assert self.operator_user is not None
        return self.w.actor(self.operator_user)

    async def _judge_new(self, s: AsyncSession) -> None:
        """Judge the decisions a step made, in the state that step left."""
        ids = (
            (await s.execute(select(Decision.id).where(col(Decision.case_id).in_(self.case_ids))))
            .scalars()
            .all()
        )
        for decision_id in ids:
            if decision_id in self.known_decisions:
                continue
            self.known_decisions.add(decision_id)
            d = await s.get(Decision, decision_id)
            assert d is not None
            if d.status != DecisionStatus.active or d.child_id is not None or d.unit_id is None:
                continue
            self.seen["decision judged"] += 1
            if d.overridden_rules:
                self.seen["decision with override"] += 1
            case = await s.get(Case, d.case_id)
            unit = await s.get(Unit, d.unit_id)
            assert case is not None and unit is not None
            self.verdicts[d.id] = await rulebook.breaches(
                s,
                self.settings,
                self.clock.now(),
                case=case,
                unit=unit,
                starts_at=d.starts_at,
                ends_at=d.ends_at,
            )
            assert set(self.verdicts[d.id]) <= set(d.overridden_rules), (
                f"decision {d.id} breaks {self.verdicts[d.id]} with overrides {d.overridden_rules}"
            )

    async def _broken(self, s: AsyncSession, case_id: uuid.UUID, unit: Unit) -> list[str] | None:
        case = await s.get(Case, case_id)
        assert case is not None
        now = self.clock.now()
        try:
            return await rulebook.breaches(
                s,
                self.settings,
                now,
                case=case,
                unit=unit,
                starts_at=now,
                ends_at=now + timedelta(days=14),
            )
        except DomainError:
            return None

    def overrides_for(self, case_id: uuid.UUID, unit: Unit, use: bool) -> Overrides:
        """Exactly the broken rules with a reason when ``use``; else none."""
        if not use:
            return Overrides()
        broken = self.run(lambda s: self._broken(s, case_id, unit))
        return Overrides(tuple(broken or ()), REASON if broken else None)

    async def _children(self, s: AsyncSession, case_id: uuid.UUID, lpsb: bool) -> list[Any]:
        kids = (await s.execute(select(Child).where(col(Child.case_id) == case_id))).scalars()
        return [
            ChildDecisionIn(
                child_id=k.id,
                legal_basis=LegalBasis.lpsb_immediate if lpsb else LegalBasis.sol_guardian_consent,
                consent_status=ConsentStatus.one_guardian if lpsb else ConsentStatus.both_guardians,
                assessment_note=NOTE,
            )
            for k in kids
        ]

    async def _adult_decision(self, s: AsyncSession, case_id: uuid.UUID) -> Decision | None:
        return await s.scalar(
            select(Decision)
            .where(
                col(Decision.case_id) == case_id,
                col(Decision.child_id).is_(None),
                col(Decision.status).in_((DecisionStatus.active, DecisionStatus.lapsed)),
            )
            .order_by(col(Decision.starts_at).desc())
            .limit(1)
        )

    # --- set-up --------------------------------------------------------------------------

    @initialize()
    def setup(self) -> None:
        self.world = self.loop.run_until_complete(make_world(self.sm))

        async def more_units(s: AsyncSession) -> list[Unit]:
            shelter = await s.get(Unit, self.w.shelter.id)
            drug_free = await s.get(Unit, self.w.shelter2.id)
            low = await s.get(Unit, self.w.low_unit.id)
            assert shelter and drug_free and low
            drug_free.substance_policy = SubstancePolicy.drug_free
            drug_free.accepts_children = False
            drug_free.max_children = 0
            return [shelter, drug_free, low]

        self.units = self.run(more_units)

        async def operator_user(s: AsyncSession) -> UserAccount:
            user = UserAccount(
                username=f"jour-{uuid.uuid4().hex[:6]}",
                display_name="Jouren",
                password_hash="not-a-real-hash",
                role=Role.operator,
                operator_id=self.units[0].operator_id,
                email="jouren@example.invalid",
            )
            s.add(user)
            await s.flush()
            return user

        self.operator_user = self.run(operator_user)

    # --- steps ---------------------------------------------------------------------------

    @precondition(lambda self: len(self.case_ids) < 4)
    @rule(
        children=st.integers(0, 2),
        level=st.sampled_from((None, *LEVELS)),
        honour=st.booleans(),
    )
    def intake(self, children: int, level: str | None, honour: bool) -> None:
        data: dict[str, Any] = {
            "responsible_district_id": str(self.w.district_a.id),
            "person": {"gender": "female", "birth_year": 1988},
            "needs": {"honour_context": honour},
            "children": [{"gender": "male", "age": 3 + 4 * i} for i in range(children)],
            "exclusion_areas": [
                {"district_code": self.w.district_b.code, "kind": "perpetrator_home"}
            ],
            "risk_assessments": []
            if level is None
            else [{"instrument": "patriark" if honour else "freda", "level": level}],
        }

        async def go(s: AsyncSession) -> uuid.UUID:
            read = await cases.create_case(
                s, self.clock, self.rvt(), self.keyring, CaseCreate.model_validate(data)
            )
            return read.id

        self.case_ids.append(self.run(go))

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data(), level=st.sampled_from(LEVELS), not_assessed=st.booleans())
    def assess(self, data: st.DataObject, level: str, not_assessed: bool) -> None:
        case_id = data.draw(st.sampled_from(self.case_ids))
        body = (
            RiskAssessmentIn(instrument=RiskInstrument.not_assessed, level=RiskLevel.high)
            if not_assessed
            else RiskAssessmentIn(instrument=RiskInstrument.freda, level=RiskLevel(level))
        )
        self.attempt(lambda s: upkeep.add_risk_assessment(s, self.clock, self.rvt(), case_id, body))

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data())
    def supersede(self, data: st.DataObject) -> None:
        case_id = data.draw(st.sampled_from(self.case_ids))

        async def go(s: AsyncSession) -> None:
            first = await s.scalar(
                select(RiskAssessment.id).where(
                    col(RiskAssessment.case_id) == case_id,
                    col(RiskAssessment.superseded_at).is_(None),
                )
            )
            if first is not None:
                await upkeep.supersede_risk_assessment(
                    s,
                    self.clock,
                    self.rvt(),
                    case_id,
                    first,
                    RiskSupersede(reason="Ny bedömning ersätter den."),
                )

        self.attempt(go)

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data(), unit_ix=st.integers(0, 2), override=st.booleans(), lpsb=st.booleans())
    def grant(self, data: st.DataObject, unit_ix: int, override: bool, lpsb: bool) -> None:
        case_id = data.draw(st.sampled_from(self.case_ids))
        unit = self.units[unit_ix]
        over = self.overrides_for(case_id, unit, override)

        async def go(s: AsyncSession) -> None:
            await decisions.grant_placement(
                s,
                self.clock,
                self.settings,
                self.rvt(),
                case_id,
                GrantCreate(
                    unit_id=unit.id,
                    children=await self._children(s, case_id, lpsb),
                    overridden_rules=list(over.rules),
                    override_reason=over.reason,
                ),
            )

        self.attempt(go, "grant")

    @precondition(lambda self: self.case_ids)
    @rule(
        data=st.data(),
        unit_ix=st.integers(0, 2),
        override=st.booleans(),
        answer=st.sampled_from(ANSWERS),
    )
    def hold_and_grant(
        self, data: st.DataObject, unit_ix: int, override: bool, answer: str
    ) -> None:
        """A request's household held by Socialjouren (an accepted proposal), the unit's
        referral answered (or not), then decided from the hold."""
        case_id = data.draw(st.sampled_from(self.case_ids))
        unit = self.units[unit_ix]
        over = self.overrides_for(case_id, unit, override)

        async def request(s: AsyncSession) -> uuid.UUID:
            read = await upkeep.create_placement_request(
                s,
                self.clock,
                self.rvt(),
                case_id,
                PlacementRequestCreate(starts_at=self.clock.now(), nights=14),
            )
            return read.id

        request_id = self.attempt(request)
        if request_id is None:
            return

        async def hold(s: AsyncSession) -> uuid.UUID:
            held = await matching.hold_for_request(
                s,
                self.clock,
                self.night(),
                self.settings,
                request_id,
                unit.id,
                over if over.rules else None,
            )
            return held.group_id

        group = self.attempt(hold, "hold")
        if group is None:
            return

        async def respond(s: AsyncSession) -> None:
            referral = await referrals.for_group(s, group)
            assert referral is not None  # a hold for a case always sends one
            if answer == "accept":
                await referrals.accept(s, self.clock, self.operator(), referral.id)
            elif answer == "decline":
                await referrals.decline(
                    s, self.clock, self.operator(), referral.id, DeclineReason.full
                )
            elif answer == "phone":
                await referrals.confirm_by_phone(s, self.clock, self.night(), group)

        if answer != "none":
            self.attempt(respond, f"referral {answer}")

        async def decide(s: AsyncSession) -> bool:
            await decisions.grant_placement(
                s,
                self.clock,
                self.settings,
                self.night(),
                case_id,
                GrantCreate(
                    hold_group_id=group,
                    children=await self._children(s, case_id, lpsb=True),
                    request_id=request_id,
                ),
            )
            return True

        done = self.attempt(decide, "decide from hold")
        self.seen[f"decide from hold ({answer}): {'done' if done else 'refused'}"] += 1
        if answer in ("none", "decline"):
            assert not done, "a placement was granted from an unanswered or declined hold"

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data(), override=st.booleans())
    def renew(self, data: st.DataObject, override: bool) -> None:
        case_id = data.draw(st.sampled_from(self.case_ids))

        async def go(s: AsyncSession) -> None:
            adult = await self._adult_decision(s, case_id)
            if adult is None or adult.unit_id is None:
                return
            unit = await s.get(Unit, adult.unit_id)
            assert unit is not None
            body = RenewCreate()
            if override:
                broken = await self._broken(s, case_id, unit) or []
                extra = [r for r in broken if r not in adult.overridden_rules]
                if extra:
                    body = RenewCreate(overridden_rules=extra, override_reason=REASON)
            await renewals.renew(s, self.clock, self.settings, self.rvt(), adult.id, body)

        self.attempt(go, "renew")

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data(), unit_ix=st.integers(0, 2), override=st.booleans())
    def move(self, data: st.DataObject, unit_ix: int, override: bool) -> None:
        case_id = data.draw(st.sampled_from(self.case_ids))
        unit = self.units[unit_ix]
        over = self.overrides_for(case_id, unit, override)

        async def go(s: AsyncSession) -> None:
            adult = await self._adult_decision(s, case_id)
            if adult is None:
                return
            await renewals.move(
                s,
                self.clock,
                self.settings,
                self.rvt(),
                adult.id,
                MoveCreate(
                    unit_id=unit.id,
                    overridden_rules=list(over.rules),
                    override_reason=over.reason,
                ),
            )

        self.attempt(go, "move")

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data())
    def end(self, data: st.DataObject) -> None:
        case_id = data.draw(st.sampled_from(self.case_ids))

        async def go(s: AsyncSession) -> None:
            adult = await self._adult_decision(s, case_id)
            if adult is not None:
                await endings.end_placement(
                    s,
                    self.clock,
                    self.settings,
                    self.rvt(),
                    adult.id,
                    EndCreate(outcome=Outcome.back_home),
                )

        self.attempt(go)

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data())
    def submit_to_court(self, data: st.DataObject) -> None:
        case_id = data.draw(st.sampled_from(self.case_ids))

        async def go(s: AsyncSession) -> None:
            pending = (
                await s.execute(
                    select(Decision.id).where(
                        col(Decision.case_id) == case_id,
                        col(Decision.legal_basis) == LegalBasis.lpsb_immediate,
                        col(Decision.court_submitted_at).is_(None),
                    )
                )
            ).scalars()
            for decision_id in list(pending):
                await decisions.record_court_submission(
                    s, self.clock, self.rvt(), decision_id, CourtSubmissionIn()
                )

        self.attempt(go)

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data())
    def new_child_decision(self, data: st.DataObject) -> None:
        """A child whose immediate LPSB decision lapsed gets a new decision."""
        case_id = data.draw(st.sampled_from(self.case_ids))

        async def go(s: AsyncSession) -> None:
            adult = await s.scalar(
                select(Decision).where(
                    col(Decision.case_id) == case_id,
                    col(Decision.child_id).is_(None),
                    col(Decision.status) == DecisionStatus.active,
                )
            )
            lapsed = (
                await s.execute(
                    select(Decision.child_id).where(
                        col(Decision.case_id) == case_id,
                        col(Decision.status) == DecisionStatus.lapsed,
                        col(Decision.child_id).is_not(None),
                    )
                )
            ).scalars()
            for child_id in list(lapsed):
                if adult is None or child_id is None:
                    return
                await children_service.decide_for_child(
                    s,
                    self.clock,
                    self.settings,
                    self.rvt(),
                    adult.id,
                    ChildDecisionIn(
                        child_id=child_id,
                        legal_basis=LegalBasis.lpsb_court_application,
                        consent_status=ConsentStatus.one_guardian,
                        assessment_note=NOTE,
                    ),
                )

        self.attempt(go, "new child decision")

    @rule(step=st.sampled_from((timedelta(hours=2), timedelta(days=1), timedelta(days=6))))
    def time_passes(self, step: timedelta) -> None:
        self.clock.advance(step)
        load_sweeps()
        for name, sweep in SWEEPS.items():
            if name.startswith(("decisions.", "inventory.")):

                async def go(s: AsyncSession, sweep: Any = sweep) -> None:
                    await sweep(s, self.clock, self.settings)

                self.run(go)

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def decisions_made_now_break_no_rule_beyond_their_overrides(self) -> None:
        if self.case_ids:
            self.run(self._judge_new)

    @invariant()
    def no_place_is_occupied_twice(self) -> None:
        if self.world is None:
            return

        async def go(s: AsyncSession) -> int:
            n = await s.scalar(
                text(
                    """
                    SELECT count(*) FROM booking a JOIN booking b
                      ON a.place_id = b.place_id AND a.id < b.id
                    WHERE a.status = 'active' AND b.status = 'active'
                      AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
                      AND (a.kind <> 'hold' OR a.expires_at > :now)
                      AND (b.kind <> 'hold' OR b.expires_at > :now)
                    """
                ),
                {"now": self.clock.now()},
            )
            return int(n or 0)

        assert self.run(go) == 0

    @invariant()
    def every_person_living_in_a_place_has_a_decision_or_a_flagged_lapse(self) -> None:
        if not self.case_ids:
            return
        now = self.clock.now()

        async def go(s: AsyncSession) -> list[str]:
            problems = []
            living = (
                await s.execute(
                    select(Booking.case_id, Booking.group_id)
                    .join(Case, col(Case.id) == col(Booking.case_id))
                    .where(
                        col(Booking.case_id).in_(self.case_ids),
                        col(Booking.kind) == BookingKind.placement,
                        col(Booking.status) == BookingStatus.active,
                        col(Booking.starts_at) <= now,
                        col(Booking.ends_at) > now,
                        col(Case.status) == CaseStatus.open,
                    )
                    .distinct()
                )
            ).all()
            for case_id, group in living:
                people: list[uuid.UUID | None] = [None]
                people += list(
                    (await s.execute(select(Child.id).where(col(Child.case_id) == case_id)))
                    .scalars()
                    .all()
                )
                for person in people:
                    stmt = select(Decision).where(
                        col(Decision.case_id) == case_id,
                        col(Decision.booking_group_id) == group,
                        col(Decision.child_id).is_(None)
                        if person is None
                        else col(Decision.child_id) == person,
                    )
                    rows = (await s.execute(stmt)).scalars().all()
                    # In force: active or already renewed (superseded) over now; or flagged
                    # as lapsed (the family lives on in the room while someone acts).
                    covered = any(
                        d.status in (DecisionStatus.active, DecisionStatus.superseded)
                        and d.starts_at <= now < effective_end(d)
                        for d in rows
                    ) or any(d.status == DecisionStatus.lapsed for d in rows)
                    if not covered:
                        problems.append(f"{case_id}/{person}")
            return problems

        assert self.run(go) == []

    @invariant()
    def no_unsubmitted_immediate_lpsb_past_its_deadline_is_active(self) -> None:
        if not self.case_ids:
            return

        async def go(s: AsyncSession) -> int:
            rows = (
                await s.execute(
                    select(Decision.id).where(
                        col(Decision.case_id).in_(self.case_ids),
                        col(Decision.legal_basis) == LegalBasis.lpsb_immediate,
                        col(Decision.status) == DecisionStatus.active,
                        col(Decision.court_submitted_at).is_(None),
                        col(Decision.court_submission_due_at) <= self.clock.now(),
                    )
                )
            ).all()
            return len(rows)

        assert self.run(go) == 0

    @invariant()
    def no_request_has_two_live_holds(self) -> None:
        if not self.case_ids:
            return

        async def go(s: AsyncSession) -> int:
            n = await s.scalar(
                text(
                    """
                    SELECT count(*) FROM (
                      SELECT request_id FROM booking
                      WHERE kind = 'hold' AND status = 'active' AND expires_at > :now
                        AND request_id IS NOT NULL
                      GROUP BY request_id HAVING count(DISTINCT group_id) > 1
                    ) twice
                    """
                ),
                {"now": self.clock.now()},
            )
            return int(n or 0)

        assert self.run(go) == 0

    @invariant()
    def no_placement_from_an_unsettled_referral(self) -> None:
        if not self.case_ids:
            return

        async def go(s: AsyncSession) -> int:
            n = await s.scalar(
                text(
                    """
                    SELECT count(*) FROM booking b JOIN referral r ON r.group_id = b.group_id
                    WHERE b.kind = 'placement' AND b.case_id = ANY(:cases)
                      AND r.status NOT IN ('accepted', 'confirmed_by_phone')
                    """
                ),
                {"cases": self.case_ids},
            )
            return int(n or 0)

        assert self.run(go) == 0

    @invariant()
    def requests_are_consistent(self) -> None:
        # A held request's hold exists; a placed request has a decision (smoke check that
        # refused steps left nothing half-written).
        if not self.case_ids:
            return

        async def go(s: AsyncSession) -> int:
            n = await s.scalar(
                text(
                    """
                    SELECT count(*) FROM placement_request r
                    WHERE r.case_id = ANY(:cases) AND r.status = :placed
                      AND NOT EXISTS (SELECT 1 FROM decision d WHERE d.case_id = r.case_id)
                    """
                ),
                {"cases": self.case_ids, "placed": RequestStatus.placed.value},
            )
            return int(n or 0)

        assert self.run(go) == 0


def test_rule_book_state_machine(db_url: str) -> None:
    loop = asyncio.new_event_loop()
    engine = create_async_engine(db_url, pool_size=2)
    try:
        RuleBookMachine.loop = loop
        RuleBookMachine.sm = make_sessionmaker(engine)
        RuleBookMachine.settings = make_test_settings()
        RuleBookMachine.keyring = Keyring.parse(RuleBookMachine.settings.encryption_keys)
        run_state_machine_as_test(
            RuleBookMachine,
            settings=settings(
                max_examples=60,
                stateful_step_count=30,
                deadline=None,
                # The same sequences on every run, so CI is stable and the coverage floor
                # below is a fact about them (run with a random seed locally to explore).
                derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
                database=None,
            ),
        )
    finally:
        loop.run_until_complete(engine.dispose())
        loop.close()
    seen = RuleBookMachine.seen
    print(dict(sorted(seen.items())))
    # The runs did what the test is about: placements made and refused by the rule book,
    # overrides recorded, renewals, moves and holds through the services.
    assert seen["decision judged"] >= 10 and seen["decision with override"] >= 3
    assert sum(n for k, n in seen.items() if k.endswith("(RuleBreach)")) >= 3
    assert seen["renew: done"] >= 1 and seen["move: done"] >= 1
    assert seen["decide from hold: done"] >= 1
    # The referral's answers were exercised, and the unanswered or declined were refused.
    assert seen["referral accept: done"] >= 1 and seen["referral decline: done"] >= 1
    assert seen["referral phone: done"] >= 1
    assert seen["decide from hold (none): refused"] >= 1
    assert seen["decide from hold (accept): done"] + seen["decide from hold (phone): done"] >= 1
