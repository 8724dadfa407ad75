"""One menu per role (base.html, built by placement.navigation): what the role can open,
with the count of what is due today and of unread messages; the menu's permission sets
are the pages' own."""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlmodel import col, select

import api.pages
from placement.clock import FrozenClock
from placement.models import FollowUp
from placement.models.enums import Role
from placement.navigation import ENTRIES, entries_for
from tests.conftest import ClientFactory, owner_sm
from tests.decisions.factories import World, make_world
from tests.pages.test_desk_page import placed


@pytest.fixture
async def world(app: Any) -> World:
    return await make_world(owner_sm(app))


def menu_links(page: str) -> list[str]:
    nav = re.search(r'<nav class="menu"[^>]*>(.*?)</nav>', page, re.S)
    assert nav, "no menu"
    return re.findall(r'href="([^"]+)"', nav.group(1))


EXPECTED = {
    Role.socialjour: ["/night", "/desk", "/due", "/inbox"],
    Role.rvt_officer: ["/night", "/desk", "/due", "/inbox"],
    Role.coordinator: ["/inbox", "/board", "/statistics"],
    Role.housing_agency: ["/inbox", "/priority"],
    Role.operator: ["/inbox", "/operator"],
    Role.auditor: ["/audit"],
    Role.admin: ["/admin"],
}


def test_each_role_is_offered_what_its_permissions_open() -> None:
    for role, paths in EXPECTED.items():
        assert [e.path for e in entries_for(role)] == paths, role


def _page_routes() -> list[APIRoute]:
    out: list[APIRoute] = []
    for info in pkgutil.iter_modules(api.pages.__path__):
        router = getattr(importlib.import_module(f"api.pages.{info.name}"), "router", None)
        out.extend(r for r in getattr(router, "routes", []) if isinstance(r, APIRoute))
    return out


def test_the_menu_asks_what_the_pages_ask() -> None:
    """Each entry's permissions are exactly those its page's dependency requires."""
    routes = _page_routes()
    for entry in ENTRIES:
        if entry.key in ("inbox", "statistics"):
            continue  # the inbox is every signed-in user's; statistics is another branch's
        route = next(r for r in routes if r.path == entry.path and "GET" in r.methods)
        needs = [
            getattr(d.call, "required_permissions", None)
            for d in route.dependant.dependencies
            if getattr(d.call, "required_permissions", None) is not None
        ]
        assert needs and set(needs[0]) == set(entry.needs), entry.key


@pytest.mark.parametrize(
    ("role", "home"),
    [(Role.socialjour, "/night"), (Role.auditor, "/audit"), (Role.admin, "/admin")],
)
async def test_every_role_sees_its_menu(
    client_for: ClientFactory, world: World, role: Role, home: str
) -> None:
    district = world.district_a.id if role == Role.socialjour else None
    client = await client_for(role, district_id=district)
    r = await client.get(f"{home}?lang=en")
    assert r.status_code == 200, r.text
    assert menu_links(r.text) == EXPECTED[role]
    assert f'href="{home}" aria-current="page"' in r.text
    searchable = role == Role.socialjour
    assert ('role="search"' in r.text) is searchable


async def test_the_desk_links_the_night_and_counts_what_is_due(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    await placed(rvt, world, children=0)
    r = await rvt.get("/desk?lang=en")
    assert "/night" in menu_links(r.text)
    assert "due today or overdue" not in r.text  # nothing is due yet
    clock.advance(timedelta(days=13))  # the follow-ups are overdue (a new sign-in)
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    r = await rvt.get("/desk?lang=en")
    badge = re.search(r"(\d+) due today or overdue", r.text)
    assert badge and int(badge.group(1)) >= 1


async def test_a_follow_up_not_yet_due_is_not_called_overdue(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed(rvt, world, children=0)
    async with owner_sm(app)() as s:
        first = await s.scalar(
            select(FollowUp)
            .where(col(FollowUp.case_id) == case["id"])
            .order_by(col(FollowUp.due_at))
            .limit(1)
        )
    assert first is not None
    clock.advance(first.due_at - clock.now() - timedelta(hours=3))
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    page = (await rvt.get("/due?lang=en")).text
    assert "Follow-up due" in page and "Follow-up overdue" not in page
    clock.advance(timedelta(hours=4))
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    page = (await rvt.get("/due?lang=en")).text
    assert "Follow-up overdue" in page


async def test_anonymous_pages_have_no_menu(anon_client: httpx.AsyncClient) -> None:
    r = await anon_client.get("/login")
    assert 'class="menu"' not in r.text and 'role="search"' not in r.text
