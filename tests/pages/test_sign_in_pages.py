"""Sign-in pages through HTTP: CSRF, errors next to fields, enrolment, home by role."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pyotp

from placement.auth import service as auth_service
from placement.clock import FrozenClock
from placement.db import transaction
from placement.models.enums import Role
from tests.conftest import TEST_PASSWORD
from tests.pages.helpers import CSRF, post_form


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def _user(app: Any, role: Role) -> str:
    name = f"u{uuid.uuid4().hex[:8]}"
    async with transaction(app.state.sessionmaker) as s:
        await auth_service.create_user(s, username=name, password=TEST_PASSWORD, role=role)
    return name


async def test_login_page_is_swedish_by_default_and_english_on_request(app: Any) -> None:
    async with _client(app) as c:
        r = await c.get("/login")
        assert r.status_code == 200 and 'lang="sv"' in r.text and "Logga in" in r.text
        r = await c.get("/login?lang=en")
        assert 'lang="en"' in r.text and "Sign in" in r.text
        assert r.headers["cache-control"] == "no-store"


async def test_form_without_csrf_is_refused(app: Any) -> None:
    async with _client(app) as c:
        r = await c.post("/login", data={"username": "a", "password": "b"})
        assert r.status_code == 403


async def test_wrong_password_keeps_the_user_name(app: Any) -> None:
    name = await _user(app, Role.coordinator)
    async with _client(app) as c:
        r = await post_form(c, "/login", "/login", {"username": name, "password": "nope"})
        assert r.status_code == 401
        assert f'value="{name}"' in r.text and 'role="alert"' in r.text


async def test_empty_fields_are_marked(app: Any) -> None:
    async with _client(app) as c:
        r = await post_form(c, "/login", "/login", {"username": "", "password": ""})
        assert r.status_code == 422
        assert 'id="username-error"' in r.text and 'aria-invalid="true"' in r.text


async def test_enrolment_then_verified_sign_in(app: Any, clock: FrozenClock) -> None:
    name = await _user(app, Role.socialjour)
    async with _client(app) as c:
        r = await post_form(c, "/login", "/login", {"username": name, "password": TEST_PASSWORD})
        assert r.status_code == 303 and r.headers["location"] == "/login/enrol"
        page = await c.get("/login/enrol")  # each visit shows a fresh secret
        secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
        assert secret and "<svg" in page.text
        token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        r = await c.post("/login/enrol", data={"code": "123456", "csrf_token": token})
        assert r.status_code == 422 and 'id="code-error"' in r.text
        assert secret.group(1) in r.text  # the same secret is shown again
        code = pyotp.TOTP(secret.group(1)).at(clock.now())
        token = CSRF.search(r.text).group(1)  # type: ignore[union-attr]
        r = await c.post("/login/enrol", data={"code": code, "csrf_token": token})
        assert r.status_code == 303 and r.headers["location"] == "/night"
    async with _client(app) as c:
        from datetime import timedelta

        clock.advance(timedelta(seconds=30))
        code = pyotp.TOTP(secret.group(1)).at(clock.now())
        r = await post_form(
            c, "/login", "/login", {"username": name, "password": TEST_PASSWORD, "code": "000000"}
        )
        assert r.status_code == 422 and 'id="code-error"' in r.text
        r = await post_form(
            c, "/login", "/login", {"username": name, "password": TEST_PASSWORD, "code": code}
        )
        assert r.status_code == 303 and r.headers["location"] == "/night"


async def test_pages_redirect_to_sign_in(app: Any) -> None:
    async with _client(app) as c:
        r = await c.get("/")
        assert r.status_code == 303 and r.headers["location"] == "/login"
