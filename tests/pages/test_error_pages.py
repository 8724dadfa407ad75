"""Error answers: an HTML page in the reader's language for every page route (unknown
addresses, bad ids in the address, refused roles, failures), JSON only under /api."""

from __future__ import annotations

from typing import Any

import httpx

from placement.models.enums import Role
from tests.conftest import ClientFactory


def _html(r: httpx.Response) -> bool:
    return r.headers["content-type"].startswith("text/html") and "<!doctype html>" in r.text


async def test_unknown_address_is_an_html_page_in_swedish_and_english(
    anon_client: httpx.AsyncClient,
) -> None:
    r = await anon_client.get("/no/such/page")
    assert r.status_code == 404 and _html(r)
    assert "Sidan finns inte" in r.text and '<html lang="sv">' in r.text
    r = await anon_client.get("/no/such/page?lang=en")
    assert r.status_code == 404 and "Page not found" in r.text
    r = await anon_client.get("/api/no/such/route")
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"


async def test_wrong_method_on_a_page_is_html(anon_client: httpx.AsyncClient) -> None:
    r = await anon_client.delete("/login")
    assert r.status_code == 405 and _html(r)


async def test_bad_ids_in_page_addresses_answer_html_not_found(
    client_for: ClientFactory,
) -> None:
    admin = await client_for(Role.admin)
    r = await admin.get("/admin/users/not-a-uuid?lang=en")
    assert r.status_code == 404 and _html(r) and "Page not found" in r.text
    r = await admin.get("/admin/users/00000000-0000-0000-0000-000000000000?lang=sv")
    assert r.status_code == 404 and _html(r) and "Användaren finns inte." in r.text
    # The signed-in reader's page keeps the menu.
    assert 'aria-label="Huvudmeny"' in r.text
    r = await admin.get("/api/admin/users/not-a-uuid/tokens")
    assert r.status_code in (404, 405) and r.headers["content-type"] == "application/json"


async def test_a_refused_role_gets_an_html_403(client_for: ClientFactory) -> None:
    auditor = await client_for(Role.auditor)
    r = await auditor.get("/desk?lang=en")
    assert r.status_code == 403 and _html(r) and "Not allowed" in r.text
    assert "Your role does not give access to this page." in r.text


async def test_a_failure_is_an_html_500_without_details(app: Any, anon_client: Any) -> None:
    from fastapi import APIRouter

    from api.routing import UnitOfWorkRoute

    router = APIRouter(route_class=UnitOfWorkRoute)

    @router.get("/boom-page")
    async def boom() -> None:
        raise RuntimeError("secret detail")

    app.include_router(router)
    r = await anon_client.get("/boom-page?lang=en")
    assert r.status_code == 500 and _html(r) and "Something went wrong" in r.text
    assert "secret detail" not in r.text
