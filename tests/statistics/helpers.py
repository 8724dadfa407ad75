"""Shared helpers for the statistics tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from placement.auth.actor import Actor
from placement.clock import Clock
from placement.config import Settings
from placement.db import transaction
from placement.models.enums import Role
from placement.statistics.period import Period
from placement.statistics.report import Filters, build_report

COORDINATOR = Actor(user_id=None, username="samordnare-test", role=Role.coordinator)


async def report_for(
    sessionmaker: Any, clock: Clock, settings: Settings, start: date, end: date, **kw: Any
) -> dict[str, Any]:
    async with transaction(sessionmaker) as s:
        return await build_report(
            s, clock, settings, COORDINATOR, Filters(Period(start, end), **kw)
        )


def goal(report: dict[str, Any], key: str) -> dict[str, Any]:
    return next(g for g in report["goals"] if g["key"] == key)
