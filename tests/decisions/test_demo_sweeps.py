"""The sweeps over the whole demo city: no failure, and a second run changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import select

from placement.clock import FrozenClock
from placement.config import Settings
from placement.db import transaction
from placement.jobs import run_all_sweeps
from placement.models import Notification, Reminder
from tests.conftest import owner_sm


async def test_sweeps_over_the_demo_city_are_idempotent(
    app: Any, demo: dict[str, int], clock: FrozenClock, settings: Settings
) -> None:
    sm = owner_sm(app)
    first = await run_all_sweeps(sm, clock, settings)
    assert all(v >= 0 for k, v in first.items() if k.startswith("decisions.")), first
    async with transaction(sm) as s:
        reminders = await s.scalar(select(func.count()).select_from(Reminder))
        notes = await s.scalar(select(func.count()).select_from(Notification))
    assert reminders and notes  # the demo city has decisions ending and follow-ups due
    second = await run_all_sweeps(sm, clock, settings)
    assert all(v == 0 for k, v in second.items() if k.startswith("decisions.")), second
    async with transaction(sm) as s:
        assert await s.scalar(select(func.count()).select_from(Reminder)) == reminders
        assert await s.scalar(select(func.count()).select_from(Notification)) == notes
