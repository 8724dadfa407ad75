"""Case intake and upkeep. Services flush, never commit; every access writes one audit entry."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.cases import numbers, person_link
from placement.cases import risk as risk_book
from placement.cases.access import (
    audit_case,
    case_scope,
    load_case,
    may_use_district,
    require_case_role,
)
from placement.cases.schemas import (
    CaseCreate,
    CaseRead,
    CaseSummary,
    ChildCreate,
    ChildRead,
    ExclusionAreaRead,
    IdentityRead,
    Needs,
    PlacementRequestRead,
    RiskAssessmentIn,
    RiskAssessmentRead,
)
from placement.clock import Clock
from placement.crypto import Keyring, decrypt_optional, encrypt_optional
from placement.errors import N_, Conflict, Forbidden, InvalidInput
from placement.models import (
    Case,
    Child,
    Decision,
    District,
    ExclusionArea,
    Person,
    PlacementRequest,
    RiskAssessment,
    UserAccount,
)
from placement.models.enums import (
    AuditAction,
    DecisionStatus,
    RiskLevel,
    Role,
)
from placement.personal_number import parse as parse_personal_number

NAME_AD = "person_name"
PERSONAL_NUMBER_AD = person_link.PERSONAL_NUMBER_AD
EARLIER_CASE_UNKNOWN = N_("There is no earlier case with that number that you may see.")
CONTACT_AD = "person_contact"


# --- look-ups -------------------------------------------------------------------------


async def district_ids_by_code(
    session: AsyncSession, codes: Sequence[str], *, field: str
) -> dict[str, uuid.UUID]:
    wanted = set(codes)
    if not wanted:
        return {}
    rows = (
        await session.execute(
            select(District.code, District.id).where(col(District.code).in_(wanted))
        )
    ).all()
    found = {code: district_id for code, district_id in rows}
    missing = sorted(wanted - found.keys())
    if missing:
        raise InvalidInput(
            N_("Unknown district code: {codes}."), field=field, params={"codes": missing}
        )
    return found


async def check_handler(
    session: AsyncSession, handler_id: uuid.UUID, district_id: uuid.UUID
) -> None:
    user = await session.get(UserAccount, handler_id)
    if (
        user is None
        or not user.is_active
        or user.role != Role.rvt_officer
        or user.district_id != district_id
    ):
        raise InvalidInput(
            "The handler must be an active RVT officer of the responsible district.",
            field="handler_id",
        )


STOCKHOLM = ZoneInfo("Europe/Stockholm")


async def current_risk_level(session: AsyncSession, case_id: uuid.UUID) -> RiskLevel | None:
    """The highest level among the assessments in force (placement.cases.risk)."""
    return await risk_book.current_level(session, case_id)


def age_on(birth_date: date, today: date) -> int:
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def birth_date_from_age(age: int, today: date) -> date:
    """An approximate birth date for a child whose date is not yet known: mid-year of age."""
    try:
        anniversary = today.replace(year=today.year - age)
    except ValueError:  # 29 February
        anniversary = today.replace(year=today.year - age, day=28)
    return anniversary - timedelta(days=182)


# --- reads ----------------------------------------------------------------------------


def _needs(case: Case) -> Needs:
    return Needs(
        substance_use=case.substance_use,
        needs_wheelchair=case.needs_wheelchair,
        honour_context=case.honour_context,
        languages=list(case.languages),
        has_pets=case.has_pets,
        preferred_district_codes=list(case.preferred_district_codes),
    )


async def _child_reads(session: AsyncSession, case_id: uuid.UUID, today: date) -> list[ChildRead]:
    children = (
        (
            await session.execute(
                select(Child).where(col(Child.case_id) == case_id).order_by(col(Child.pseudonym))
            )
        )
        .scalars()
        .all()
    )
    first_starts: dict[uuid.UUID | None, datetime] = dict(
        (
            await session.execute(
                select(Decision.child_id, func.min(Decision.starts_at))
                .where(
                    col(Decision.case_id) == case_id,
                    col(Decision.child_id).is_not(None),
                    col(Decision.status) != DecisionStatus.cancelled,
                )
                .group_by(col(Decision.child_id))
            )
        ).all()
    )
    return [child_read(c, today, first_starts.get(c.id)) for c in children]


def child_read(child: Child, today: date, first_start: datetime | None = None) -> ChildRead:
    days = None
    if first_start is not None and child.schooling_started_on is not None:
        # Counted in Stockholm dates: a placement at 00:30 local time began that day.
        days = (child.schooling_started_on - first_start.astimezone(STOCKHOLM).date()).days
    return ChildRead(
        id=child.id,
        pseudonym=child.pseudonym,
        gender=child.gender,
        birth_date=child.birth_date,
        age=age_on(child.birth_date, today),
        school_district_id=child.school_district_id,
        schooling_started_on=child.schooling_started_on,
        schooling_kind=child.schooling_kind,
        schooling_days_after_placement=days,
    )


def _summary(case: Case, person: Person, risk: RiskLevel | None) -> CaseSummary:
    return CaseSummary(
        id=case.id,
        case_number=case.case_number,
        status=case.status,
        phase=case.phase,
        responsible_district_id=case.responsible_district_id,
        handler_id=case.handler_id,
        protected_identity=person.protected_identity,
        current_risk_level=risk,
        opened_at=case.opened_at,
    )


async def build_case_read(
    session: AsyncSession, clock: Clock, case: Case, person: Person
) -> CaseRead:
    today = clock.now().astimezone(STOCKHOLM).date()
    risks = (
        (
            await session.execute(
                select(RiskAssessment)
                .where(col(RiskAssessment.case_id) == case.id)
                .order_by(col(RiskAssessment.assessed_at).desc(), col(RiskAssessment.id).desc())
            )
        )
        .scalars()
        .all()
    )
    areas = (
        await session.execute(
            select(ExclusionArea, District.code)
            .join(District, col(District.id) == col(ExclusionArea.district_id))
            .where(col(ExclusionArea.case_id) == case.id)
            .order_by(col(District.code), col(ExclusionArea.kind))
        )
    ).all()
    requests = (
        (
            await session.execute(
                select(PlacementRequest)
                .where(col(PlacementRequest.case_id) == case.id)
                .order_by(col(PlacementRequest.requested_at))
            )
        )
        .scalars()
        .all()
    )
    summary = _summary(
        case, person, risk_book.highest([r.level for r in risks if r.superseded_at is None])
    )
    return CaseRead(
        **summary.model_dump(),
        adults=case.adults,
        gender=person.gender,
        birth_year=person.birth_year,
        needs=_needs(case),
        children=await _child_reads(session, case.id, today),
        exclusion_areas=[
            ExclusionAreaRead(id=a.id, district_id=a.district_id, district_code=code, kind=a.kind)
            for a, code in areas
        ],
        risk_assessments=[risk_read(r) for r in risks],
        honour_without_patriark=risk_book.honour_without_patriark(case.honour_context, risks),
        placement_requests=[request_read(r) for r in requests],
        closed_at=case.closed_at,
        outcome=case.outcome,
        secure_permanent_housing=case.secure_permanent_housing,
    )


def risk_read(r: RiskAssessment) -> RiskAssessmentRead:
    return RiskAssessmentRead(
        id=r.id,
        instrument=r.instrument,
        level=r.level,
        assessed_at=r.assessed_at,
        assessed_by_id=r.assessed_by_id,
        superseded_at=r.superseded_at,
        superseded_reason=r.superseded_reason,
    )


def request_read(r: PlacementRequest) -> PlacementRequestRead:
    return PlacementRequestRead(
        id=r.id,
        status=r.status,
        starts_at=r.starts_at,
        nights=r.nights,
        requested_at=r.requested_at,
        requesting_district_id=r.requesting_district_id,
    )


async def get_case(
    session: AsyncSession, clock: Clock, actor: Actor, case_id: uuid.UUID
) -> CaseRead:
    case, person = await load_case(session, clock, actor, case_id)
    return await build_case_read(session, clock, case, person)


async def list_cases(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    *,
    status: str | None = None,
    limit: int = 200,
) -> list[CaseSummary]:
    """The actor's cases, newest first. Each listed case is a read: one audit entry each."""
    require_case_role(actor)
    latest_risk = risk_book.current_level_subquery()
    stmt = (
        select(Case, Person, latest_risk)
        .join(Person, col(Person.id) == col(Case.person_id))
        .where(case_scope(actor))
        .order_by(col(Case.opened_at).desc(), col(Case.case_number))
        .limit(limit)
    )
    if status is not None:
        stmt = stmt.where(col(Case.status) == status)
    rows = (await session.execute(stmt)).all()
    out = []
    for case, person, risk in rows:
        await audit_case(session, clock, actor, case, person, AuditAction.read)
        out.append(_summary(case, person, None if risk is None else RiskLevel(risk)))
    return out


