"""The auditor's page: filter the log by user, case and time; export; the review report."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import ClockDep, SessionDep
from api.labels import N_
from api.pages.common import page_require
from api.routing import UnitOfWorkRoute
from api.templating import render, translate
from placement.audit.views import AuditQuery, AuditRow, audit_rows
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
async def audit_page(
    request: Request, session: SessionDep, clock: ClockDep, actor: Auditor
) -> Response:
    q = request.query_params
    values = {k: q.get(k, "") for k in ("username", "case_number", "since", "until", "flagged")}
    errors: dict[str, str] = {}
    rows: list[AuditRow] = []
    try:
        query = AuditQuery(
            user=values["username"],
            case_number=values["case_number"],
            since=_parse_local(values["since"], "since"),
            until=_parse_local(values["until"], "until"),
            flagged_only=values["flagged"] == "1",
        )
        rows = await audit_rows(session, clock, actor, query)
    except InvalidInput as exc:
        field = "case_number" if exc.field == "number" else exc.field
        errors[field or "form"] = translate(request, exc)
    # The export takes the time and review filters (and an exact user name).
    kept = {k: values[k] for k in ("username", "since", "until", "flagged") if values[k]}
    export = "/api/audit/export.csv" + ("?" + urlencode(kept) if kept else "")
    return render(
        request,
        "audit.html",
        {"entries": rows, "values": values, "errors": errors, "export_url": export},
    )
