"""The demo city's people and their year, made only through the domain services.

Every case is opened with ``create_case``, every placement granted with ``grant_placement``
(the rule book judges it), renewed with ``renew``, moved with ``move``, ended with
``end_placement``; LPSB decisions are submitted to the court with ``record_court_submission``,
Socialjouren's night decisions are handed over and acknowledged. Each step runs at its own
moment of a frozen clock, so the history has real dates: a year of closed cases with
outcomes, then the households living in the units today.

Sized from the seeds (December 2022: 46 in protected shelter, 60 in SHIS interim housing, 33
in training or on-call flats, 6 in trial flats, 31 in other housing), bounded by what the
demo inventory holds. Each episode runs in a savepoint: a refusal (a full unit, a rule the
drawn household happens to break) skips that episode and leaves nothing half-written.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

import optimizer as opt
from placement import rulebook
from placement.auth.actor import Actor
from placement.auth.service import actor_for
from placement.cases import referrals
from placement.cases.schemas import (
    CaseCreate,
    ChildCreate,
    ChildUpdate,
    ExclusionAreaIn,
    Needs,
    PersonIn,
    PlacementRequestCreate,
    RiskAssessmentIn,
    RiskSupersede,
)
from placement.cases.service import create_case
from placement.cases.upkeep import (
    add_risk_assessment,
    create_placement_request,
    supersede_risk_assessment,
    update_child,
)
from placement.clock import FrozenClock
from placement.config import Settings
from placement.crypto import Keyring
from placement.decisions import endings, followups, handovers, renewals
from placement.decisions import service as decisions
from placement.decisions.lapses import keep_occupied, lapse_run_out
from placement.decisions.schemas import (
    ChildDecisionIn,
    EndCreate,
    FollowUpDone,
    GrantCreate,
    MoveCreate,
    PlacementResult,
    RenewCreate,
)
from placement.demo.households import (
    HouseholdSpec,
    breaks,
    fitting,
    requesting_districts,
    stay,
)
from placement.errors import DomainError
from placement.matching.loader import load_districts
from placement.models import District, Place, Unit, UserAccount
from placement.models.enums import (
    HOUSING_CONTRACT_OUTCOMES,
    CasePhase,
    ConsentStatus,
    ExclusionKind,
    Gender,
    LegalBasis,
    Outcome,
    PlaceKind,
    ProtectedIdentity,
    RiskInstrument,
    RiskLevel,
    Role,
    SchoolingKind,
    StayEnd,
    UnitKind,
)

STHLM = ZoneInfo("Europe/Stockholm")

# Households living in each kind of unit today (December 2022, shared/domain.md).
CURRENT_TARGETS: dict[UnitKind, int] = {
    UnitKind.protected_shelter: 46,
    UnitKind.shis_interim: 52,
    UnitKind.shis_mellanbo: 8,
    UnitKind.training_flat: 15,
    UnitKind.on_call_flat: 18,
    UnitKind.trial_flat: 6,
    UnitKind.hostel: 15,
    UnitKind.regional_pool_flat: 16,
}
CLOSED_CASES = 90  # a year of households who left the housing chain
YEAR_BEFORE_CASES = 30  # and the year before, for the statistics' comparison
DAY = timedelta(days=1)
CONTRACT_MONTHS = (3, 6, 6, 12, 12, 12, 24, None)
BROKEN_OFF_OUTCOMES = (Outcome.back_home, Outcome.unknown, Outcome.other_municipality)
SCHOOLING_KINDS = (SchoolingKind.school, SchoolingKind.preschool, SchoolingKind.larteamet)
OPEN_REQUESTS = 12
OVERRIDES = 2  # night placements below the protection the risk asks for, reasoned

OUTCOMES: tuple[tuple[Outcome, float], ...] = (
    (Outcome.shis_interim, 0.22),
    (Outcome.second_hand_lease, 0.10),
    (Outcome.lodger_contract, 0.05),
    (Outcome.flat_via_priority, 0.06),
    (Outcome.trial_flat, 0.05),
    (Outcome.on_call_flat, 0.08),
    (Outcome.training_flat, 0.04),
    (Outcome.back_home, 0.16),
    (Outcome.other_municipality, 0.12),
    (Outcome.unknown, 0.12),
)
NOTES = (
    "Går i förskola nära boendet; inga särskilda behov.",
    "Skolgång via Lärteamet tills ny skola är ordnad.",
    "Behöver stöd av BUP; skolan informerad utan adress.",
    "Börjar i ny skola inom en vecka.",
)
REASONS = (
    "Akut skyddsbehov efter polisanmälan; hushållet kan inte bo kvar.",
    "Fortsatt skyddsbehov enligt riskbedömningen.",
    "Hushållet behöver en trygg boendeform medan bostad söks.",
)
OVERRIDE_REASON = (
    "Enda lediga platsen för familjen i natt. Polisen bevakar adressen; ny plats med "
    "skyddsnivå 3 söks i morgon."
)
FIRST_NAMES = ("Amina", "Sara", "Leyla", "Maria", "Fatima", "Elin", "Hanna", "Zeynep", "Nora")
LAST_NAMES = ("Andersson", "Hassan", "Nilsson", "Yilmaz", "Karimi", "Berg", "Ali", "Lind")


@dataclass
class Ctx:
    session: AsyncSession
    settings: Settings
    keyring: Keyring
    rng: random.Random
    now: datetime
    stockholm: list[District]
    with_rvt: list[District]
    rvt: dict[uuid.UUID, Actor]
    night: Actor
    districts: dict[str, opt.DistrictInfo] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    # The statistics' extras (stay ends, contracts, mellanbo referrals, returns) draw from
    # their own generator, so the rest of the demo city stays exactly as it was.
    extra: random.Random = field(default_factory=lambda: random.Random(13))  # noqa: S311
    closed: list[tuple[uuid.UUID, str, datetime]] = field(default_factory=list)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def policy(self) -> opt.Policy:
        return rulebook.policy_for(self.settings)


async def attempt(ctx: Ctx, fn: Callable[[], Awaitable[None]]) -> bool:
    """One episode in a savepoint: refused means skipped, nothing of it kept."""
    try:
        async with ctx.session.begin_nested():
            await fn()
        return True
    except DomainError:
        ctx.count("episodes_refused")
        return False


def _birth_date(rng: random.Random, start: datetime, age: int) -> date:
    day = start.date()
    try:
        anniversary = day.replace(year=day.year - age)
    except ValueError:
        anniversary = day.replace(year=day.year - age, day=28)
    return anniversary - timedelta(days=rng.randint(1, 300))


def _clock(at: datetime) -> FrozenClock:
    return FrozenClock(at)


async def open_case(
    ctx: Ctx,
    spec: HouseholdSpec,
    at: datetime,
    actor: Actor,
    phase: CasePhase,
    earlier: str | None = None,
) -> Any:
    rng = ctx.rng
    data = CaseCreate(
        earlier_case_number=earlier,
        responsible_district_id=spec.district.id,
        protected_identity=rng.choice(
            [ProtectedIdentity.none] * 6
            + [ProtectedIdentity.confidentiality_marking, ProtectedIdentity.protected_registration]
        ),
        phase=phase,
        person=PersonIn(
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            gender=spec.gender,
            birth_year=at.year - spec.age,
        ),
        needs=Needs(
            substance_use=spec.substance_use,
            needs_wheelchair=spec.needs_wheelchair,
            honour_context=spec.honour_context,
            languages=spec.languages,
        ),
        children=[
            ChildCreate(gender=g, birth_date=_birth_date(rng, at, a)) for g, a in spec.children
        ],
        exclusion_areas=[
            ExclusionAreaIn(district_code=spec.avoid.code, kind=ExclusionKind.perpetrator_home)
        ]
        if spec.avoid
        else [],
        risk_assessments=[
            RiskAssessmentIn(
                instrument=RiskInstrument.patriark if spec.honour_context else RiskInstrument.freda,
                level=spec.risk,
                assessed_at=at,
            )
        ],
    )
    return await create_case(ctx.session, _clock(at), actor, ctx.keyring, data)


def _child_decisions(
    ctx: Ctx, case: Any, at: datetime, *, immediate: bool = False
) -> list[ChildDecisionIn]:
    out = []
    for child in case.children:
        lpsb = immediate or ctx.rng.random() < 0.12
        out.append(
            ChildDecisionIn(
                child_id=child.id,
                legal_basis=LegalBasis.lpsb_immediate if lpsb else LegalBasis.sol_guardian_consent,
                consent_status=ConsentStatus.one_guardian if lpsb else ConsentStatus.both_guardians,
                assessment_note=ctx.rng.choice(NOTES),
            )
        )
    return out


def _decider(ctx: Ctx, spec: HouseholdSpec, at: datetime) -> Actor:
    """Socialjouren outside office hours (17-08 and weekends), the district's RVT by day."""
    local = at.astimezone(STHLM)
    night = local.hour < 8 or local.hour >= 17 or local.weekday() >= 5
    return ctx.night if night else ctx.rvt[spec.district.id]


