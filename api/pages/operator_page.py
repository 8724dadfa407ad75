"""The operator's page: confirm what is free in the own units, block places for a period.

Only units whose operator is the signed-in operator's are listed or changed (the services in
placement.inventory.vacancy check it again). Free counts come from the bookings; the form to
report is prefilled with them, so confirming takes one tap. Shelter addresses are never shown.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import ColumnElement, func, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.csrf import check_csrf
from api.deps import ClockDep, SessionDep, SettingsDep
from api.labels import N_
from api.pages.board_usage import Usage, usage_by_unit
from api.pages.common import PagePermissionDenied, page_require
from api.pages.paging import Paging, asked_page
from api.routing import UnitOfWorkRoute
from api.templating import render, translate
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.auth.scope import apply_scope
from placement.clock import Clock
from placement.config import Settings
from placement.errors import Conflict, DomainError, InvalidInput, NotFound
from placement.inventory import bookings, listing, vacancy
from placement.inventory.booking_schemas import BlockCreate, BlockRead, VacancyReportCreate
from placement.inventory.capacity import capacity_by_unit, free_now_window
from placement.inventory.listing import UnitFilter, stale_condition
from placement.inventory.rules import local_date
from placement.inventory.schemas import UnitSummary
from placement.inventory.service import places_by_unit
from placement.models import Unit
from placement.models.enums import DeclineReason, PlaceKind
from placement.referrals import service as referrals
from placement.referrals import stays

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
OperatorActor = Annotated[Actor, Depends(page_require(Permission.vacancy_report))]

PATH = "/operator"
DONE = {
    "reported": N_("Thank you. The free places are confirmed."),
    "reported_differs": N_(
        "Thank you. The free places are confirmed. Your numbers differ from what Boendekedjan "
        "counts from placements, holds and blocks: block places that are out of use, or tell "
        "the coordinator."
    ),
    "reported_lower": N_(
        "Thank you. Fewer places are free than Boendekedjan counted: the difference is held "
        "as occupied outside Boendekedjan until your next report, and staff are offered only "
        "what you reported."
    ),
    "reported_higher": N_(
        "Thank you. You reported more free than the placements, holds and blocks allow, so "
        "the counted figure stays; the coordinator is told and will check with you."
    ),
    "blocked": N_("The places are blocked for the period."),
    "released": N_("The block is lifted. The places are free again."),
    "accepted": N_("You accepted the referral. The officer sees it at once."),
    "declined": N_("You declined the referral. The place is free again."),
    "arrived": N_("The arrival is recorded. The officer sees it on the case."),
    "did_not_come": N_("Recorded that the household did not come. The officer sees it."),
    "plan_in": N_("The safety plan at move-in is recorded as done."),
    "plan_out": N_("The safety plan at move-out is recorded as done."),
}
DECLINE_CHOICES = [
    (DeclineReason.full.value, N_("Full")),
    (DeclineReason.needs_unmet.value, N_("Needs we cannot meet")),
    (DeclineReason.risk.value, N_("Risk")),
    (DeclineReason.other.value, N_("Other")),
]
CHOOSE_REASON = N_("Choose why you decline.")
NO_OPERATOR = N_("Your account is not linked to an organisation. Contact your administrator.")
WHOLE_NUMBER = N_("Write a whole number, 0 or more.")
TOO_MANY_PLACES = N_(
    "The unit has %(n)s single places in Boendekedjan. Ask the coordinator to add places first."
)
TOO_MANY_ROOMS = N_("The unit has %(n)s family rooms in Boendekedjan.")
NOTE_TOO_LONG = N_("Keep the note under 300 characters.")
REASON_SHORT = N_("Write a short reason, at least 3 characters.")
REASON_LONG = N_("Keep the reason under 200 characters.")
CHOOSE_DATE = N_("Choose a date.")
START_PAST = vacancy.BLOCK_START_PAST
END_BEFORE = N_("The last day cannot be before the first day.")
PERIOD_LONG = vacancy.BLOCK_TOO_LONG
HOW_MANY = N_("Write how many places to block (1 or more), or tick the places.")
PICK_FROM_LIST = N_("Choose places from the list.")
COUNT_BUSY = N_(
    "Not that many single places are free for the whole period; the others are booked or "
    "already blocked."
)
PLACES_BUSY = N_(
    "A chosen place is booked or blocked in that period; a block cannot cover a booked place."
)


@dataclass
class PlaceOption:
    id: uuid.UUID
    label: str
    family_room: bool
    capacity: int
    in_use_now: bool


@dataclass
class BlockView:
    group_id: uuid.UUID
    place_labels: list[str]
    starts_at: datetime
    ends_at: datetime
    reason: str | None
    last_day: datetime | None  # set when the block ends at midnight: the last day it covers


def _block_view(b: BlockRead, tz: ZoneInfo) -> BlockView:
    local_end = b.ends_at.astimezone(tz)
    at_midnight = local_end.timetz().replace(tzinfo=None) == time(0)
    return BlockView(
        group_id=b.group_id,
        place_labels=b.place_labels,
        starts_at=b.starts_at,
        ends_at=b.ends_at,
        reason=b.reason,
        last_day=local_end - timedelta(hours=12) if at_midnight else None,
    )


@dataclass
class OperatorUnit:
    """One unit as the operator sees it (no address, no personal data)."""

    unit: UnitSummary
    usage: Usage
    places: list[PlaceOption] = field(default_factory=list)
    blocks: list[BlockView] = field(default_factory=list)
    ivo_status: str | None = None  # None (not needed or fine), "expiring", "expired", "missing"

    @property
    def id(self) -> uuid.UUID:
        return self.unit.id

    @property
    def family_rooms(self) -> int:
        return len(self.unit.family_rooms)

    @property
    def free_family_rooms(self) -> int:
        return len(self.unit.free_family_rooms_now)


# Units a page: each comes with its report and block forms (some 5 kB of page each).
UNITS_PER_PAGE = 20


def _own(operator_id: uuid.UUID) -> list[ColumnElement[bool]]:
    """The operator's units the page lists (as ``list_units`` filters them)."""
    return [col(Unit.operator_id) == operator_id, col(Unit.retired_at).is_(None)]


