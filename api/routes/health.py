"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.routing import UnitOfWorkRoute
from placement.migrate import current_revision, head_revision

router = APIRouter(route_class=UnitOfWorkRoute, tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> Any:
    """The database is reachable and the schema is at the newest migration."""
    url: str = request.app.state.database_url
    try:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        current = await current_revision(url)
    except Exception:
        return JSONResponse(status_code=503, content={"status": "database unreachable"})
    head = head_revision(url)
    if current != head:
        return JSONResponse(
            status_code=503,
            content={"status": "migrations pending", "current": current, "head": head},
        )
    return {"status": "ready", "revision": current}
