"""Arrival and safety planning through HTTP: the unit's operator records that the household
arrived (or did not come) and the safety plans at move-in and at move-out; another operator
cannot; the RVT case page shows them; the operator's page names nobody (case number only)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import text
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.auth.scope import apply_scope
from placement.db import transaction
from placement.models import Stay
from placement.models.enums import Role
from tests.conftest import ClientFactory, owner_sm
from tests.pages.helpers import CSRF
from tests.pages.test_referral_pages import NAME, PERSONAL_NUMBER, _district_id, _hold, _referral

TZ = ZoneInfo("Europe/Stockholm")


def _token(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found is not None
    return found.group(1)


async def _stay(app: Any, group_id: uuid.UUID) -> Stay | None:
    async with transaction(owner_sm(app)) as s:
        return await s.scalar(select(Stay).where(col(Stay.group_id) == group_id))


def _section(page: str, heading_id: str) -> str:
    """The part of the households section under one heading (up to the next one)."""
    start = page.index(f'id="{heading_id}"')
    rest = page[start + 1 :]
    ends = [i for i in (rest.find("<h3 "), rest.find("</section>")) if i >= 0]
    return rest[: min(ends)]


async def _accepted(app: Any, client_for: ClientFactory) -> tuple[dict[str, Any], Any, Any, Any]:
    jour = await client_for(Role.socialjour)
    held = await _hold(app, jour)
    referral = await _referral(app, held["case"]["id"])
    operator = await client_for(Role.operator, operator_id=held["operator_id"])
    await operator.get("/operator", params={"lang": "en"})
    r = await operator.post(
        f"/operator/referrals/{referral.id}/accept",
        data={"csrf_token": _token(await operator.get("/operator"))},
    )
    assert r.status_code == 303
    return held, referral, jour, operator


async def _decide(jour: httpx.AsyncClient, held: dict[str, Any]) -> None:
    live = await jour.get(f"{held['hold_url']}/live", headers={"HX-Request": "true"})
    notes = dict(
        re.findall(r'name="(note_[0-9a-f-]+)"[^>]*>([^<]+)</textarea>', live.text, flags=re.S)
    )
    r = await jour.post(
        f"{held['hold_url']}/decide", data={"csrf_token": _token(live), "days": "", **notes}
    )
    assert r.status_code == 303, r.text


async def test_operator_records_arrival_and_safety_plans(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    held, referral, jour, operator = await _accepted(app, client_for)
    number = held["case"]["case_number"]
    group = referral.group_id
    now = app.state.clock.now()

    # Expected today, by case number only: no name, personal number or address on the page.
    page = (await operator.get("/operator")).text
    expected = _section(page, "expected-h")
    assert number in expected and f'action="/operator/stays/{group}/arrived"' in expected
    for secret in (NAME, PERSONAL_NUMBER, PERSONAL_NUMBER[2:], held["address"], held["phone"]):
        assert secret not in page

    # Another operator can neither see it nor record anything for it.
    async with transaction(owner_sm(app)) as s:
        other_op = await s.scalar(
            text("SELECT id FROM operator WHERE id <> :id LIMIT 1"), {"id": held["operator_id"]}
        )
    other = await client_for(Role.operator, operator_id=other_op)
    other_page = await other.get("/operator")
    assert number not in other_page.text
    for action in ("arrived", "did-not-come", "safety-plan/in"):
        r = await other.post(
            f"/operator/stays/{group}/{action}", data={"csrf_token": _token(other_page)}
        )
        assert r.status_code == 409, action
    assert await _stay(app, group) is None

    token = _token(await operator.get("/operator"))
    # No safety plan before the household has arrived; a time that is not a time is refused.
    r = await operator.post(f"/operator/stays/{group}/safety-plan/in", data={"csrf_token": token})
    assert r.status_code == 409 and "Record the arrival first" in r.text
    r = await operator.post(
        f"/operator/stays/{group}/arrived", data={"csrf_token": token, "arrived_time": "25:99"}
    )
    assert r.status_code == 422 and f'id="stay-{group}-error"' in r.text
    stay = await _stay(app, group)
    assert stay is None or stay.arrived_at is None  # the failed attempts left nothing

    arrival = (now - timedelta(minutes=20)).astimezone(TZ)
    r = await operator.post(
        f"/operator/stays/{group}/arrived",
        data={"csrf_token": token, "arrived_time": arrival.strftime("%H:%M")},
    )
    assert r.status_code == 303 and r.headers["location"] == "/operator?done=arrived#stays"
    stay = await _stay(app, group)
    assert stay is not None and stay.arrived_at == arrival.replace(second=0, microsecond=0)
    # Arrived: a "did not come" is refused now.
    r = await operator.post(f"/operator/stays/{group}/did-not-come", data={"csrf_token": token})
    assert r.status_code == 409

    # The decision follows: the household now lives there, until the decision's end.
    await _decide(jour, held)
    page = (await operator.get("/operator")).text
    assert number not in _section(page, "expected-h")
    assert number in _section(page, "living-h") + _section(page, "leaving-h")
    assert NAME not in page and PERSONAL_NUMBER not in page

    today = arrival.date()
    r = await operator.post(
        f"/operator/stays/{group}/safety-plan/in",
        data={"csrf_token": token, "on": (today + timedelta(days=1)).isoformat()},
    )
    assert r.status_code == 422  # not later than today
    r = await operator.post(
        f"/operator/stays/{group}/safety-plan/in", data={"csrf_token": token, "on": "someday"}
    )
    assert r.status_code == 422
    r = await operator.post(
        f"/operator/stays/{group}/safety-plan/in",
        data={"csrf_token": token, "on": today.isoformat()},
    )
    assert r.status_code == 303 and "done=plan_in" in r.headers["location"]
    stay = await _stay(app, group)
    assert stay is not None and stay.safety_plan_in_on == today and stay.safety_plan_out_on is None

    # The RVT officer of the responsible district reads both on the case page.
    rvt = await client_for(Role.rvt_officer, district_id=await _district_id(app, "sodermalm"))
    case_page = await rvt.get(f"/cases/{held['case']['id']}", params={"lang": "en"})
    assert case_page.status_code == 200
    arrived = re.search(r'id="case-arrival">([^<]+)', case_page.text)
    assert arrived is not None and "arrived" in arrived.group(1)
    assert arrival.strftime("%H:%M") in arrived.group(1)
    assert re.search(r'id="case-plan-in">done ', case_page.text)
    assert re.search(r'id="case-plan-out">not recorded', case_page.text)

    r = await operator.post(
        f"/operator/stays/{group}/safety-plan/out",
        data={"csrf_token": token, "on": today.isoformat()},
    )
    assert r.status_code == 303
    case_page = await rvt.get(f"/cases/{held['case']['id']}")
    assert re.search(r'id="case-plan-out">done ', case_page.text)

    # Every change is audited, with the case (no free text to leak).
    async with transaction(owner_sm(app)) as s:
        rows = (
            await s.execute(
                text(
                    "SELECT action, case_id FROM audit_entry WHERE entity_type = 'stay' "
                    "AND entity_id = :id"
                ),
                {"id": stay.id},
            )
        ).all()
    assert [a for a, c in rows if a == "update" and str(c) == held["case"]["id"]] == ["update"] * 3


async def test_did_not_come_shows_on_the_case_and_can_be_corrected(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    held, referral, jour, operator = await _accepted(app, client_for)
    await _decide(jour, held)
    group = referral.group_id
    rvt = await client_for(Role.rvt_officer, district_id=await _district_id(app, "sodermalm"))
    case_url = f"/cases/{held['case']['id']}"
    before = await rvt.get(case_url, params={"lang": "en"})
    assert re.search(r'id="case-arrival">not recorded by the shelter yet', before.text)

    page = await operator.get("/operator")
    assert held["case"]["case_number"] in _section(page.text, "expected-h")
    r = await operator.post(
        f"/operator/stays/{group}/did-not-come", data={"csrf_token": _token(page)}
    )
    assert r.status_code == 303
    after = await rvt.get(case_url)
    assert re.search(r'id="case-arrival"><strong>did not come', after.text)
    stay = await _stay(app, group)
    assert stay is not None and stay.did_not_come_at is not None and stay.arrived_at is None

    # She came after all: the arrival replaces the "did not come".
    r = await operator.post(f"/operator/stays/{group}/arrived", data={"csrf_token": _token(page)})
    assert r.status_code == 303
    stay = await _stay(app, group)
    assert stay is not None and stay.arrived_at is not None and stay.did_not_come_at is None


async def test_households_in_swedish(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    """The households section reads in Swedish."""
    _held, _ref, _jour, operator = await _accepted(app, client_for)
    sv = await operator.get("/operator", params={"lang": "sv"})
    assert (
        "Väntas i dag" in sv.text and "Har kommit" in sv.text and "Hushåll i era enheter" in sv.text
    )


async def test_row_level_security_keeps_the_stay_to_its_operator_and_district(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    held, referral, _jour, operator = await _accepted(app, client_for)
    r = await operator.post(
        f"/operator/stays/{referral.group_id}/arrived",
        data={"csrf_token": _token(await operator.get("/operator"))},
    )
    assert r.status_code == 303
    async with transaction(owner_sm(app)) as s:
        other_op = await s.scalar(
            text("SELECT id FROM operator WHERE id <> :id LIMIT 1"), {"id": held["operator_id"]}
        )
    farsta = await _district_id(app, "farsta")
    sodermalm = await _district_id(app, "sodermalm")
    seen: dict[str, uuid.UUID | None] = {}
    for name, actor in {
        "own": Actor(None, "op", Role.operator, operator_id=held["operator_id"]),
        "other": Actor(None, "op2", Role.operator, operator_id=other_op),
        "rvt_own": Actor(None, "rvt", Role.rvt_officer, district_id=sodermalm),
        "rvt_other": Actor(None, "rvt2", Role.rvt_officer, district_id=farsta),
        "coordinator": Actor(None, "coord", Role.coordinator),
    }.items():
        async with transaction(app.state.sessionmaker) as s:
            await apply_scope(s, actor)
            seen[name] = await s.scalar(
                select(Stay.id).where(col(Stay.group_id) == referral.group_id)
            )
    assert seen["own"] is not None and seen["rvt_own"] == seen["own"]
    assert seen["other"] is None and seen["rvt_other"] is None and seen["coordinator"] is None
