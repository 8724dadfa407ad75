"""Schemathesis over the app's own OpenAPI description, as a signed-in RVT officer of the demo
city: a few generated requests for every operation (bounded to fit CI), none of which may
get a server error."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import col, select

from api.csrf import SESSION_COOKIE
from api.main import create_app
from placement.auth.service import start_session
from placement.clock import SystemClock
from placement.db import make_sessionmaker, transaction
from placement.models import UserAccount
from tests.conftest import make_test_settings
from tests.net import free_port

# Operations that end or replace the very session the run uses.
SKIP = {
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/totp/enrol"),
    ("POST", "/api/auth/totp/confirm"),
    ("POST", "/api/auth/totp/verify"),
}
EXAMPLES = 3


@pytest.fixture
def live(db_url: str, demo: dict[str, int]) -> Iterator[str]:
    app = create_app(make_test_settings(), database_url=db_url, run_scheduler=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


async def _rvt_session(db_url: str) -> str:
    engine = create_async_engine(db_url)
    try:
        async with transaction(make_sessionmaker(engine)) as s:
            user = await s.scalar(
                select(UserAccount).where(col(UserAccount.username) == "rvt.sodermalm")
            )
            assert user is not None
            return await start_session(s, SystemClock(), user, second_factor_done=True)
    finally:
        await engine.dispose()


def test_no_server_error_for_any_generated_request(db_url: str, live: str) -> None:
    token = asyncio.run(_rvt_session(db_url))
    cookies = {SESSION_COOKIE: token}
    spec = httpx.get(f"{live}/openapi.json", cookies=cookies, timeout=30).json()
    assert len(spec["paths"]) > 50  # the app's own description, read while signed in
    schema = schemathesis.openapi.from_dict(spec)
    errors: list[str] = []
    ran = 0

    def run_operation(op: Any) -> int:
        count = 0

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(op.as_strategy())
        def check(case: Any) -> None:
            nonlocal count
            count += 1
            response = case.call(base_url=live, cookies=cookies, timeout=30)
            if response.status_code >= 500:
                errors.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        check()
        return count

    for result in schema.get_all_operations():
        op = result.ok()
        if (op.method.upper(), op.path) in SKIP:
            continue
        ran += run_operation(op)
    assert ran >= 100  # every operation got its examples
    assert errors == []
    # The session is still the one the run started with (nothing logged it out).
    assert httpx.get(f"{live}/api/auth/me", cookies=cookies).status_code == 200
