"""The auditor's view of the log: who (user name and name), what (action and kind of
record), which case (by its number, not its id), when, and why. Filters by user (user name
or name, any part) and by case number (the whole number or its start).

Case numbers live in the case table, which an auditor's row-level scope does not reach: they
are looked up in one audited elevation (``elevated``, purpose ``audit_case_numbers``), only
numbers, nothing else from the case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.audit.queries import MAX_ROWS, AuditFilter, search, to_csv
from placement.audit.service import record
from placement.auth.actor import Actor
from placement.auth.permissions import Permission, has_permission
from placement.auth.scope import elevated
from placement.cases.search import normalise
from placement.clock import Clock
from placement.errors import N_, Forbidden
from placement.models import AuditEntry, Case, UserAccount
from placement.models.enums import AuditAction

PURPOSE = "audit_case_numbers"
NOT_AUDITOR = N_("Only auditors read the audit log.")


@dataclass(frozen=True, slots=True)
class AuditRow:
    at: datetime
    username: str | None
    display_name: str | None
    role: str | None
    action: str
    entity_type: str
    case_number: str | None
    flagged: bool
    reason: str | None


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """The auditor's filters: the one object both the page and its CSV export apply."""

    user: str = ""  # part of a user name or a name
    case_number: str = ""  # the whole number or its start
    since: datetime | None = None
    until: datetime | None = None
    flagged_only: bool = False
    limit: int = 200


async def _case_numbers(
    session: AsyncSession, clock: Clock, actor: Actor, ids: set[uuid.UUID], prefix: str
) -> tuple[dict[uuid.UUID, str], list[uuid.UUID] | None]:
    """Numbers of the cases in ``ids``, and (when a number was asked for) the ids it fits."""
    if not ids and not prefix:
        return {}, None
    async with elevated(session, clock, actor, PURPOSE):
        names = {}
        if ids:
            rows = await session.execute(
                select(Case.id, Case.case_number).where(col(Case.id).in_(ids))
            )
            names = {i: n for i, n in rows.all()}
        fits = None
        if prefix:
            rows = await session.execute(
                select(Case.id).where(func.upper(col(Case.case_number)).startswith(prefix))
            )
            fits = list(rows.scalars())
    return names, fits


async def _matching(
    session: AsyncSession, clock: Clock, actor: Actor, q: AuditQuery
) -> tuple[list[AuditEntry], dict[uuid.UUID, str]]:
    """The entries ``q`` selects (newest first) and the numbers of their cases."""
    if not has_permission(actor.role, Permission.audit_read):
        raise Forbidden(NOT_AUDITOR)
    prefix = normalise(q.case_number) if q.case_number.strip() else ""
    case_ids: list[uuid.UUID] | None = None
    if prefix:
        _, case_ids = await _case_numbers(session, clock, actor, set(), prefix)
        if not case_ids:
            return [], {}
    user_ids: list[uuid.UUID] | None = None
    usernames: list[str] | None = None
    if q.user.strip():
        pattern = f"%{q.user.strip()}%"
        users = (
            await session.execute(
                select(UserAccount.id, UserAccount.username).where(
                    or_(
                        col(UserAccount.username).ilike(pattern),
                        col(UserAccount.display_name).ilike(pattern),
                    )
                )
            )
        ).all()
        user_ids = [u for u, _ in users]
        usernames = [n for _, n in users]
        if not users:
            return [], {}
    entries = await search(
        session,
        AuditFilter(since=q.since, until=q.until, flagged_only=q.flagged_only, limit=q.limit),
        case_ids=case_ids,
        user_ids=user_ids,
        usernames=usernames,
    )
    ids = {e.case_id for e in entries if e.case_id is not None}
    numbers, _ = await _case_numbers(session, clock, actor, ids, "")
    return entries, numbers


async def audit_rows(
    session: AsyncSession, clock: Clock, actor: Actor, q: AuditQuery
) -> list[AuditRow]:
    entries, numbers = await _matching(session, clock, actor, q)
    people = {
        i: n
        for i, n in (
            await session.execute(
                select(UserAccount.id, UserAccount.display_name).where(
                    col(UserAccount.id).in_({e.user_id for e in entries if e.user_id})
                )
            )
        ).all()
    }
    return [_row(e, people, numbers) for e in entries]


async def audit_export(session: AsyncSession, clock: Clock, actor: Actor, q: AuditQuery) -> str:
    """The CSV of exactly what the page with ``q`` lists (up to the export's row limit),
    with each case's number; the export itself is audited."""
    wide = AuditQuery(
        user=q.user,
        case_number=q.case_number,
        since=q.since,
        until=q.until,
        flagged_only=q.flagged_only,
        limit=MAX_ROWS,
    )
    entries, numbers = await _matching(session, clock, actor, wide)
    await record(
        session, clock, actor, AuditAction.export, "audit_log", reason=f"{len(entries)} entries"
    )
    return to_csv(entries, numbers)


def _row(e: AuditEntry, people: dict[uuid.UUID, str], numbers: dict[uuid.UUID, str]) -> AuditRow:
    return AuditRow(
        at=e.at,
        username=e.username,
        display_name=people.get(e.user_id) if e.user_id else None,
        role=e.role,
        action=e.action.value,
        entity_type=e.entity_type,
        case_number=numbers.get(e.case_id) if e.case_id else None,
        flagged=e.flagged_for_review,
        reason=e.reason,
    )
