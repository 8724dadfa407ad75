"""What the admin's forms choose from: districts and operators, by name."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.admin.users import require_admin
from placement.auth.actor import Actor
from placement.models import District, Operator


async def districts(session: AsyncSession, actor: Actor) -> list[District]:
    require_admin(actor)
    rows = await session.execute(select(District).order_by(col(District.name)))
    return list(rows.scalars())


async def operators(session: AsyncSession, actor: Actor) -> list[Operator]:
    require_admin(actor)
    rows = await session.execute(select(Operator).order_by(col(Operator.name)))
    return list(rows.scalars())
