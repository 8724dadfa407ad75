"""The operator records a household's arrival (or that it did not come) and the safety plan
at move-in and at move-out, from /operator (by case number only; the service in
placement.referrals.stays checks that the stay is in the operator's own units)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.csrf import check_csrf
from api.deps import ClockDep, SessionDep, SettingsDep
from api.labels import N_
from api.pages.operator_page import PATH, OperatorActor, failed
from api.routing import UnitOfWorkRoute
from placement.errors import Conflict, InvalidInput, NotFound
from placement.inventory.rules import local_date
from placement.referrals import stays

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)

WRITE_TIME = N_("Write the time as hh:mm, for example 14:30.")
WRITE_DAY = N_("Choose the day the safety plan was made.")


def _arrival_time(raw: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """A clock time today (Stockholm); a time later than now means yesterday (a late arrival
    recorded after midnight). Empty: now."""
    if not raw:
        return now
    try:
        clock_time = time.fromisoformat(raw)
    except ValueError:
        return None
    local_now = now.astimezone(tz)
    at = datetime.combine(local_now.date(), clock_time.replace(tzinfo=None), tzinfo=tz)
    if at > local_now + timedelta(minutes=5):
        at -= timedelta(days=1)
    return at


@router.post(PATH + "/stays/{group_id}/arrived")
async def arrived(
    group_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: OperatorActor,
) -> Response:
    await check_csrf(request)
    form = await request.form()
    key = f"stay-{group_id}"
    at = _arrival_time(
        str(form.get("arrived_time", "")).strip(), clock.now(), ZoneInfo(settings.timezone)
    )
    if at is None:
        return await failed(request, session, clock, settings, actor, key, WRITE_TIME, 422)
    try:
        await stays.record_arrival(session, clock, actor, group_id, at)
    except InvalidInput as exc:
        return await failed(request, session, clock, settings, actor, key, exc, 422)
    except (NotFound, Conflict) as exc:
        return await failed(request, session, clock, settings, actor, key, exc, 409)
    return RedirectResponse(f"{PATH}?done=arrived#stays", status_code=303)


@router.post(PATH + "/stays/{group_id}/did-not-come")
async def did_not_come(
    group_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: OperatorActor,
) -> Response:
    await check_csrf(request)
    key = f"stay-{group_id}"
    try:
        await stays.record_did_not_come(session, clock, actor, group_id)
    except (NotFound, Conflict) as exc:
        return await failed(request, session, clock, settings, actor, key, exc, 409)
    return RedirectResponse(f"{PATH}?done=did_not_come#stays", status_code=303)


@router.post(PATH + "/stays/{group_id}/safety-plan/{moment}")
async def safety_plan(
    group_id: uuid.UUID,
    moment: str,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: OperatorActor,
) -> Response:
    await check_csrf(request)
    if moment not in ("in", "out"):
        return Response(status_code=404)
    form = await request.form()
    key = f"stay-{group_id}"
    raw = str(form.get("on", "")).strip()
    try:
        on = date.fromisoformat(raw) if raw else local_date(clock.now(), settings.timezone)
    except ValueError:
        return await failed(request, session, clock, settings, actor, key, WRITE_DAY, 422)
    try:
        await stays.record_safety_plan(
            session,
            clock,
            actor,
            group_id,
            "in" if moment == "in" else "out",
            on,
            timezone=settings.timezone,
        )
    except InvalidInput as exc:
        return await failed(request, session, clock, settings, actor, key, exc, 422)
    except (NotFound, Conflict) as exc:
        return await failed(request, session, clock, settings, actor, key, exc, 409)
    return RedirectResponse(f"{PATH}?done=plan_{moment}#stays", status_code=303)
