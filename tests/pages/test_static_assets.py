"""The favicon is served from the app itself (no CDN) and every page points to it; the print
stylesheet hides navigation, forms and the revealed identity."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import ClientFactory


async def test_favicon_and_print_stylesheet(app: Any, client_for: ClientFactory) -> None:
    anon = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    icon = await anon.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    login = await anon.get("/login")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in login.text
    css = (await anon.get("/static/app.css")).text
    printed = css.split("@media print", 1)[1]
    for hidden in ("header.top", "form", "button", ".identity", "nav"):
        assert hidden in printed.split("display: none")[0]
    await anon.aclose()
