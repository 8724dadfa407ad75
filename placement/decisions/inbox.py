"""The in-app inbox: notifications to me and to my team (my district)."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, false, func, update
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


def _inbox_filter(actor: Actor, *, unread_only: bool) -> list[ColumnElement[bool]]:
    """What the actor's inbox holds: one definition for the listing and the menu's count."""
    where = [col(Notification.channel) == INBOX, _mine(actor)]
    if unread_only:
        where.append(col(Notification.read_at).is_(None))
    return where


# The menu's badge counts unread messages up to here, then says "500+": a bound on the
# count's cost that never shows fewer than there are.
UNREAD_CAP = 500


async def list_inbox(
    session: AsyncSession,
    actor: Actor,
    *,
    unread_only: bool = False,
    limit: int = 200,
    offset: int = 0,
) -> list[NotificationRead]:
    """One page of the inbox, newest first (``inbox_size`` counts all of it)."""
    stmt = (
        select(Notification, Reminder.escalated)
        .outerjoin(Reminder, col(Reminder.id) == col(Notification.reminder_id))
        .where(*_inbox_filter(actor, unread_only=unread_only))
        .order_by(col(Notification.created_at).desc(), col(Notification.id))
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.execute(stmt)).all()
    return [_read(n, bool(escalated)) for n, escalated in rows]


async def inbox_size(session: AsyncSession, actor: Actor, *, unread_only: bool = False) -> int:
    """How many messages ``list_inbox`` pages through (the same filter), counted in SQL."""
    counted = select(func.count(col(Notification.id))).where(
        *_inbox_filter(actor, unread_only=unread_only)
    )
    return int((await session.execute(counted)).scalar_one())


async def unread_count(session: AsyncSession, actor: Actor, *, cap: int = UNREAD_CAP) -> int:
    """The unread messages, counted in SQL (no rows loaded) up to ``cap + 1``: a result
    above ``cap`` means "more than ``cap``" (the menu shows "500+")."""
    ids = select(col(Notification.id)).where(*_inbox_filter(actor, unread_only=True))
    counted = select(func.count()).select_from(ids.limit(cap + 1).subquery())
    return int((await session.execute(counted)).scalar_one())


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