async def _aftercare(
    ctx: Ctx, placed: PlacementResult, spec: HouseholdSpec, at: datetime, until: datetime
) -> None:
    """What the officers did in the days after: hand-over acknowledged, follow-ups done,
    immediate LPSB decisions submitted to the court, schooling recorded."""
    rvt = ctx.rvt[spec.district.id]
    if placed.handover is not None and placed.handover.due_at < until:
        await handovers.acknowledge_handover(
            ctx.session, _clock(placed.handover.due_at), rvt, placed.handover.id
        )
        ctx.count("handovers_acknowledged")
    for f in placed.follow_ups:
        if f.due_at + timedelta(hours=6) < until and ctx.rng.random() < 0.9:
            done = f.due_at - timedelta(hours=ctx.rng.randint(1, 20))
            await followups.record_follow_up(
                ctx.session, _clock(f.due_at), rvt, f.id, FollowUpDone(done_at=max(done, at))
            )
    for d in placed.decisions:
        if d.legal_basis == LegalBasis.lpsb_immediate and d.court_submission_due_at:
            submit = at + timedelta(days=ctx.rng.randint(1, 5))
            if submit < until:
                await decisions.record_court_submission(
                    ctx.session, _clock(submit), rvt, d.id, _submission(submit)
                )
                ctx.count("court_submissions")


