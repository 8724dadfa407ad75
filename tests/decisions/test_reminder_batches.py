"""A catch-up at national size: more reminders fall due at once than one INSERT can carry
(32,767 parameters), and the sweep still creates each of them once."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from placement.auth.scope import system_scope
from placement.clock import FrozenClock
from placement.config import Settings
from placement.db import transaction
from placement.decisions.reminders import INSERT_BATCH, DueReminder, create_reminders
from placement.models import Reminder
from placement.models.enums import ReminderKind
from tests.conftest import TEST_NOW

MANY = 3500  # x 10 parameters > 32,767


def _due(n: int) -> list[DueReminder]:
    kind = ReminderKind.hold_expired
    return [
        DueReminder(
            kind, kind.value, uuid.uuid4(), TEST_NOW, None, None, None, None, once_per_subject=True
        )
        for _ in range(n)
    ]


async def test_more_reminders_than_one_insert_can_carry(
    sessionmaker: Any, settings: Settings
) -> None:
    assert MANY > INSERT_BATCH
    due = _due(MANY)
    clock = FrozenClock(TEST_NOW)
    async with transaction(sessionmaker) as s:
        await system_scope(s)
        assert await create_reminders(s, clock, settings, due) == MANY
    async with transaction(sessionmaker) as s:
        await system_scope(s)
        # Again: nothing new (the keys are there), across the batch boundaries too.
        assert await create_reminders(s, clock, settings, due) == 0
        count = await s.scalar(select(func.count()).select_from(Reminder))
    assert count == MANY
