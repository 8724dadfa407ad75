"""Referrals of a household to SHIS mellanbo (JSON): list, refer, answer."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from api.deps import ClockDep, SessionDep, require
from api.routing import UnitOfWorkRoute
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.cases import referrals
from placement.cases.access import load_case
from placement.cases.referrals import ReferralRead

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/cases", tags=["cases"])
Reader = Annotated[Actor, Depends(require(Permission.case_read))]
Writer = Annotated[Actor, Depends(require(Permission.case_write))]


class ReferralAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: Literal["granted", "declined"]


@router.get("/{case_id}/mellanbo-referrals")
async def list_referrals(
    case_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Reader
) -> list[ReferralRead]:
    await load_case(session, clock, actor, case_id)
    return await referrals.list_referrals(session, case_id)


@router.post("/{case_id}/mellanbo-referrals", status_code=201)
async def refer(
    case_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Writer
) -> ReferralRead:
    return await referrals.refer(session, clock, actor, case_id)


@router.post("/{case_id}/mellanbo-referrals/{referral_id}/answer")
async def answer(
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    data: ReferralAnswer,
    session: SessionDep,
    clock: ClockDep,
    actor: Writer,
) -> ReferralRead:
    return await referrals.answer(
        session, clock, actor, case_id, referral_id, granted=data.answer == "granted"
    )