def _submission(at: datetime) -> Any:
    from placement.decisions.schemas import CourtSubmissionIn

    return CourtSubmissionIn(submitted_at=at)


async def _grant(
    ctx: Ctx,
    spec: HouseholdSpec,
    unit: Unit,
    at: datetime,
    days: int,
    *,
    phase: CasePhase = CasePhase.acute,
    overridden: Sequence[str] = (),
    earlier: str | None = None,
) -> tuple[Any, PlacementResult]:
    actor = _decider(ctx, spec, at)
    case = await open_case(ctx, spec, at - timedelta(hours=2), actor, phase, earlier)
    placed = await decisions.grant_placement(
        ctx.session,
        _clock(at),
        ctx.settings,
        actor,
        case.id,
        GrantCreate(
            unit_id=unit.id,
            starts_at=at,
            ends_at=at + timedelta(days=days),
            children=_child_decisions(ctx, case, at),
            reason=ctx.rng.choice(REASONS),
            overridden_rules=list(overridden),
            override_reason=OVERRIDE_REASON if overridden else None,
        ),
    )
    ctx.count("placements_granted")
    if placed.handover is not None:
        ctx.count("socialjour_decisions")
    for child in case.children:
        started = at + timedelta(days=ctx.rng.randint(2, 9))
        if ctx.rng.random() < 0.6 and started + timedelta(days=1) < ctx.now:
            await update_child(
                ctx.session,
                _clock(started + timedelta(days=1)),
                ctx.rvt[spec.district.id],
                case.id,
                child.id,
                ChildUpdate(
                    schooling_started_on=started.astimezone(STHLM).date(),
                    schooling_kind=ctx.extra.choice(SCHOOLING_KINDS),
                ),
            )
    return case, placed


async def _renew_until(
    ctx: Ctx, spec: HouseholdSpec, adult_id: uuid.UUID, ends: datetime, days: int, until: datetime
) -> tuple[uuid.UUID, datetime]:
    """Renew the household's decisions, a day before each end, while they end before
    ``until`` (the officer's renewal, dated on the day)."""
    while ends < until:
        renewed = await renewals.renew(
            ctx.session,
            _clock(ends - timedelta(days=1)),
            ctx.settings,
            ctx.rvt[spec.district.id],
            adult_id,
            RenewCreate(ends_at=ends + timedelta(days=days), reason=REASONS[1]),
        )
        ctx.count("renewals")
        adult_id, ends = renewed.decisions[0].id, renewed.decisions[0].ends_at
    return adult_id, ends


def _outcome(rng: random.Random) -> Outcome:
    return rng.choices([o for o, _ in OUTCOMES], weights=[w for _, w in OUTCOMES])[0]


def _room(places: Sequence[Place]) -> int:
    rooms = [p.capacity for p in places if p.kind == PlaceKind.family_room]
    singles = sum(1 for p in places if p.kind == PlaceKind.place)
    return max([*rooms, min(singles, 3), 1])


