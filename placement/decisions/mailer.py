"""E-mail over SMTP for notifications. A message holds the case number and a link, nothing
else: e-mail leaves the city's systems, so it must not say who or where.

Sending is at-least-once: rows are claimed with ``FOR UPDATE SKIP LOCKED`` (two schedulers
never send the same one), marked sent in the same transaction; if the commit fails after the
SMTP server accepted a message, it is sent again on the next run.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.clock import Clock
from placement.config import Settings
from placement.decisions.notifications import EMAIL
from placement.models import Notification, Reminder, UserAccount

log = logging.getLogger(__name__)

BATCH = 200


def compose(settings: Settings, to: str, case_number: str | None, case_id: object) -> EmailMessage:
    base = settings.base_url.rstrip("/")
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = to
    if case_number:
        msg["Subject"] = f"Boendekedjan: something is due in case {case_number}"
        link = f"{base}/cases/{case_id}" if case_id else f"{base}/inbox"
        body = f"Something is due in case {case_number}.\n\nSign in to see it: {link}\n"
    else:
        msg["Subject"] = "Boendekedjan: something is due"
        body = f"Something is due.\n\nSign in to see it: {base}/inbox\n"
    msg.set_content(body + "\nThis message deliberately contains no personal data.\n")
    return msg


def _send_all(settings: Settings, messages: list[EmailMessage]) -> None:
    assert settings.smtp_host  # noqa: S101 - checked by the caller
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        for message in messages:
            smtp.send_message(message)


async def send_pending(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    if not settings.smtp_host:
        return 0
    rows = (
        await session.execute(
            select(Notification, UserAccount.email, Reminder.case_id)
            .join(UserAccount, col(UserAccount.id) == col(Notification.user_id))
            .outerjoin(Reminder, col(Reminder.id) == col(Notification.reminder_id))
            .where(col(Notification.channel) == EMAIL, col(Notification.sent_at).is_(None))
            .order_by(col(Notification.created_at))
            .limit(BATCH)
            .with_for_update(of=Notification, skip_locked=True)
        )
    ).all()
    sendable = [(n, email, case_id) for n, email, case_id in rows if email]
    if not sendable:
        return 0
    messages = [compose(settings, email, n.case_number, case_id) for n, email, case_id in sendable]
    try:
        await asyncio.to_thread(_send_all, settings, messages)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("e-mail not sent (%s); will retry", type(exc).__name__)
        return 0
    now = clock.now()
    for n, _email, _case in sendable:
        n.sent_at = now
    await session.flush()
    return len(sendable)