async def _unit_page(session: AsyncSession, actor: Actor, unit_id: uuid.UUID) -> int:
    """The page of /operator that lists ``unit_id`` (units by name, then id, as listed)."""
    if actor.operator_id is None:
        return 1
    unit = await session.get(Unit, unit_id)
    if unit is None or unit.operator_id != actor.operator_id:
        return 1
    before = await session.scalar(
        select(func.count(col(Unit.id))).where(
            *_own(actor.operator_id),
            tuple_(col(Unit.name), col(Unit.id)) < tuple_(unit.name, unit.id),
        )
    )
    return int(before or 0) // UNITS_PER_PAGE + 1


async def _unit_url(session: AsyncSession, actor: Actor, unit_id: uuid.UUID, done: str) -> str:
    """Back to the unit after a change: its page, at its card."""
    page = await _unit_page(session, actor, unit_id)
    query = f"page={page}&done={done}" if page > 1 else f"done={done}"
    return f"{PATH}?{query}#unit-{unit_id}"


async def own_units(
    session: AsyncSession, clock: Clock, settings: Settings, actor: Actor, page: int = 1
) -> tuple[list[OperatorUnit], Paging]:
    """One page of the operator's own units (``UNITS_PER_PAGE``), and where it is in all."""
    if actor.operator_id is None:
        raise PagePermissionDenied(NO_OPERATOR)
    total = await session.scalar(select(func.count(col(Unit.id))).where(*_own(actor.operator_id)))
    paging = Paging.of(page, int(total or 0), UNITS_PER_PAGE)
    page_of = await listing.list_units(
        session,
        clock,
        settings,
        UnitFilter(operator_id=actor.operator_id, limit=paging.size, offset=paging.offset),
    )
    now = clock.now()
    start, end = free_now_window(now)
    usage = await usage_by_unit(session, [u.id for u in page_of.items], start, end, now)
    today = local_date(now, settings.timezone)
    tz = ZoneInfo(settings.timezone)
    # Three queries for all the units (not three per unit: an operator may run hundreds).
    ids = [u.id for u in page_of.items]
    busy = await bookings.busy_place_ids_of_units(session, ids, start, end, now)
    places = await places_by_unit(session, ids)
    blocks = await vacancy.blocks_by_unit(session, clock, ids)
    units = [
        OperatorUnit(
            unit=unit,
            usage=usage[unit.id],
            places=[
                PlaceOption(
                    id=p.id,
                    label=p.label,
                    family_room=p.kind == PlaceKind.family_room,
                    capacity=p.capacity,
                    in_use_now=p.id in busy,
                )
                for p in places[unit.id]
            ],
            blocks=[_block_view(b, tz) for b in blocks[unit.id]],
            ivo_status=_ivo_status(unit, today, settings),
        )
        for unit in page_of.items
    ]
    return units, paging


