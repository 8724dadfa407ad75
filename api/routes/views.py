"""The case, desk and due views as JSON: the same view-models the pages render, for the
same roles and scope, audited the same way (in the domain). Thin: parse, call, convert."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import ClockDep, SessionDep, SettingsDep, require
from api.routing import UnitOfWorkRoute
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.cases import desk
from placement.cases.case_view import load_case_view
from placement.cases.view_schemas import CaseViewRead, DeskViewRead, DuePageRead
from placement.decisions import due_view

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api", tags=["views"])

# The pages' own permissions (api/pages/case_page.py, api/pages/desk_page.py).
Reader = Annotated[Actor, Depends(require(Permission.case_read))]
DueReader = Annotated[Actor, Depends(require(Permission.case_read, Permission.due_read))]
DeskPage = Annotated[int, Query(ge=1, le=desk.MAX_PAGE)]
DuePageNo = Annotated[int, Query(ge=1, le=due_view.MAX_PAGE)]


@router.get("/cases/{case_id}/view")
async def case_view(
    case_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Reader,
) -> CaseViewRead:
    """What the case page shows (without the identity): one audit entry, the read."""
    return CaseViewRead.of(await load_case_view(session, clock, settings, actor, case_id))


@router.get("/desk")
async def desk_view(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: DueReader,
    district_id: uuid.UUID | None = None,
    status: desk.StatusFilter = "open",
    due: desk.DueFilter = "",
    risk: desk.RiskFilter = "",
    kind: desk.KindFilter = "",
    sort: desk.Sort = "urgency",
    page: DeskPage = 1,
) -> DeskViewRead:
    """The desk's filters, order and pages of 50, as the page's query parameters; each case
    listed on this page or in the due section is one read."""
    query = desk.DeskQuery(
        district_id=district_id, status=status, due=due, risk=risk, kind=kind, sort=sort,
        page=page,
    )  # fmt: skip
    return DeskViewRead.of(await desk.desk_view(session, clock, settings, actor, query))


@router.get("/due/view")
async def due_page_view(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: DueReader,
    district_id: uuid.UUID | None = None,
    what: Annotated[str, Query(max_length=due_view.MAX_WHAT)] = "",
    page: DuePageNo = 1,
) -> DuePageRead:
    """The due page: filtered and paged (50 rows); each case on the page is one read."""
    query = due_view.DueQuery(district_id=district_id, what=what, page=page)
    return DuePageRead.of(await due_view.due_view(session, clock, settings, actor, query))
