"""Priority applications, the housing agency's side. Every answer is an Agency* model.

RVT officers have no agency permission (403); flats and offers are in priority_flats.py.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from api.deps import ClockDep, KeyringDep, SessionDep, SettingsDep
from api.routes.priority_deps import AgencyActor, ViewsDep
from api.routing import UnitOfWorkRoute
from placement.models.enums import PriorityStatus
from placement.priority import committee, messages, service
from placement.priority.schemas import (
    AgencyApplicationRead,
    AgencyApplicationSummary,
    CertificateRequestIn,
    CommitteeDecisionIn,
    CriterionIn,
    MessageCreate,
    MessageRead,
    OverrideIn,
    StatusChangeIn,
)

router = APIRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/priority/agency/applications",
    tags=["priority (agency)"],
)


@router.get("")
async def list_applications(
    actor: AgencyActor,
    session: SessionDep,
    clock: ClockDep,
    status: PriorityStatus | None = None,
) -> list[AgencyApplicationSummary]:
    return await service.list_for_agency(session, clock, actor, status)


@router.get("/{application_id}")
async def get_application(
    application_id: uuid.UUID,
    actor: AgencyActor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
) -> AgencyApplicationRead:
    return await service.read_for_agency(session, clock, settings, actor, keyring, application_id)


@router.post("/{application_id}/status")
async def change_status(
    application_id: uuid.UUID,
    body: StatusChangeIn,
    actor: AgencyActor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    views: ViewsDep,
) -> AgencyApplicationRead:
    scoped = await service.change_status(
        session, clock, settings, actor, application_id, body.to_status, body.reason
    )
    return await views.agency(scoped)


@router.post("/{application_id}/certificate-request")
async def request_certificate(
    application_id: uuid.UUID,
    body: CertificateRequestIn,
    actor: AgencyActor,
    session: SessionDep,
    clock: ClockDep,
    views: ViewsDep,
) -> AgencyApplicationRead:
    scoped = await service.request_certificate(session, clock, actor, application_id, body.reason)
    return await views.agency(scoped)


@router.post("/{application_id}/eligibility-overrides", status_code=201)
async def override_check(
    application_id: uuid.UUID,
    body: OverrideIn,
    actor: AgencyActor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    views: ViewsDep,
) -> AgencyApplicationRead:
    scoped = await service.override_check(
        session, clock, settings, actor, application_id, body.check, body.reason
    )
    return await views.agency(scoped)


@router.post("/{application_id}/criterion", status_code=201)
async def assess_criterion(
    application_id: uuid.UUID,
    body: CriterionIn,
    actor: AgencyActor,
    session: SessionDep,
    clock: ClockDep,
    views: ViewsDep,
) -> AgencyApplicationRead:
    """Strong medical or social needs or extremely urgent circumstances: met or not, and why.
    Approval is refused until the latest assessment says met."""
    scoped = await service.assess_criterion(
        session, clock, actor, application_id, body.met, body.reason
    )
    return await views.agency(scoped)


@router.post("/{application_id}/committee-decision")
async def committee_decision(
    application_id: uuid.UUID,
    body: CommitteeDecisionIn,
    actor: AgencyActor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    views: ViewsDep,
) -> AgencyApplicationRead:
    scoped = await committee.record_decision(
        session, clock, settings, actor, application_id, body.outcome, body.reason
    )
    return await views.agency(scoped)


@router.get("/{application_id}/messages")
async def list_messages(
    application_id: uuid.UUID,
    actor: AgencyActor,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
) -> list[MessageRead]:
    return await messages.list_messages(session, clock, actor, keyring, application_id)


@router.post("/{application_id}/messages", status_code=201)
async def post_message(
    application_id: uuid.UUID,
    body: MessageCreate,
    actor: AgencyActor,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
) -> MessageRead:
    return await messages.post(session, clock, actor, keyring, application_id, body.body)
