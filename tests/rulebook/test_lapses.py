"""Paperwork lapses, occupancy does not: a decision that ran out keeps the family's room,
an immediate LPSB decision lapses at its court deadline, and the warning before an end
falls on a working day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from placement.calendar import warning_at
from placement.clock import FrozenClock
from placement.config import Settings
from placement.db import transaction
from placement.decisions import reminders
from placement.models import Booking, Decision
from placement.models.enums import BookingKind, BookingStatus, DecisionStatus, Role
from tests.conftest import ClientFactory, owner_sm, sign_in
from tests.decisions.factories import World, household_json, run_decision_sweeps

STHLM = ZoneInfo("Europe/Stockholm")


def _children(case: dict[str, Any], *, lpsb: bool = False) -> list[dict[str, Any]]:
    return [
        {
            "child_id": c["id"],
            "legal_basis": "lpsb_immediate" if lpsb else "sol_guardian_consent",
            "consent_status": "one_guardian" if lpsb else "both_guardians",
            "assessment_note": "Går i förskola.",
        }
        for c in case["children"]
    ]


async def _username(client: Any) -> str:
    return str((await client.get("/api/auth/me")).json()["username"])


async def test_a_run_out_decision_keeps_the_family_room(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    name = await _username(rvt)
    first = (await rvt.post("/api/cases", json=household_json(world, children=2))).json()
    r = await rvt.post(
        f"/api/cases/{first['id']}/decisions",
        json={"unit_id": str(world.shelter.id), "children": _children(first)},
    )
    assert r.status_code == 201, r.text
    adult = r.json()["decisions"][0]

    clock.advance(timedelta(days=15))  # nobody renewed: the decision ran out yesterday
    await run_decision_sweeps(owner_sm(app), clock, app.state.settings)
    rvt = await sign_in(app, name)
    async with transaction(owner_sm(app)) as s:
        d = await s.get(Decision, adult["id"])
        assert d is not None and d.status == DecisionStatus.lapsed and d.lapsed_at == d.ends_at
        room = (
            (
                await s.execute(
                    select(Booking).where(
                        col(Booking.group_id) == d.booking_group_id,
                        col(Booking.kind) == BookingKind.placement,
                    )
                )
            )
            .scalars()
            .all()
        )
        assert room and all(
            b.status == BookingStatus.active and b.ends_at > clock.now() for b in room
        )
    # The family still lives there: a second family of three cannot be booked into the room.
    second = (await rvt.post("/api/cases", json=household_json(world, children=2))).json()
    r = await rvt.post(
        f"/api/cases/{second['id']}/decisions",
        json={"unit_id": str(world.shelter.id), "children": _children(second)},
    )
    assert r.status_code == 409, r.text
    # It is on the due list, escalated, as living without a valid decision.
    due = (await rvt.get("/api/due")).json()
    assert any(
        i["kind"] == "decision_expired" and i["subject_id"] == adult["id"] and i["escalated"]
        for i in due
    )
    # Renewal continues from the old end (the gap stays recorded as a lapse).
    r = await rvt.post(f"/api/decisions/{adult['id']}/renew", json={})
    assert r.status_code == 201, r.text
    renewed = r.json()["decisions"][0]
    assert renewed["starts_at"] == adult["ends_at"]
    due = (await rvt.get("/api/due")).json()
    assert not any(i["subject_id"] == adult["id"] for i in due)
    # Ending the placement frees the room for the second family.
    r = await rvt.post(f"/api/decisions/{renewed['id']}/end", json={"outcome": "back_home"})
    assert r.status_code == 200, r.text
    r = await rvt.post(
        f"/api/cases/{second['id']}/decisions",
        json={"unit_id": str(world.shelter.id), "children": _children(second)},
    )
    assert r.status_code == 201, r.text


async def test_an_unsubmitted_immediate_lpsb_decision_lapses(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    name = await _username(rvt)
    case = (await rvt.post("/api/cases", json=household_json(world, children=1))).json()
    r = await rvt.post(
        f"/api/cases/{case['id']}/decisions",
        json={"unit_id": str(world.shelter.id), "children": _children(case, lpsb=True)},
    )
    assert r.status_code == 201, r.text
    adult, child = r.json()["decisions"]
    assert child["court_submission_due_at"]

    clock.advance(timedelta(days=8))  # the court deadline (7 days) passed, nothing submitted
    await run_decision_sweeps(owner_sm(app), clock, app.state.settings)
    rvt = await sign_in(app, name)
    read = (await rvt.get(f"/api/decisions/{child['id']}")).json()
    assert read["status"] == "lapsed" and read["lapsed_at"] == child["court_submission_due_at"]
    due = (await rvt.get("/api/due")).json()
    assert any(i["kind"] == "court_deadline" and i["escalated"] for i in due)
    late = await rvt.post(f"/api/decisions/{child['id']}/court-submission", json={})
    assert late.status_code == 409 and "cannot revive" in late.json()["detail"]
    # The household cannot be renewed while the child has no decision in force.
    r = await rvt.post(f"/api/decisions/{adult['id']}/renew", json={})
    assert r.status_code == 409 and r.json()["field"] == "children"
    # A new decision for the child, then the renewal carries it along.
    new = await rvt.post(
        f"/api/decisions/{adult['id']}/children",
        json={
            "child_id": case["children"][0]["id"],
            "legal_basis": "lpsb_court_application",
            "consent_status": "one_guardian",
            "assessment_note": "Ansökan till förvaltningsrätten inlämnad.",
        },
    )
    assert new.status_code == 201, new.text
    assert new.json()["ends_at"] == adult["ends_at"]
    due = (await rvt.get("/api/due")).json()
    assert not any(i["subject_id"] == child["id"] for i in due)
    r = await rvt.post(f"/api/decisions/{adult['id']}/renew", json={})
    assert r.status_code == 201, r.text
    assert [d["legal_basis"] for d in r.json()["decisions"]] == ["sol", "lpsb_court_application"]


async def test_a_renewal_keeps_the_court_clock_and_not_confirmed_ends_the_decision(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    name = await _username(rvt)
    case = (await rvt.post("/api/cases", json=household_json(world, children=1))).json()
    r = await rvt.post(
        f"/api/cases/{case['id']}/decisions",
        json={
            "unit_id": str(world.shelter.id),
            "children": _children(case, lpsb=True),
            "ends_at": (clock.now() + timedelta(days=3)).isoformat(),
        },
    )
    adult, child = r.json()["decisions"]
    renewed = await rvt.post(f"/api/decisions/{adult['id']}/renew", json={})
    assert renewed.status_code == 201, renewed.text
    next_child = renewed.json()["decisions"][1]
    assert next_child["court_submission_due_at"] == child["court_submission_due_at"]
    answer = await rvt.post(
        f"/api/decisions/{child['id']}/court-answer", json={"outcome": "confirmed"}
    )
    assert answer.status_code == 422  # not submitted yet
    r = await rvt.post(f"/api/decisions/{child['id']}/court-submission", json={})
    assert r.status_code == 200, r.text
    # The submission counts for the renewal too (one court clock).
    read = (await rvt.get(f"/api/decisions/{next_child['id']}")).json()
    assert read["court_submitted_at"] == r.json()["court_submitted_at"]
    clock.advance(timedelta(days=1))
    rvt = await sign_in(app, name)
    r = await rvt.post(
        f"/api/decisions/{child['id']}/court-answer", json={"outcome": "not_confirmed"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "lapsed" and r.json()["court_outcome"] == "not_confirmed"
    # The renewal, not yet begun, never takes effect.
    read = (await rvt.get(f"/api/decisions/{next_child['id']}")).json()
    assert read["status"] == "cancelled"


def test_the_warning_falls_on_the_last_working_day(settings: Settings) -> None:
    # Sunday 27 December 2026, 12:00: the 24th to the 26th are not working days, so the
    # warning comes on Wednesday 23 December at the start of office hours at the latest.
    ends = datetime(2026, 12, 27, 12, 0, tzinfo=STHLM)
    at = warning_at(ends, settings.decision_ending_warning_hours, settings)
    assert at.astimezone(STHLM) == datetime(2026, 12, 23, 8, 0, tzinfo=STHLM)
    # A Thursday end: 48 hours ahead already falls on a working day.
    thursday = datetime(2026, 12, 10, 12, 0, tzinfo=STHLM)
    assert warning_at(thursday, 48, settings) == thursday - timedelta(hours=48)


async def test_the_ending_reminder_comes_on_a_working_day(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 12, 20, 10, 0, tzinfo=STHLM))
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = (await rvt.post("/api/cases", json=household_json(world, children=0))).json()
    ends = datetime(2026, 12, 27, 12, 0, tzinfo=STHLM)
    r = await rvt.post(
        f"/api/cases/{case['id']}/decisions",
        json={"unit_id": str(world.shelter.id), "ends_at": ends.isoformat()},
    )
    assert r.status_code == 201, r.text
    settings = app.state.settings
    async with transaction(owner_sm(app)) as s:
        for moment, expected in (
            (datetime(2026, 12, 22, 17, 0, tzinfo=STHLM), 0),
            (datetime(2026, 12, 23, 8, 0, tzinfo=STHLM), 1),
        ):
            due = await reminders.due_decision_endings(
                s, moment.astimezone(UTC), settings, expired=False
            )
            assert len([d for d in due if d.case_id is not None]) == expected, moment
