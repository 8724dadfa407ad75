"""Error answers: an HTML page in the reader's language for every page route (unknown
addresses, bad ids in the address, refused roles, failures), JSON only under /api."""

from __future__ import annotations

from typing import Any

import httpx

from placement.models.enums import Role
from tests.conftest import ClientFactory, owner_sm
from tests.decisions.factories import make_world


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


async def test_unknown_address_shows_the_signed_in_readers_menu_and_search(
    app: Any, client_for: ClientFactory
) -> None:
    world = await make_world(owner_sm(app))
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    r = await rvt.get("/no/such/page?lang=sv")
    assert r.status_code == 404 and _html(r) and "Sidan finns inte" in r.text
    assert 'aria-label="Huvudmeny"' in r.text
    assert 'href="/desk"' in r.text and 'href="/due"' in r.text
    assert 'role="search"' in r.text and 'action="/search"' in r.text
    assert 'action="/logout"' in r.text
    # Under /api an unknown address stays JSON, signed in or not.
    r = await rvt.get("/api/no/such/route")
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"


async def test_unknown_address_for_an_anonymous_reader_offers_only_sign_in(
    anon_client: httpx.AsyncClient,
) -> None:
    r = await anon_client.get("/no/such/page?lang=sv")
    assert r.status_code == 404 and _html(r)
    assert 'href="/login"' in r.text and "Logga in" in r.text
    assert 'aria-label="Huvudmeny"' not in r.text and 'role="search"' not in r.text
    assert 'action="/logout"' not in r.text