async def stale_units(session: AsyncSession, clock: Clock, settings: Settings, actor: Actor) -> int:
    """The operator's units not confirmed in time, on every page (the warning counts all)."""
    if actor.operator_id is None:
        return 0
    stale = stale_condition(clock.now(), settings)
    found = await session.scalar(
        select(func.count(col(Unit.id))).where(*_own(actor.operator_id), stale)
    )
    return int(found or 0)


def _ivo_status(unit: UnitSummary, today: date, settings: Settings) -> str | None:
    if not unit.ivo_permit_required:
        return None
    valid = unit.ivo_permit_valid_until
    if valid is None:
        return "missing"
    if valid < today:
        return "expired"
    if valid <= today + timedelta(days=settings.ivo_warning_days):
        return "expiring"
    return None


async def _page(
    request: Request,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    open_block: uuid.UUID | None = None,
    unit_id: uuid.UUID | None = None,
    status_code: int = 200,
) -> Response:
    """The page; with ``unit_id`` (a refused change to it) the page that lists that unit."""
    page = await _unit_page(session, actor, unit_id) if unit_id else asked_page(request)
    units, paging = await own_units(session, clock, settings, actor, page)
    today = local_date(clock.now(), settings.timezone)
    done = request.query_params.get("done", "")
    incoming = await _incoming(session, clock, actor)
    households = await stays.operator_view(session, clock, actor, timezone=settings.timezone)
    return render(
        request,
        "operator.html",
        {
            **incoming,
            "stays": households,
            "moved_out_days": stays.MOVE_OUT_PLAN_DAYS,
            "now_time": clock.now().astimezone(ZoneInfo(settings.timezone)).strftime("%H:%M"),
            "units": units,
            "paging": paging,
            "stale_count": await stale_units(session, clock, settings, actor),
            "stale_hours": settings.vacancy_stale_hours,
            "today": today.isoformat(),
            "tomorrow": (today + timedelta(days=1)).isoformat(),
            "errors": errors or {},
            "values": values or {},
            "open_block": open_block,
            "flash": translate(request, DONE[done]) if done in DONE and not errors else None,
        },
        status_code=status_code,
    )


async def _start_over(session: AsyncSession, actor: Actor) -> None:
    """Undo what the failed attempt did, and set the actor's scope again (it is per
    transaction), before the page is rendered again from the database."""
    await session.rollback()
    await apply_scope(session, actor)


async def failed(
    request: Request,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    key: str,
    message: str | DomainError,
    status_code: int,
    unit_id: uuid.UUID | None = None,
) -> Response:
    """A refused action: undo it and show /operator again with the message beside ``key``
    (a domain error translated with its blanks filled)."""
    await _start_over(session, actor)
    errors = {key: translate(request, message)}
    return await _page(
        request,
        session,
        clock,
        settings,
        actor,
        errors=errors,
        unit_id=unit_id,
        status_code=status_code,
    )


@router.get(PATH)
async def operator_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: OperatorActor,
) -> Response:
    return await _page(request, session, clock, settings, actor)


def _count(raw: str) -> int | None:
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 0 else None


