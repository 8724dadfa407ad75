"""The app's own database login cannot escape row-level security or the append-only audit
log: it is not a superuser, owns no table, has no BYPASSRLS, and RESET ROLE changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from placement.db import transaction
from placement.models.enums import Role


async def test_reset_role_cannot_escape(app: Any, client_for: Any) -> None:
    await client_for(Role.coordinator)  # a sign-in writes an audit entry or two
    async with app.state.sessionmaker() as s:
        row = (
            await s.execute(
                text(
                    "SELECT session_user, current_user, r.rolsuper, r.rolbypassrls "
                    "FROM pg_roles r WHERE r.rolname = session_user"
                )
            )
        ).one()
    assert row[0] == row[1] == "boendekedjan_app"
    assert row[2] is False and row[3] is False
    for statement in (
        "RESET ROLE; DELETE FROM audit_entry",
        "RESET ROLE; UPDATE audit_entry SET reason = 'x'",
        "RESET ROLE; TRUNCATE audit_entry",
        "SET ROLE postgres",
        "SET SESSION AUTHORIZATION postgres",
        "ALTER TABLE audit_entry DISABLE ROW LEVEL SECURITY",
    ):
        with pytest.raises(DBAPIError):
            async with transaction(app.state.sessionmaker) as s:
                for part in statement.split("; "):
                    await s.execute(text(part))


async def test_readyz_refuses_an_unsafe_login(app: Any, anon_client: Any) -> None:
    r = await anon_client.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ready"
    from fastapi import FastAPI

    from api.main import create_app

    unsafe: FastAPI = create_app(
        app.state.settings.model_copy(update={"app_db_role": ""}),
        database_url=app.state.database_url,
        clock=app.state.clock,
        run_scheduler=False,
    )
    import httpx

    async with unsafe.router.lifespan_context(unsafe):
        transport = httpx.ASGITransport(app=unsafe)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            r = await c.get("/readyz")
    assert r.status_code == 503 and r.json()["status"] == "unsafe database login"
    assert r.json()["superuser"] is True
