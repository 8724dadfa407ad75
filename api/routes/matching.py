"""The matcher: ranked, explained proposals for one request; the joint plan; move-on."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

import optimizer as opt
from api.deps import ClockDep, SessionDep, SettingsDep, require
from api.routing import UnitOfWorkRoute
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.inventory.booking_schemas import HoldRead
from placement.matching import service
from placement.rulebook import Overrides

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/matching", tags=["matching"])
Matcher = Annotated[Actor, Depends(require(Permission.match))]
Planner = Annotated[Actor, Depends(require(Permission.plan_review))]
Holder = Annotated[Actor, Depends(require(Permission.hold_manage))]


class ProposalsIn(BaseModel):
    limit: int = Field(default=5, ge=1, le=20)
    overridden_rules: list[str] = Field(default_factory=list, max_length=15)
    override_reason: str | None = Field(default=None, max_length=1000)


class NowOut(BaseModel):
    run_id: uuid.UUID
    result: opt.NowResult


class JointOut(BaseModel):
    run_id: uuid.UUID
    case_numbers: dict[str, str]
    # The plan as the reader may see it: to a planner who may not read the cases, without
    # scores, weights or reasons about the households (placement.matching.planner_view).
    result: dict[str, Any]


class MoveOnOut(BaseModel):
    run_id: uuid.UUID
    case_numbers: dict[str, str]
    result: dict[str, Any]


class RunOut(BaseModel):
    id: uuid.UUID
    mode: str
    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    wall_time_ms: int | None
    proposals: dict[str, Any] | None


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: uuid.UUID
    # A near miss is held only with each broken rule overridden and a reason.
    overridden_rules: list[str] = Field(default_factory=list, max_length=15)
    override_reason: str | None = Field(default=None, max_length=2000)


@router.post("/requests/{request_id}/proposals")
async def proposals(
    request_id: uuid.UUID,
    body: ProposalsIn,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Matcher,
) -> NowOut:
    result, run = await service.propose_for_request(
        session,
        clock,
        actor,
        settings,
        request_id,
        limit=body.limit,
        overridden_rules=frozenset(body.overridden_rules),
        override_reason=body.override_reason,
    )
    return NowOut(run_id=run.id, result=result)


@router.post("/requests/{request_id}/hold", status_code=201)
async def hold_proposal(
    request_id: uuid.UUID,
    body: HoldIn,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Holder,
) -> HoldRead:
    """Hold the places of a proposal for the request's household while calling."""
    await service.load_request(session, clock, actor, request_id)  # scope check + audit
    overrides = (
        Overrides(tuple(body.overridden_rules), body.override_reason)
        if body.overridden_rules
        else None
    )
    return await service.hold_for_request(
        session, clock, actor, settings, request_id, body.unit_id, overrides
    )


@router.post("/joint-plan")
async def joint_plan(
    session: SessionDep, clock: ClockDep, settings: SettingsDep, actor: Planner
) -> JointOut:
    _, run = await service.joint_plan(session, clock, actor, settings)
    seen = await service.read_run(session, actor, run.id)
    numbers = seen.inputs.get("case_numbers", {})
    return JointOut(
        run_id=run.id,
        case_numbers=dict(numbers) if isinstance(numbers, dict) else {},
        result=seen.proposals,
    )


@router.post("/move-on")
async def move_on(
    session: SessionDep, clock: ClockDep, settings: SettingsDep, actor: Planner
) -> MoveOnOut:
    _, run = await service.move_on(session, clock, actor, settings)
    seen = await service.read_run(session, actor, run.id)
    numbers = seen.inputs.get("case_numbers", {})
    return MoveOnOut(
        run_id=run.id,
        case_numbers=dict(numbers) if isinstance(numbers, dict) else {},
        result=seen.proposals,
    )


@router.post("/runs/{run_id}/accept/{request_id}", status_code=201)
async def accept(
    run_id: uuid.UUID,
    request_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Planner,
) -> HoldRead:
    """Accept one joint-plan assignment: its places are held for the request."""
    return await service.accept_assignment(session, clock, actor, settings, run_id, request_id)


@router.get("/runs/{run_id}")
async def get_run(run_id: uuid.UUID, session: SessionDep, actor: Planner) -> RunOut:
    run = await service.read_run(session, actor, run_id)
    return RunOut.model_validate(run, from_attributes=True)
