"""Bulk import and export of the inventory as CSV or JSON (never addresses)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from api.deps import ClockDep, SessionDep, require
from api.routing import UnitOfWorkRoute
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.errors import InvalidInput
from placement.inventory.import_plan import ImportRejected, ImportResult, apply_import
from placement.inventory.importexport import export_inventory, parse_csv, parse_json

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/inventory", tags=["inventory"])

Writer = Annotated[Actor, Depends(require(Permission.inventory_write))]
Format = Literal["csv", "json"]
MAX_BYTES = 5 * 1024 * 1024


@router.get("/export")
async def export(
    session: SessionDep,
    clock: ClockDep,
    actor: Writer,
    fmt: Annotated[Format, Query(alias="format")] = "json",
) -> Response:
    body = await export_inventory(session, clock, actor, fmt)
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return Response(
        content=body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="inventory.{fmt}"'},
    )


def _format_of(request: Request, given: Format | None) -> Format:
    if given is not None:
        return given
    content_type = request.headers.get("content-type", "")
    if "csv" in content_type or content_type.startswith("text/plain"):
        return "csv"
    return "json"


@router.post(
    "/import",
    response_model=ImportResult,
    responses={422: {"description": "Nothing imported; every bad row with line and reason"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
async def import_inventory(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    actor: Writer,
    fmt: Annotated[Format | None, Query(alias="format")] = None,
    dry_run: bool = False,
) -> Any:
    """Validate the whole file first; apply every row or none. The body is the file itself."""
    raw = await request.body()
    if len(raw) > MAX_BYTES:
        raise InvalidInput("The file is too large (at most 5 MB).", field="file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The file must be UTF-8 text.", field="file") from exc
    parsed = parse_csv(text) if _format_of(request, fmt) == "csv" else parse_json(text)
    try:
        return await apply_import(session, clock, actor, parsed, dry_run=dry_run)
    except ImportRejected as exc:
        await session.rollback()
        return JSONResponse(
            status_code=422,
            content={"detail": exc.message, "errors": [e.as_dict() for e in exc.errors]},
        )
