"""Decisions over HTTP: the whole life of a placement, the night hand-over, and bad input
that must get a clear 4xx with nothing half-saved."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select

from placement.clock import FrozenClock
from placement.db import transaction
from placement.inventory import bookings
from placement.models import Booking, Decision, FollowUp, Handover
from placement.models.enums import BookingKind, Role
from tests.conftest import ClientFactory, owner_sm
from tests.decisions.factories import World, audit_count, household_json

STHLM = ZoneInfo("Europe/Stockholm")


def children_payload(case: dict[str, Any]) -> list[dict[str, Any]]:
    first, second = case["children"]
    return [
        {
            "child_id": first["id"],
            "legal_basis": "sol_guardian_consent",
            "consent_status": "both_guardians",
            "assessment_note": "Går i skola.",
        },
        {
            "child_id": second["id"],
            "legal_basis": "lpsb_immediate",
            "consent_status": "one_guardian",
            "assessment_note": "Går i skola.",
        },
    ]


async def _open(client: Any, world: World, **extra: Any) -> dict[str, Any]:
    r = await client.post("/api/cases", json=household_json(world, **extra))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def _grant(client: Any, world: World, case: dict[str, Any], **extra: Any) -> Any:
    body = {"unit_id": str(world.shelter.id), "children": children_payload(case), **extra}
    return await client.post(f"/api/cases/{case['id']}/decisions", json=body)


async def _counts(sm: Any) -> tuple[int, ...]:
    async with transaction(sm) as s:
        out = []
        for model in (Decision, Booking, FollowUp, Handover):
            out.append(int(await s.scalar(select(func.count()).select_from(model)) or 0))
        return tuple(out)


async def test_placement_life_over_http(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await _open(rvt, world)
    sm = owner_sm(app)

    r = await _grant(rvt, world, case, reason="Protected shelter after FREDA assessment.")
    assert r.status_code == 201, r.text
    placed = r.json()
    adult = placed["decisions"][0]
    assert adult["child_id"] is None and adult["legal_basis"] == "sol"
    assert [d["legal_basis"] for d in placed["decisions"][1:]] == [
        "sol_guardian_consent",
        "lpsb_immediate",
    ]
    assert not adult["outside_office_hours"] and adult["decided_role"] == "rvt_officer"
    assert placed["handover"] is None  # the district decided itself, in office hours
    starts = datetime.fromisoformat(adult["starts_at"])
    assert datetime.fromisoformat(adult["ends_at"]) - starts == timedelta(days=14)
    assert len(placed["booking_ids"]) == 1  # the family room

    before = await audit_count(sm, case["id"], "read")
    r = await rvt.get(f"/api/cases/{case['id']}/decisions")
    assert r.status_code == 200
    listing = r.json()
    assert len(listing["decisions"]) == 3 and len(listing["follow_ups"]) == 2
    assert await audit_count(sm, case["id"], "read") == before + 1
    r = await rvt.get(f"/api/decisions/{adult['id']}")
    assert r.status_code == 200 and r.json()["id"] == adult["id"]
    assert await audit_count(sm, case["id"], "read") == before + 2

    phone = next(f for f in placed["follow_ups"] if f["kind"] == "phone")
    r = await rvt.post(f"/api/follow-ups/{phone['id']}/done", json={})
    assert r.status_code == 200 and r.json()["done_at"] is not None
    assert (await rvt.post(f"/api/follow-ups/{phone['id']}/done", json={})).status_code == 409

    immediate = placed["decisions"][2]
    r = await rvt.post(f"/api/decisions/{immediate['id']}/court-submission", json={})
    assert r.status_code == 200 and r.json()["court_submitted_at"] is not None
    r = await rvt.post(f"/api/decisions/{adult['id']}/court-submission", json={})
    assert r.status_code == 422

    r = await rvt.post(f"/api/decisions/{adult['id']}/renew", json={})
    assert r.status_code == 201, r.text
    renewed = r.json()["decisions"]
    assert all(d["starts_at"] == adult["ends_at"] for d in renewed)
    assert {d["renews_decision_id"] for d in renewed} == {d["id"] for d in placed["decisions"]}

    clock.advance(timedelta(minutes=10))
    r = await rvt.post(
        f"/api/decisions/{renewed[0]['id']}/move",
        json={"unit_id": str(world.shelter2.id), "at": adult["ends_at"]},
    )
    assert r.status_code == 201, r.text
    moved = r.json()
    assert all(d["unit_id"] == str(world.shelter2.id) for d in moved["decisions"])
    assert len(moved["follow_ups"]) == 2

    r = await rvt.post(
        f"/api/decisions/{moved['decisions'][0]['id']}/end",
        json={"outcome": "shis_mellanbo", "reason": "Past the acute phase."},
    )
    assert r.status_code == 200, r.text
    statuses = {d["status"] for d in r.json()}
    # Ended before the renewal and the move began: those are cancelled, the first ended.
    assert statuses == {"ended", "cancelled"}
    after = (await rvt.get(f"/api/cases/{case['id']}")).json()
    assert after["status"] == "closed" and after["outcome"] == "shis_mellanbo"
    assert after["secure_permanent_housing"] is False  # mellanbo is time-limited support
    async with transaction(sm) as s:
        active = await s.scalar(
            select(func.count())
            .select_from(Booking)
            .where(col(Booking.case_id) == case["id"], col(Booking.status) == "active")
        )
        assert active == 0  # ended now; the moved-to booking never began


async def test_night_decision_is_handed_over_next_working_day(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 12, 23, 22, 0, tzinfo=STHLM))  # the night before Christmas Eve
    night = await client_for(Role.socialjour)
    case = await _open(night, world)
    r = await _grant(night, world, case)
    assert r.status_code == 201, r.text
    placed = r.json()
    assert all(d["outside_office_hours"] for d in placed["decisions"])
    due = datetime.fromisoformat(placed["handover"]["due_at"])
    # 24 Dec (Christmas Eve), 25-26 Dec, Sunday 27 Dec: the district takes over on Monday.
    assert due == datetime(2026, 12, 28, 8, 0, tzinfo=STHLM)

    clock.set(datetime(2026, 12, 28, 8, 5, tzinfo=STHLM))
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    stranger = await client_for(Role.rvt_officer, district_id=world.district_b.id)
    r = await rvt.get("/api/handovers")
    assert r.status_code == 200
    assert [h["case_number"] for h in r.json()] == [case["case_number"]]
    assert (await stranger.get("/api/handovers")).json() == []
    handover_id = placed["handover"]["id"]
    assert (await stranger.post(f"/api/handovers/{handover_id}/acknowledge")).status_code == 404
    r = await rvt.post(f"/api/handovers/{handover_id}/acknowledge")
    assert r.status_code == 200 and r.json()["acknowledged_at"] is not None
    assert (await rvt.post(f"/api/handovers/{handover_id}/acknowledge")).status_code == 409
    assert (await rvt.get("/api/handovers")).json() == []
    assert len((await rvt.get("/api/handovers?include_done=true")).json()) == 1
    # The officer who took the case over becomes its handler.
    assert (await rvt.get(f"/api/cases/{case['id']}")).json()["handler_id"] is not None


async def test_rvt_officer_may_decide_late_but_it_is_flagged(
    world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=STHLM))
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await _open(rvt, world)
    r = await _grant(rvt, world, case)
    assert r.status_code == 201
    assert all(d["outside_office_hours"] for d in r.json()["decisions"])
    assert r.json()["handover"] is None


async def test_bad_input_is_refused_and_nothing_is_half_saved(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await _open(rvt, world)
    sm = owner_sm(app)
    start = clock.now()
    empty = await _counts(sm)

    # End before start.
    r = await _grant(
        rvt,
        world,
        case,
        starts_at=start.isoformat(),
        ends_at=(start - timedelta(days=1)).isoformat(),
    )
    assert r.status_code == 422 and r.json()["field"] == "ends_at"
    assert "after its start" in r.json()["detail"]
    assert await _counts(sm) == empty

    # A child's decision without a legal basis.
    children = children_payload(case)
    del children[1]["legal_basis"]
    r = await rvt.post(
        f"/api/cases/{case['id']}/decisions",
        json={"unit_id": str(world.shelter.id), "children": children},
    )
    assert r.status_code == 422 and r.json()["field"] == "children.1.legal_basis"
    assert "legal basis" in r.json()["detail"]
    # The Social Services Act for a child needs both guardians' consent.
    children = children_payload(case)
    children[0]["consent_status"] = "one_guardian"
    r = await rvt.post(
        f"/api/cases/{case['id']}/decisions",
        json={"unit_id": str(world.shelter.id), "children": children},
    )
    assert r.status_code == 422 and "LPSB" in r.json()["detail"]
    assert await _counts(sm) == empty

    # High risk into a low-protection unit without a recorded override.
    r = await rvt.post(
        f"/api/cases/{case['id']}/decisions",
        json={"unit_id": str(world.low_unit.id), "children": children_payload(case)},
    )
    assert r.status_code == 422 and "protection level" in r.json()["detail"]
    assert await _counts(sm) == empty

    # A valid grant, then an overlapping one for the same people.
    first = await _grant(rvt, world, case)
    assert first.status_code == 201
    placed = await _counts(sm)
    r = await _grant(
        rvt,
        world,
        case,
        unit_id=str(world.shelter2.id),
        starts_at=(start + timedelta(days=3)).isoformat(),
    )
    assert r.status_code == 409 and "already a decision" in r.json()["detail"]
    assert await _counts(sm) == placed

    # Renewal of a decision already renewed, and of an ended one.
    adult = first.json()["decisions"][0]
    assert (await rvt.post(f"/api/decisions/{adult['id']}/renew", json={})).status_code == 201
    renewed_once = await _counts(sm)
    r = await rvt.post(f"/api/decisions/{adult['id']}/renew", json={})
    assert r.status_code == 409 and "already been renewed" in r.json()["detail"]
    r = await rvt.post(f"/api/decisions/{adult['id']}/end", json={"outcome": "back_home"})
    assert r.status_code == 200
    after_end = await _counts(sm)
    r = await rvt.post(f"/api/decisions/{adult['id']}/renew", json={})
    assert r.status_code == 409 and "ended" in r.json()["detail"]
    r = await rvt.post(f"/api/decisions/{adult['id']}/end", json={"outcome": "back_home"})
    assert r.status_code == 409
    assert await _counts(sm) == after_end and after_end[:3] == renewed_once[:3]

    # The end of a renewal before its start.
    case2 = await _open(rvt, world, children=0)
    r = await rvt.post(
        f"/api/cases/{case2['id']}/decisions", json={"unit_id": str(world.shelter2.id)}
    )
    assert r.status_code == 201
    d2 = r.json()["decisions"][0]
    r = await rvt.post(
        f"/api/decisions/{d2['id']}/renew",
        json={"ends_at": d2["starts_at"]},
    )
    assert r.status_code == 422


async def test_override_is_recorded(world: World, client_for: ClientFactory) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await _open(rvt, world)
    body = {
        "unit_id": str(world.low_unit.id),
        "children": children_payload(case),
        "overridden_rules": ["protection_level"],
    }
    r = await rvt.post(f"/api/cases/{case['id']}/decisions", json=body)
    assert r.status_code == 422 and r.json()["field"] == "override_reason"
    body["override_reason"] = "Only free place tonight; moved tomorrow."
    r = await rvt.post(f"/api/cases/{case['id']}/decisions", json=body)
    assert r.status_code == 201
    assert r.json()["decisions"][0]["overridden_rules"] == ["protection_level"]


async def test_grant_from_a_hold(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await _open(rvt, world)
    async with transaction(owner_sm(app)) as s:
        held = await bookings.book(
            s,
            clock,
            world.actor(world.handler),
            unit_id=world.shelter2.id,
            kind=BookingKind.hold,
            household_size=3,
            starts_at=clock.now(),
            ends_at=clock.now() + timedelta(days=14),
            hold_minutes=90,
        )
    r = await _grant(rvt, world, case, unit_id=None, hold_group_id=str(held[0].group_id))
    assert r.status_code == 201, r.text
    assert r.json()["decisions"][0]["unit_id"] == str(world.shelter2.id)
    async with transaction(owner_sm(app)) as s:
        hold = await s.get(Booking, held[0].id)
        assert hold is not None and hold.status == "confirmed"
    # The hold is used up: granting from it again is refused.
    case2 = await _open(rvt, world)
    r = await _grant(rvt, world, case2, unit_id=None, hold_group_id=str(held[0].group_id))
    assert r.status_code in (409, 422)


async def test_decisions_of_another_district_are_not_found(
    world: World, client_for: ClientFactory
) -> None:
    owner = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    stranger = await client_for(Role.rvt_officer, district_id=world.district_b.id)
    case = await _open(owner, world)
    placed = (await _grant(owner, world, case)).json()
    adult = placed["decisions"][0]
    phone = placed["follow_ups"][0]
    for path, body in [
        (f"/api/decisions/{adult['id']}/renew", {}),
        (f"/api/decisions/{adult['id']}/end", {"outcome": "unknown"}),
        (f"/api/decisions/{adult['id']}/move", {"unit_id": str(world.shelter2.id)}),
        (f"/api/decisions/{adult['id']}/court-submission", {}),
        (f"/api/follow-ups/{phone['id']}/done", {}),
        (f"/api/cases/{case['id']}/decisions", {"unit_id": str(world.shelter2.id)}),
    ]:
        r = await stranger.post(path, json=body)
        assert r.status_code == 404, (path, r.text)
    assert (await stranger.get(f"/api/decisions/{adult['id']}")).status_code == 404
    # Reading decisions is in scope for the owner: still active, untouched.
    assert (await owner.get(f"/api/decisions/{adult['id']}")).json()["status"] == "active"


async def test_handovers_are_paged_with_the_total(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    """The hand-over list pages (limit, offset) and says how many there are in all, instead
    of cutting at 500 without a word; values outside the bounds are refused in Swedish."""
    clock.set(datetime(2026, 12, 1, 22, 0, tzinfo=STHLM))  # a Tuesday night
    night = await client_for(Role.socialjour)
    units = [world.shelter, world.shelter2, world.shelter]
    numbers = []
    for unit in units:
        case = await _open(night, world, children=0)
        r = await night.post(f"/api/cases/{case['id']}/decisions", json={"unit_id": str(unit.id)})
        assert r.status_code == 201, r.text
        assert r.json()["handover"] is not None
        numbers.append(case["case_number"])
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=STHLM))
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    whole = await rvt.get("/api/handovers")
    assert whole.status_code == 200 and whole.headers["x-total-count"] == "3"
    assert sorted(h["case_number"] for h in whole.json()) == sorted(numbers)
    first = await rvt.get("/api/handovers", params={"limit": "2"})
    rest = await rvt.get("/api/handovers", params={"limit": "2", "offset": "2"})
    assert first.headers["x-total-count"] == rest.headers["x-total-count"] == "3"
    assert [h["id"] for h in first.json() + rest.json()] == [h["id"] for h in whole.json()]
    for bad in ({"limit": "0"}, {"limit": "501"}, {"offset": "-1"}, {"offset": "9" * 30}):
        r = await rvt.get("/api/handovers", params=bad, headers={"accept-language": "sv"})
        assert r.status_code == 422, bad
        assert "Kontrollera" in r.json()["detail"], r.json()
