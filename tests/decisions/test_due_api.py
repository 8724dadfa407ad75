"""The due list, the inbox and the iCalendar feed over HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from placement.clock import FrozenClock
from placement.config import Settings
from placement.jobs import run_all_sweeps
from placement.models.enums import Role
from tests.conftest import ClientFactory, owner_sm, sign_in
from tests.decisions.factories import ADULT_NAME, World, audit_count, household_json


async def _placed_case(client: Any, world: World, **extra: Any) -> dict[str, Any]:
    r = await client.post("/api/cases", json=household_json(world, children=0, **extra))
    assert r.status_code == 201, r.text
    case: dict[str, Any] = r.json()
    r = await client.post(
        f"/api/cases/{case['id']}/decisions", json={"unit_id": str(world.shelter.id)}
    )
    assert r.status_code == 201, r.text
    case["placement"] = r.json()
    return case


async def test_due_list_most_urgent_first(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    # Two placements five days apart; then look thirteen days after the first.
    clock.advance(timedelta(days=-13))
    early = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    first = await _placed_case(early, world)
    clock.advance(timedelta(days=5))
    early2 = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    second = await _placed_case(early2, world)
    clock.advance(timedelta(days=8))

    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    stranger = await client_for(Role.rvt_officer, district_id=world.district_b.id)
    r = await rvt.get("/api/due")
    assert r.status_code == 200
    items = r.json()
    kinds = [(i["case_number"], i["kind"], i["overdue"]) for i in items]
    # Overdue follow-ups first (oldest first), then the decision ending within 48 hours.
    assert kinds == [
        (first["case_number"], "follow_up_overdue", True),  # phone, day 1
        (second["case_number"], "follow_up_overdue", True),  # phone, day 6
        (first["case_number"], "follow_up_overdue", True),  # physical, day 7
        (second["case_number"], "follow_up_overdue", True),  # physical, day 12
        (first["case_number"], "decision_ending", False),  # day 14
    ]
    assert all(ADULT_NAME not in i["label"] for i in items)
    # One audit entry per case that appeared.
    assert await audit_count(owner_sm(app), first["id"], "read") == 1
    assert await audit_count(owner_sm(app), second["id"], "read") == 1
    # A wider horizon shows the second decision's end too; another district sees nothing.
    wide = (await rvt.get("/api/due?within_hours=240")).json()
    assert sum(i["kind"] == "decision_ending" for i in wide) == 2
    assert (await stranger.get("/api/due")).json() == []
    coordinator = await client_for(Role.coordinator)
    assert (await coordinator.get("/api/due")).status_code == 403


async def _login(app: Any, username: str) -> httpx.AsyncClient:
    return await sign_in(app, username)


async def test_inbox_lists_and_marks_read(
    app: Any,
    world: World,
    client_for: ClientFactory,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    handler = await client_for(Role.rvt_officer, district_id=world.district_a.id, username="hx")
    case = await _placed_case(handler, world)
    clock.advance(timedelta(days=1, minutes=1))  # the phone follow-up is overdue
    await run_all_sweeps(app.state.sessionmaker, clock, settings)
    # A day later the old sign-in has idled out: sign in again.
    handler = await _login(app, "hx")
    colleague = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    stranger = await client_for(Role.rvt_officer, district_id=world.district_b.id)
    try:
        mine = (await handler.get("/api/inbox")).json()
        assert sorted(n["recipient_key"][:5] for n in mine) == ["team:", "user:"]
        assert {(n["kind"], n["case_number"]) for n in mine} == {
            ("follow_up_overdue", case["case_number"])
        }
        assert all(ADULT_NAME not in n["label"] for n in mine)
        team = (await colleague.get("/api/inbox")).json()
        assert [n["recipient_key"][:5] for n in team] == ["team:"]
        assert (await stranger.get("/api/inbox")).json() == []
        assert (await stranger.post(f"/api/inbox/{team[0]['id']}/read")).status_code == 404

        r = await colleague.post(f"/api/inbox/{team[0]['id']}/read")
        assert r.status_code == 200 and r.json()["read_at"] is not None
        assert (await colleague.get("/api/inbox?unread=true")).json() == []
        unread = (await handler.get("/api/inbox?unread=true")).json()
        assert [n["recipient_key"][:5] for n in unread] == ["user:"]
        r = await handler.post("/api/inbox/read-all")
        assert r.status_code == 200 and r.json() == {"marked": 1}
        assert (await handler.get("/api/inbox?unread=true")).json() == []
    finally:
        await handler.aclose()


async def test_calendar_feed(
    app: Any, world: World, client_for: ClientFactory, anon_client: Any
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await _placed_case(rvt, world)
    r = await rvt.post("/api/calendar/token")
    assert r.status_code == 201
    url = r.json()["url"]
    path = url[url.index("/api/calendar/") :]
    r = await anon_client.get(path.replace(".ics", "") + ".ics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    body = r.text
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 3  # two follow-ups and the end, within 30 days
    assert case["case_number"] in body
    assert ADULT_NAME not in body and "Skydd" not in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))

    assert (await anon_client.get("/api/calendar/not-a-token.ics")).status_code == 404
    r = await rvt.post("/api/calendar/token")  # a new token revokes the old one
    assert (await anon_client.get(path)).status_code == 404
    new_path = r.json()["url"][r.json()["url"].index("/api/calendar/") :]
    assert (await anon_client.get(new_path)).status_code == 200
    assert (await rvt.delete("/api/calendar/token")).status_code == 204
    assert (await anon_client.get(new_path)).status_code == 404
