"""Sign-in does not hold a pooled database connection while argon2 checks the password.

argon2 takes about 170 ms of CPU per check. Holding the request's connection meanwhile let a
burst of sign-ins drain the pool (issue 16's load test: HTTP 500 from pool timeouts).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from api.main import create_app
from placement.auth import secrets
from placement.auth import service as auth_service
from placement.clock import FrozenClock
from placement.db import transaction
from placement.models.enums import Role
from tests.conftest import ENGLISH, TEST_PASSWORD, make_test_settings
from tests.pages.helpers import post_form

LOGIN = "/api/auth/login"


async def _user(app: Any, role: Role = Role.coordinator) -> str:
    name = f"u{uuid.uuid4().hex[:8]}"
    async with transaction(app.state.sessionmaker) as s:
        await auth_service.create_user(s, username=name, password=TEST_PASSWORD, role=role)
    return name


def _client(app: Any, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://t", headers=ENGLISH)


@pytest.fixture
def checked_out_during_argon2(app: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many pooled connections were checked out while each password check ran."""
    seen: list[int] = []
    real = secrets.verify_password

    def watched(password_hash: str, password: str) -> bool:
        seen.append(app.state.engine.pool.checkedout())
        return real(password_hash, password)

    monkeypatch.setattr(auth_service, "verify_password", watched)
    return seen


async def test_no_connection_is_held_while_the_password_is_checked(
    app: Any, checked_out_during_argon2: list[int]
) -> None:
    name = await _user(app)
    async with _client(app, "10.1.0.1") as c:
        assert (
            await c.post(LOGIN, json={"username": name, "password": TEST_PASSWORD})
        ).status_code == 200
        wrong = {"username": name, "password": "wrong-password!"}
        assert (await c.post(LOGIN, json=wrong)).status_code == 401
        nobody = {"username": f"nobody-{uuid.uuid4().hex[:6]}", "password": "x" * 14}
        assert (await c.post(LOGIN, json=nobody)).status_code == 401
    async with _client(app, "10.1.0.2") as page:
        r = await post_form(page, "/login", "/login", {"username": name, "password": TEST_PASSWORD})
        assert r.status_code == 303
        r = await post_form(page, "/login", "/login", {"username": name, "password": "fel"})
        assert r.status_code == 401
    # Every check ran (known, wrong, unknown user, both routes), none with a connection out.
    assert checked_out_during_argon2 == [0, 0, 0, 0, 0]


async def test_the_sign_in_still_writes_its_session_and_audit_row(app: Any) -> None:
    """Reading, checking and writing in two transactions keeps the writes: the session
    works and the sign-in is in the audit log."""
    from sqlalchemy import func, select

    from placement.models import AuditEntry, UserAccount, UserSession
    from placement.models.enums import AuditAction
    from tests.conftest import owner_sm

    name = await _user(app)
    async with _client(app, "10.1.1.1") as c:
        assert (
            await c.post(LOGIN, json={"username": name, "password": TEST_PASSWORD})
        ).status_code == 200
        assert (await c.get("/api/auth/me")).json()["username"] == name
    async with owner_sm(app)() as s:
        user_id = await s.scalar(select(UserAccount.id).where(UserAccount.username == name))
        sessions = await s.scalar(
            select(func.count()).select_from(UserSession).where(UserSession.user_id == user_id)
        )
        audited = await s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity_id == user_id, AuditEntry.action == AuditAction.login)
        )
    assert sessions == 1 and audited == 1


@pytest.fixture
async def small_pool_app(db_url: str, clock: FrozenClock) -> AsyncIterator[Any]:
    """Two pooled connections, no overflow, a short wait: what a burst meets at scale."""
    settings = make_test_settings()
    settings.db_pool_size = 2
    settings.db_max_overflow = 0
    settings.db_pool_timeout_s = 4.0
    application = create_app(settings, database_url=db_url, clock=clock, run_scheduler=False)
    async with application.router.lifespan_context(application):
        yield application


async def test_forty_sign_ins_at_once_share_two_connections(
    small_pool_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """40 sign-ins at the same moment through a pool of two (no overflow, 4 s wait), each
    password check 200 ms slower than argon2 alone (as on a busy server; the same on any
    machine). With the connection held during the check, two at a time, the last ones
    waited past 4 s and answered 500. Now every one is answered as it should be: right
    password 200, wrong 401, a client already throttled 429."""
    app = small_pool_app
    real = secrets.verify_password

    def slow(password_hash: str, password: str) -> bool:
        time.sleep(0.2)
        return real(password_hash, password)

    monkeypatch.setattr(auth_service, "verify_password", slow)
    names = [await _user(app) for _ in range(4)]
    throttled_name = names[0]
    async with _client(app, "10.2.9.9") as bad:
        for _ in range(5):
            r = await bad.post(LOGIN, json={"username": throttled_name, "password": "wrong-pass!"})
            assert r.status_code == 401

    clients = [_client(app, f"10.2.0.{i + 1}") for i in range(39)] + [_client(app, "10.2.9.9")]

    async def attempt(i: int, c: httpx.AsyncClient) -> int:
        name, password = names[i % 4], "wrong-password!" if i % 4 == 3 else TEST_PASSWORD
        if i == 39:  # the throttled client, with the right password: still held back
            name, password = throttled_name, TEST_PASSWORD
        r = await c.post(LOGIN, json={"username": name, "password": password})
        return r.status_code

    try:
        codes = await asyncio.gather(*(attempt(i, c) for i, c in enumerate(clients)))
    finally:
        for c in clients:
            await c.aclose()
    expected = [401 if i % 4 == 3 else 200 for i in range(39)] + [429]
    assert list(codes) == expected, Counter(codes)
