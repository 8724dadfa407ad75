"""The auditor's page: filter the log by user, case and time; export; the review report."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import SessionDep
from api.labels import N_
from api.pages.common import page_require
from api.routing import UnitOfWorkRoute
from api.templating import render, translate
from placement.audit import queries
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.errors import InvalidInput

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Auditor = Annotated[Actor, Depends(page_require(Permission.audit_read))]
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _parse_local(value: str, field: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=STOCKHOLM)
    except ValueError:
        raise InvalidInput(N_("Write the time as YYYY-MM-DD HH:MM."), field=field) from None


@router.get("/audit")
async def audit_page(request: Request, session: SessionDep, actor: Auditor) -> Response:
    q = request.query_params
    values = {k: q.get(k, "") for k in ("username", "case_id", "since", "until", "flagged")}
    errors: dict[str, str] = {}
    entries = []
    try:
        case_id = None
        if values["case_id"]:
            try:
                case_id = uuid.UUID(values["case_id"])
            except ValueError:
                raise InvalidInput(N_("That is not a case id."), field="case_id") from None
        f = queries.AuditFilter(
            username=values["username"] or None,
            case_id=case_id,
            since=_parse_local(values["since"], "since"),
            until=_parse_local(values["until"], "until"),
            flagged_only=values["flagged"] == "1",
        )
        entries = await queries.search(session, f)
    except InvalidInput as exc:
        errors[exc.field or "form"] = translate(request, exc)
    export = "/api/audit/export.csv?" + str(q) if q else "/api/audit/export.csv"
    return render(
        request,
        "audit.html",
        {"entries": entries, "values": values, "errors": errors, "export_url": export},
    )
