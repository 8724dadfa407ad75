"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.routing import UnitOfWorkRoute
from placement.migrate import current_revision, head_revision

# The login the app's connections run as (session_user: what RESET ROLE would return to).
LOGIN_CHECK = """
SELECT r.rolsuper, r.rolbypassrls,
       (SELECT count(*) FROM pg_tables t
         WHERE t.schemaname = 'public' AND t.tableowner = session_user)
FROM pg_roles r WHERE r.rolname = session_user
"""

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
            login = (await conn.execute(text(LOGIN_CHECK))).one()
        current = await current_revision(url)
    except Exception:
        return JSONResponse(status_code=503, content={"status": "database unreachable"})
    superuser, bypass_rls, owned = bool(login[0]), bool(login[1]), int(login[2])
    if superuser or bypass_rls or owned:
        # The app must not be able to escape row-level security or the append-only audit log.
        return JSONResponse(
            status_code=503,
            content={
                "status": "unsafe database login",
                "superuser": superuser,
                "bypass_rls": bypass_rls,
                "owned_tables": owned,
            },
        )
    head = head_revision(url)
    if current != head:
        return JSONResponse(
            status_code=503,
            content={"status": "migrations pending", "current": current, "head": head},
        )
    return {"status": "ready", "revision": current}
