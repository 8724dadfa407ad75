"""The opaque referral and the unit's on-duty number through HTTP and the database.

A hold sends the unit's operator a referral with the case number and the household's facts,
never the name, the personal identity number or the unit's address; the operator accepts or
declines with a coded reason; a decline releases the hold and the proposals mark the unit.
The on-duty number reaches RVT and Socialjouren only: not the coordinator (API, board,
export), not the housing agency, not the operator's referral; the app's database login cannot
read the column, and the function gives it to no other scope.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.auth.scope import apply_scope
from placement.crypto import Keyring
from placement.db import transaction
from placement.inventory.contact import PHONE_AD
from placement.inventory.service import ADDRESS_AD
from placement.models import Booking, District, PlacementRequest, Referral, Unit
from placement.models.enums import (
    BookingStatus,
    DeclineReason,
    ReferralStatus,
    RequestStatus,
    Role,
)
from placement.referrals.stats import declines_by_reason
from tests.conftest import ClientFactory, owner_sm
from tests.pages.helpers import CSRF

NAME = "Testa Exempelsdotter"
PERSONAL_NUMBER = "199001012393"  # synthetic, valid check digit
CALLBACK = "08-465 004 98"


async def _district_id(app: Any, code: str) -> uuid.UUID:
    async with transaction(owner_sm(app)) as s:
        return (await s.execute(select(District.id).where(col(District.code) == code))).scalar_one()


async def _hold(app: Any, jour: httpx.AsyncClient) -> dict[str, Any]:
    """A named household with a personal number, held through the night pages."""
    sodermalm = await _district_id(app, "sodermalm")
    r = await jour.post(
        "/api/cases",
        json={
            "responsible_district_id": str(sodermalm),
            "person": {
                "name": NAME,
                "personal_number": PERSONAL_NUMBER,
                "gender": "female",
                "birth_year": 1990,
            },
            "needs": {"languages": ["ar"], "needs_wheelchair": False},
            "children": [{"gender": "female", "age": 4}, {"gender": "male", "age": 9}],
            "exclusion_areas": [{"district_code": "farsta", "kind": "perpetrator_home"}],
            "risk_assessments": [{"instrument": "freda", "level": "high"}],
        },
    )
    assert r.status_code == 201, r.text
    case = r.json()
    r = await jour.post(
        f"/api/cases/{case['id']}/placement-requests",
        json={"starts_at": app.state.clock.now().isoformat(), "nights": 14},
    )
    assert r.status_code == 201, r.text
    request_id = r.json()["id"]
    proposals = await jour.get(f"/night/requests/{request_id}")
    assert proposals.status_code == 200
    unit_id = re.findall(r'name="unit_id" value="([0-9a-f-]+)"', proposals.text)[0]
    token = CSRF.search(proposals.text).group(1)  # type: ignore[union-attr]
    r = await jour.post(
        f"/night/requests/{request_id}/hold",
        data={"csrf_token": token, "unit_id": unit_id, "callback_phone": CALLBACK},
    )
    assert r.status_code == 303, r.text
    async with transaction(owner_sm(app)) as s:
        unit = await s.get(Unit, uuid.UUID(unit_id))
        assert unit is not None
        address = await s.scalar(
            text("SELECT address_ciphertext FROM unit WHERE id = :id"), {"id": unit.id}
        )
        phone = await s.scalar(
            text("SELECT contact_phone_ciphertext FROM unit WHERE id = :id"), {"id": unit.id}
        )
        operator_id = unit.operator_id
    keyring: Keyring = app.state.keyring
    return {
        "case": case,
        "request_id": request_id,
        "unit_id": unit_id,
        "operator_id": operator_id,
        "hold_url": r.headers["location"],
        "address": keyring.decrypt(address, associated=ADDRESS_AD),
        "phone": keyring.decrypt(phone, associated=PHONE_AD),
        "proposals": proposals.text,
    }


async def _referral(app: Any, case_id: str) -> Referral:
    async with transaction(owner_sm(app)) as s:
        found = await s.scalar(select(Referral).where(col(Referral.case_id) == case_id))
        assert found is not None
        return found


async def test_referral_is_opaque_and_accepted(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    jour = await client_for(Role.socialjour)
    held = await _hold(app, jour)
    referral = await _referral(app, held["case"]["id"])
    assert referral.status == ReferralStatus.pending
    assert referral.case_number == held["case"]["case_number"]
    assert referral.adults == 1 and sorted(referral.children_ages) == [4, 9]
    assert referral.risk_level is not None and referral.risk_level.value == "high"
    assert referral.languages == ["ar"] and referral.callback_phone == CALLBACK
    # Nothing in the table could carry who she is or where the unit is.
    columns = set(Referral.model_fields)
    assert not {c for c in columns if re.search("name|personal|address|contact", c)} - {
        "case_number"
    }

    # The proposals and the hold page show the on-duty number as a tel: link.
    assert held["phone"] in held["proposals"] and 'href="tel:' in held["proposals"]
    hold_page = await jour.get(held["hold_url"])
    assert held["phone"] in hold_page.text and 'data-referral="pending"' in hold_page.text

    operator = await client_for(Role.operator, operator_id=held["operator_id"])
    page = await operator.get("/operator")
    assert page.status_code == 200
    assert held["case"]["case_number"] in page.text and CALLBACK in page.text
    for secret in (NAME, PERSONAL_NUMBER, PERSONAL_NUMBER[2:], held["address"], held["phone"]):
        assert secret not in page.text
    fragment = await operator.get("/operator/referrals")
    assert fragment.status_code == 200 and held["case"]["case_number"] in fragment.text
    seen = re.search(r"seen=([0-9a-f]+)", fragment.text)
    assert seen is not None
    unchanged = await operator.get("/operator/referrals", params={"seen": seen.group(1)})
    assert unchanged.status_code == 204  # the poll leaves the list (and what is typed) alone

    # Another operator sees nothing of it and cannot answer it.
    async with transaction(owner_sm(app)) as s:
        other_op = await s.scalar(
            text("SELECT id FROM operator WHERE id <> :id LIMIT 1"), {"id": held["operator_id"]}
        )
    other = await client_for(Role.operator, operator_id=other_op)
    assert held["case"]["case_number"] not in (await other.get("/operator")).text
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    other_token = CSRF.search((await other.get("/operator")).text).group(1)  # type: ignore[union-attr]
    r = await other.post(
        f"/operator/referrals/{referral.id}/accept", data={"csrf_token": other_token}
    )
    assert r.status_code == 409
    assert (await _referral(app, held["case"]["id"])).status == ReferralStatus.pending

    r = await operator.post(f"/operator/referrals/{referral.id}/accept", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/operator?done=accepted"
    assert (await _referral(app, held["case"]["id"])).status == ReferralStatus.accepted
    live = await jour.get(f"{held['hold_url']}/live", headers={"HX-Request": "true"})
    assert 'data-referral="accepted"' in live.text and 'name="basis_' in live.text
    again = await operator.post(
        f"/operator/referrals/{referral.id}/accept", data={"csrf_token": token}
    )
    assert again.status_code == 409  # answered once

    # The decision follows; the case page then shows the unit's on-duty number.
    notes = dict(
        re.findall(r'name="(note_[0-9a-f-]+)"[^>]*>([^<]+)</textarea>', live.text, flags=re.S)
    )
    assert len(notes) == 2
    jour_token = CSRF.search(live.text).group(1)  # type: ignore[union-attr]
    r = await jour.post(
        f"{held['hold_url']}/decide", data={"csrf_token": jour_token, "days": "", **notes}
    )
    assert r.status_code == 303, r.text
    case_page = await jour.get(f"/cases/{held['case']['id']}")
    assert case_page.status_code == 200 and held["phone"] in case_page.text
    decided = await jour.get(held["hold_url"])
    assert 'name="basis_' not in decided.text and "/night/done/" in decided.text

    # The audit log has the referral's creation and its answer.
    async with transaction(owner_sm(app)) as s:
        actions = (
            await s.execute(
                text(
                    "SELECT action FROM audit_entry WHERE entity_type = 'referral' "
                    "AND entity_id = :id"
                ),
                {"id": referral.id},
            )
        ).scalars()
        assert {"create", "update"} <= set(actions)


async def test_decline_releases_the_hold_and_marks_the_unit(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    jour = await client_for(Role.socialjour)
    held = await _hold(app, jour)
    referral = await _referral(app, held["case"]["id"])
    operator = await client_for(Role.operator, operator_id=held["operator_id"])
    token = CSRF.search((await operator.get("/operator")).text).group(1)  # type: ignore[union-attr]

    # "Other" needs a short text; the page says so and nothing changes.
    r = await operator.post(
        f"/operator/referrals/{referral.id}/decline", data={"csrf_token": token, "reason": "other"}
    )
    assert r.status_code == 422 and f'id="decline_text-{referral.id}-error"' in r.text
    r = await operator.post(
        f"/operator/referrals/{referral.id}/decline", data={"csrf_token": token, "reason": "x"}
    )
    assert r.status_code == 422 and f'id="reason-{referral.id}-error"' in r.text
    assert (await _referral(app, held["case"]["id"])).status == ReferralStatus.pending

    r = await operator.post(
        f"/operator/referrals/{referral.id}/decline",
        data={"csrf_token": token, "reason": "needs_unmet"},
    )
    assert r.status_code == 303
    async with transaction(owner_sm(app)) as s:
        rows = (
            (await s.execute(select(Booking).where(col(Booking.group_id) == referral.group_id)))
            .scalars()
            .all()
        )
        assert rows and all(b.status == BookingStatus.released for b in rows)
        request = await s.get(PlacementRequest, uuid.UUID(held["request_id"]))
        assert request is not None and request.status == RequestStatus.open
    assert (await _referral(app, held["case"]["id"])).decline_reason == DeclineReason.needs_unmet

    # The officer's live part sends the browser back to the proposals, the unit marked.
    live = await jour.get(f"{held['hold_url']}/live", headers={"HX-Request": "true"})
    target = live.headers.get("HX-Redirect", "")
    assert target == f"/night/requests/{held['request_id']}?done=declined"
    again = await jour.get(target)
    assert again.status_code == 200 and "declined-mark" in again.text
    assert "Behov vi inte kan möta" in again.text or "Needs we cannot meet" in again.text

    # Declines by reason: a count for the coordinator, refused to others.
    now = app.state.clock.now()
    coordinator = Actor(user_id=None, username="samordnare", role=Role.coordinator)
    async with transaction(app.state.sessionmaker) as s:
        await apply_scope(s, coordinator)
        counts = await declines_by_reason(
            s, app.state.clock, coordinator, now - timedelta(days=1), now + timedelta(days=1)
        )
    assert [(c.reason, c.count) for c in counts] == [(DeclineReason.needs_unmet, 1)]
    # The statistics count it as unmet need, a small cell shown only as "< 5".
    coordinator_client = await client_for(Role.coordinator)
    day = now.date()
    r = await coordinator_client.get(
        f"/api/statistics/report?start={day}&end={day + timedelta(days=1)}"
    )
    assert r.status_code == 200, r.text
    declines = r.json()["unmet"]["declines_by_reason"]
    assert declines == {"needs_unmet": {"value": None, "display": "< 5", "hidden": True}}
    nobody = Actor(user_id=None, username="op", role=Role.operator)
    async with transaction(app.state.sessionmaker) as s:
        with pytest.raises(Exception, match="coordinator"):
            await declines_by_reason(s, app.state.clock, nobody, now, now)


async def test_phone_and_referral_never_reach_agency_or_coordinator(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    jour = await client_for(Role.socialjour)
    held = await _hold(app, jour)
    phone, unit_id = held["phone"], held["unit_id"]
    digits = re.sub(r"\D", "", phone)

    # RVT and Socialjouren read it in the unit detail (audited); the coordinator does not.
    mine = await jour.get(f"/api/inventory/units/{unit_id}")
    assert mine.json()["contact_phone"] == phone
    coordinator = await client_for(Role.coordinator)
    theirs = await coordinator.get(f"/api/inventory/units/{unit_id}")
    assert theirs.status_code == 200 and theirs.json()["contact_phone"] is None
    for path in (
        "/api/inventory/units?limit=1000",
        "/api/inventory/export?format=csv",
        "/api/inventory/export?format=json",
        "/board",
    ):
        r = await coordinator.get(path)
        assert r.status_code == 200, path
        assert phone not in r.text and digits not in r.text, path
    assert (await coordinator.get("/operator/referrals")).status_code == 403
    assert (await coordinator.get(held["hold_url"])).status_code == 403

    agency = await client_for(Role.housing_agency)
    for path in (f"/api/inventory/units/{unit_id}", "/operator", held["hold_url"]):
        r = await agency.get(path)
        assert r.status_code in (403, 303), path
        assert phone not in r.text

    # The database itself: the app's login cannot select the column, the function gives the
    # number to no scope but RVT, Socialjouren and the system, and the referral rows are
    # invisible to the coordinator and the housing agency.
    for role in (Role.coordinator, Role.housing_agency, Role.operator):
        actor = Actor(user_id=None, username="probe", role=role)
        async with transaction(app.state.sessionmaker) as s:
            await apply_scope(s, actor)
            assert (
                await s.scalar(text("SELECT bk_unit_contact_phone(:id)"), {"id": unit_id})
            ) is None
            if role != Role.operator:
                assert await s.scalar(text("SELECT count(*) FROM referral")) == 0
    async with app.state.sessionmaker() as s:
        with pytest.raises(DBAPIError, match="permission denied"):
            await s.execute(text("SELECT contact_phone_ciphertext FROM unit LIMIT 1"))


async def _wait(app: Any, client: httpx.AsyncClient, url: str, minutes: int) -> None:
    """Let time pass while the officer keeps the page open (the poll keeps the session)."""
    while minutes > 0:
        step = min(minutes, 20)
        app.state.clock.advance(timedelta(minutes=step))
        minutes -= step
        assert (await client.get(f"{url}/live", headers={"HX-Request": "true"})).status_code == 200


async def test_hold_page_countdown_extend_and_lapse(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    jour = await client_for(Role.socialjour)
    held = await _hold(app, jour)
    page = await jour.get(held["hold_url"])
    assert "90 minuter kvar" in page.text or "90 minutes left" in page.text
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    r = await jour.post(f"{held['hold_url']}/extend", data={"csrf_token": token})
    assert r.status_code == 422 and 'id="extend_reason-error"' in r.text

    await _wait(app, jour, held["hold_url"], 85)
    page = await jour.get(held["hold_url"])
    assert 'role="alert"' in page.text and "5 " in page.text  # warned ten minutes before
    r = await jour.post(
        f"{held['hold_url']}/extend",
        data={"csrf_token": token, "extend_reason": "Polisen skjutsar senare"},
    )
    assert r.status_code == 303
    page = await jour.get(held["hold_url"])
    assert "95 minuter kvar" in page.text or "95 minutes left" in page.text
    assert 'action="' + held["hold_url"] + '/extend"' not in page.text  # only once

    await _wait(app, jour, held["hold_url"], 100)
    page = await jour.get(held["hold_url"])
    assert page.status_code == 200 and 'id="referral-state"' in page.text
    assert 'name="basis_' not in page.text and "/decide" not in page.text
