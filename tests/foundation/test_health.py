from __future__ import annotations

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


async def test_openapi_docs(anon_client: httpx.AsyncClient) -> None:
    r = await anon_client.get("/docs")
    assert r.status_code == 200
    spec = (await anon_client.get("/openapi.json")).json()
    assert "/healthz" in spec["paths"]


async def test_security_headers(anon_client: httpx.AsyncClient) -> None:
    r = await anon_client.get("/healthz")
    assert r.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
