"""APScheduler wiring: runs every sweep at a fixed interval and once at start-up.

Running at start-up creates what fell due while the app was down; the database is the truth.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from placement.clock import Clock
from placement.config import Settings
from placement.jobs import run_all_sweeps

log = logging.getLogger(__name__)


def build_scheduler(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=UTC)

    async def tick() -> None:
        results = await run_all_sweeps(sessionmaker, clock, settings)
        if any(results.values()):
            log.info("sweeps: %s", results)

    scheduler.add_job(
        tick,
        "interval",
        seconds=settings.scheduler_interval_s,
        id="sweeps",
        next_run_time=datetime.now(UTC),  # scheduler timing only; sweeps use the clock
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    return scheduler