@router.post(PATH + "/units/{unit_id}/report")
async def report_free(
    unit_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: OperatorActor,
) -> Response:
    await check_csrf(request)
    form = await request.form()
    key = str(unit_id)
    raw_places = str(form.get("free_places", "")).strip()
    raw_rooms = str(form.get("free_family_rooms", "0")).strip() or "0"
    note = str(form.get("note", "")).strip()
    values = {
        f"free_places-{key}": raw_places,
        f"free_family_rooms-{key}": raw_rooms,
        f"note-{key}": note,
    }
    errors: dict[str, str] = {}
    places, rooms = _count(raw_places), _count(raw_rooms)
    if places is None:
        errors[f"free_places-{key}"] = translate(request, WHOLE_NUMBER)
    if rooms is None:
        errors[f"free_family_rooms-{key}"] = translate(request, WHOLE_NUMBER)
    if len(note) > 300:
        errors[f"note-{key}"] = translate(request, NOTE_TOO_LONG)
    if places is not None and rooms is not None and not errors:
        data = VacancyReportCreate(
            free_places=min(places, 500), free_family_rooms=min(rooms, 200), note=note or None
        )
        try:
            result = await vacancy.report_vacancy(session, clock, actor, unit_id, data)
        except (InvalidInput, Conflict) as exc:
            await _start_over(session, actor)
            errors.update(await _report_error(request, session, clock, unit_id, exc))
        else:
            done = (
                "reported_higher"
                if result.above_computed
                else "reported_lower"
                if result.external_places or result.external_family_rooms
                else "reported"
            )
            return RedirectResponse(await _unit_url(session, actor, unit_id, done), status_code=303)
    return await _page(
        request,
        session,
        clock,
        settings,
        actor,
        errors=errors,
        values=values,
        unit_id=unit_id,
        status_code=422,
    )


async def _report_error(
    request: Request,
    session: AsyncSession,
    clock: Clock,
    unit_id: uuid.UUID,
    exc: InvalidInput | Conflict,
) -> dict[str, str]:
    """The service's message, in the reader's language (its numbers come from the capacity)."""
    key = str(unit_id)
    now = clock.now()
    start, end = free_now_window(now)
    counted = (await capacity_by_unit(session, [unit_id], start, end, now))[unit_id]
    if exc.field == "free_places":
        return {f"free_places-{key}": translate(request, TOO_MANY_PLACES) % {"n": counted.places}}
    if exc.field == "free_family_rooms":
        text = translate(request, TOO_MANY_ROOMS) % {"n": len(counted.family_rooms)}
        return {f"free_family_rooms-{key}": text}
    return {f"report-{key}": translate(request, exc)}


def _parse_day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _start_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


@router.post(PATH + "/units/{unit_id}/block")
async def block(
    unit_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: OperatorActor,
) -> Response:
    await check_csrf(request)
    form = await request.form()
    key = str(unit_id)
    raw_count = str(form.get("count", "")).strip()
    raw_places = [str(v) for v in form.getlist("place_ids") if str(v)]
    starts_on = str(form.get("starts_on", "")).strip()
    ends_on = str(form.get("ends_on", "")).strip()
    reason = str(form.get("reason", "")).strip()
    values: dict[str, Any] = {
        f"count-{key}": raw_count,
        f"place_ids-{key}": raw_places,
        f"starts_on-{key}": starts_on,
        f"ends_on-{key}": ends_on,
        f"reason-{key}": reason,
    }
    errors: dict[str, str] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(f"{name}-{key}", translate(request, message))

    now = clock.now()
    tz = ZoneInfo(settings.timezone)
    today = local_date(now, settings.timezone)
    first, last = _parse_day(starts_on), _parse_day(ends_on)
    if first is None:
        fail("starts_on", CHOOSE_DATE)
    elif first < today:
        fail("starts_on", START_PAST)
    if last is None:
        fail("ends_on", CHOOSE_DATE)
    elif first is not None and last < first:
        fail("ends_on", END_BEFORE)
    elif first is not None and (last - first).days > 365:
        fail("ends_on", PERIOD_LONG)
    if len(reason) < 3:
        fail("reason", REASON_SHORT)
    elif len(reason) > 200:
        fail("reason", REASON_LONG)
    place_ids: list[uuid.UUID] | None = None
    count: int | None = None
    if raw_places:
        try:
            place_ids = [uuid.UUID(v) for v in raw_places]
        except ValueError:
            fail("place_ids", PICK_FROM_LIST)
    else:
        count = _count(raw_count)
        if not count or count > 200:
            fail("count", HOW_MANY)
    if not errors and first is not None and last is not None:
        data = BlockCreate(
            starts_at=now if first == today else _start_of(first, tz),
            ends_at=_start_of(last + timedelta(days=1), tz),
            reason=reason,
            place_ids=place_ids,
            count=count if place_ids is None else None,
        )
        try:
            await vacancy.block_places(
                session, clock, actor, unit_id, data, timezone=settings.timezone
            )
        except (InvalidInput, Conflict) as exc:
            await _start_over(session, actor)
            if exc.field == "count" and isinstance(exc, Conflict):
                fail("count", COUNT_BUSY)
            elif exc.field == "place_ids" and isinstance(exc, Conflict):
                fail("place_ids", PLACES_BUSY)
            elif exc.field in ("count", "place_ids", "reason"):
                fail(exc.field, exc.message)
            elif exc.field in ("starts_at", "ends_at"):
                fail(exc.field.replace("_at", "_on"), exc.message)
            else:
                fail("block", exc.message)
        else:
            return RedirectResponse(
                await _unit_url(session, actor, unit_id, "blocked"), status_code=303
            )
    return await _page(
        request,
        session,
        clock,
        settings,
        actor,
        errors=errors,
        values=values,
        open_block=unit_id,
        unit_id=unit_id,
        status_code=422,
    )