async def seed_history(
    session: AsyncSession,
    settings: Settings,
    keyring: Keyring,
    rng: random.Random,
    now: datetime,
    districts: dict[str, District],
    units: list[tuple[Unit, list[Place]]],
    users: dict[str, UserAccount],
) -> dict[str, int]:
    stockholm = [d for d in districts.values() if d.municipality == "Stockholm"]
    rvt: dict[uuid.UUID, Actor] = {}
    for u in users.values():
        if u.role == Role.rvt_officer and u.district_id and not u.is_team_lead:
            rvt.setdefault(u.district_id, actor_for(u))
    night = actor_for(next(u for u in users.values() if u.role == Role.socialjour))
    ctx = Ctx(
        session=session,
        settings=settings,
        keyring=keyring,
        rng=rng,
        now=now,
        stockholm=stockholm,
        with_rvt=[d for d in districts.values() if d.id in rvt],
        rvt=rvt,
        night=night,
    )
    ctx.districts = await load_districts(session)
    by_kind: dict[UnitKind, list[tuple[Unit, list[Place]]]] = {}
    for unit, places in units:
        by_kind.setdefault(unit.kind, []).append((unit, places))

    await _closed_year(ctx, by_kind)
    await _living_now(ctx, by_kind)
    await _waiting(ctx)
    await _year_before(ctx, by_kind)
    # What the scheduler's first sweep would do: the household living on without a valid
    # decision keeps its place, so proposals and availability count it as occupied.
    await lapse_run_out(session, now)
    await keep_occupied(session, now, hold_days=settings.lapsed_hold_days)
    return {k: v for k, v in sorted(ctx.counts.items())}


def _draw(ctx: Ctx, unit: Unit, places: Sequence[Place], at: datetime, days: int) -> Any:
    candidates = [d for d in requesting_districts(unit, ctx.with_rvt)]
    return fitting(
        ctx.rng,
        unit,
        _room(places),
        candidates,
        ctx.stockholm,
        ctx.districts,
        at,
        days,
        ctx.policy(),
    )


def _move_target(
    ctx: Ctx, spec: HouseholdSpec, interim: Sequence[tuple[Unit, list[Place]]], at: datetime
) -> Unit | None:
    """An interim unit that fits the household once its risk has come down to low."""
    lowered = replace(spec, risk=RiskLevel.low)
    options = [
        u
        for u, places in interim
        if _room(places) >= spec.size
        and not breaks(lowered, u, ctx.districts, at, 180, ctx.policy())
    ]
    return ctx.rng.choice(options) if options else None


async def _lower_risk(ctx: Ctx, spec: HouseholdSpec, case: Any, at: datetime) -> None:
    """A new assessment says low; the earlier one is superseded on purpose, with a reason."""
    rvt = ctx.rvt[spec.district.id]
    await add_risk_assessment(
        ctx.session,
        _clock(at),
        rvt,
        case.id,
        RiskAssessmentIn(instrument=RiskInstrument.freda, level=RiskLevel.low, assessed_at=at),
    )
    for earlier in case.risk_assessments:
        await supersede_risk_assessment(
            ctx.session,
            _clock(at),
            rvt,
            case.id,
            earlier.id,
            RiskSupersede(reason="Ny FREDA efter att förövaren flyttat från länet."),
        )
    spec.risk = RiskLevel.low


async def _closed_year(ctx: Ctx, by_kind: dict[UnitKind, list[tuple[Unit, list[Place]]]]) -> None:
    """Households placed in protected shelter during the past year who have left: some
    straight out, some on to interim housing first."""
    for _ in range(CLOSED_CASES):
        await _closed_episode(ctx, by_kind, 75, 365)


async def _year_before(ctx: Ctx, by_kind: dict[UnitKind, list[tuple[Unit, list[Place]]]]) -> None:
    """The year before (seeded last, so nothing else in the city changes): the statistics
    compare each period with the one before it."""
    for _ in range(YEAR_BEFORE_CASES):
        await _closed_episode(ctx, by_kind, 370, 720, light=True)


def _earlier_case(ctx: Ctx, district_id: uuid.UUID, at: datetime) -> str | None:
    """Now and then the household is one the district has met before (re-actualised)."""
    if ctx.extra.random() >= 0.15:
        return None
    known = [n for d, n, closed in ctx.closed if d == district_id and closed < at - DAY]
    return ctx.extra.choice(known) if known else None


