from __future__ import annotations

import re
from typing import Any

import httpx


async def test_healthz(anon_client: httpx.AsyncClient) -> None:
    r = await anon_client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


async def test_readyz_at_head(anon_client: httpx.AsyncClient) -> None:
    r = await anon_client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ready"


async def test_readyz_reports_pending_migrations(empty_db_url: str) -> None:
    from api.main import create_app
    from placement.config import Settings

    app = create_app(Settings(environment="test"), database_url=empty_db_url, run_scheduler=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            r = await c.get("/readyz")
    assert r.status_code == 503
    assert r.json()["status"] == "migrations pending"


async def test_openapi_docs_need_sign_in_and_load_nothing_from_a_cdn(
    anon_client: httpx.AsyncClient, client_for: Any
) -> None:
    from placement.models.enums import Role

    assert (await anon_client.get("/docs")).status_code == 401
    assert (await anon_client.get("/openapi.json")).status_code == 401
    signed_in = await client_for(Role.coordinator)
    r = await signed_in.get("/docs")
    assert r.status_code == 200
    assert "cdn" not in r.text.lower() and "https://" not in r.text
    assets = re.findall(r'(?:src|href)="(/static/swagger/[^"]+)"', r.text)
    assert len(assets) >= 2
    for asset in assets:
        assert (await anon_client.get(asset)).status_code == 200
    spec = (await signed_in.get("/openapi.json")).json()
    assert "/healthz" in spec["paths"]


async def test_security_headers(anon_client: httpx.AsyncClient) -> None:
    r = await anon_client.get("/healthz")
    assert r.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
