"""Sign-in that cannot be guessed and cannot be turned against a user by a stranger."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pyotp

from placement.auth import service as auth_service
from placement.clock import FrozenClock
from placement.db import transaction
from placement.models.enums import Role
from tests.conftest import ENGLISH, TEST_PASSWORD, TOTP_SECRETS

LOGIN = "/api/auth/login"


async def _user(app: Any, role: Role = Role.coordinator) -> str:
    name = f"u{uuid.uuid4().hex[:8]}"
    async with transaction(app.state.sessionmaker) as s:
        await auth_service.create_user(s, username=name, password=TEST_PASSWORD, role=role)
    return name


def _client(app: Any, address: str = "10.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://t", headers=ENGLISH)


async def _wrong(c: httpx.AsyncClient, name: str, **kw: Any) -> httpx.Response:
    return await c.post(LOGIN, json={"username": name, "password": "wrong-password!"}, **kw)


async def test_a_strangers_failures_do_not_lock_the_user_out(app: Any) -> None:
    name = await _user(app)
    async with _client(app, "10.0.0.66") as stranger, _client(app, "10.0.0.7") as officer:
        codes = [(await _wrong(stranger, name)).status_code for _ in range(15)]
        assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
        # The stranger's own address is held back even with the right password ...
        r = await stranger.post(LOGIN, json={"username": name, "password": TEST_PASSWORD})
        assert r.status_code == 429
        assert "Wait 15 minutes" in r.json()["detail"] or "Vänta" in r.json()["detail"]
        # ... and the user, from their own device, signs in at once.
        r = await officer.post(LOGIN, json={"username": name, "password": TEST_PASSWORD})
        assert r.status_code == 200


async def test_throttle_passes_after_the_window(app: Any, clock: FrozenClock) -> None:
    name = await _user(app)
    async with _client(app) as c:
        for _ in range(5):
            assert (await _wrong(c, name)).status_code == 401
        r = await c.post(LOGIN, json={"username": name, "password": TEST_PASSWORD})
        assert r.status_code == 429
        clock.advance(timedelta(minutes=16))
        r = await c.post(LOGIN, json={"username": name, "password": TEST_PASSWORD})
        assert r.status_code == 200


async def test_unknown_and_known_user_names_get_the_same_answer(app: Any) -> None:
    name = await _user(app)
    async with _client(app, "10.0.1.1") as a, _client(app, "10.0.1.2") as b:
        known = [await _wrong(a, name) for _ in range(6)]
        nobody = f"nobody-{uuid.uuid4().hex[:6]}"
        unknown = [await _wrong(b, nobody) for _ in range(6)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert [r.json() for r in known] == [r.json() for r in unknown]


async def test_a_disabled_account_answers_like_a_wrong_password(app: Any) -> None:
    name = await _user(app)
    async with transaction(app.state.sessionmaker) as s:
        from sqlmodel import col, select

        from placement.models import UserAccount

        user = await s.execute(select(UserAccount).where(col(UserAccount.username) == name))
        await auth_service.deactivate(s, user.scalar_one())
    async with _client(app) as c:
        r = await c.post(LOGIN, json={"username": name, "password": TEST_PASSWORD})
        w = await _wrong(c, f"nobody-{uuid.uuid4().hex[:6]}")
    assert r.status_code == w.status_code == 401 and r.json() == w.json()


async def test_forwarded_for_from_an_untrusted_client_changes_nothing(app: Any) -> None:
    async with _client(app, "10.0.2.1") as c:
        codes = [(await _wrong(c, f"x{i}")).status_code for i in range(21)]
        assert codes[-1] == 429
        for i in range(5):
            r = await _wrong(c, f"y{i}", headers={"X-Forwarded-For": f"203.0.113.{i + 1}"})
            assert r.status_code == 429


async def test_forwarded_for_is_read_only_from_a_trusted_proxy(app: Any) -> None:
    app.state.settings.trusted_proxies = "10.9.9.9"
    name = await _user(app)
    async with _client(app, "10.9.9.9") as proxy:
        for _ in range(5):
            await _wrong(proxy, name, headers={"X-Forwarded-For": "198.51.100.5"})
        r = await proxy.post(
            LOGIN,
            json={"username": name, "password": TEST_PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.5"},
        )
        assert r.status_code == 429  # the client behind the proxy is throttled ...
        r = await proxy.post(
            LOGIN,
            json={"username": name, "password": TEST_PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.6"},
        )
        assert r.status_code == 200  # ... not every client of the proxy


async def test_six_wrong_codes_end_the_password_session(app: Any, client_for: Any) -> None:
    enrolled = await client_for(Role.socialjour)
    name = (await enrolled.get("/api/auth/me")).json()["username"]
    async with _client(app, "10.0.3.1") as c:
        r = await c.post(LOGIN, json={"username": name, "password": TEST_PASSWORD})
        assert r.status_code == 200 and r.json()["second_factor"] == "verify"
        codes = [
            (await c.post("/api/auth/totp/verify", json={"code": "000000"})).status_code
            for _ in range(6)
        ]
        assert codes[:4] == [422] * 4 and codes[4:] == [401, 401]
        # The right code no longer helps: the password session is gone.
        at = app.state.clock.now() + timedelta(seconds=30)
        good = pyotp.TOTP(TOTP_SECRETS[name]).at(at)
        r = await c.post("/api/auth/totp/verify", json={"code": good})
        assert r.status_code == 401
        # The wrong codes count toward the throttle for this client and user name.
        r = await c.post(LOGIN, json={"username": name, "password": TEST_PASSWORD})
        assert r.status_code == 429
    async with _client(app, "10.0.3.2") as other:
        r = await other.post(LOGIN, json={"username": name, "password": TEST_PASSWORD})
        assert r.status_code == 200
        r = await other.post("/api/auth/totp/verify", json={"code": good})
        assert r.status_code == 204


async def test_old_failures_are_pruned_by_the_sweep(
    app: Any, clock: FrozenClock, settings: Any
) -> None:
    from placement.jobs import run_all_sweeps

    name = await _user(app)
    async with _client(app) as c:
        for _ in range(3):
            await _wrong(c, name)
    assert (await run_all_sweeps(app.state.sessionmaker, clock, settings))["sign_in_failures"] == 0
    clock.advance(timedelta(minutes=16))
    assert (await run_all_sweeps(app.state.sessionmaker, clock, settings))["sign_in_failures"] == 3


async def test_login_page_says_so_in_swedish(app: Any) -> None:
    from tests.pages.helpers import post_form

    name = await _user(app)
    async with _client(app, "10.0.4.1") as c:
        for _ in range(5):
            r = await post_form(c, "/login", "/login", {"username": name, "password": "fel"})
            assert r.status_code == 401
        r = await post_form(c, "/login", "/login", {"username": name, "password": TEST_PASSWORD})
        assert r.status_code == 429
        assert "För många misslyckade försök från den här enheten" in r.text