async def _referral(ctx: Ctx, rvt: Actor, case_id: uuid.UUID, at: datetime, out: datetime) -> None:
    """A referral to SHIS mellanbo before moving out, mostly answered."""
    if ctx.extra.random() >= 0.3 or out - at < timedelta(days=4):
        return
    referred = max(at + DAY, out - timedelta(days=10))
    referral = await referrals.refer(ctx.session, _clock(referred), rvt, case_id)
    ctx.count("mellanbo_referrals")
    if ctx.extra.random() < 0.85:
        await referrals.answer(
            ctx.session, _clock(out - timedelta(days=3)), rvt, case_id, referral.id,
            granted=ctx.extra.random() < 0.7,
        )  # fmt: skip


def _ending(ctx: Ctx, outcome: Outcome) -> tuple[Outcome, StayEnd, int | None]:
    """How the stay ended: some broken off (then the household mostly went back or out of
    sight), and for housing the contract's length."""
    if ctx.extra.random() < 0.12:
        return ctx.extra.choice(BROKEN_OFF_OUTCOMES), StayEnd.broken_off, None
    months = ctx.extra.choice(CONTRACT_MONTHS) if outcome in HOUSING_CONTRACT_OUTCOMES else None
    return outcome, StayEnd.completed, months


async def _closed_episode(
    ctx: Ctx,
    by_kind: dict[UnitKind, list[tuple[Unit, list[Place]]]],
    lo: int,
    hi: int,
    *,
    light: bool = False,
) -> None:
    """One household placed ``lo`` to ``hi`` days ago who has left since. ``light``: within
    the first decision (no renewal, no move), which keeps seeding quick."""
    shelters = by_kind.get(UnitKind.protected_shelter, [])
    interim = by_kind.get(UnitKind.shis_interim, []) + by_kind.get(UnitKind.training_flat, [])
    unit, places = ctx.rng.choice(shelters)
    at = ctx.now - stay(ctx.rng, lo, hi)
    spec = _draw(ctx, unit, places, at, 14)
    if spec is None:
        return

    async def episode(spec: HouseholdSpec = spec, unit: Unit = unit, at: datetime = at) -> None:
        rng = ctx.rng
        earlier = _earlier_case(ctx, spec.district.id, at)
        case, placed = await _grant(ctx, spec, unit, at, 14, earlier=earlier)
        out = at + (stay(ctx.extra, 4, 12) if light else stay(rng, 5, 40))
        await _aftercare(ctx, placed, spec, at, out)
        adult, ends = placed.decisions[0].id, placed.decisions[0].ends_at
        if not light:
            adult, ends = await _renew_until(ctx, spec, adult, ends, 14, out)
        rvt = ctx.rvt[spec.district.id]
        moving = not light and rng.random() < 0.35
        target = _move_target(ctx, spec, interim, out) if moving else None
        if target is not None:
            await _lower_risk(ctx, spec, case, out - timedelta(days=1))
            moved = await renewals.move(
                ctx.session,
                _clock(out),
                ctx.settings,
                rvt,
                adult,
                MoveCreate(
                    unit_id=target.id,
                    at=out,
                    ends_at=out + timedelta(days=180),
                    reason="Skyddsbehovet har minskat; hushållet flyttar till SHIS.",
                ),
            )
            ctx.count("moves")
            adult = moved.decisions[0].id
            out = min(out + stay(rng, 40, 160), ctx.now - timedelta(days=2))
        outcome, how, months = _ending(ctx, _outcome(rng))
        await _referral(ctx, rvt, case.id, at, out)
        await endings.end_placement(
            ctx.session,
            _clock(out),
            ctx.settings,
            rvt,
            adult,
            EndCreate(
                outcome=outcome, stay_end=how, contract_months=months, at=out,
                reason="Hushållet har flyttat ut.",
            ),
        )  # fmt: skip
        ctx.count("closed_cases")
        if earlier is not None:
            ctx.count("reactualised")
        ctx.closed.append((spec.district.id, case.case_number, out))

    await attempt(ctx, episode)


