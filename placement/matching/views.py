"""Read models the matcher's pages need beside the proposals (no personal data)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.models import District, Unit


@dataclass(frozen=True, slots=True)
class UnitBrief:
    unit_id: uuid.UUID
    name: str
    kind: str
    district_name: str
    vacancy_confirmed_at: datetime | None
    stale: bool


async def unit_briefs(
    session: AsyncSession, unit_ids: list[uuid.UUID], now: datetime, stale_hours: int
) -> dict[uuid.UUID, UnitBrief]:
    if not unit_ids:
        return {}
    rows = (
        await session.execute(
            select(Unit, District.name)
            .join(District, col(District.id) == col(Unit.district_id))
            .where(col(Unit.id).in_(unit_ids))
        )
    ).all()
    limit = timedelta(hours=stale_hours)
    return {
        u.id: UnitBrief(
            unit_id=u.id,
            name=u.name,
            kind=u.kind.value,
            district_name=name,
            vacancy_confirmed_at=u.vacancy_confirmed_at,
            stale=u.vacancy_confirmed_at is None or now - u.vacancy_confirmed_at > limit,
        )
        for u, name in rows
    }


async def districts_for_choice(session: AsyncSession) -> list[District]:
    """Every district, Stockholm's first, then the neighbouring municipalities."""
    rows = (await session.execute(select(District))).scalars().all()
    return sorted(rows, key=lambda d: (d.municipality != "Stockholm", d.name))
