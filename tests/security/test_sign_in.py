"""Sign-in: argon2id, TOTP for case roles, rate limit, timeouts, revocation (throttle: see
tests/hardening/test_sign_in_throttle.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pyotp
from sqlmodel import col, select

from placement.auth import service as auth_service
from placement.clock import FrozenClock
from placement.db import transaction
from placement.models import Operator, UserAccount
from placement.models.enums import OperatorKind, Role
from tests.conftest import ENGLISH, TEST_PASSWORD


async def _user(app: Any, role: Role, **kw: Any) -> str:
    name = f"u{uuid.uuid4().hex[:8]}"
    async with transaction(app.state.sessionmaker) as s:
        await auth_service.create_user(s, username=name, password=TEST_PASSWORD, role=role, **kw)
    return name


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", headers=ENGLISH
    )


async def test_password_is_argon2id(app: Any) -> None:
    name = await _user(app, Role.coordinator)
    async with transaction(app.state.sessionmaker) as s:
        user = (
            await s.execute(select(UserAccount).where(col(UserAccount.username) == name))
        ).scalar_one()
        assert user.password_hash.startswith("$argon2id$")


async def test_case_role_needs_totp_before_anything(app: Any, clock: FrozenClock) -> None:
    name = await _user(app, Role.socialjour)
    async with _client(app) as c:
        r = await c.post("/api/auth/login", json={"username": name, "password": TEST_PASSWORD})
        assert r.json()["second_factor"] == "enrol"
        assert (await c.get("/api/auth/me")).status_code == 401  # password alone is not enough
        secret = (await c.post("/api/auth/totp/enrol")).json()["secret"]
        wrong = await c.post("/api/auth/totp/confirm", json={"code": "000000"})
        assert wrong.status_code == 422 and "code" in wrong.json()["detail"]
        code = pyotp.TOTP(secret).at(clock.now())
        assert (await c.post("/api/auth/totp/confirm", json={"code": code})).status_code == 204
        assert (await c.get("/api/auth/me")).json()["role"] == "socialjour"
    # Next sign-in: verify, and the same code cannot be used twice.
    async with _client(app) as c:
        r = await c.post("/api/auth/login", json={"username": name, "password": TEST_PASSWORD})
        assert r.json()["second_factor"] == "verify"
        reused = await c.post("/api/auth/totp/verify", json={"code": code})
        assert reused.status_code == 422
        clock.advance(timedelta(seconds=30))
        fresh = pyotp.TOTP(secret).at(clock.now())
        assert (await c.post("/api/auth/totp/verify", json={"code": fresh})).status_code == 204
        assert (await c.get("/api/auth/me")).status_code == 200


async def test_coordinator_needs_no_second_factor(app: Any) -> None:
    name = await _user(app, Role.coordinator)
    async with _client(app) as c:
        r = await c.post("/api/auth/login", json={"username": name, "password": TEST_PASSWORD})
        assert r.json()["second_factor"] == "none"
        assert (await c.get("/api/auth/me")).status_code == 200


async def test_session_cookie_flags(app: Any) -> None:
    name = await _user(app, Role.coordinator)
    async with _client(app) as c:
        r = await c.post("/api/auth/login", json={"username": name, "password": TEST_PASSWORD})
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie


async def test_rate_limit(app: Any) -> None:
    async with _client(app) as c:
        codes = [
            (
                await c.post("/api/auth/login", json={"username": f"x{i}", "password": "y"})
            ).status_code
            for i in range(21)
        ]
    assert codes[:20] == [401] * 20 and codes[20] == 429


async def test_idle_and_absolute_timeouts(app: Any, clock: FrozenClock) -> None:
    name = await _user(app, Role.coordinator)
    async with _client(app) as c:
        await c.post("/api/auth/login", json={"username": name, "password": TEST_PASSWORD})
        clock.advance(timedelta(minutes=29))
        assert (await c.get("/api/auth/me")).status_code == 200
        clock.advance(timedelta(minutes=31))
        assert (await c.get("/api/auth/me")).status_code == 401
    async with _client(app) as c:
        await c.post("/api/auth/login", json={"username": name, "password": TEST_PASSWORD})
        for _ in range(25):  # active every 29 minutes, but 12 hours is the limit
            clock.advance(timedelta(minutes=29))
            last = (await c.get("/api/auth/me")).status_code
        assert last == 401


async def test_disabling_or_changing_role_ends_sessions_at_once(app: Any) -> None:
    name = await _user(app, Role.coordinator)
    async with _client(app) as c:
        await c.post("/api/auth/login", json={"username": name, "password": TEST_PASSWORD})
        assert (await c.get("/api/auth/me")).status_code == 200
        async with transaction(app.state.sessionmaker) as s:
            user = (
                await s.execute(select(UserAccount).where(col(UserAccount.username) == name))
            ).scalar_one()
            await auth_service.change_role(s, user, Role.auditor, None)
        assert (await c.get("/api/auth/me")).status_code == 401
        await c.post("/api/auth/login", json={"username": name, "password": TEST_PASSWORD})
        assert (await c.get("/api/auth/me")).json()["role"] == "auditor"
        async with transaction(app.state.sessionmaker) as s:
            user = (
                await s.execute(select(UserAccount).where(col(UserAccount.username) == name))
            ).scalar_one()
            await auth_service.deactivate(s, user)
        assert (await c.get("/api/auth/me")).status_code == 401


async def test_api_tokens_only_for_operators_and_revocable(app: Any) -> None:
    async with transaction(app.state.sessionmaker) as s:
        op = Operator(name=f"Op {uuid.uuid4().hex[:5]}", kind=OperatorKind.civil_society)
        s.add(op)
        await s.flush()
        operator_user = await auth_service.create_user(
            s,
            username=f"op{uuid.uuid4().hex[:6]}",
            password=TEST_PASSWORD,
            role=Role.operator,
            operator_id=op.id,
        )
        coordinator = await auth_service.create_user(
            s, username=f"co{uuid.uuid4().hex[:6]}", password=TEST_PASSWORD, role=Role.coordinator
        )
        row, token = await auth_service.create_api_token(s, app.state.clock, operator_user, "feed")
        _, coord_token = await auth_service.create_api_token(s, app.state.clock, coordinator, "x")
        assert token not in row.token_hash  # only a digest is stored
    async with _client(app) as c:
        ok = await c.get("/api/auth/me", headers={"authorization": f"Bearer {token}"})
        assert ok.status_code == 200 and ok.json()["role"] == "operator"
        bad = await c.get("/api/auth/me", headers={"authorization": f"Bearer {coord_token}"})
        assert bad.status_code == 401
        async with transaction(app.state.sessionmaker) as s:
            await auth_service.revoke_api_token(s, app.state.clock, row.id)
        gone = await c.get("/api/auth/me", headers={"authorization": f"Bearer {token}"})
        assert gone.status_code == 401
