"""Changes to a case after intake: needs, children and schooling, exclusion areas, risk
assessments, placement requests. Each change locks the case and writes one audit entry."""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.cases import risk as risk_book
from placement.cases.access import audit_case, load_case
from placement.cases.schemas import (
    CaseRead,
    CaseUpdate,
    ChildCreate,
    ChildRead,
    ChildUpdate,
    ExclusionAreaIn,
    ExclusionAreaRead,
    PlacementRequestCreate,
    PlacementRequestRead,
    RiskAssessmentIn,
    RiskAssessmentRead,
    RiskSupersede,
)
from placement.cases.service import (
    STOCKHOLM,
    build_case_read,
    check_handler,
    child_read,
    district_ids_by_code,
    needs_columns,
    new_child,
    new_risk,
    request_read,
    risk_read,
)
from placement.clock import Clock
from placement.errors import Conflict, InvalidInput, NotFound
from placement.models import Child, Decision, ExclusionArea, PlacementRequest
from placement.models.enums import AuditAction, CaseStatus, DecisionStatus, RequestStatus


async def update_case(
    session: AsyncSession, clock: Clock, actor: Actor, case_id: uuid.UUID, data: CaseUpdate
) -> CaseRead:
    case, person = await load_case(session, clock, actor, case_id, action=None, lock=True)
    fields = data.model_fields_set
    if "handler_id" in fields:
        if data.handler_id is not None:
            await check_handler(session, data.handler_id, case.responsible_district_id)
        case.handler_id = data.handler_id
    if data.protected_identity is not None:
        person.protected_identity = data.protected_identity
    if data.phase is not None:
        case.phase = data.phase
    if data.adults is not None:
        case.adults = data.adults
    if data.needs is not None:
        await district_ids_by_code(
            session, data.needs.preferred_district_codes, field="needs.preferred_district_codes"
        )
        for key, value in needs_columns(data.needs).items():
            setattr(case, key, value)
    await session.flush()
    await audit_case(session, clock, actor, case, person, AuditAction.update)
    return await build_case_read(session, clock, case, person)


async def add_child(
    session: AsyncSession, clock: Clock, actor: Actor, case_id: uuid.UUID, data: ChildCreate
) -> ChildRead:
    case, person = await load_case(session, clock, actor, case_id, action=None, lock=True)
    school_ids = await district_ids_by_code(
        session, [data.school_district_code] if data.school_district_code else [], field="children"
    )
    count = await session.scalar(
        select(func.count()).select_from(Child).where(col(Child.case_id) == case.id)
    )
    child = new_child(case.id, data, int(count or 0) + 1, clock.now().date(), school_ids)
    session.add(child)
    await session.flush()
    await audit_case(
        session,
        clock,
        actor,
        case,
        person,
        AuditAction.create,
        entity_type="child",
        entity_id=child.id,
    )
    return child_read(child, clock.now().date())


async def update_child(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    case_id: uuid.UUID,
    child_id: uuid.UUID,
    data: ChildUpdate,
) -> ChildRead:
    case, person = await load_case(session, clock, actor, case_id, action=None, lock=True)
    child = await session.get(Child, child_id)
    if child is None or child.case_id != case.id:
        raise NotFound("No such child in this case.", field="child_id")
    fields = data.model_fields_set
    if "schooling_started_on" in fields:
        today = clock.now().astimezone(STOCKHOLM).date()  # schooling counts Stockholm dates
        if data.schooling_started_on and data.schooling_started_on > today:
            raise InvalidInput(
                "Record the schooling start once it has happened.", field="schooling_started_on"
            )
        child.schooling_started_on = data.schooling_started_on
    if "schooling_kind" in fields:
        child.schooling_kind = data.schooling_kind
    if "school_district_code" in fields:
        codes = [data.school_district_code] if data.school_district_code else []
        ids = await district_ids_by_code(session, codes, field="school_district_code")
        child.school_district_id = ids.get(data.school_district_code or "")
    await session.flush()
    await audit_case(
        session,
        clock,
        actor,
        case,
        person,
        AuditAction.update,
        entity_type="child",
        entity_id=child.id,
    )
    first = await session.scalar(
        select(func.min(Decision.starts_at)).where(
            col(Decision.child_id) == child.id, col(Decision.status) != DecisionStatus.cancelled
        )
    )
    return child_read(child, clock.now().date(), first)


