"""The inbox page over HTTP: reminders to me and my team, a link to the case in scope, mark
one or all as read; who may see it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from placement.clock import FrozenClock
from placement.config import Settings
from placement.db import transaction
from placement.jobs import run_all_sweeps
from placement.models import Notification
from placement.models import UserAccount as UserAccountModel
from placement.models.enums import Role
from tests.conftest import ClientFactory, owner_sm, sign_in
from tests.decisions.factories import ADULT_NAME, World, household_json, make_world
from tests.pages.helpers import CSRF, csrf_of, post_form


@pytest.fixture
async def world(app: Any) -> World:
    return await make_world(owner_sm(app))


async def _placed(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    r = await client.post("/api/cases", json=household_json(world, children=0))
    assert r.status_code == 201, r.text
    case: dict[str, Any] = r.json()
    r = await client.post(
        f"/api/cases/{case['id']}/decisions", json={"unit_id": str(world.shelter.id)}
    )
    assert r.status_code == 201, r.text
    return case


async def test_inbox_lists_links_and_marks_read(
    app: Any,
    world: World,
    client_for: ClientFactory,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    first = await client_for(Role.rvt_officer, district_id=world.district_a.id, username="ib")
    case = await _placed(first, world)
    clock.advance(timedelta(days=1, minutes=1))  # the phone follow-up is overdue
    await run_all_sweeps(app.state.sessionmaker, clock, settings)
    handler = await sign_in(app, "ib")  # the old sign-in has idled out
    try:
        r = await handler.get("/inbox?lang=en")
        assert r.status_code == 200 and r.text.count("<h1") == 1
        page = r.text
        assert "A follow-up is overdue." in page and ADULT_NAME not in page
        assert f'<a href="/cases/{case["id"]}">{case["case_number"]}</a>' in page
        assert "Your team" in page and ">You<" in page
        assert page.count("Mark as read") == 2 and "2 unread" in page

        async with transaction(owner_sm(app)) as s:
            notes = (
                (await s.execute(select(Notification).where(col(Notification.channel) == "inbox")))
                .scalars()
                .all()
            )
        team = next(n for n in notes if n.recipient_key.startswith("team:"))
        r = await post_form(handler, "/inbox", f"/inbox/{team.id}/read", {"unread": "1"})
        assert r.status_code == 303 and r.headers["location"] == "/inbox?unread=1&done=read"
        page = (await handler.get("/inbox?unread=1&lang=en")).text
        assert page.count("Mark as read") == 1 and "1 unread" in page

        # Someone else's message: refused on the page, nothing changes.
        stranger = await client_for(Role.rvt_officer, district_id=world.district_b.id)
        mine = next(n for n in notes if n.recipient_key.startswith("user:"))
        r = await post_form(stranger, "/inbox", f"/inbox/{mine.id}/read?lang=en", {})
        assert r.status_code == 404 and "Your inbox is empty." in r.text

        r = await post_form(handler, "/inbox", "/inbox/read-all", {})
        assert r.status_code == 303 and r.headers["location"] == "/inbox?done=all_read"
        page = (await handler.get("/inbox?done=all_read&lang=en")).text
        assert "Mark as read" not in page and 'class="flash"' in page
        async with transaction(owner_sm(app)) as s:
            unread = (
                (await s.execute(select(Notification).where(col(Notification.read_at).is_(None))))
                .scalars()
                .all()
            )
        assert [n for n in unread if n.channel == "inbox"] == []
    finally:
        await handler.aclose()


async def test_who_may_see_the_inbox(
    world: World, client_for: ClientFactory, anon_client: httpx.AsyncClient
) -> None:
    r = await anon_client.get("/inbox")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/inbox"
    coordinator = await client_for(Role.coordinator)  # everyone signed in has an inbox
    r = await coordinator.get("/inbox?lang=en")
    assert r.status_code == 200 and 'href="/desk"' not in r.text
    night = await client_for(Role.socialjour)
    r = await night.get("/inbox?lang=en")
    assert r.status_code == 200 and "Your inbox is empty." in r.text
    token = await csrf_of(night, "/inbox")
    assert (await night.post("/inbox/read-all", data={"csrf_token": token})).status_code == 303
    assert (await night.post("/inbox/read-all", data={})).status_code == 403  # no CSRF token


async def test_the_same_reminder_for_each_person_is_one_line(
    app: Any,
    world: World,
    client_for: ClientFactory,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    first = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    r = await first.post("/api/cases", json=household_json(world, children=2))
    case = r.json()
    children = [
        {"child_id": c["id"], "legal_basis": "sol_guardian_consent",
         "consent_status": "both_guardians", "assessment_note": "Går i skola."}
        for c in case["children"]
    ]  # fmt: skip
    r = await first.post(
        f"/api/cases/{case['id']}/decisions",
        json={"unit_id": str(world.shelter.id), "children": children},
    )
    assert r.status_code == 201, r.text
    clock.advance(timedelta(days=13))  # the three decisions end within 48 hours
    await run_all_sweeps(app.state.sessionmaker, clock, settings)
    colleague = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    page = (await colleague.get("/inbox?lang=en")).text
    assert page.count("A decision ends soon") == 1 and "(3 messages)" in page
    line = page[page.index("A decision ends soon") :]
    action = re.search(r'action="(/inbox/[0-9a-f-]+/read)"', line).group(1)  # type: ignore[union-attr]
    also = re.findall(r'name="also" value="([0-9a-f-]+)"', line[: line.index("</form>")])
    assert len(also) == 2
    token = CSRF.search(page).group(1)  # type: ignore[union-attr]
    r = await colleague.post(action, data={"csrf_token": token, "also": also})
    assert r.status_code == 303
    page = (await colleague.get("/inbox?unread=1&lang=en")).text
    assert "A decision ends soon" not in page


async def test_the_menu_count_is_the_unread_listing(
    app: Any,
    world: World,
    client_for: ClientFactory,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    """The badge is a SQL count through the listing's own filter: equal to the unread
    listing for the handler, a stranger and Socialjouren, before and after a read; bounded
    (past the bound it says "more", one above it)."""
    from placement.auth.actor import Actor
    from placement.auth.scope import apply_scope
    from placement.decisions.inbox import inbox_size, list_inbox, mark_read, unread_count

    first = await client_for(Role.rvt_officer, district_id=world.district_a.id, username="ic")
    await _placed(first, world)
    clock.advance(timedelta(days=1, minutes=1))
    await run_all_sweeps(app.state.sessionmaker, clock, settings)
    h = world.handler
    async with transaction(owner_sm(app)) as s:
        me = (
            await s.execute(select(UserAccountModel).where(col(UserAccountModel.username) == "ic"))
        ).scalar_one()
    actors = [
        Actor(user_id=me.id, username="ic", role=Role.rvt_officer, district_id=world.district_a.id),
        Actor(
            user_id=h.id,
            username=h.username,
            role=Role.rvt_officer,
            district_id=world.district_a.id,
        ),
        Actor(user_id=None, username="x", role=Role.rvt_officer, district_id=world.district_b.id),
        Actor(user_id=None, username="sj", role=Role.socialjour),
    ]
    seen = []
    for step in ("before", "after"):
        for actor in actors:
            async with transaction(app.state.sessionmaker) as s:
                await apply_scope(s, actor)
                listed = await list_inbox(s, actor, unread_only=True, limit=500)
                assert await unread_count(s, actor) == len(listed)
                # Counted up to the bound and one more (shown as "1+"), never fewer.
                assert await unread_count(s, actor, cap=1) == min(2, len(listed))
                assert await inbox_size(s, actor, unread_only=True) == len(listed)
                seen.append(len(listed))
                if step == "before" and actor is actors[0] and listed:
                    await mark_read(s, clock, actor, listed[0].id)
    assert seen[0] == 2 and seen[4] == 1  # a read lowers the count
