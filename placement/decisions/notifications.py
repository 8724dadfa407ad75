"""Fan a reminder out to its recipients: an inbox line for the handler (and, when escalated,
the district's team leads), one for the district's team, and an e-mail for each person with
an address when SMTP is configured. Notifications carry the case number only, never
personal data; ``uq_notification_once`` makes a second fan-out a no-op.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.clock import Clock
from placement.config import Settings
from placement.models import Case, Notification, Reminder, UserAccount
from placement.models.enums import ReminderKind

INBOX = "inbox"
EMAIL = "email"

# Generic texts: they describe the kind of deadline, never the person.
LABELS: dict[str, str] = {
    ReminderKind.decision_ending: "A decision ends soon and has not been renewed or ended.",
    ReminderKind.decision_expired: "A decision has run out without renewal (escalated).",
    ReminderKind.follow_up_overdue: "A follow-up is overdue.",
    ReminderKind.handover_due: "A case handed over by Socialjouren is waiting for the district.",
    ReminderKind.court_deadline: "An immediate LPSB decision must be submitted to the "
    "administrative court.",
    ReminderKind.hold_expired: "A hold on a place has expired; the place is no longer kept.",
    ReminderKind.certificate_requested: "A certificate for a priority application is requested.",
    ReminderKind.committee_papers_due: "Papers for the priority committee are due.",
    ReminderKind.ivo_permit_expiring: "A unit's IVO permit is about to expire.",
    # Housing-queue priority (placement/priority/notify.py).
    "priority_submitted": "A priority application was submitted to the housing agency.",
    "priority_certificate": "A certificate was attached to a priority application.",
    "priority_appeal": "A priority decision was appealed to the committee.",
    "committee_decided": "The priority committee has decided an appeal.",
    "priority_flat_offered": "A flat was offered to a household with priority.",
    "priority_offer_answered": "A household answered a flat offer.",
    "priority_contract": "A lease was signed: end the placement on moving day.",
    "priority_message": "A new message on a priority application.",
    "priority_edited": "A priority application was changed.",
}


@dataclass(frozen=True, slots=True)
class Recipients:
    """Who a reminder goes to: its user, its district's team, and (escalated) the leads."""

    reminder_id: uuid.UUID
    kind: str
    case_number: str | None
    user_id: uuid.UUID | None
    district_id: uuid.UUID | None
    escalated: bool


def label(kind: str, escalated: bool = False) -> str:
    text = LABELS.get(kind, "Something is due.")
    if kind == ReminderKind.court_deadline and escalated:
        return "The court-submission deadline of an immediate LPSB decision has passed."
    return text


def user_key(user_id: uuid.UUID) -> str:
    return f"user:{user_id}"


def team_key(district_id: uuid.UUID) -> str:
    return f"team:{district_id}"


async def recipients(session: AsyncSession, due: Recipients) -> list[UserAccount]:
    ids: set[uuid.UUID] = set()
    if due.user_id is not None:
        ids.add(due.user_id)
    if due.escalated and due.district_id is not None:
        leads = (
            await session.execute(
                select(UserAccount.id).where(
                    col(UserAccount.district_id) == due.district_id,
                    col(UserAccount.is_team_lead).is_(True),
                    col(UserAccount.is_active).is_(True),
                )
            )
        ).scalars()
        ids.update(leads)
    if not ids:
        return []
    users = (
        await session.execute(
            select(UserAccount)
            .where(col(UserAccount.id).in_(ids), col(UserAccount.is_active).is_(True))
            .order_by(col(UserAccount.id))
        )
    ).scalars()
    return list(users)


async def fan_out(session: AsyncSession, clock: Clock, settings: Settings, due: Recipients) -> int:
    now = clock.now()
    base = {
        "reminder_id": due.reminder_id,
        "case_number": due.case_number,
        "kind": str(due.kind),
        "created_at": now,
    }
    rows: list[dict[str, object]] = []
    for user in await recipients(session, due):
        rows.append(
            {**base, "channel": INBOX, "recipient_key": user_key(user.id), "user_id": user.id}
        )
        if settings.smtp_host and user.email:
            rows.append(
                {**base, "channel": EMAIL, "recipient_key": user_key(user.id), "user_id": user.id}
            )
    if due.district_id is not None:
        rows.append(
            {
                **base,
                "channel": INBOX,
                "recipient_key": team_key(due.district_id),
                "district_id": due.district_id,
            }
        )
    if not rows:
        return 0
    values = [{"id": uuid.uuid4(), "user_id": None, "district_id": None, **row} for row in rows]
    stmt = (
        insert(Notification)
        .values(values)
        .on_conflict_do_nothing(constraint="uq_notification_once")
        .returning(col(Notification.id))
    )
    return len((await session.execute(stmt)).all())


# Reminders read a batch (a bound on one query's rows); the sweep goes on batch by batch.
FAN_OUT_BATCH = 500


async def fan_out_missing(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    """Fan out every open reminder that has no notification yet, whichever area's sweep
    created it (inventory, priority ...), or whose fan-out was interrupted: all of them, in
    batches of ``FAN_OUT_BATCH`` walked by (created, key). (One batch of 500 a sweep left
    the rest waiting, and 500 reminders that fan out to nobody, e.g. for a deactivated
    user, would have held back every newer one for good.)"""
    created = 0
    after: tuple[datetime, str] | None = None
    while True:
        stmt = (
            select(Reminder, Case.case_number)
            .outerjoin(Case, col(Case.id) == col(Reminder.case_id))
            .where(
                col(Reminder.resolved_at).is_(None),
                or_(col(Reminder.user_id).is_not(None), col(Reminder.district_id).is_not(None)),
                ~exists().where(col(Notification.reminder_id) == col(Reminder.id)),
            )
            .order_by(col(Reminder.created_at), col(Reminder.key))
            .limit(FAN_OUT_BATCH)
        )
        if after is not None:
            stmt = stmt.where(tuple_(col(Reminder.created_at), col(Reminder.key)) > tuple_(*after))
        rows = (await session.execute(stmt)).all()
        for reminder, case_number in rows:
            created += await fan_out(
                session,
                clock,
                settings,
                Recipients(
                    reminder.id,
                    reminder.kind,
                    case_number,
                    reminder.user_id,
                    reminder.district_id,
                    reminder.escalated,
                ),
            )
        if len(rows) < FAN_OUT_BATCH:
            return created
        last = rows[-1][0]
        after = (last.created_at, last.key)
