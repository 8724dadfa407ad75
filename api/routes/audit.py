"""The audit log for auditors: search, CSV export, and the review report. Read-only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import ClockDep, SessionDep, require
from api.routing import UnitOfWorkRoute
from placement.audit import queries
from placement.audit.service import record
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.models.enums import AuditAction

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/audit", tags=["audit"])
Auditor = Annotated[Actor, Depends(require(Permission.audit_read))]


class AuditEntryRead(BaseModel):
    at: datetime
    username: str | None
    role: str | None
    action: str
    entity_type: str
    entity_id: uuid.UUID | None
    case_id: uuid.UUID | None
    protected_identity: bool
    flagged_for_review: bool
    reason: str | None


def _filter(
    username: str | None = None,
    case_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    action: AuditAction | None = None,
    flagged_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_ROWS)] = 200,
) -> queries.AuditFilter:
    return queries.AuditFilter(
        username=username,
        case_id=case_id,
        since=since,
        until=until,
        action=action.value if action else None,
        flagged_only=flagged_only,
        limit=limit,
    )


Filter = Annotated[queries.AuditFilter, Depends(_filter)]


def _read(e: object) -> AuditEntryRead:
    return AuditEntryRead.model_validate(e, from_attributes=True)


@router.get("/entries")
async def list_entries(f: Filter, session: SessionDep, actor: Auditor) -> list[AuditEntryRead]:
    return [_read(e) for e in await queries.search(session, f)]


@router.get("/export.csv")
async def export_entries(
    f: Filter, session: SessionDep, clock: ClockDep, actor: Auditor
) -> Response:
    entries = await queries.search(session, f)
    await record(
        session, clock, actor, AuditAction.export, "audit_log", reason=f"{len(entries)} entries"
    )
    return Response(
        queries.to_csv(entries),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


@router.get("/review")
async def review(
    session: SessionDep,
    actor: Auditor,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AuditEntryRead]:
    """Reads and reveals of protected-identity cases by users not assigned to them, and
    placements that override a placement rule."""
    return [_read(e) for e in await queries.review_report(session, since, until)]
