"""The case page's view-model: the household, its risk and areas to avoid, every decision,
follow-ups and hand-overs, where it lives now and what the day's actions may offer (renew,
move, end). One call per page, scoped and audited here: ``load_case_view`` writes exactly
one audit entry (the read), ``reveal_case_view`` one (the reveal, with its reason).

The small look-ups around that read (unit and district names, move candidates, the stay)
never audit on their own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.cases import intake
from placement.cases.access import load_case
from placement.cases.placements import LIVE, Placement, current_placements
from placement.cases.referrals import ReferralRead, list_referrals
from placement.cases.schemas import CaseRead, IdentityRead
from placement.cases.service import (
    CONTACT_AD,
    NAME_AD,
    PERSONAL_NUMBER_AD,
    build_case_read,
)
from placement.clock import Clock
from placement.config import Settings
from placement.crypto import Keyring, decrypt_optional
from placement.decisions.common import decision_length, decision_read, effective_end
from placement.decisions.followups import follow_ups_of_case
from placement.decisions.handovers import handovers_of_case
from placement.decisions.lapses import ran_out
from placement.decisions.renewals import renewal_scope
from placement.decisions.rules import MIN_PROTECTION
from placement.decisions.schemas import DecisionRead
from placement.inventory.availability import find_available
from placement.inventory.booking_schemas import AvailabilityQuery, AvailableUnit, ChildSpec
from placement.models import Case, Decision, District, FollowUp, Handover, Person, Unit
from placement.models.enums import AuditAction, CaseStatus, DecisionStatus, UnitKind
from placement.referrals.stays import CaseStay, for_case

MOVE_CANDIDATES = 60


def local_today(now: datetime, settings: Settings) -> date:
    return now.astimezone(ZoneInfo(settings.timezone)).date()


async def decision_end(session: AsyncSession, decision_id: uuid.UUID) -> datetime | None:
    """When a decision (in the row-level scope) stops, for reading a form's date."""
    decision = await session.get(Decision, decision_id)
    return None if decision is None else effective_end(decision)


@dataclass
class DecisionRow:
    decision: DecisionRead
    person: str | None  # None: the adult; else the child's pseudonym
    unit_name: str | None
    court_pending: bool
    ran_out: bool = False  # in force on paper, but its period is over (no renewal, no end)


@dataclass
class RenewalScope:
    """What a renewal (or the new decision after a run-out) continues, for the confirmation."""

    persons: list[str]  # "" for the adult, else the child's pseudonym
    unit_name: str | None
    starts_at: datetime
    ends_at: datetime
    new_decision: bool  # the decision ran out too long ago to renew: a new decision to today+


@dataclass
class CaseView:
    case: CaseRead
    adult_age: int | None  # None: not known
    district_name: str | None
    areas: list[tuple[str, str]]  # (district name, exclusion kind)
    decisions: list[DecisionRow]
    follow_ups: list[FollowUp]
    handovers: list[Handover]
    placement: Placement | None
    renew_until: datetime | None
    can_renew: bool
    end_default: date
    decision_days: int
    candidates: list[AvailableUnit]
    today: date
    identity: IdentityRead | None = None
    child_names: dict[uuid.UUID, str] = field(default_factory=dict)
    # Referrals to SHIS mellanbo (api/templates/case_statistics.html).
    referrals: list[ReferralRead] = field(default_factory=list)
    renewal: RenewalScope | None = None  # None: neither a renewal nor a new decision is open
    arrival: CaseStay | None = None  # the current placement's stay (None: not placed now)

    @property
    def is_open(self) -> bool:
        return self.case.status == CaseStatus.open

    @property
    def candidate_groups(self) -> list[tuple[str, list[AvailableUnit]]]:
        groups: dict[str, list[AvailableUnit]] = {}
        for unit in self.candidates:
            groups.setdefault(unit.kind.value, []).append(unit)
        order = [k.value for k in UnitKind]
        return sorted(groups.items(), key=lambda kv: order.index(kv[0]))


async def load_case_view(
    session: AsyncSession, clock: Clock, settings: Settings, actor: Actor, case_id: uuid.UUID
) -> CaseView:
    """The case page: exactly one audit entry (the read) for the whole page."""
    case, person = await load_case(session, clock, actor, case_id)
    return await _build(session, clock, settings, actor, case, person)


async def reveal_case_view(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    keyring: Keyring,
    case_id: uuid.UUID,
    reason: str,
) -> CaseView:
    """The case page with the identity shown: one audit entry, the reveal with its reason.

    Mirrors ``placement.cases.service.reveal_identity``, which records no reason yet."""
    case, person = await load_case(
        session,
        clock,
        actor,
        case_id,
        action=AuditAction.reveal,
        entity_type="person",
        reason=reason,
    )
    view = await _build(session, clock, settings, actor, case, person)
    view.identity = IdentityRead(
        case_id=case.id,
        name=decrypt_optional(keyring, person.name_ciphertext, associated=NAME_AD),
        personal_number=decrypt_optional(
            keyring, person.personal_number_ciphertext, associated=PERSONAL_NUMBER_AD
        ),
        contact=decrypt_optional(keyring, person.contact_ciphertext, associated=CONTACT_AD),
    )
    return view


