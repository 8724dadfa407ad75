"""Decisions, renewals, moves, endings, court submissions, follow-ups and hand-overs (JSON)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.deps import ClockDep, SessionDep, SettingsDep, require
from api.routing import UnitOfWorkRoute
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.decisions import children, endings, followups, handovers, renewals, service
from placement.decisions.schemas import (
    CaseDecisions,
    ChildDecisionIn,
    CourtAnswerIn,
    CourtSubmissionIn,
    DecisionRead,
    EndCreate,
    FollowUpDone,
    FollowUpRead,
    GrantCreate,
    HandoverRead,
    MoveCreate,
    PlacementResult,
    RenewCreate,
)

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api", tags=["decisions"])

Reader = Annotated[Actor, Depends(require(Permission.case_read))]
Writer = Annotated[Actor, Depends(require(Permission.case_write))]
Decider = Annotated[Actor, Depends(require(Permission.decide))]
DueReader = Annotated[Actor, Depends(require(Permission.due_read))]


@router.post("/cases/{case_id}/decisions", status_code=201)
async def grant(
    case_id: uuid.UUID,
    body: GrantCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Decider,
) -> PlacementResult:
    """Place the household: the adult's decision and one per listed child, together."""
    return await service.grant_placement(session, clock, settings, actor, case_id, body)


@router.get("/cases/{case_id}/decisions")
async def case_decisions(
    case_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Reader
) -> CaseDecisions:
    return await service.case_decisions(session, clock, actor, case_id)


@router.get("/decisions/{decision_id}")
async def get_decision(
    decision_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Reader
) -> DecisionRead:
    return await service.get_decision(session, clock, actor, decision_id)


@router.post("/decisions/{decision_id}/renew", status_code=201)
async def renew(
    decision_id: uuid.UUID,
    body: RenewCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Decider,
) -> PlacementResult:
    return await renewals.renew(session, clock, settings, actor, decision_id, body)


@router.post("/decisions/{decision_id}/children", status_code=201)
async def decide_for_child(
    decision_id: uuid.UUID,
    body: ChildDecisionIn,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Decider,
) -> DecisionRead:
    """A new decision for one child of the household placed under this adult's decision."""
    return await children.decide_for_child(session, clock, settings, actor, decision_id, body)


@router.post("/decisions/{decision_id}/move", status_code=201)
async def move(
    decision_id: uuid.UUID,
    body: MoveCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Decider,
) -> PlacementResult:
    return await renewals.move(session, clock, settings, actor, decision_id, body)


@router.post("/decisions/{decision_id}/end")
async def end(
    decision_id: uuid.UUID,
    body: EndCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Decider,
) -> list[DecisionRead]:
    return await endings.end_placement(session, clock, settings, actor, decision_id, body)


@router.post("/decisions/{decision_id}/court-submission")
async def court_submission(
    decision_id: uuid.UUID,
    body: CourtSubmissionIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Decider,
) -> DecisionRead:
    return await service.record_court_submission(session, clock, actor, decision_id, body)


@router.post("/decisions/{decision_id}/court-answer")
async def court_answer(
    decision_id: uuid.UUID,
    body: CourtAnswerIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Decider,
) -> DecisionRead:
    return await service.record_court_answer(session, clock, actor, decision_id, body)


@router.post("/follow-ups/{follow_up_id}/done")
async def follow_up_done(
    follow_up_id: uuid.UUID,
    body: FollowUpDone,
    session: SessionDep,
    clock: ClockDep,
    actor: Writer,
) -> FollowUpRead:
    return await followups.record_follow_up(session, clock, actor, follow_up_id, body)


@router.get("/handovers")
async def list_handovers(
    response: Response,
    session: SessionDep,
    clock: ClockDep,
    actor: DueReader,
    include_done: bool = False,
    limit: Annotated[int, Query(ge=1, le=handovers.HANDOVER_PAGE)] = handovers.HANDOVER_PAGE,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[HandoverRead]:
    """Oldest due first, ``limit`` at a time from ``offset``; ``X-Total-Count`` says how many
    there are in all (the list was cut at 500 without saying so before)."""
    items, total = await handovers.list_handovers(
        session, clock, actor, open_only=not include_done, limit=limit, offset=offset
    )
    response.headers["X-Total-Count"] = str(total)
    return items


@router.post("/handovers/{handover_id}/acknowledge")
async def acknowledge_handover(
    handover_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Writer
) -> HandoverRead:
    return await handovers.acknowledge_handover(session, clock, actor, handover_id)
