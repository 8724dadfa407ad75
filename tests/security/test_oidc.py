"""OIDC sign-in against a fake identity provider that signs real ID tokens (RS256)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from authlib.jose import JsonWebKey, jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api.main import create_app
from placement.auth import service as auth_service
from placement.clock import FrozenClock
from placement.config import Settings
from placement.db import transaction
from placement.models.enums import Role
from tests.conftest import TEST_PASSWORD

ISSUER = "https://idp.example.test"
KEY = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": "k1"})


class FakeIdP:
    def __init__(self) -> None:
        self.claims_by_code: dict[str, dict[str, Any]] = {}

    def app(self) -> Starlette:
        async def config(_: Request) -> JSONResponse:
            return JSONResponse(
                {
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/jwks",
                    "id_token_signing_alg_values_supported": ["RS256"],
                }
            )

        async def jwks(_: Request) -> JSONResponse:
            return JSONResponse({"keys": [KEY.as_dict(is_private=False)]})

        async def token(request: Request) -> JSONResponse:
            form = await request.form()
            claims = self.claims_by_code[str(form["code"])]
            id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, KEY).decode()
            return JSONResponse(
                {
                    "access_token": "at",
                    "token_type": "Bearer",
                    "id_token": id_token,
                    "expires_in": 300,
                }
            )

        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", config),
                Route("/jwks", jwks),
                Route("/token", token, methods=["POST"]),
            ]
        )


@pytest.fixture
async def oidc_app(db_url: str, clock: FrozenClock) -> AsyncIterator[tuple[Any, FakeIdP]]:
    idp = FakeIdP()
    settings = Settings(
        environment="test",
        cookie_secure=False,
        scheduler_enabled=False,
        oidc_issuer=ISSUER,
        oidc_client_id="boendekedjan",
        oidc_client_secret="s3cret",
        base_url="http://t",
    )
    app = create_app(
        settings,
        database_url=db_url,
        clock=clock,
        run_scheduler=False,
        http_transport=httpx.ASGITransport(app=idp.app()),
    )
    async with app.router.lifespan_context(app):
        yield app, idp


async def _sign_in(app: Any, idp: FakeIdP, username: str, amr: list[str]) -> httpx.AsyncClient:
    c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
    r = await c.get("/login/oidc")
    assert r.status_code == 302
    query = parse_qs(urlparse(r.headers["location"]).query)
    assert query["client_id"] == ["boendekedjan"]
    code = uuid.uuid4().hex
    now = int(time.time())
    idp.claims_by_code[code] = {
        "iss": ISSUER,
        "aud": "boendekedjan",
        "sub": "abc",
        "iat": now,
        "exp": now + 300,
        "nonce": query["nonce"][0],
        "preferred_username": username,
        "amr": amr,
    }
    r = await c.get("/login/oidc/callback", params={"code": code, "state": query["state"][0]})
    assert r.status_code == 200, r.text
    return c


async def test_oidc_with_mfa_signs_in(oidc_app: tuple[Any, FakeIdP]) -> None:
    app, idp = oidc_app
    async with transaction(app.state.sessionmaker) as s:
        await auth_service.create_user(
            s, username="anna.rvt", password=TEST_PASSWORD, role=Role.socialjour
        )
    c = await _sign_in(app, idp, "anna.rvt", ["pwd", "mfa"])
    me = await c.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["username"] == "anna.rvt"
    await c.aclose()


async def test_oidc_without_mfa_still_needs_totp(oidc_app: tuple[Any, FakeIdP]) -> None:
    app, idp = oidc_app
    async with transaction(app.state.sessionmaker) as s:
        await auth_service.create_user(
            s, username="bo.jour", password=TEST_PASSWORD, role=Role.socialjour
        )
    c = await _sign_in(app, idp, "bo.jour", ["pwd"])
    assert (await c.get("/api/auth/me")).status_code == 401
    assert (await c.get("/login/enrol")).status_code == 200
    await c.aclose()


async def test_oidc_unknown_user_is_refused(oidc_app: tuple[Any, FakeIdP]) -> None:
    app, idp = oidc_app
    c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
    r = await c.get("/login/oidc")
    query = parse_qs(urlparse(r.headers["location"]).query)
    now = int(time.time())
    idp.claims_by_code["x"] = {
        "iss": ISSUER,
        "aud": "boendekedjan",
        "sub": "z",
        "iat": now,
        "exp": now + 300,
        "nonce": query["nonce"][0],
        "preferred_username": "nobody",
    }
    r = await c.get("/login/oidc/callback", params={"code": "x", "state": query["state"][0]})
    assert r.status_code == 401 and "Boendekedjan" in r.text
    await c.aclose()


async def test_oidc_not_configured(anon_client: httpx.AsyncClient) -> None:
    assert (await anon_client.get("/login/oidc")).status_code == 404