async def add_exclusion_area(
    session: AsyncSession, clock: Clock, actor: Actor, case_id: uuid.UUID, data: ExclusionAreaIn
) -> ExclusionAreaRead:
    case, person = await load_case(session, clock, actor, case_id, action=None, lock=True)
    ids = await district_ids_by_code(session, [data.district_code], field="district_code")
    district_id = ids[data.district_code]
    exists = await session.scalar(
        select(ExclusionArea.id).where(
            col(ExclusionArea.case_id) == case.id,
            col(ExclusionArea.district_id) == district_id,
            col(ExclusionArea.kind) == data.kind,
        )
    )
    if exists is not None:
        raise Conflict("That exclusion area is already recorded.", field="district_code")
    area = ExclusionArea(case_id=case.id, district_id=district_id, kind=data.kind)
    session.add(area)
    await session.flush()
    await audit_case(
        session,
        clock,
        actor,
        case,
        person,
        AuditAction.create,
        entity_type="exclusion_area",
        entity_id=area.id,
    )
    return ExclusionAreaRead(
        id=area.id, district_id=district_id, district_code=data.district_code, kind=area.kind
    )


async def remove_exclusion_area(
    session: AsyncSession, clock: Clock, actor: Actor, case_id: uuid.UUID, area_id: uuid.UUID
) -> None:
    case, person = await load_case(session, clock, actor, case_id, action=None, lock=True)
    area = await session.get(ExclusionArea, area_id)
    if area is None or area.case_id != case.id:
        raise NotFound("No such exclusion area in this case.", field="area_id")
    await session.delete(area)
    await session.flush()
    await audit_case(
        session,
        clock,
        actor,
        case,
        person,
        AuditAction.delete,
        entity_type="exclusion_area",
        entity_id=area_id,
    )


async def add_risk_assessment(
    session: AsyncSession, clock: Clock, actor: Actor, case_id: uuid.UUID, data: RiskAssessmentIn
) -> RiskAssessmentRead:
    case, person = await load_case(session, clock, actor, case_id, action=None, lock=True)
    risk = new_risk(case.id, data, actor, clock.now())
    session.add(risk)
    await session.flush()
    await audit_case(
        session,
        clock,
        actor,
        case,
        person,
        AuditAction.create,
        entity_type="risk_assessment",
        entity_id=risk.id,
    )
    return risk_read(risk)


async def supersede_risk_assessment(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    case_id: uuid.UUID,
    assessment_id: uuid.UUID,
    data: RiskSupersede,
) -> RiskAssessmentRead:
    """An assessment stops counting only when someone says so, with a reason."""
    case, person = await load_case(session, clock, actor, case_id, action=None, lock=True)
    row = await risk_book.supersede(
        session,
        case.id,
        assessment_id,
        reason=data.reason,
        user_id=actor.user_id,
        now=clock.now(),
    )
    await audit_case(
        session,
        clock,
        actor,
        case,
        person,
        AuditAction.update,
        entity_type="risk_assessment",
        entity_id=row.id,
        reason="superseded",
    )
    return risk_read(row)


async def create_placement_request(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    case_id: uuid.UUID,
    data: PlacementRequestCreate,
) -> PlacementRequestRead:
    case, person = await load_case(session, clock, actor, case_id, action=None, lock=True)
    now = clock.now()
    if case.status != CaseStatus.open:
        raise Conflict("The case is closed.", field="case_id")
    request = PlacementRequest(
        case_id=case.id,
        requesting_district_id=case.responsible_district_id,
        status=RequestStatus.open,
        starts_at=data.starts_at or now,
        nights=data.nights,
        requested_at=now,
        created_by_id=actor.user_id,
    )
    session.add(request)
    await session.flush()
    await audit_case(
        session,
        clock,
        actor,
        case,
        person,
        AuditAction.create,
        entity_type="placement_request",
        entity_id=request.id,
    )
    return request_read(request)


async def withdraw_placement_request(
    session: AsyncSession, clock: Clock, actor: Actor, case_id: uuid.UUID, request_id: uuid.UUID
) -> PlacementRequestRead:
    case, person = await load_case(session, clock, actor, case_id, action=None, lock=True)
    request = await session.get(PlacementRequest, request_id)
    if request is None or request.case_id != case.id:
        raise NotFound("No such placement request in this case.", field="request_id")
    if request.status not in (RequestStatus.open, RequestStatus.held):
        raise Conflict("Only an open request can be withdrawn.", field="request_id")
    request.status = RequestStatus.withdrawn
    await session.flush()
    await audit_case(
        session,
        clock,
        actor,
        case,
        person,
        AuditAction.update,
        entity_type="placement_request",
        entity_id=request.id,
    )
    return request_read(request)