async def reveal_identity(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    keyring: Keyring,
    case_id: uuid.UUID,
    reason: str,
) -> IdentityRead:
    """Identifying fields, only with a stated reason: audited as a reveal and flagged for the
    auditors' review (placement.audit.service.record_case_access flags every reveal)."""
    if len(reason.strip()) < 5:
        raise InvalidInput("Say why you need to see the identity.", field="reason")
    case, person = await load_case(
        session,
        clock,
        actor,
        case_id,
        action=AuditAction.reveal,
        entity_type="person",
        entity_id=None,
        reason=reason.strip(),
    )
    return IdentityRead(
        case_id=case.id,
        name=decrypt_optional(keyring, person.name_ciphertext, associated=NAME_AD),
        personal_number=decrypt_optional(
            keyring, person.personal_number_ciphertext, associated=PERSONAL_NUMBER_AD
        ),
        contact=decrypt_optional(keyring, person.contact_ciphertext, associated=CONTACT_AD),
    )


# --- intake ---------------------------------------------------------------------------


async def _unique_case_number(session: AsyncSession, wanted: str | None, now: datetime) -> str:
    if wanted is not None:
        value = numbers.validate(wanted)
        taken = await session.scalar(select(Case.id).where(col(Case.case_number) == value))
        if taken is not None:
            raise Conflict("That case number is already in use.", field="case_number")
        return value
    for _ in range(20):
        value = numbers.generate(now)
        taken = await session.scalar(select(Case.id).where(col(Case.case_number) == value))
        if taken is None:
            return value
    raise Conflict("Could not generate a free case number; try again.")  # pragma: no cover


