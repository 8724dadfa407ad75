"""Case intake and upkeep (JSON). Thin: parse, call a service, return a schema."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import ClockDep, KeyringDep, SessionDep, require
from api.routing import UnitOfWorkRoute
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.cases import service, upkeep
from placement.cases.schemas import (
    CaseCreate,
    CaseRead,
    CaseSummary,
    CaseUpdate,
    ChildCreate,
    ChildRead,
    ChildUpdate,
    ExclusionAreaIn,
    ExclusionAreaRead,
    IdentityRead,
    PlacementRequestCreate,
    PlacementRequestRead,
    RiskAssessmentIn,
    RiskAssessmentRead,
    RiskSupersede,
)
from placement.models.enums import CaseStatus

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/cases", tags=["cases"])

Reader = Annotated[Actor, Depends(require(Permission.case_read))]
Writer = Annotated[Actor, Depends(require(Permission.case_write))]


@router.post("", status_code=201)
async def create_case(
    body: CaseCreate, session: SessionDep, clock: ClockDep, keyring: KeyringDep, actor: Writer
) -> CaseRead:
    return await service.create_case(session, clock, actor, keyring, body)


@router.get("")
async def list_cases(
    session: SessionDep,
    clock: ClockDep,
    actor: Reader,
    status: CaseStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[CaseSummary]:
    return await service.list_cases(
        session, clock, actor, status=None if status is None else status.value, limit=limit
    )


@router.get("/{case_id}")
async def get_case(
    case_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Reader
) -> CaseRead:
    return await service.get_case(session, clock, actor, case_id)


@router.patch("/{case_id}")
async def update_case(
    case_id: uuid.UUID, body: CaseUpdate, session: SessionDep, clock: ClockDep, actor: Writer
) -> CaseRead:
    return await upkeep.update_case(session, clock, actor, case_id, body)


class RevealIn(BaseModel):
    reason: str = Field(min_length=5, max_length=500)


@router.post("/{case_id}/identity")
async def reveal_identity(
    case_id: uuid.UUID,
    body: RevealIn,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
    actor: Reader,
) -> IdentityRead:
    """The decrypted name and contact details, only with a stated reason (in the body, never
    the URL): audited as a reveal and flagged for review; never shown in lists."""
    return await service.reveal_identity(session, clock, actor, keyring, case_id, body.reason)


@router.post("/{case_id}/children", status_code=201)
async def add_child(
    case_id: uuid.UUID, body: ChildCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> ChildRead:
    return await upkeep.add_child(session, clock, actor, case_id, body)


@router.patch("/{case_id}/children/{child_id}")
async def update_child(
    case_id: uuid.UUID,
    child_id: uuid.UUID,
    body: ChildUpdate,
    session: SessionDep,
    clock: ClockDep,
    actor: Writer,
) -> ChildRead:
    """Record, among other things, the day the child's schooling started (one-week goal)."""
    return await upkeep.update_child(session, clock, actor, case_id, child_id, body)


@router.post("/{case_id}/exclusion-areas", status_code=201)
async def add_exclusion_area(
    case_id: uuid.UUID, body: ExclusionAreaIn, session: SessionDep, clock: ClockDep, actor: Writer
) -> ExclusionAreaRead:
    return await upkeep.add_exclusion_area(session, clock, actor, case_id, body)


@router.delete("/{case_id}/exclusion-areas/{area_id}", status_code=204)
async def remove_exclusion_area(
    case_id: uuid.UUID, area_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Writer
) -> None:
    await upkeep.remove_exclusion_area(session, clock, actor, case_id, area_id)


@router.post("/{case_id}/risk-assessments", status_code=201)
async def add_risk_assessment(
    case_id: uuid.UUID,
    body: RiskAssessmentIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Writer,
) -> RiskAssessmentRead:
    return await upkeep.add_risk_assessment(session, clock, actor, case_id, body)


@router.post("/{case_id}/risk-assessments/{assessment_id}/supersede")
async def supersede_risk_assessment(
    case_id: uuid.UUID,
    assessment_id: uuid.UUID,
    body: RiskSupersede,
    session: SessionDep,
    clock: ClockDep,
    actor: Writer,
) -> RiskAssessmentRead:
    return await upkeep.supersede_risk_assessment(
        session, clock, actor, case_id, assessment_id, body
    )


@router.post("/{case_id}/placement-requests", status_code=201)
async def create_placement_request(
    case_id: uuid.UUID,
    body: PlacementRequestCreate,
    session: SessionDep,
    clock: ClockDep,
    actor: Writer,
) -> PlacementRequestRead:
    return await upkeep.create_placement_request(session, clock, actor, case_id, body)


@router.post("/{case_id}/placement-requests/{request_id}/withdraw")
async def withdraw_placement_request(
    case_id: uuid.UUID, request_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Writer
) -> PlacementRequestRead:
    return await upkeep.withdraw_placement_request(session, clock, actor, case_id, request_id)
