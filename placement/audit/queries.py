"""What auditors read: the log filtered by user, case and time, and the review report."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.errors import N_, InvalidInput
from placement.models import AuditEntry

MAX_ROWS = 5000


@dataclass(frozen=True, slots=True)
class AuditFilter:
    username: str | None = None
    case_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    action: str | None = None
    flagged_only: bool = False
    limit: int = 200

    def validate(self) -> None:
        if self.since and self.until and self.until <= self.since:
            raise InvalidInput("'To' must be after 'from'.", field="until")
        if not 1 <= self.limit <= MAX_ROWS:
            raise InvalidInput(
                N_("Show between 1 and {n} rows."), field="limit", params={"n": MAX_ROWS}
            )


async def search(
    session: AsyncSession,
    f: AuditFilter,
    *,
    case_ids: list[uuid.UUID] | None = None,
    user_ids: list[uuid.UUID] | None = None,
    usernames: list[str] | None = None,
) -> list[AuditEntry]:
    """The entries matching ``f`` (newest first); ``case_ids`` and ``user_ids``/``usernames``
    narrow it to any of those cases and users (a user by id, or by the name logged)."""
    f.validate()
    stmt = select(AuditEntry).order_by(col(AuditEntry.at).desc(), col(AuditEntry.id)).limit(f.limit)
    if f.username:
        stmt = stmt.where(col(AuditEntry.username) == f.username)
    if f.case_id:
        stmt = stmt.where(col(AuditEntry.case_id) == f.case_id)
    if f.since:
        stmt = stmt.where(col(AuditEntry.at) >= f.since)
    if f.until:
        stmt = stmt.where(col(AuditEntry.at) < f.until)
    if f.action:
        stmt = stmt.where(col(AuditEntry.action) == f.action)
    if f.flagged_only:
        stmt = stmt.where(col(AuditEntry.flagged_for_review).is_(True))
    if case_ids is not None:
        stmt = stmt.where(col(AuditEntry.case_id).in_(case_ids))
    if user_ids is not None or usernames is not None:
        stmt = stmt.where(
            or_(
                col(AuditEntry.user_id).in_(user_ids or []),
                col(AuditEntry.username).in_(usernames or []),
            )
        )
    return list((await session.execute(stmt)).scalars().all())


async def review_report(
    session: AsyncSession, since: datetime | None, until: datetime | None
) -> list[AuditEntry]:
    """Reads (and reveals) of protected-identity cases by users not assigned to them, and
    placements that override a placement rule (their reason names the rules)."""
    return await search(
        session, AuditFilter(since=since, until=until, flagged_only=True, limit=MAX_ROWS)
    )


CSV_COLUMNS = (
    "at",
    "username",
    "role",
    "action",
    "entity_type",
    "entity_id",
    "case_id",
    "protected_identity",
    "flagged_for_review",
    "reason",
    "request_id",
    "case_number",
)


def to_csv(entries: list[AuditEntry], numbers: dict[uuid.UUID, str] | None = None) -> str:
    """The entries as CSV; ``numbers`` names the cases by number (auditor's page export)."""
    numbers = numbers or {}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e.at.isoformat(),
                e.username,
                e.role,
                e.action.value,
                e.entity_type,
                e.entity_id or "",
                e.case_id or "",
                e.protected_identity,
                e.flagged_for_review,
                e.reason or "",
                e.request_id or "",
                numbers.get(e.case_id, "") if e.case_id else "",
            ]
        )
    return out.getvalue()
