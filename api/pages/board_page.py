"""The coordinator's board: every unit by district and kind (free, held, occupied, blocked,
stale), the joint plan for open requests and move-on proposals, accepted one by one.

Running the matcher is a POST that stores an ``OptimizationRun`` and redirects to the board
with the run's id in the address (an id, never personal data); the board reads the stored
run back, so a reload shows the same plan. Accepting holds the places (the responsible
officer then decides). Shelter addresses are never shown.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.csrf import check_csrf
from api.deps import ClockDep, SessionDep, SettingsDep
from api.labels import N_
from api.pages.board_runs import RunView, check_proposals, load_run_view
from api.pages.board_usage import Usage, usage_by_unit
from api.pages.case_forms import model
from api.pages.common import page_require
from api.routing import UnitOfWorkRoute
from api.templating import render, translate
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.auth.scope import apply_scope
from placement.clock import Clock
from placement.config import Settings
from placement.errors import DomainError
from placement.inventory import board as board_service
from placement.inventory import bookings, external
from placement.inventory.board import BoardPage, BoardQuery
from placement.inventory.capacity import free_now_window
from placement.inventory.schemas import UnitSummary
from placement.matching import planner_view
from placement.matching import service as matching
from placement.models.enums import UnitKind

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Coordinator = Annotated[
    Actor, Depends(page_require(Permission.inventory_read, Permission.plan_review))
]

PATH = "/board"
DONE = {
    "planned": N_("The joint plan is ready. Review the assignments and accept them one by one."),
    "moves": N_("The move-on proposals are ready. Review them and accept them one by one."),
    "accepted": N_(
        "The places are held for the household. The responsible officer confirms the "
        "placement with a decision."
    ),
    "replanned": N_(
        "Those places were taken after the plan was made (by a hold or by accepting the other "
        "plan), so the proposal could not be accepted. The plan below is made again with the "
        "places free now: check it and accept again."
    ),
}
# What the matcher's outcome means for the coordinator (never the solver's own words).
SOLVER_STATUS = {
    "OPTIMAL": N_("Best possible plan found"),
    "FEASIBLE": N_("A good plan; there was not time to make sure it is the best"),
    "GREEDY": N_("A quick plan; there was no time to improve it"),
    "UNKNOWN": N_("No plan was found in the time available"),
    "INFEASIBLE": N_("No plan is possible with the places free now"),
    "MODEL_INVALID": N_("The plan could not be made"),
}
SOLVER_MEANS = {
    "OPTIMAL": N_("All households that can be placed are placed."),
    "FEASIBLE": N_("Running the plan again may place more households."),
    "GREEDY": N_("Running the plan again may place more households."),
}
KIND_UNKNOWN = N_("Choose a kind of unit from the list.")


@dataclass
class BoardRow:
    unit: UnitSummary
    usage: Usage
    # The operator's latest report said more is free than the bookings allow (not applied).
    reported_above: bool = False

    @property
    def free_rooms(self) -> int:
        return len(self.unit.free_family_rooms_now)

    @property
    def full(self) -> bool:
        return self.unit.free_places_now == 0 and not self.unit.free_family_rooms_now


SORTS = {
    "district": N_("District"),
    "name": N_("Name"),
    "free": N_("Most free first"),
    "confirmed": N_("Longest since confirmed first"),
}
AREA_UNKNOWN = N_("Choose a district or municipality from the list.")


@dataclass
class BoardState:
    """What the board's address holds: the filter, the page and the runs on show (ids only)."""

    kind: str = ""
    area: str = ""  # "d:<district id>" or "m:<municipality>"
    free: str = ""
    stale: str = ""
    sort: str = ""
    page: str = ""
    joint: str = ""
    moveon: str = ""

    @classmethod
    def read(cls, source: Any) -> BoardState:
        def clean_id(raw: str) -> str:
            try:
                return str(uuid.UUID(raw))
            except ValueError:
                return ""

        return cls(
            kind=str(source.get("kind", "") or ""),
            area=str(source.get("area", "") or "")[:130],
            free="1" if str(source.get("free", "")) == "1" else "",
            stale="1" if str(source.get("stale", "")) == "1" else "",
            sort="" if (sort := str(source.get("sort", "") or "")[:20]) == "district" else sort,
            page=str(source.get("page", "") or "").strip()[:12],
            joint=clean_id(str(source.get("joint", "") or "")),
            moveon=clean_id(str(source.get("moveon", "") or "")),
        )

    def url(self, anchor: str = "", **changes: str) -> str:
        params = {**self.__dict__, **changes}
        query = urlencode({k: v for k, v in params.items() if v})
        return f"{PATH}?{query}{'#' + anchor if anchor else ''}" if query else PATH


def board_query(request: Request, state: BoardState, errors: dict[str, str]) -> BoardQuery:
    """The filter as the domain takes it. A kind or area the form does not offer: a message
    next to the field and the board unfiltered by it; a page or sort outside the bounds: 422."""
    asked: dict[str, Any] = {"free_only": state.free == "1", "stale": state.stale == "1"}
    if state.kind:
        try:
            asked["kind"] = UnitKind(state.kind)
        except ValueError:
            errors["kind"] = translate(request, KIND_UNKNOWN)
    if state.area.startswith("d:"):
        try:
            asked["district_id"] = uuid.UUID(state.area[2:])
        except ValueError:
            errors["area"] = translate(request, AREA_UNKNOWN)
    elif state.area.startswith("m:") and state.area[2:]:
        asked["municipality"] = state.area[2:]
    elif state.area:
        errors["area"] = translate(request, AREA_UNKNOWN)
    if state.sort:
        asked["sort"] = state.sort
    if state.page:
        asked["page"] = state.page if state.page.isdigit() else "0"
    result: BoardQuery = model(BoardQuery, **asked)
    return result


