"""Sweep: forget sign-in failures older than the throttle window."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from placement.auth import throttle
from placement.clock import Clock
from placement.config import Settings
from placement.jobs import register_sweep


@register_sweep("sign_in_failures")
async def prune_sign_in_failures(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    return await throttle.prune(session, clock, settings)
