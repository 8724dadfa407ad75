"""No free database connection within the wait: 503 "busy, try again" with Retry-After,
in Swedish, logged without anything the request carried (not a 500)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from api.csrf import SESSION_COOKIE
from api.main import create_app
from placement.clock import FrozenClock
from tests.conftest import make_test_settings

MARKER = "Astrid Lindqvist 19791231-9876"  # synthetic: must reach no log


@pytest.fixture
async def one_connection_app(db_url: str, clock: FrozenClock) -> AsyncIterator[Any]:
    settings = make_test_settings()
    settings.db_pool_size = 1
    settings.db_max_overflow = 0
    settings.db_pool_timeout_s = 0.2
    application = create_app(settings, database_url=db_url, clock=clock, run_scheduler=False)
    async with application.router.lifespan_context(application):
        yield application


def _client(app: Any) -> httpx.AsyncClient:
    # No Accept-Language: the answer is in the default language, Swedish.
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)


async def test_a_drained_pool_answers_503_in_swedish_with_retry_after(
    one_connection_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = one_connection_app
    caplog.set_level(logging.INFO)
    async with app.state.engine.connect() as held, _client(app) as c:
        await held.execute(text("SELECT 1"))  # the pool's only connection, kept busy
        r = await c.post("/api/auth/login", json={"username": MARKER, "password": MARKER})
        assert r.status_code == 503
        assert r.headers["retry-after"] == "5"
        assert r.json()["detail"] == (
            "Tjänsten är hårt belastad just nu och inget sparades. Försök igen om en stund."
        )
        page = await c.get(f"/?q={MARKER}", cookies={SESSION_COOKIE: MARKER})
        assert page.status_code == 503
        assert page.headers["retry-after"] == "5"
        assert "Hög belastning just nu" in page.text
        assert "inget sparades" in page.text
    logged = _logged(caplog)
    assert "database pool exhausted" in logged and "/api/auth/login" in logged
    assert MARKER not in logged and "19791231" not in logged
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_the_same_request_succeeds_once_a_connection_is_free(
    one_connection_app: Any,
) -> None:
    app = one_connection_app
    async with _client(app) as c:
        async with app.state.engine.connect() as held:
            await held.execute(text("SELECT 1"))
            r = await c.post("/api/auth/login", json={"username": "nobody", "password": "x"})
            assert r.status_code == 503
        r = await c.post("/api/auth/login", json={"username": "nobody", "password": "x"})
        assert r.status_code == 401  # answered normally: nothing was left behind
