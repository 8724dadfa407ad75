"""Priority applications, the handler's side (RVT officers of the case's district).

Officers of other districts get 404. The housing agency's side is in priority_agency.py.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from api.deps import ClockDep, KeyringDep, SessionDep, SettingsDep
from api.routes.priority_deps import HandlerActor, ViewsDep
from api.routing import UnitOfWorkRoute
from placement.models.enums import PriorityStatus
from placement.priority import committee, flats, messages, service
from placement.priority.schemas import (
    AppealCreate,
    ApplicationCreate,
    ApplicationUpdate,
    CertificateCreate,
    HandlerApplicationRead,
    HandlerApplicationSummary,
    MessageCreate,
    MessageRead,
    OfferResponseIn,
    StatusChangeIn,
)

router = APIRouter(
    route_class=UnitOfWorkRoute, prefix="/api/priority/applications", tags=["priority (handler)"]
)


@router.get("")
async def list_applications(
    actor: HandlerActor,
    session: SessionDep,
    clock: ClockDep,
    status: PriorityStatus | None = None,
    case_id: uuid.UUID | None = None,
) -> list[HandlerApplicationSummary]:
    return await service.list_for_handler(session, clock, actor, status=status, case_id=case_id)


@router.post("", status_code=201)
async def create_application(
    body: ApplicationCreate,
    actor: HandlerActor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    views: ViewsDep,
) -> HandlerApplicationRead:
    scoped = await service.create_application(session, clock, settings, actor, keyring, body)
    return await views.handler(scoped)


@router.get("/{application_id}")
async def get_application(
    application_id: uuid.UUID,
    actor: HandlerActor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
) -> HandlerApplicationRead:
    return await service.read_for_handler(session, clock, settings, actor, keyring, application_id)


@router.patch("/{application_id}")
async def update_application(
    application_id: uuid.UUID,
    body: ApplicationUpdate,
    actor: HandlerActor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    views: ViewsDep,
) -> HandlerApplicationRead:
    scoped = await service.update_application(
        session, clock, settings, actor, keyring, application_id, body
    )
    return await views.handler(scoped)


@router.post("/{application_id}/certificates", status_code=201)
async def attach_certificate(
    application_id: uuid.UUID,
    body: CertificateCreate,
    actor: HandlerActor,
    session: SessionDep,
    clock: ClockDep,
    views: ViewsDep,
) -> HandlerApplicationRead:
    scoped = await service.attach_certificate(session, clock, actor, application_id, body.supports)
    return await views.handler(scoped)


@router.post("/{application_id}/status")
async def change_status(
    application_id: uuid.UUID,
    body: StatusChangeIn,
    actor: HandlerActor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    views: ViewsDep,
) -> HandlerApplicationRead:
    scoped = await service.change_status(
        session, clock, settings, actor, application_id, body.to_status, body.reason
    )
    return await views.handler(scoped)


@router.post("/{application_id}/appeal", status_code=201)
async def file_appeal(
    application_id: uuid.UUID,
    body: AppealCreate,
    actor: HandlerActor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    views: ViewsDep,
) -> HandlerApplicationRead:
    scoped = await committee.file_appeal(
        session, clock, settings, actor, application_id, body.grounds
    )
    return await views.handler(scoped)


@router.post("/{application_id}/offers/{offer_id}/response")
async def answer_offer(
    application_id: uuid.UUID,
    offer_id: uuid.UUID,
    body: OfferResponseIn,
    actor: HandlerActor,
    session: SessionDep,
    clock: ClockDep,
    views: ViewsDep,
) -> HandlerApplicationRead:
    scoped = await flats.respond(
        session,
        clock,
        actor,
        offer_id,
        accepted=body.accepted,
        reason=body.reason,
        application_id=application_id,
    )
    return await views.handler(scoped)


@router.get("/{application_id}/messages")
async def list_messages(
    application_id: uuid.UUID,
    actor: HandlerActor,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
) -> list[MessageRead]:
    return await messages.list_messages(session, clock, actor, keyring, application_id)


@router.post("/{application_id}/messages", status_code=201)
async def post_message(
    application_id: uuid.UUID,
    body: MessageCreate,
    actor: HandlerActor,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
) -> MessageRead:
    return await messages.post(session, clock, actor, keyring, application_id, body.body)
