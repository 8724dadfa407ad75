"""Scheduler sweeps: idempotent functions over database state, safe to run twice or in parallel.

Each sweep takes a sessionmaker, a clock and the settings, and commits its own transaction.
Reminders carry a unique key, so two scheduler instances never create the same one twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from placement.auth.scope import system_scope
from placement.clock import Clock
from placement.config import Settings
from placement.db import transaction

log = logging.getLogger(__name__)

Sweep = Callable[[AsyncSession, Clock, Settings], Awaitable[int]]

# Sweeps register here (placement.inventory, placement.decisions ... add theirs on import).
SWEEPS: dict[str, Sweep] = {}


def register_sweep(name: str) -> Callable[[Sweep], Sweep]:
    def decorator(fn: Sweep) -> Sweep:
        SWEEPS[name] = fn
        return fn

    return decorator


def load_sweeps() -> None:
    """Import every module that registers sweeps."""
    import importlib

    for module in (
        "placement.inventory.sweeps",
        "placement.decisions.sweeps",
        "placement.priority.sweeps",
        "placement.auth.sweeps",
    ):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


async def run_all_sweeps(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings
) -> dict[str, int]:
    load_sweeps()
    results: dict[str, int] = {}
    for name, sweep in SWEEPS.items():
        try:
            async with transaction(sessionmaker) as session:
                await system_scope(session)
                results[name] = await sweep(session, clock, settings)
        except Exception as exc:  # one failing sweep must not stop the others
            # The type only: a database error's message carries the statement's values.
            log.error("sweep %s failed: %s", name, type(exc).__name__)
            results[name] = -1
    return results
