"""Declines by reason: a statistic of unmet need, without any case data.

Counts only (unit, unit kind, district, reason, day); the coordinator reads it through this
function (statistics_read), never the referral rows themselves.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.auth.permissions import Permission, has_permission
from placement.auth.scope import elevated
from placement.clock import Clock
from placement.errors import N_, Forbidden
from placement.models import Referral, Unit
from placement.models.enums import DeclineReason, ReferralStatus, UnitKind

NO_STATISTICS = N_("Only the coordinator sees the statistics.")


@dataclass(frozen=True)
class DeclineCount:
    unit_id: uuid.UUID
    unit_kind: UnitKind
    district_id: uuid.UUID
    reason: DeclineReason
    count: int


async def declines_by_reason(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    since: datetime,
    until: datetime,
) -> list[DeclineCount]:
    if not has_permission(actor.role, Permission.statistics_read):
        raise Forbidden(NO_STATISTICS)
    async with elevated(session, clock, actor, "statistics: referral declines by reason"):
        rows = (
            await session.execute(
                select(  # type: ignore[call-overload]
                    col(Referral.unit_id),
                    col(Unit.kind),
                    col(Unit.district_id),
                    col(Referral.decline_reason),
                    func.count(),
                )
                .join(Unit, col(Unit.id) == col(Referral.unit_id))
                .where(
                    col(Referral.status) == ReferralStatus.declined,
                    col(Referral.answered_at) >= since,
                    col(Referral.answered_at) < until,
                )
                .group_by(
                    col(Referral.unit_id),
                    col(Unit.kind),
                    col(Unit.district_id),
                    col(Referral.decline_reason),
                )
                .order_by(col(Referral.decline_reason))
            )
        ).all()
    return [
        DeclineCount(unit_id=u, unit_kind=k, district_id=d, reason=r, count=int(n))
        for u, k, d, r, n in rows
    ]


__all__ = ["DeclineCount", "declines_by_reason"]
