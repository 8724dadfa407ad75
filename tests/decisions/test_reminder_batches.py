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


async def test_fan_out_goes_past_reminders_that_reach_nobody(
    sessionmaker: Any, settings: Settings, monkeypatch: Any
) -> None:
    """More reminders than one batch reach nobody (their user was deactivated); a newer one
    for an active user still reaches the inbox in the same sweep (one batch a sweep, as
    before, never got to it)."""
    from datetime import timedelta

    from sqlmodel import col

    from placement.decisions import notifications
    from placement.models import Notification, UserAccount
    from placement.models.enums import Role

    monkeypatch.setattr(notifications, "FAN_OUT_BATCH", 3)
    tag = uuid.uuid4().hex[:6]
    gone = UserAccount(
        username=f"gone-{tag}", display_name="x", password_hash="x", role=Role.socialjour,
        email=None, is_active=False,
    )  # fmt: skip
    here = UserAccount(
        username=f"here-{tag}", display_name="x", password_hash="x", role=Role.socialjour,
        email=None,
    )  # fmt: skip
    kind = ReminderKind.hold_expired
    async with transaction(sessionmaker) as s:
        await system_scope(s)
        s.add_all([gone, here])
        await s.flush()
        for i in range(7):  # more than two batches that fan out to nobody
            s.add(
                Reminder(
                    key=f"stuck-{tag}-{i}", kind=kind, user_id=gone.id, due_at=TEST_NOW,
                    created_at=TEST_NOW - timedelta(hours=2, minutes=-i),
                )
            )  # fmt: skip
        s.add(
            Reminder(
                key=f"fresh-{tag}", kind=kind, user_id=here.id, due_at=TEST_NOW,
                created_at=TEST_NOW - timedelta(hours=1),
            )
        )  # fmt: skip
    clock = FrozenClock(TEST_NOW)
    async with transaction(sessionmaker) as s:
        await system_scope(s)
        await notifications.fan_out_missing(s, clock, settings)
    async with transaction(sessionmaker) as s:
        await system_scope(s)
        reached = await s.scalar(
            select(func.count())
            .select_from(Notification)
            .where(col(Notification.recipient_key) == f"user:{here.id}")
        )
    assert reached == 1