async def create_case(
    session: AsyncSession, clock: Clock, actor: Actor, keyring: Keyring, data: CaseCreate
) -> CaseRead:
    require_case_role(actor)
    now = clock.now()
    district = await session.get(District, data.responsible_district_id)
    if district is None:
        raise InvalidInput("Unknown district.", field="responsible_district_id")
    if not may_use_district(actor, district.id):
        raise Forbidden(
            "You can open cases only for your own district.", field="responsible_district_id"
        )
    handler_id = data.handler_id
    if handler_id is None and actor.role == Role.rvt_officer:
        handler_id = actor.user_id
    if handler_id is not None:
        await check_handler(session, handler_id, district.id)
    area_ids = await district_ids_by_code(
        session, [a.district_code for a in data.exclusion_areas], field="exclusion_areas"
    )
    school_ids = await district_ids_by_code(
        session,
        [c.school_district_code for c in data.children if c.school_district_code],
        field="children",
    )
    await district_ids_by_code(
        session, data.needs.preferred_district_codes, field="needs.preferred_district_codes"
    )
    if len({(a.district_code, a.kind) for a in data.exclusion_areas}) != len(data.exclusion_areas):
        raise InvalidInput("An exclusion area is listed twice.", field="exclusion_areas")

    personal_number = (
        parse_personal_number(
            data.person.personal_number, now.date(), field="person.personal_number"
        ).normalised
        if data.person.personal_number
        else None
    )
    link = await _person_link(session, keyring, personal_number, data.earlier_case_number)
    person = Person(
        name_ciphertext=encrypt_optional(keyring, data.person.name, associated=NAME_AD),
        personal_number_ciphertext=encrypt_optional(
            keyring, personal_number, associated=PERSONAL_NUMBER_AD
        ),
        contact_ciphertext=encrypt_optional(keyring, data.person.contact, associated=CONTACT_AD),
        gender=data.person.gender,
        birth_year=data.person.birth_year,
        protected_identity=data.protected_identity,
        scope_district_id=district.id,
    )
    session.add(person)
    await session.flush()
    case = Case(
        case_number=await _unique_case_number(session, data.case_number, now),
        person_id=person.id,
        responsible_district_id=district.id,
        handler_id=handler_id,
        phase=data.phase,
        adults=data.adults,
        opened_at=now,
        created_by_id=actor.user_id,
        person_link=link[0],
        earlier_case_id=link[1],
        **needs_columns(data.needs),
    )
    session.add(case)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:  # a concurrent intake took the same number a moment ago
        raise Conflict("That case number is already in use.", field="case_number") from None
    for i, child_in in enumerate(data.children):
        session.add(new_child(case.id, child_in, i + 1, now.date(), school_ids))
    for area in data.exclusion_areas:
        session.add(
            ExclusionArea(case_id=case.id, district_id=area_ids[area.district_code], kind=area.kind)
        )
    for risk in data.risk_assessments:
        session.add(new_risk(case.id, risk, actor, now))
    await session.flush()
    await audit_case(session, clock, actor, case, person, AuditAction.create)
    return await build_case_read(session, clock, case, person)