async def unit_board(
    session: AsyncSession, clock: Clock, settings: Settings, query: BoardQuery
) -> tuple[BoardPage, list[BoardRow]]:
    page = await board_service.board_page(session, clock, settings, query)
    now = clock.now()
    start, end = free_now_window(now)
    ids = [u.id for u in page.units]
    usage = await usage_by_unit(session, ids, start, end, now)
    above = await external.flagged_units(session, ids)
    rows = [BoardRow(u, usage[u.id], reported_above=u.id in above) for u in page.units]
    return page, rows


async def _page(
    request: Request,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    state: BoardState,
    actor: Actor,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    errors = dict(errors or {})
    query = board_query(request, state, errors)
    page, rows = await unit_board(session, clock, settings, query)
    joint: RunView | None = await load_run_view(session, clock, actor, state.joint, "joint")
    moves: RunView | None = await load_run_view(session, clock, actor, state.moveon, "move_on")
    await check_proposals(session, clock, joint, moves)
    done = request.query_params.get("done", "")
    return render(
        request,
        "board.html",
        {
            "board": page,
            "rows": rows,
            "totals": page.totals,
            "kinds": list(UnitKind),
            "areas": await board_service.areas(session),
            "sorts": SORTS,
            "state": state,
            "values": {
                "kind": state.kind,
                "area": state.area,
                "free": state.free,
                "stale": state.stale,
                "sort": query.sort,
            },
            "joint": joint,
            "moves": moves,
            "plan_only": not planner_view.reads_cases(actor),
            "solver_status": SOLVER_STATUS,
            "solver_means": SOLVER_MEANS,
            "stale_hours": settings.vacancy_stale_hours,
            "errors": errors,
            "flash": translate(request, DONE[done]) if done in DONE and status_code < 400 else None,
        },
        status_code=status_code,
    )


@router.get(PATH)
async def board(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Coordinator,
) -> Response:
    state = BoardState.read(request.query_params)
    return await _page(request, session, clock, settings, state, actor)


@router.post(PATH + "/joint-plan")
async def run_joint_plan(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Coordinator,
) -> Response:
    await check_csrf(request)
    state = BoardState.read(await request.form())
    _, run = await matching.joint_plan(session, clock, actor, settings)
    return RedirectResponse(state.url("joint", joint=str(run.id), done="planned"), 303)


@router.post(PATH + "/move-on")
async def run_move_on(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Coordinator,
) -> Response:
    await check_csrf(request)
    state = BoardState.read(await request.form())
    _, run = await matching.move_on(session, clock, actor, settings)
    return RedirectResponse(state.url("moveon", moveon=str(run.id), done="moves"), 303)


async def _start_again(session: AsyncSession, actor: Actor) -> None:
    """Drop everything the failed try wrote; the scope is per transaction."""
    await session.rollback()
    await apply_scope(session, actor)


async def _accept_failed(
    request: Request,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    state: BoardState,
    key: str,
    exc: DomainError,
) -> Response:
    """Show the refusal next to the proposal's accept button; nothing of the try is kept."""
    await _start_again(session, actor)
    errors = {f"accept-{key}": translate(request, exc)}
    return await _page(
        request, session, clock, settings, state, actor, errors=errors, status_code=409
    )


@router.post(PATH + "/joint/{run_id}/accept/{request_id}")
async def accept_joint(
    run_id: uuid.UUID,
    request_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Coordinator,
) -> Response:
    await check_csrf(request)
    state = BoardState.read(await request.form())
    state.joint = str(run_id)
    try:
        await matching.accept_assignment(session, clock, actor, settings, run_id, request_id)
    except DomainError as exc:
        if exc.template == bookings.NO_ROOM:
            await _start_again(session, actor)
            _, run = await matching.joint_plan(session, clock, actor, settings)
            return RedirectResponse(state.url("joint", joint=str(run.id), done="replanned"), 303)
        return await _accept_failed(
            request, session, clock, settings, actor, state, str(request_id), exc
        )
    return RedirectResponse(state.url(f"a-{request_id}", done="accepted"), 303)


@router.post(PATH + "/move-on/{run_id}/accept/{case_id}")
async def accept_move(
    run_id: uuid.UUID,
    case_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Coordinator,
) -> Response:
    await check_csrf(request)
    state = BoardState.read(await request.form())
    state.moveon = str(run_id)
    try:
        await matching.accept_move(session, clock, actor, settings, run_id, case_id)
    except DomainError as exc:
        if exc.template == bookings.NO_ROOM:
            await _start_again(session, actor)
            _, run = await matching.move_on(session, clock, actor, settings)
            return RedirectResponse(state.url("moveon", moveon=str(run.id), done="replanned"), 303)
        return await _accept_failed(
            request, session, clock, settings, actor, state, str(case_id), exc
        )
    return RedirectResponse(state.url(f"m-{case_id}", done="accepted"), 303)
