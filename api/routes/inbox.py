"""The in-app inbox: reminders for me and for my team."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ClockDep, CurrentActor, SessionDep
from api.routing import UnitOfWorkRoute
from placement.decisions import inbox
from placement.decisions.schemas import NotificationRead

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/inbox", tags=["inbox"])


@router.get("")
async def list_inbox(
    session: SessionDep,
    actor: CurrentActor,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[NotificationRead]:
    """Newest first, ``limit`` at a time: ``offset`` pages on (a short page is the last)."""
    return await inbox.list_inbox(session, actor, unread_only=unread, limit=limit, offset=offset)


@router.post("/read-all")
async def mark_all_read(
    session: SessionDep, clock: ClockDep, actor: CurrentActor
) -> dict[str, int]:
    return {"marked": await inbox.mark_all_read(session, clock, actor)}


@router.post("/{notification_id}/read")
async def mark_read(
    notification_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: CurrentActor
) -> NotificationRead:
    return await inbox.mark_read(session, clock, actor, notification_id)
