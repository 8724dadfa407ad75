"""The night flow through HTTP: request → proposals → hold → decisions → hand-over."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import col, select

from placement.db import transaction
from placement.models import Decision, District, Handover
from placement.models.enums import LegalBasis, Role
from tests.conftest import ClientFactory, owner_sm
from tests.pages.helpers import CSRF, csrf_of


async def _district(app: Any, code: str) -> str:
    async with transaction(owner_sm(app)) as s:
        return str(
            (await s.execute(select(District.id).where(col(District.code) == code))).scalar_one()
        )


async def test_night_flow(app: Any, demo: dict[str, int], client_for: ClientFactory) -> None:
    jour = await client_for(Role.socialjour)
    page = await jour.get("/night")
    assert page.status_code == 200 and "Akut förfrågan om plats" in page.text
    farsta = await _district(app, "farsta")

    # A mistake keeps everything typed and says what to fix, next to the field.
    token = await csrf_of(jour, "/night")
    bad = await jour.post(
        "/night",
        data={"csrf_token": token, "children_ages": "4 och 9", "avoid": farsta, "languages": "ar"},
    )
    assert bad.status_code == 422
    assert 'id="children_ages-error"' in bad.text and 'value="4 och 9"' in bad.text
    assert f'value="{farsta}" selected' in bad.text and 'value="ar" checked' in bad.text

    # The responsible district is chosen, never guessed from the areas to avoid.
    token = CSRF.search(bad.text).group(1)  # type: ignore[union-attr]
    bad = await jour.post(
        "/night", data={"csrf_token": token, "children_ages": "4, 9", "avoid": farsta}
    )
    assert bad.status_code == 422 and 'id="responsible-error"' in bad.text
    token = CSRF.search(bad.text).group(1)  # type: ignore[union-attr]
    r = await jour.post(
        "/night",
        data={
            "csrf_token": token,
            "children_ages": "4, 9",
            "avoid": farsta,
            "responsible": farsta,
            "instrument": "freda",
        },
    )
    assert r.status_code == 303, r.text
    proposals_url = r.headers["location"]
    proposals = await jour.get(proposals_url)
    assert proposals.status_code == 200
    units = re.findall(r'name="unit_id" value="([0-9a-f-]+)"', proposals.text)
    assert units, "the demo city has a place for a mother and two children"
    assert "Senast bekräftad" in proposals.text  # vacancy freshness is shown

    token = CSRF.search(proposals.text).group(1)  # type: ignore[union-attr]
    r = await jour.post(f"{proposals_url}/hold", data={"csrf_token": token, "unit_id": units[0]})
    assert r.status_code == 303
    hold_url = r.headers["location"]
    waiting = await jour.get(hold_url)
    # The unit has a referral; until it answers (or the officer agrees by phone) no decision.
    assert waiting.status_code == 200 and 'data-referral="pending"' in waiting.text
    assert 'name="basis_' not in waiting.text
    token = CSRF.search(waiting.text).group(1)  # type: ignore[union-attr]
    r = await jour.post(f"{hold_url}/phone", data={"csrf_token": token})
    assert r.status_code == 303
    decide = await jour.get(hold_url)
    assert decide.status_code == 200 and decide.text.count('name="basis_') == 6
    assert 'data-referral="confirmed_by_phone"' in decide.text

    token = CSRF.search(decide.text).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": token, "days": "0"}
    bad = await jour.post(f"{hold_url}/decide", data=form)
    assert bad.status_code == 422 and 'id="days-error"' in bad.text and 'value="0"' in bad.text

    # Each child's decision needs a short assessment of the child's needs.
    token = CSRF.search(bad.text).group(1)  # type: ignore[union-attr]
    bad = await jour.post(f"{hold_url}/decide", data={"csrf_token": token, "days": ""})
    assert bad.status_code == 422 and "Skriv en kort bedömning" in bad.text
    notes = {
        name: "Går i förskola." for name in re.findall(r'name="(note_[0-9a-f-]+)"', decide.text)
    }
    assert len(notes) == 2
    token = CSRF.search(bad.text).group(1)  # type: ignore[union-attr]
    r = await jour.post(f"{hold_url}/decide", data={"csrf_token": token, "days": "", **notes})
    assert r.status_code == 303, r.text
    done = await jour.get(r.headers["location"])
    assert done.status_code == 200 and "Överlämning till" in done.text
    case_id = r.headers["location"].rsplit("/", 1)[1]
    async with transaction(owner_sm(app)) as s:
        decisions = (
            (await s.execute(select(Decision).where(col(Decision.case_id) == case_id)))
            .scalars()
            .all()
        )
        assert len(decisions) == 3  # the adult and each child
        assert sorted(d.legal_basis for d in decisions) == sorted(
            [LegalBasis.sol, LegalBasis.lpsb_immediate, LegalBasis.lpsb_immediate]
        )
        assert all(d.court_submission_due_at for d in decisions if d.child_id)
        handovers = (
            (await s.execute(select(Handover).where(col(Handover.case_id) == case_id)))
            .scalars()
            .all()
        )
        assert len(handovers) == 1


async def test_night_pages_need_the_right_role(
    app: Any, client_for: ClientFactory, anon_client: Any
) -> None:
    coordinator = await client_for(Role.coordinator)
    assert (await coordinator.get("/night")).status_code == 403
    r = await anon_client.get("/night")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_night_intake_not_yet_assessed(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    """At night the risk may be unknown: "not yet assessed" is recorded as such and counts as
    high (only protection-3 units are proposed); a made-up choice is refused at the field."""
    jour = await client_for(Role.socialjour)
    farsta = await _district(app, "farsta")
    token = await csrf_of(jour, "/night")
    bad = await jour.post(
        "/night",
        data={"csrf_token": token, "avoid": farsta, "responsible": farsta, "risk": "unknown"},
    )
    assert bad.status_code == 422 and 'id="risk-error"' in bad.text
    token = CSRF.search(bad.text).group(1)  # type: ignore[union-attr]
    r = await jour.post(
        "/night",
        data={
            "csrf_token": token,
            "avoid": farsta,
            "responsible": farsta,
            "risk": "not_assessed",
        },
    )
    assert r.status_code == 303, r.text
    async with transaction(owner_sm(app)) as s:
        from sqlmodel import col, select

        from placement.models import PlacementRequest, RiskAssessment

        request_id = r.headers["location"].rsplit("/", 1)[1]
        req = await s.get(PlacementRequest, request_id)
        assert req is not None
        rows = (
            (
                await s.execute(
                    select(RiskAssessment).where(col(RiskAssessment.case_id) == req.case_id)
                )
            )
            .scalars()
            .all()
        )
        assert [(a.instrument.value, a.level.value) for a in rows] == [("not_assessed", "high")]


async def test_night_near_miss_held_with_an_override(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    """Socialjouren may hold a near miss with its broken rules overridden and a reason; the
    hold keeps the override, and without a reason nothing is held."""
    jour = await client_for(Role.socialjour)
    farsta = await _district(app, "farsta")
    token = await csrf_of(jour, "/night")
    r = await jour.post(
        "/night",
        data={
            "csrf_token": token,
            "avoid": farsta,
            "responsible": farsta,
            "needs_wheelchair": "1",
            "risk": "high",
        },
    )
    assert r.status_code == 303, r.text
    page = await jour.get(r.headers["location"])
    forms = re.findall(
        r'<details class="override">.*?name="unit_id" value="([0-9a-f-]+)"(.*?)</form>',
        page.text,
        re.S,
    )
    assert forms, "a near miss with only overridable rules is offered"
    unit_id, body = forms[0]
    rules = re.findall(r'name="override" value="([a-z_]+)"', body)
    assert rules
    action = r.headers["location"] + "/hold"
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    refused = await jour.post(
        action, data={"csrf_token": token, "unit_id": unit_id, "override": rules}
    )
    assert refused.status_code == 422  # the reason is required
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    held = await jour.post(
        action,
        data={
            "csrf_token": token,
            "unit_id": unit_id,
            "override": rules,
            "override_reason": "Enda platsen i natt som tar emot hela familjen.",
        },
    )
    assert held.status_code == 303, held.text
    group_id = held.headers["location"].rsplit("/", 1)[1]
    async with transaction(owner_sm(app)) as s:
        from sqlmodel import col, select

        from placement.models import Booking

        rows = (
            (await s.execute(select(Booking).where(col(Booking.group_id) == group_id)))
            .scalars()
            .all()
        )
        assert rows and all(sorted(b.overridden_rules) == sorted(rules) for b in rows)
