"""Reminders and inbox lines for both sides. Inserts are idempotent (unique keys, ON CONFLICT)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.models import Case, Notification, Reminder, UserAccount
from placement.models.enums import ReminderKind, Role


def team_key(district_id: uuid.UUID) -> str:
    return f"team:{district_id}"


def user_key(user_id: uuid.UUID) -> str:
    return f"user:{user_id}"


async def ensure_reminder(
    session: AsyncSession,
    *,
    key: str,
    kind: ReminderKind,
    due_at: datetime,
    now: datetime,
    case_id: uuid.UUID | None = None,
    subject_id: uuid.UUID | None = None,
    district_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
) -> tuple[uuid.UUID, bool]:
    """The reminder with ``key`` (created if new) and whether this call created it."""
    created = await session.scalar(
        insert(Reminder)
        .values(
            id=uuid.uuid4(),
            key=key,
            kind=kind,
            case_id=case_id,
            subject_id=subject_id,
            district_id=district_id,
            user_id=user_id,
            due_at=due_at,
            created_at=now,
            escalated=False,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(col(Reminder.id))
    )
    if created is not None:
        return created, True
    existing = await session.scalar(select(col(Reminder.id)).where(col(Reminder.key) == key))
    if existing is None:  # pragma: no cover - the conflicting row was rolled back meanwhile
        raise RuntimeError(f"reminder {key} vanished")
    return existing, False


async def notify(
    session: AsyncSession,
    *,
    recipient_key: str,
    kind: str,
    now: datetime,
    case_number: str | None,
    reminder_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    district_id: uuid.UUID | None = None,
) -> None:
    await session.execute(
        insert(Notification)
        .values(
            id=uuid.uuid4(),
            reminder_id=reminder_id,
            channel="inbox",
            recipient_key=recipient_key,
            user_id=user_id,
            district_id=district_id,
            case_number=case_number,
            kind=kind,
            created_at=now,
        )
        .on_conflict_do_nothing(constraint="uq_notification_once")
    )


async def notify_handler(
    session: AsyncSession,
    case: Case,
    *,
    kind: str,
    now: datetime,
    reminder_id: uuid.UUID | None = None,
) -> None:
    """The case's team inbox, and the named handler's own inbox when there is one."""
    await notify(
        session,
        recipient_key=team_key(case.responsible_district_id),
        district_id=case.responsible_district_id,
        kind=kind,
        now=now,
        case_number=case.case_number,
        reminder_id=reminder_id,
    )
    if case.handler_id is not None:
        await notify(
            session,
            recipient_key=user_key(case.handler_id),
            user_id=case.handler_id,
            kind=kind,
            now=now,
            case_number=case.case_number,
            reminder_id=reminder_id,
        )


async def notify_agency(
    session: AsyncSession,
    case: Case,
    *,
    kind: str,
    now: datetime,
    reminder_id: uuid.UUID | None = None,
) -> None:
    """Every active housing-agency account (the agency has no district team)."""
    users = (
        await session.execute(
            select(col(UserAccount.id)).where(
                col(UserAccount.role) == Role.housing_agency, col(UserAccount.is_active)
            )
        )
    ).scalars()
    for uid in users:
        await notify(
            session,
            recipient_key=user_key(uid),
            user_id=uid,
            kind=kind,
            now=now,
            case_number=case.case_number,
            reminder_id=reminder_id,
        )


async def resolve_reminders(
    session: AsyncSession, kind: ReminderKind, subject_id: uuid.UUID, now: datetime
) -> None:
    await session.execute(
        update(Reminder)
        .where(
            col(Reminder.kind) == kind,
            col(Reminder.subject_id) == subject_id,
            col(Reminder.resolved_at).is_(None),
        )
        .values(resolved_at=now)
    )