@router.post(PATH + "/units/{unit_id}/blocks/{group_id}/release")
async def release(
    unit_id: uuid.UUID,
    group_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: OperatorActor,
) -> Response:
    await check_csrf(request)
    try:
        await vacancy.release_block(session, clock, actor, unit_id, group_id)
    except (InvalidInput, Conflict) as exc:
        return await failed(
            request, session, clock, settings, actor, f"blocks-{unit_id}", exc, 409, unit_id
        )
    return RedirectResponse(await _unit_url(session, actor, unit_id, "released"), status_code=303)


# --- referrals ------------------------------------------------------------------------------


async def _incoming(session: AsyncSession, clock: Clock, actor: Actor) -> dict[str, Any]:
    rows = await referrals.incoming(session, clock, actor)
    seen = hashlib.sha256(",".join(sorted(str(r.id) for r in rows)).encode()).hexdigest()[:16]
    return {
        "referrals": rows,
        "referrals_seen": seen,
        "decline_choices": DECLINE_CHOICES,
    }


@router.get(PATH + "/referrals")
async def referrals_fragment(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    actor: OperatorActor,
) -> Response:
    """The incoming referrals (htmx polls this): nothing new answers 204 and the list, with
    whatever is being typed in it, stays as it is."""
    incoming = await _incoming(session, clock, actor)
    if request.query_params.get("seen") == incoming["referrals_seen"]:
        return Response(status_code=204)
    return render(request, "operator_referrals.html", {**incoming, "errors": {}})


@router.post(PATH + "/referrals/{referral_id}/accept")
async def accept_referral(
    referral_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: OperatorActor,
) -> Response:
    await check_csrf(request)
    try:
        await referrals.accept(session, clock, actor, referral_id)
    except (NotFound, Conflict) as exc:
        return await failed(
            request, session, clock, settings, actor, f"referral-{referral_id}", exc, 409
        )
    return RedirectResponse(f"{PATH}?done=accepted", status_code=303)


@router.post(PATH + "/referrals/{referral_id}/decline")
async def decline_referral(
    referral_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: OperatorActor,
) -> Response:
    await check_csrf(request)
    form = await request.form()
    key = f"referral-{referral_id}"
    raw_reason = str(form.get("reason", ""))
    text = str(form.get("decline_text", "")).strip()
    values = {f"reason-{referral_id}": raw_reason, f"decline_text-{referral_id}": text}
    try:
        reason = DeclineReason(raw_reason)
    except ValueError:
        errors = {f"reason-{referral_id}": translate(request, CHOOSE_REASON)}
        return await _page(
            request, session, clock, settings, actor, errors=errors, values=values, status_code=422
        )
    try:
        await referrals.decline(session, clock, actor, referral_id, reason, text or None)
    except InvalidInput as exc:
        await _start_over(session, actor)
        errors = {f"decline_text-{referral_id}": translate(request, exc)}
        return await _page(
            request, session, clock, settings, actor, errors=errors, values=values, status_code=422
        )
    except (NotFound, Conflict) as exc:
        await _start_over(session, actor)
        return await _page(
            request,
            session,
            clock,
            settings,
            actor,
            errors={key: translate(request, exc)},
            status_code=409,
        )
    return RedirectResponse(f"{PATH}?done=declined", status_code=303)
