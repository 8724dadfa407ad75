"""Find a case by number from the page header: one exact match opens the case, otherwise
the cases whose number starts with what was typed are listed (scoped and audited in
placement.cases.search)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import ClockDep, SessionDep
from api.pages import case_labels
from api.pages.common import page_require
from api.routing import UnitOfWorkRoute
from api.templating import render, translate
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.cases.search import search_cases
from placement.errors import InvalidInput

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Reader = Annotated[Actor, Depends(page_require(Permission.case_read))]


@router.get("/search")
async def search_page(
    request: Request, session: SessionDep, clock: ClockDep, actor: Reader, number: str = ""
) -> Response:
    context: dict[str, object] = {"search_value": number[:40], "case_labels": case_labels}
    try:
        found = await search_cases(session, clock, actor, number)
    except InvalidInput as exc:
        context.update(result=None, errors={"number": translate(request, exc)})
        return render(request, "search.html", context, status_code=422)
    if found.exact is not None:
        return RedirectResponse(f"/cases/{found.exact.id}", status_code=303)
    context["result"] = found
    return render(request, "search.html", context)
