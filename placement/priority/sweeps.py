"""Scheduler sweeps of the priority workflow (registered on import; see placement.jobs)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from placement.clock import Clock
from placement.config import Settings
from placement.jobs import register_sweep
from placement.priority.committee import papers_reminders


@register_sweep("priority_committee_papers")
async def committee_papers_sweep(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    """Reminders to the agency and the handler before a committee's papers are due."""
    return await papers_reminders(session, clock, settings)