async def _build(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    case: Case,
    person: Person,
) -> CaseView:
    now = clock.now()
    read = await build_case_read(session, clock, case, person)
    decisions = (
        (
            await session.execute(
                select(Decision)
                .where(col(Decision.case_id) == case.id)
                .order_by(
                    col(Decision.child_id).is_not(None),
                    col(Decision.starts_at).desc(),
                    col(Decision.decided_at).desc(),
                )
            )
        )
        .scalars()
        .all()
    )
    unit_ids = {d.unit_id for d in decisions if d.unit_id is not None}
    units = await unit_names(session, unit_ids)
    child_names = {c.id: c.pseudonym for c in read.children}
    rows = [
        DecisionRow(
            decision=decision_read(d),
            person=None if d.child_id is None else child_names.get(d.child_id, "–"),
            unit_name=units.get(d.unit_id) if d.unit_id else None,
            court_pending=d.court_submission_due_at is not None
            and d.court_submitted_at is None
            and d.status in LIVE,
            ran_out=ran_out(d)
            or (
                d.status == DecisionStatus.active and d.ended_at is None and effective_end(d) <= now
            ),
        )
        for d in decisions
    ]
    rows.sort(key=lambda r: (r.person is not None, r.person or ""))  # stable: newest first
    area_ids = {a.district_id for a in read.exclusion_areas}
    names = await district_names(session, area_ids | {case.responsible_district_id})
    placement = (await current_placements(session, [case.id], now)).get(case.id)
    length = await decision_length(session, settings, case.responsible_district_id)
    renew_until = None
    candidates: list[AvailableUnit] = []
    end_default = local_today(now, settings)
    if placement is not None and case.status == CaseStatus.open:
        renew_until = placement.ends_at + length
        # A household living on without a valid decision still lives there: it can be
        # moved, and its placement ends when it moves out (today by default).
        candidates = await move_candidates(session, clock, settings, actor, read, length)
    can_renew = renew_until is not None and renew_until > now
    renewal = None
    if placement is not None and case.status == CaseStatus.open:
        scope = await renewal_scope(session, placement.decision_id)
        if scope:
            new = placement.expired and not can_renew
            renewal = RenewalScope(
                persons=[
                    "" if d.child_id is None else child_names.get(d.child_id, "–") for d in scope
                ],
                unit_name=placement.unit_name,
                starts_at=placement.ends_at,
                ends_at=now + length if new else placement.ends_at + length,
                new_decision=new,
            )
    adult_age = None if read.birth_year is None else now.year - read.birth_year
    return CaseView(
        case=read,
        adult_age=adult_age,
        district_name=names.get(case.responsible_district_id),
        areas=[
            (names.get(a.district_id, a.district_code), a.kind.value) for a in read.exclusion_areas
        ],
        decisions=rows,
        follow_ups=await follow_ups_of_case(session, case.id),
        handovers=await handovers_of_case(session, case.id),
        placement=placement,
        renew_until=renew_until,
        can_renew=can_renew,
        end_default=end_default,
        decision_days=length.days,
        candidates=candidates,
        today=local_today(now, settings),
        child_names=child_names,
        referrals=await list_referrals(session, case.id),
        renewal=renewal,
        arrival=await for_case(session, clock, case.id),
    )


async def unit_names(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await session.execute(select(Unit.id, Unit.name).where(col(Unit.id).in_(ids)))
    return {unit_id: name for unit_id, name in rows.all()}


async def district_names(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await session.execute(
        select(District.id, District.name).where(col(District.id).in_(ids))
    )
    return {district_id: name for district_id, name in rows.all()}


async def move_candidates(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    case: CaseRead,
    length: timedelta,
) -> list[AvailableUnit]:
    """Units with room for the whole household now that meet its protection need and
    needs and lie outside its exclusion areas (the decision's hard rules), current unit
    left out. Fresh vacancy reports first (the inventory's order)."""
    needs = case.needs
    risk = case.current_risk_level
    query = AvailabilityQuery(
        adults=case.adults,
        children=[ChildSpec(age=c.age, gender=c.gender) for c in case.children],
        nights=max(1, min(365, length.days)),
        requesting_district_id=case.responsible_district_id,
        min_protection_level=int(MIN_PROTECTION[risk]) if risk is not None else None,
        needs_wheelchair=needs.needs_wheelchair,
        substance_use=needs.substance_use,
        honour_context=needs.honour_context,
        gender=case.gender,
        age=intake.rule_age(case.birth_year, clock.now().year),
        has_pets=needs.has_pets,
        exclude_district_ids=[a.district_id for a in case.exclusion_areas],
        include_stale=True,
        limit=MOVE_CANDIDATES,
    )
    result = await find_available(session, clock, settings, actor, query)
    current = await _current_unit_ids(session, case.id, clock.now())
    return [u for u in result.units if u.unit_id not in current]


async def _current_unit_ids(
    session: AsyncSession, case_id: uuid.UUID, now: datetime
) -> set[uuid.UUID]:
    rows = await session.execute(
        select(Decision.unit_id, Decision.starts_at, Decision.ends_at, Decision.ended_at).where(
            col(Decision.case_id) == case_id,
            col(Decision.status).in_(LIVE),
            col(Decision.unit_id).is_not(None),
        )
    )
    out: set[uuid.UUID] = set()
    for unit_id, starts, ends, ended in rows.all():
        end = min(ends, ended) if ended is not None else ends
        if starts <= now < end and unit_id is not None:
            out.add(unit_id)
    return out