async def _person_link(
    session: AsyncSession, keyring: Keyring, personal_number: str | None, earlier: str | None
) -> tuple[str | None, uuid.UUID | None]:
    """The new case's person link and its earlier case (placement.cases.person_link). The
    earlier case is looked up within the officer's own row-level scope."""
    earlier_case: Case | None = None
    if earlier is not None:
        earlier_case = await session.scalar(
            select(Case).where(col(Case.case_number) == earlier.strip()).with_for_update()
        )
        if earlier_case is None:
            raise InvalidInput(EARLIER_CASE_UNKNOWN, field="earlier_case_number")
    if personal_number is not None:
        link: str | None = person_link.link_for_number(keyring, personal_number)
        if earlier_case is not None and earlier_case.person_link is None:
            earlier_case.person_link = link
    elif earlier_case is not None:
        if earlier_case.person_link is None:
            earlier_case.person_link = person_link.link_for_case(earlier_case.id)
        link = earlier_case.person_link
    else:
        link = None
    return link, earlier_case.id if earlier_case is not None else None


def needs_columns(needs: Needs) -> dict[str, Any]:
    return {
        "substance_use": needs.substance_use,
        "needs_wheelchair": needs.needs_wheelchair,
        "honour_context": needs.honour_context,
        "languages": list(needs.languages),
        "has_pets": needs.has_pets,
        "preferred_district_codes": list(needs.preferred_district_codes),
    }


def new_child(
    case_id: uuid.UUID,
    data: ChildCreate,
    number: int,
    today: date,
    school_ids: dict[str, uuid.UUID],
) -> Child:
    birth = data.birth_date or birth_date_from_age(data.age or 0, today)
    if birth > today:
        raise InvalidInput("A child's birth date cannot be in the future.", field="children")
    if age_on(birth, today) >= 18:
        raise InvalidInput(
            "A person aged 18 or more is an adult with a case of their own.", field="children"
        )
    return Child(
        case_id=case_id,
        pseudonym=data.pseudonym or f"Barn {number}",
        gender=data.gender,
        birth_date=birth,
        school_district_id=school_ids.get(data.school_district_code or ""),
    )


def new_risk(
    case_id: uuid.UUID, data: RiskAssessmentIn, actor: Actor, now: datetime
) -> RiskAssessment:
    at = data.assessed_at or now
    risk_book.check_new(data.instrument, data.level)
    if at > now:
        raise InvalidInput("A risk assessment cannot be dated in the future.", field="assessed_at")
    return RiskAssessment(
        case_id=case_id,
        instrument=data.instrument,
        level=data.level,
        assessed_at=at,
        assessed_by_id=actor.user_id,
    )