async def _living_now(ctx: Ctx, by_kind: dict[UnitKind, list[tuple[Unit, list[Place]]]]) -> None:
    """The households in the units today, up to the seeds' numbers per kind."""
    overrides = 0
    for kind, target in CURRENT_TARGETS.items():
        pool = list(by_kind.get(kind, []))
        if not pool:
            continue
        acute = kind in (UnitKind.protected_shelter, UnitKind.hostel)
        length = 14 if acute else 180
        # Candidates in the order they moved in, so each renewal finds its own place still
        # free (no one later in the list has booked it yet).
        candidates = []
        for _ in range(target * 4):
            days_in = ctx.rng.randint(1, 27) if acute else ctx.rng.randint(15, 400)
            at = (ctx.now - timedelta(days=days_in)).replace(minute=0, second=0, microsecond=0)
            candidates.append((at, ctx.rng.randrange(len(pool))))
        lapse_at = None
        if kind == UnitKind.shis_interim:
            # One household whose decision ran out two days ago, unrenewed: the due list
            # shows it "living without a valid decision" until someone acts.
            lapse_at = (ctx.now - timedelta(days=length + 2)).replace(
                minute=0, second=0, microsecond=0
            )
        candidates.sort()
        if lapse_at is not None:
            # First, while its flat is still free for the whole period.
            candidates[:0] = [(lapse_at, ctx.rng.randrange(len(pool))) for _ in range(4)]
        placed_here = 0
        per_unit: dict[uuid.UUID, int] = {}
        for at, index in candidates:
            if placed_here >= target and (
                at != lapse_at or ctx.counts.get("living_without_decision")
            ):
                continue
            unit, places = pool[index]
            if acute and per_unit.get(unit.id, 0) >= len(places) - 1:
                continue  # acute units keep a place free for tonight
            spec = _draw(ctx, unit, places, at, length)
            if spec is None:
                continue
            override: list[str] = []
            if (
                overrides < OVERRIDES
                and kind == UnitKind.protected_shelter
                and unit.protection_level == 2
                and not spec.honour_context
            ):
                spec.risk = RiskLevel.high
                override = ["protection_level"]

            async def episode(
                spec: HouseholdSpec = spec,
                unit: Unit = unit,
                at: datetime = at,
                length: int = length,
                acute: bool = acute,
                override: list[str] = override,
                lapse_at: datetime | None = lapse_at,
                kind: UnitKind = kind,
            ) -> None:
                # About a third of those in protected shelter are ready to move on.
                ready = kind == UnitKind.protected_shelter and ctx.rng.random() < 0.3
                phase = CasePhase.acute if acute and not ready else CasePhase.post_acute
                _case, placed = await _grant(
                    ctx, spec, unit, at, length, phase=phase, overridden=override
                )
                await _aftercare(ctx, placed, spec, at, ctx.now)
                adult, ends = placed.decisions[0].id, placed.decisions[0].ends_at
                lapse = at == lapse_at and not ctx.counts.get("living_without_decision")
                until = ctx.now - timedelta(days=3) if lapse else ctx.now + timedelta(days=1)
                adult, ends = await _renew_until(ctx, spec, adult, ends, length, until)
                if ends < ctx.now:
                    ctx.count("living_without_decision")

            if not await attempt(ctx, episode):
                continue
            placed_here += 1
            per_unit[unit.id] = per_unit.get(unit.id, 0) + 1
            if override:
                overrides += 1
                ctx.count("overrides")
        ctx.count(f"living_in_{kind.value}", placed_here)


async def _waiting(ctx: Ctx) -> None:
    """Households waiting for a place right now (the joint plan's input)."""
    for _ in range(OPEN_REQUESTS):
        district = ctx.rng.choice(ctx.with_rvt)
        spec = HouseholdSpec(
            district=district,
            gender=Gender.female if ctx.rng.random() < 0.86 else Gender.male,
            age=ctx.rng.randint(19, 60),
            children=[
                (ctx.rng.choice([Gender.female, Gender.male]), ctx.rng.randint(0, 12))
                for _ in range(ctx.rng.choice([0, 1, 2]))
            ],
            risk=ctx.rng.choice([RiskLevel.low, RiskLevel.medium, RiskLevel.high]),
            avoid=ctx.rng.choice([d for d in ctx.stockholm if d.id != district.id]),
        )
        at = ctx.now - timedelta(hours=ctx.rng.randint(1, 30))

        async def episode(spec: HouseholdSpec = spec, at: datetime = at) -> None:
            actor = ctx.rvt[spec.district.id]
            case = await open_case(ctx, spec, at, actor, CasePhase.acute)
            await create_placement_request(
                ctx.session,
                _clock(at),
                actor,
                case.id,
                PlacementRequestCreate(starts_at=ctx.now, nights=14),
            )
            ctx.count("open_requests")

        await attempt(ctx, episode)
