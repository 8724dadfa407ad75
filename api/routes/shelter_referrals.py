"""The shelter referral and the stay (JSON), the same domain calls as /operator and the hold
page: the operator's incoming referrals (own units only), accept, decline with a coded reason;
the officer's view of a hold's referral and "confirmed by phone"; arrival, did not come and
the safety plans. Row-level security and the services' own scope checks apply; every read
and change is audited by the services."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import ClockDep, SessionDep, SettingsDep, require
from api.routing import UnitOfWorkRoute
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.clock import Clock
from placement.inventory.rules import local_date
from placement.models import Referral, Stay
from placement.referrals import service as referrals
from placement.referrals import stays
from placement.referrals.schemas import (
    ArrivalIn,
    DeclineIn,
    OperatorStaysRead,
    ReferralRead,
    SafetyPlanIn,
    StayChanged,
)

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api", tags=["referrals"])
OperatorActor = Annotated[Actor, Depends(require(Permission.vacancy_report))]
Officer = Annotated[Actor, Depends(require(Permission.hold_manage, Permission.case_read))]


def _changed(stay: Stay) -> StayChanged:
    return StayChanged(
        group_id=stay.group_id,
        arrived_at=stay.arrived_at,
        did_not_come_at=stay.did_not_come_at,
        safety_plan_in_on=stay.safety_plan_in_on,
        safety_plan_out_on=stay.safety_plan_out_on,
    )


async def _read(session: AsyncSession, clock: Clock, referral: Referral) -> ReferralRead:
    state = await referrals.hold_state(session, clock, referral.group_id)
    return ReferralRead.of(referral, expires_at=state.expires_at, live=state.live)


@router.get("/referrals")
async def incoming_referrals(
    session: SessionDep, clock: ClockDep, actor: OperatorActor
) -> list[ReferralRead]:
    """The operator's unanswered referrals whose hold still runs, soonest arrival first."""
    return [await _read(session, clock, r) for r in await referrals.incoming(session, clock, actor)]


@router.post("/referrals/{referral_id}/accept")
async def accept_referral(
    referral_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: OperatorActor
) -> ReferralRead:
    return await _read(session, clock, await referrals.accept(session, clock, actor, referral_id))


@router.post("/referrals/{referral_id}/decline")
async def decline_referral(
    referral_id: uuid.UUID,
    body: DeclineIn,
    session: SessionDep,
    clock: ClockDep,
    actor: OperatorActor,
) -> ReferralRead:
    """Decline with a coded reason ("other" needs a short text); the hold is released."""
    referral = await referrals.decline(session, clock, actor, referral_id, body.reason, body.text)
    return await _read(session, clock, referral)


@router.get("/holds/{group_id}/referral")
async def hold_referral(
    group_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Officer
) -> ReferralRead:
    """The officer's view of the unit's answer to the hold's referral."""
    return await _read(session, clock, await referrals.for_officer(session, clock, actor, group_id))


@router.post("/holds/{group_id}/referral/confirmed-by-phone")
async def confirmed_by_phone(
    group_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Officer
) -> ReferralRead:
    """The officer agreed the place with the unit by phone: the decision may follow."""
    await referrals.for_officer(session, clock, actor, group_id)
    referral = await referrals.confirm_by_phone(session, clock, actor, group_id)
    return await _read(session, clock, referral)


@router.get("/stays")
async def operator_stays(
    session: SessionDep, clock: ClockDep, settings: SettingsDep, actor: OperatorActor
) -> OperatorStaysRead:
    """Expected today, living there now, leaving soon and moved out recently (own units)."""
    view = await stays.operator_view(session, clock, actor, timezone=settings.timezone)
    return OperatorStaysRead.of(view)


@router.post("/stays/{group_id}/arrival")
async def record_arrival(
    group_id: uuid.UUID,
    body: ArrivalIn,
    session: SessionDep,
    clock: ClockDep,
    actor: OperatorActor,
) -> StayChanged:
    return _changed(await stays.record_arrival(session, clock, actor, group_id, body.arrived_at))


@router.post("/stays/{group_id}/did-not-come")
async def record_did_not_come(
    group_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: OperatorActor
) -> StayChanged:
    return _changed(await stays.record_did_not_come(session, clock, actor, group_id))


@router.post("/stays/{group_id}/safety-plan")
async def record_safety_plan(
    group_id: uuid.UUID,
    body: SafetyPlanIn,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: OperatorActor,
) -> StayChanged:
    on = body.on or local_date(clock.now(), settings.timezone)
    stay = await stays.record_safety_plan(
        session, clock, actor, group_id, body.moment, on, timezone=settings.timezone
    )
    return _changed(stay)
