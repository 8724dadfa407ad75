"""What is due: the list for my district or team, and my iCalendar feed of due dates."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.deps import ClockDep, SessionDep, SettingsDep, require
from api.routing import UnitOfWorkRoute
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.decisions import ical
from placement.decisions.due import due_items
from placement.decisions.schemas import CalendarTokenRead, DueItem

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api", tags=["due"])

DueReader = Annotated[Actor, Depends(require(Permission.due_read))]


@router.get("/due")
async def due(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: DueReader,
    within_hours: Annotated[int | None, Query(ge=0, le=24 * 90)] = None,
    mine: bool = False,
) -> list[DueItem]:
    """Everything due or overdue for my district (Socialjouren: the city), most urgent
    first. ``within_hours`` defaults to the decision-ending warning window."""
    hours = settings.decision_ending_warning_hours if within_hours is None else within_hours
    return await due_items(session, clock, actor, within=timedelta(hours=hours), mine=mine)


@router.post("/calendar/token", status_code=201)
async def issue_calendar_token(
    session: SessionDep, settings: SettingsDep, actor: DueReader
) -> CalendarTokenRead:
    """A new secret feed URL (shown once); the previous one stops working."""
    return await ical.issue_token(session, actor, settings)


@router.delete("/calendar/token", status_code=204)
async def revoke_calendar_token(session: SessionDep, actor: DueReader) -> None:
    await ical.revoke_token(session, actor)


@router.get("/calendar/{token}.ics", response_class=Response)
async def calendar_feed(
    token: str, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> Response:
    """The feed a calendar app subscribes to; the secret in the URL is the credential."""
    body = await ical.feed(session, clock, settings, token)
    return Response(
        content=body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="boendekedjan.ics"'},
    )
