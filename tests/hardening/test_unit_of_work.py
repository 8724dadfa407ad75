"""The unit of work commits before the response and rolls back on every error response."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy import text

from api.deps import SessionDep
from api.routing import UnitOfWorkRoute
from tests.conftest import owner_sm

SETUP = [
    "CREATE TABLE uow_probe (id int PRIMARY KEY, parent int)",
    "CREATE TABLE uow_parent (id int PRIMARY KEY)",
    # Checked only at COMMIT: the handler's flush succeeds, the commit fails.
    "ALTER TABLE uow_probe ADD CONSTRAINT uow_fk FOREIGN KEY (parent) REFERENCES uow_parent(id)"
    " DEFERRABLE INITIALLY DEFERRED",
    "GRANT SELECT, INSERT ON uow_probe, uow_parent TO boendekedjan_app",
]


async def _prepare(app: Any) -> None:
    async with owner_sm(app)() as s:
        for statement in SETUP:
            await s.execute(text(statement))
        await s.commit()
    router = APIRouter(route_class=UnitOfWorkRoute)

    @router.post("/api/_probe/deferred")
    async def deferred(session: SessionDep) -> dict[str, str]:
        await session.execute(text("INSERT INTO uow_probe VALUES (1, 999)"))
        await session.flush()
        return {"status": "saved"}

    @router.post("/api/_probe/ok")
    async def ok(session: SessionDep) -> dict[str, str]:
        await session.execute(text("INSERT INTO uow_probe VALUES (2, NULL)"))
        return {"status": "saved"}

    @router.post("/api/_probe/form-error")
    async def form_error(session: SessionDep) -> JSONResponse:
        await session.execute(text("INSERT INTO uow_probe VALUES (3, NULL)"))
        await session.flush()
        return JSONResponse({"detail": "Rätta formuläret."}, status_code=422)

    app.include_router(router)


async def _ids(app: Any) -> list[int]:
    async with owner_sm(app)() as s:
        return [r[0] for r in await s.execute(text("SELECT id FROM uow_probe ORDER BY id"))]


async def test_failed_commit_is_an_error_never_a_success(app: Any) -> None:
    await _prepare(app)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        r = await c.post("/api/_probe/deferred")
        assert r.status_code == 500
        assert "saved" not in r.text
        r = await c.post("/api/_probe/ok")
        assert r.status_code == 200
        # Committed before the response was sent: visible to another connection at once.
        assert await _ids(app) == [2]
        r = await c.post("/api/_probe/form-error")
        assert r.status_code == 422
    assert await _ids(app) == [2]  # the error response rolled its write back


def _walk(routes: list[Any]) -> list[Any]:
    out: list[Any] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        out.extend(_walk(list(inner.routes)) if inner is not None else [route])
    return out


def test_every_route_is_a_unit_of_work(app: Any) -> None:
    api_routes = [r for r in _walk(list(app.routes)) if isinstance(r, APIRoute)]
    assert len(api_routes) > 100
    plain = [r.path for r in api_routes if not isinstance(r, UnitOfWorkRoute)]
    assert plain == []
