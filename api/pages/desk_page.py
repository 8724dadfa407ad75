"""The RVT officer's day desk and the due list: my district's open cases and what is due
today and overdue, most urgent first; a hand-over is acknowledged from here in one click."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.csrf import check_csrf
from api.deps import ClockDep, SessionDep, SettingsDep
from api.pages import case_labels
from api.pages.case_forms import flash_of, model, nav_context, start_over, text
from api.pages.common import page_require
from api.routing import UnitOfWorkRoute
from api.templating import render, translate
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.cases.desk import DeskQuery, desk_view
from placement.decisions.due_view import DueGroups, DueQuery, due_view
from placement.decisions.handovers import acknowledge_handover
from placement.errors import DomainError

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)

DueReader = Annotated[Actor, Depends(page_require(Permission.case_read, Permission.due_read))]
Writer = Annotated[Actor, Depends(page_require(Permission.case_write))]

BACK = ("/desk", "/due")
Refused = tuple[uuid.UUID, DomainError]


@router.get("/desk")
async def desk_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: DueReader,
) -> Response:
    return await _render_desk(request, session, clock, settings, actor)


@router.get("/due")
async def due_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: DueReader,
) -> Response:
    return await _render_due(request, session, clock, settings, actor)


@router.post("/handovers/{handover_id}/acknowledge")
async def acknowledge(
    request: Request,
    handover_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Writer,
) -> Response:
    """The district takes the case back (from the desk or the due list)."""
    await check_csrf(request)
    form = await request.form()
    back = text(form, "next")
    back = back if back in BACK else "/desk"
    try:
        await acknowledge_handover(session, clock, actor, handover_id)
    except DomainError as exc:
        await start_over(session, actor)
        refused = (handover_id, exc)
        if back == "/due":
            return await _render_due(request, session, clock, settings, actor, refused)
        return await _render_desk(request, session, clock, settings, actor, refused)
    return RedirectResponse(f"{back}?done=acknowledged", status_code=303)


async def _render_desk(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Actor,
    refused: Refused | None = None,
) -> Response:
    view = await desk_view(session, clock, settings, actor, _query(request))
    return render(
        request,
        "desk.html",
        {
            "view": view,
            "case_labels": case_labels,
            "notice": None if refused else flash_of(request),
            "errors": _errors(request, view.due, refused),
            **await nav_context(session, actor, "desk"),
        },
        status_code=refused[1].status_code if refused else 200,
    )


async def _render_due(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Actor,
    refused: Refused | None = None,
) -> Response:
    view = await due_view(session, clock, settings, actor, _due_query(request))
    due = view.groups
    return render(
        request,
        "due.html",
        {
            "due": due,
            "view": view,
            "notice": None if refused else flash_of(request),
            "errors": _errors(request, due, refused),
            **await nav_context(session, actor, "due"),
        },
        status_code=refused[1].status_code if refused else 200,
    )


FILTERS = ("district_id", "status", "due", "risk", "kind", "sort", "page")


def _query(request: Request) -> DeskQuery:
    """The filter form's values (a value the form does not offer: 422 with a message)."""
    asked = {k: v for k in FILTERS if (v := request.query_params.get(k, "").strip())}
    if "page" in asked and not asked["page"].isdigit():
        asked["page"] = "0"  # refused below with the form's own message
    result: DeskQuery = model(DeskQuery, **asked)
    return result


def _due_query(request: Request) -> DueQuery:
    asked = {
        k: v
        for k in ("district_id", "what", "page")
        if (v := request.query_params.get(k, "").strip())
    }
    if "page" in asked and not asked["page"].isdigit():
        asked["page"] = "0"
    result: DueQuery = model(DueQuery, **asked)
    return result


def _errors(request: Request, due: DueGroups, refused: Refused | None) -> dict[str, str]:
    """The message next to the hand-over's button, or at the top when it is no longer due."""
    if refused is None:
        return {}
    handover_id, exc = refused
    key = f"handover-{handover_id}" if due.lists(handover_id) else "form"
    return {key: translate(request, exc)}
