"""The referral gate, the JSON API for referrals and stays, the move-out safety plan after
the move, and polls that do not keep a session alive: through HTTP, the clock moved."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import col, select

from placement.db import transaction
from placement.models import Booking, Decision, Operator
from placement.models.enums import BookingKind, Role
from placement.referrals.stays import MOVE_OUT_PLAN_DAYS
from tests.conftest import ClientFactory, owner_sm
from tests.pages.test_operator_stays import _decide, _section, _token
from tests.pages.test_referral_pages import _hold, _referral

POLL = {"HX-Request": "true", "X-BK-Poll": "1"}


def _children(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "child_id": c["id"],
            "legal_basis": "sol_guardian_consent",
            "consent_status": "both_guardians",
            "assessment_note": "Går i skola.",
        }
        for c in case["children"]
    ]


async def _grant(jour: httpx.AsyncClient, held: dict[str, Any], group_id: uuid.UUID) -> Any:
    return await jour.post(
        f"/api/cases/{held['case']['id']}/decisions",
        json={
            "hold_group_id": str(group_id),
            "request_id": held["request_id"],
            "children": _children(held["case"]),
        },
    )


async def _placements(app: Any, group_id: uuid.UUID) -> int:
    async with transaction(owner_sm(app)) as s:
        n = await s.scalar(
            select(func.count())
            .select_from(Booking)
            .where(col(Booking.group_id) == group_id, col(Booking.kind) == BookingKind.placement)
        )
        return int(n or 0)


async def test_api_grant_waits_for_the_unit_then_accept_through_the_api(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    jour = await client_for(Role.socialjour)
    held = await _hold(app, jour)
    referral = await _referral(app, held["case"]["id"])
    group = referral.group_id

    # Pending: the API grant is refused with what to do, and nothing is saved.
    r = await _grant(jour, held, group)
    assert r.status_code == 409, r.text
    assert "not answered" in r.json()["detail"] and "by phone" in r.json()["detail"]
    assert await _placements(app, group) == 0
    sv = await jour.post(
        f"/api/cases/{held['case']['id']}/decisions?lang=sv",
        json={"hold_group_id": str(group), "children": _children(held["case"])},
    )
    assert sv.status_code == 409 and "telefon" in sv.json()["detail"]
    # The page path is refused too (the form says so), and decides nothing.
    live = await jour.get(f"{held['hold_url']}/live", headers={"HX-Request": "true"})
    r = await jour.post(f"{held['hold_url']}/decide", data={"csrf_token": _token(live)})
    assert r.status_code == 422 and await _placements(app, group) == 0

    # The officer's API view of the answer; others are refused.
    mine = await jour.get(f"/api/holds/{group}/referral")
    assert mine.status_code == 200 and mine.json()["status"] == "pending"
    assert mine.json()["hold_live"] is True and "name" not in mine.json()
    coordinator = await client_for(Role.coordinator)
    assert (await coordinator.get(f"/api/holds/{group}/referral")).status_code == 403

    # The operator's incoming referrals, its own units only.
    operator = await client_for(Role.operator, operator_id=held["operator_id"])
    listed = (await operator.get("/api/referrals")).json()
    assert [x["id"] for x in listed] == [str(referral.id)]
    assert listed[0]["case_number"] == held["case"]["case_number"]
    async with transaction(owner_sm(app)) as s:
        other_op = await s.scalar(
            select(Operator.id).where(col(Operator.id) != held["operator_id"]).limit(1)
        )
    stranger = await client_for(Role.operator, operator_id=other_op)
    assert (await stranger.get("/api/referrals")).json() == []
    r = await stranger.post(f"/api/referrals/{referral.id}/accept")
    assert r.status_code == 404
    assert (await jour.post(f"/api/referrals/{referral.id}/accept")).status_code == 403

    r = await operator.post(f"/api/referrals/{referral.id}/accept")
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert (await operator.post(f"/api/referrals/{referral.id}/accept")).status_code == 409
    assert (await jour.get(f"/api/holds/{group}/referral")).json()["status"] == "accepted"

    r = await _grant(jour, held, group)
    assert r.status_code == 201, r.text
    assert await _placements(app, group) > 0


async def test_confirmed_by_phone_through_the_api_allows_the_grant(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    jour = await client_for(Role.socialjour)
    held = await _hold(app, jour)
    group = (await _referral(app, held["case"]["id"])).group_id
    operator = await client_for(Role.operator, operator_id=held["operator_id"])
    assert (
        await operator.post(f"/api/holds/{group}/referral/confirmed-by-phone")
    ).status_code == 403
    r = await jour.post(f"/api/holds/{group}/referral/confirmed-by-phone")
    assert r.status_code == 200 and r.json()["status"] == "confirmed_by_phone"
    r = await _grant(jour, held, group)
    assert r.status_code == 201, r.text


async def test_declined_through_the_api_leaves_nothing_to_grant(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    jour = await client_for(Role.socialjour)
    held = await _hold(app, jour)
    referral = await _referral(app, held["case"]["id"])
    operator = await client_for(Role.operator, operator_id=held["operator_id"])
    r = await operator.post(f"/api/referrals/{referral.id}/decline", json={"reason": "other"})
    assert r.status_code == 422 and r.json()["field"] == "decline_text"
    r = await operator.post(f"/api/referrals/{referral.id}/decline", json={"reason": "nope"})
    assert r.status_code == 422
    r = await operator.post(f"/api/referrals/{referral.id}/decline", json={"reason": "full"})
    assert r.status_code == 200 and r.json()["decline_reason"] == "full"
    assert r.json()["hold_live"] is False
    r = await _grant(jour, held, referral.group_id)
    assert r.status_code == 409 and "declined" in r.json()["detail"]
    r = await jour.post(f"/api/holds/{referral.group_id}/referral/confirmed-by-phone")
    assert r.status_code == 409
    assert await _placements(app, referral.group_id) == 0


async def test_stays_api_and_move_out_plan_after_the_move(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    jour = await client_for(Role.socialjour)
    held = await _hold(app, jour)
    referral = await _referral(app, held["case"]["id"])
    group = referral.group_id
    operator = await client_for(Role.operator, operator_id=held["operator_id"])
    assert (await operator.post(f"/api/referrals/{referral.id}/accept")).status_code == 200
    view = (await operator.get("/api/stays")).json()
    assert [x["group_id"] for x in view["expected"]] == [str(group)]
    r = await operator.post(f"/api/stays/{group}/safety-plan", json={"moment": "in"})
    assert r.status_code == 409  # not arrived yet
    r = await operator.post(f"/api/stays/{group}/arrival", json={"arrived_at": "2020-01-01T10:00"})
    assert r.status_code == 422  # no time zone
    r = await operator.post(f"/api/stays/{group}/arrival", json={})
    assert r.status_code == 200 and r.json()["arrived_at"] is not None
    assert (await operator.post(f"/api/stays/{group}/did-not-come")).status_code == 409
    assert (await jour.post(f"/api/stays/{group}/arrival", json={})).status_code == 403
    await _decide(jour, held)
    r = await operator.post(f"/api/stays/{group}/safety-plan", json={"moment": "in"})
    assert r.status_code == 200 and r.json()["safety_plan_in_on"] is not None

    # The household moves out: the placement ends.
    async with transaction(owner_sm(app)) as s:
        adult = await s.scalar(
            select(Decision.id).where(
                col(Decision.booking_group_id) == group, col(Decision.child_id).is_(None)
            )
        )
    app.state.clock.advance(timedelta(minutes=20))  # after the stay started
    r = await jour.post(f"/api/decisions/{adult}/end", json={"outcome": "back_home"})
    assert r.status_code == 200, r.text
    app.state.clock.advance(timedelta(days=2))
    operator = await client_for(Role.operator, operator_id=held["operator_id"])  # signed out
    response = await operator.get("/operator")
    page = response.text
    moved = _section(page, "moved-out-h")
    assert held["case"]["case_number"] in moved
    assert f'action="/operator/stays/{group}/safety-plan/out"' in moved
    assert held["case"]["case_number"] not in _section(page, "living-h")
    assert [x["group_id"] for x in (await operator.get("/api/stays")).json()["moved_out"]] == [
        str(group)
    ]
    r = await operator.post(
        f"/operator/stays/{group}/safety-plan/out", data={"csrf_token": _token(response)}
    )
    assert r.status_code == 303, r.text
    moved = _section((await operator.get("/operator")).text, "moved-out-h")
    assert f'action="/operator/stays/{group}/safety-plan/out"' not in moved

    # Past the window the move-out plan is refused, saying why.
    app.state.clock.advance(timedelta(days=MOVE_OUT_PLAN_DAYS))
    operator = await client_for(Role.operator, operator_id=held["operator_id"])
    r = await operator.post(f"/api/stays/{group}/safety-plan", json={"moment": "out"})
    assert r.status_code == 409 and f"{MOVE_OUT_PLAN_DAYS} days" in r.json()["detail"]
    assert held["case"]["case_number"] not in _section(
        (await operator.get("/operator")).text, "moved-out-h"
    )


async def test_polls_do_not_keep_the_session_alive(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    jour = await client_for(Role.socialjour)
    held = await _hold(app, jour)
    operator = await client_for(Role.operator, operator_id=held["operator_id"])
    idle = app.state.settings.session_idle_minutes
    clock = app.state.clock
    await operator.get("/operator")
    await jour.get(held["hold_url"])
    live = f"{held['hold_url']}/live"
    on_operator = {**POLL, "HX-Current-URL": "http://testserver/operator"}
    on_hold = {**POLL, "HX-Current-URL": f"http://testserver{held['hold_url']}"}
    # Polls within the idle time are answered, but do not restart it.
    for _ in range(2):
        clock.advance(timedelta(minutes=idle // 2 - 1))
        assert (await operator.get("/operator/referrals", headers=on_operator)).status_code == 200
        assert (await jour.get(live, headers=on_hold)).status_code == 200
    clock.advance(timedelta(minutes=3))
    r = await operator.get("/operator/referrals", headers=on_operator)
    assert r.status_code == 401
    assert r.headers["HX-Redirect"] == "/login?ended=1&next=/operator"
    r = await jour.get(live, headers=on_hold)
    assert r.status_code == 401
    assert r.headers["HX-Redirect"] == f"/login?ended=1&next={held['hold_url']}"
    # The sign-in page says the session ended.
    page = await operator.get(r.headers["HX-Redirect"])
    assert page.status_code == 200 and 'id="session-ended"' in page.text
    # A real action (no poll marker) keeps it alive: a fresh sign-in, then clicks.
    fresh = await client_for(Role.operator, operator_id=held["operator_id"])
    for _ in range(3):
        clock.advance(timedelta(minutes=idle - 2))
        assert (await fresh.get("/operator")).status_code == 200
    clock.advance(timedelta(minutes=idle - 2))
    r = await fresh.get("/operator/referrals", headers=on_operator)
    assert r.status_code == 200
