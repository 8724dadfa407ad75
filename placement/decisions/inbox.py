"""The in-app inbox: notifications to me and to my team (my district)."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, false, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.clock import Clock
from placement.decisions.notifications import INBOX, label, team_key, user_key
from placement.decisions.schemas import NotificationRead
from placement.errors import NotFound
from placement.models import Notification, Reminder


def _mine(actor: Actor) -> ColumnElement[bool]:
    keys = []
    if actor.user_id is not None:
        keys.append(user_key(actor.user_id))
    if actor.district_id is not None:
        keys.append(team_key(actor.district_id))
    if not keys:
        return false()
    return col(Notification.recipient_key).in_(keys)


def _read(n: Notification, escalated: bool) -> NotificationRead:
    return NotificationRead(
        id=n.id,
        kind=n.kind,
        case_number=n.case_number,
        recipient_key=n.recipient_key,
        created_at=n.created_at,
        read_at=n.read_at,
        label=label(n.kind, escalated),
    )


async def list_inbox(
    session: AsyncSession, actor: Actor, *, unread_only: bool = False, limit: int = 200
) -> list[NotificationRead]:
    stmt = (
        select(Notification, Reminder.escalated)
        .outerjoin(Reminder, col(Reminder.id) == col(Notification.reminder_id))
        .where(col(Notification.channel) == INBOX, _mine(actor))
        .order_by(col(Notification.created_at).desc(), col(Notification.id))
        .limit(limit)
    )
    if unread_only:
        stmt = stmt.where(col(Notification.read_at).is_(None))
    rows = (await session.execute(stmt)).all()
    return [_read(n, bool(escalated)) for n, escalated in rows]


async def mark_read(
    session: AsyncSession, clock: Clock, actor: Actor, notification_id: uuid.UUID
) -> NotificationRead:
    row = (
        await session.execute(
            select(Notification, Reminder.escalated)
            .outerjoin(Reminder, col(Reminder.id) == col(Notification.reminder_id))
            .where(
                col(Notification.id) == notification_id,
                col(Notification.channel) == INBOX,
                _mine(actor),
            )
            .with_for_update(of=Notification)
        )
    ).first()
    if row is None:
        raise NotFound("No such message in your inbox.", field="notification_id")
    notification, escalated = row
    if notification.read_at is None:
        notification.read_at = clock.now()
        await session.flush()
    return _read(notification, bool(escalated))


async def mark_all_read(session: AsyncSession, clock: Clock, actor: Actor) -> int:
    result = await session.execute(
        update(Notification)
        .where(
            col(Notification.channel) == INBOX,
            _mine(actor),
            col(Notification.read_at).is_(None),
        )
        .values(read_at=clock.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)
