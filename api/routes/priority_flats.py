"""Watched flats, proposals and offers (the housing agency), and the priority committee."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter

from api.deps import ClockDep, KeyringDep, SessionDep, SettingsDep
from api.routes.priority_deps import AgencyActor, ReaderActor, ViewsDep
from api.routing import UnitOfWorkRoute
from placement.models.enums import LandlordAnswer
from placement.priority import committee, flats
from placement.priority.schemas import (
    AgencyApplicationRead,
    ContractIn,
    FlatCreate,
    FlatProposalsRead,
    FlatRead,
    LandlordIn,
    MeetingCreate,
    MeetingPapersRead,
    MeetingRead,
    OfferCreate,
    OfferResponseIn,
)

router = APIRouter(
    route_class=UnitOfWorkRoute, prefix="/api/priority", tags=["priority (flats and committee)"]
)


@router.post("/agency/flats", status_code=201)
async def register_flat(
    body: FlatCreate, actor: AgencyActor, session: SessionDep, clock: ClockDep
) -> FlatRead:
    return await flats.register_flat(session, clock, actor, body)


@router.get("/agency/flats")
async def list_flats(
    actor: AgencyActor,
    session: SessionDep,
    status: Literal["available", "offered", "let"] | None = None,
) -> list[FlatRead]:
    return await flats.list_flats(session, actor, status)


@router.get("/agency/flats/{flat_id}")
async def get_flat(flat_id: uuid.UUID, actor: AgencyActor, session: SessionDep) -> FlatRead:
    return await flats.get_flat(session, actor, flat_id)


@router.get("/agency/flats/{flat_id}/proposals")
async def flat_proposals(
    flat_id: uuid.UUID,
    actor: AgencyActor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> FlatProposalsRead:
    return await flats.proposals(session, clock, settings, actor, flat_id)


@router.post("/agency/flats/{flat_id}/offers", status_code=201)
async def make_offer(
    flat_id: uuid.UUID,
    body: OfferCreate,
    actor: AgencyActor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    views: ViewsDep,
) -> AgencyApplicationRead:
    scoped = await flats.make_offer(session, clock, settings, actor, flat_id, body.application_id)
    return await views.agency(scoped)


@router.post("/agency/offers/{offer_id}/response")
async def answer_offer(
    offer_id: uuid.UUID,
    body: OfferResponseIn,
    actor: AgencyActor,
    session: SessionDep,
    clock: ClockDep,
    views: ViewsDep,
) -> AgencyApplicationRead:
    scoped = await flats.respond(
        session, clock, actor, offer_id, accepted=body.accepted, reason=body.reason
    )
    return await views.agency(scoped)


@router.post("/agency/offers/{offer_id}/landlord")
async def record_landlord(
    offer_id: uuid.UUID,
    body: LandlordIn,
    actor: AgencyActor,
    session: SessionDep,
    clock: ClockDep,
    views: ViewsDep,
) -> AgencyApplicationRead:
    """The landlord's approval of the tenant, needed before the contract."""
    scoped = await flats.record_landlord(
        session, clock, actor, offer_id, LandlordAnswer(body.answer), body.reason
    )
    return await views.agency(scoped)


@router.post("/agency/offers/{offer_id}/contract")
async def record_contract(
    offer_id: uuid.UUID,
    body: ContractIn,
    actor: AgencyActor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    views: ViewsDep,
) -> AgencyApplicationRead:
    scoped = await flats.record_contract(session, clock, settings, actor, offer_id, body.signed_on)
    return await views.agency(scoped)


@router.get("/committee-meetings")
async def list_meetings(
    actor: ReaderActor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    include_past: bool = False,
) -> list[MeetingRead]:
    return await committee.list_meetings(session, clock, settings, upcoming=not include_past)


@router.post("/agency/committee-meetings", status_code=201)
async def create_meeting(
    body: MeetingCreate,
    actor: AgencyActor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> MeetingRead:
    return await committee.create_meeting(session, clock, settings, actor, body.meets_on)


@router.get("/agency/committee-meetings/{meeting_id}/papers")
async def meeting_papers(
    meeting_id: uuid.UUID,
    actor: AgencyActor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
) -> MeetingPapersRead:
    return await committee.papers(session, clock, settings, actor, keyring, meeting_id)
