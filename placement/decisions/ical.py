"""A per-user iCalendar feed (RFC 5545) of due dates, written by hand: a handful of fields
do not need a dependency. Events carry a generic label and the case number, never personal
data. The feed URL holds a secret token; only its SHA-256 digest is stored
(``user_account.calendar_token_hash``), and issuing a new one revokes the old.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.auth.permissions import Permission, has_permission
from placement.auth.scope import apply_scope
from placement.auth.secrets import new_token, token_digest
from placement.auth.service import actor_for
from placement.clock import Clock
from placement.config import Settings
from placement.decisions.due import due_items
from placement.decisions.schemas import CalendarTokenRead, DueItem
from placement.errors import N_, NotFound
from placement.models import UserAccount

FEED_AHEAD = timedelta(days=30)
EVENT_LENGTH = timedelta(minutes=15)
FEED_NOT_FOUND = N_("No such calendar feed.")


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(raw):
        end = min(start + limit, len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:  # never split a UTF-8 character
            end -= 1
        parts.append(raw[start:end].decode())
        start, limit = end, 74
    return "\r\n ".join(parts)


def render(items: Iterable[DueItem], now: datetime, settings: Settings) -> str:
    base = settings.base_url.rstrip("/")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Boendekedjan//Due dates//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Boendekedjan",
    ]
    for item in items:
        summary = f"{item.label} {item.case_number}" if item.case_number else item.label
        link = f"{base}/cases/{item.case_id}" if item.case_id else f"{base}/due"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{item.kind.value}-{item.subject_id}-{_stamp(item.due_at)}@boendekedjan",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(item.due_at)}",
            f"DTEND:{_stamp(item.due_at + EVENT_LENGTH)}",
            f"SUMMARY:{_escape(summary)}",
            f"URL:{link}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


async def issue_token(session: AsyncSession, actor: Actor, settings: Settings) -> CalendarTokenRead:
    user = await session.get(UserAccount, actor.user_id) if actor.user_id else None
    if user is None:
        raise NotFound("No such user.")
    token = new_token()
    user.calendar_token_hash = token_digest(token)
    await session.flush()
    return CalendarTokenRead(url=f"{settings.base_url.rstrip('/')}/api/calendar/{token}.ics")


async def revoke_token(session: AsyncSession, actor: Actor) -> None:
    user = await session.get(UserAccount, actor.user_id) if actor.user_id else None
    if user is not None:
        user.calendar_token_hash = None
        await session.flush()


async def feed(session: AsyncSession, clock: Clock, settings: Settings, token: str) -> str:
    user = await session.scalar(
        select(UserAccount).where(col(UserAccount.calendar_token_hash) == token_digest(token))
    )
    if user is None or not user.is_active or not has_permission(user.role, Permission.due_read):
        raise NotFound(FEED_NOT_FOUND)
    actor = actor_for(user)
    await apply_scope(session, actor)  # the token stands for its user, row security too
    items = await due_items(session, clock, actor, within=FEED_AHEAD)
    return render(items, clock.now(), settings)
