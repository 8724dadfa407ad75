"""The coordinator's board: every unit by district and kind (free, held, occupied, blocked,
stale), the joint plan for open requests and move-on proposals, accepted one by one.

Running the matcher is a POST that stores an ``OptimizationRun`` and redirects to the board
with the run's id in the address (an id, never personal data); the board reads the stored
run back, so a reload shows the same plan. Accepting holds the places (the responsible
officer then decides). Shelter addresses are never shown.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
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
from api.pages.common import page_require
from api.routing import UnitOfWorkRoute
from api.templating import render, translate
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.auth.scope import apply_scope
from placement.clock import Clock
from placement.config import Settings
from placement.errors import DomainError
from placement.inventory import bookings, external, listing
from placement.inventory.capacity import free_now_window
from placement.inventory.listing import UnitFilter
from placement.inventory.schemas import UnitSummary
from placement.matching import planner_view
from placement.matching import service as matching
from placement.models.enums import UnitKind

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Coordinator = Annotated[
    Actor, Depends(page_require(Permission.inventory_read, Permission.plan_review))
]

PATH = "/board"
KIND_ORDER = {kind: i for i, kind in enumerate(UnitKind)}
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


@dataclass
class Totals:
    units: int = 0
    free_places: int = 0
    free_family_rooms: int = 0
    held: int = 0
    occupied: int = 0
    blocked: int = 0
    stale: int = 0

    def add(self, row: BoardRow) -> None:
        self.units += 1
        self.free_places += row.unit.free_places_now
        self.free_family_rooms += row.free_rooms
        self.held += row.usage.held
        self.occupied += row.usage.occupied
        self.blocked += row.usage.blocked + row.usage.external
        self.stale += 1 if row.unit.vacancy_stale else 0


@dataclass
class DistrictGroup:
    name: str
    rows: list[BoardRow] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)


@dataclass
class BoardState:
    """What the board's address holds: the filter and the runs on show (ids only)."""

    kind: str = ""
    stale: str = ""
    open: str = ""  # "1": every district's units shown (a filter shows them too)
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
            stale="1" if str(source.get("stale", "")) == "1" else "",
            open="1" if str(source.get("open", "")) == "1" else "",
            joint=clean_id(str(source.get("joint", "") or "")),
            moveon=clean_id(str(source.get("moveon", "") or "")),
        )

    @property
    def expanded(self) -> bool:
        return bool(self.open or self.kind or self.stale)

    def url(self, anchor: str = "", **changes: str) -> str:
        params = {**self.__dict__, **changes}
        query = urlencode({k: v for k, v in params.items() if v})
        return f"{PATH}?{query}{'#' + anchor if anchor else ''}" if query else PATH


async def unit_board(
    session: AsyncSession, clock: Clock, settings: Settings, kind: UnitKind | None, stale: bool
) -> tuple[list[DistrictGroup], Totals]:
    page = await listing.list_units(
        session,
        clock,
        settings,
        UnitFilter(kind=kind, stale=True if stale else None, limit=1000),
    )
    now = clock.now()
    start, end = free_now_window(now)
    usage = await usage_by_unit(session, [u.id for u in page.items], start, end, now)
    above = await external.flagged_units(session, [u.id for u in page.items])
    groups: dict[str, DistrictGroup] = {}
    totals = Totals()
    for unit in sorted(page.items, key=lambda u: (KIND_ORDER[u.kind], u.name)):
        row = BoardRow(unit=unit, usage=usage[unit.id], reported_above=unit.id in above)
        group = groups.setdefault(unit.district_name, DistrictGroup(unit.district_name))
        group.rows.append(row)
        group.totals.add(row)
        totals.add(row)
    return [groups[name] for name in sorted(groups)], totals


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
    kind: UnitKind | None = None
    if state.kind:
        try:
            kind = UnitKind(state.kind)
        except ValueError:
            errors["kind"] = translate(request, KIND_UNKNOWN)
    groups, totals = await unit_board(session, clock, settings, kind, state.stale == "1")
    joint: RunView | None = await load_run_view(session, clock, actor, state.joint, "joint")
    moves: RunView | None = await load_run_view(session, clock, actor, state.moveon, "move_on")
    await check_proposals(session, clock, joint, moves)
    done = request.query_params.get("done", "")
    return render(
        request,
        "board.html",
        {
            "groups": groups,
            "totals": totals,
            "kinds": list(UnitKind),
            "state": state,
            "values": {"kind": state.kind, "stale": state.stale},
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
