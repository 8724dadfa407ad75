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
from placement.audit.views import AuditQuery, AuditRow, audit_export, audit_rows
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


FIELDS = ("username", "case_number", "since", "until", "flagged")


def _values(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "") for k in FIELDS}


def _query(values: dict[str, str]) -> AuditQuery:
    """The page's filters as the one query object both the page and the export apply."""
    return AuditQuery(
        user=values["username"],
        case_number=values["case_number"],
        since=_parse_local(values["since"], "since"),
        until=_parse_local(values["until"], "until"),
        flagged_only=values["flagged"] == "1",
    )


@router.get("/audit")
async def audit_page(
    request: Request, session: SessionDep, clock: ClockDep, actor: Auditor
) -> Response:
    values = _values(request)
    errors: dict[str, str] = {}
    rows: list[AuditRow] = []
    try:
        rows = await audit_rows(session, clock, actor, _query(values))
    except InvalidInput as exc:
        field = "case_number" if exc.field == "number" else exc.field
        errors[field or "form"] = translate(request, exc)
    # The export takes exactly the page's filters.
    kept = {k: v for k, v in values.items() if v}
    export = "/audit/export.csv" + ("?" + urlencode(kept) if kept else "")
    return render(
        request,
        "audit.html",
        {"entries": rows, "values": values, "errors": errors, "export_url": export},
    )


@router.get("/audit/export.csv")
async def audit_export_csv(
    request: Request, session: SessionDep, clock: ClockDep, actor: Auditor
) -> Response:
    """What the page with the same filters lists, as CSV (a bad filter: the page says why)."""
    csv = await audit_export(session, clock, actor, _query(_values(request)))
    return Response(
        csv,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
