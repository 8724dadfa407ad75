"""Referrals to SHIS mellanbo, as records of their own: referred (by the case's officer),
then granted or declined (by whoever grants mellanbo for the district). The effect goal
counts referrals per period (placement.statistics.goals)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.cases.access import audit_case, load_case
from placement.clock import Clock
from placement.errors import N_, Conflict, NotFound
from placement.models import MellanboReferral
from placement.models.enums import AuditAction, MellanboStatus

ALREADY_OPEN = N_("The household already has a mellanbo referral waiting for an answer.")
ALREADY_DECIDED = N_("This referral has already been answered.")
NO_REFERRAL = N_("No such referral in this case.")


class ReferralRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    status: MellanboStatus
    referred_at: datetime
    decided_at: datetime | None


def referral_read(r: MellanboReferral) -> ReferralRead:
    return ReferralRead(
        id=r.id, status=r.status, referred_at=r.referred_at, decided_at=r.decided_at
    )


async def list_referrals(session: AsyncSession, case_id: uuid.UUID) -> list[ReferralRead]:
    """The case's referrals, oldest first (the caller has loaded the case, audited)."""
    rows = await session.scalars(
        select(MellanboReferral)
        .where(col(MellanboReferral.case_id) == case_id)
        .order_by(col(MellanboReferral.referred_at))
    )
    return [referral_read(r) for r in rows]


async def refer(
    session: AsyncSession, clock: Clock, actor: Actor, case_id: uuid.UUID
) -> ReferralRead:
    case, person = await load_case(session, clock, actor, case_id, action=None, lock=True)
    waiting = await session.scalar(
        select(MellanboReferral.id).where(
            col(MellanboReferral.case_id) == case.id,
            col(MellanboReferral.status) == MellanboStatus.referred,
        )
    )
    if waiting is not None:
        raise Conflict(ALREADY_OPEN, field="referral")
    referral = MellanboReferral(
        case_id=case.id, referred_at=clock.now(), referred_by_id=actor.user_id
    )
    session.add(referral)
    await session.flush()
    await audit_case(
        session, clock, actor, case, person, AuditAction.create,
        entity_type="mellanbo_referral", entity_id=referral.id,
    )  # fmt: skip
    return referral_read(referral)


async def answer(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    *,
    granted: bool,
) -> ReferralRead:
    case, person = await load_case(session, clock, actor, case_id, action=None, lock=True)
    referral = await session.get(MellanboReferral, referral_id, with_for_update=True)
    if referral is None or referral.case_id != case.id:
        raise NotFound(NO_REFERRAL, field="referral_id")
    if referral.status != MellanboStatus.referred:
        raise Conflict(ALREADY_DECIDED, field="referral_id")
    referral.status = MellanboStatus.granted if granted else MellanboStatus.declined
    referral.decided_at = clock.now()
    referral.decided_by_id = actor.user_id
    await session.flush()
    await audit_case(
        session, clock, actor, case, person, AuditAction.update,
        entity_type="mellanbo_referral", entity_id=referral.id,
    )  # fmt: skip
    return referral_read(referral)
