"""The case page's states made right: a decision that ran out months ago is shown as run out
(not "in force"), offers a new decision (a renewal could not reach today) behind a
confirmation that lists who, where and the period; raw codes become labels."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from placement.clock import FrozenClock
from placement.db import transaction
from placement.models import Decision
from placement.models.enums import DecisionStatus, Role
from tests.conftest import ClientFactory, owner_sm
from tests.decisions.factories import World, make_world
from tests.pages.helpers import post_form
from tests.pages.test_case_page import placed_case


@pytest.fixture
async def world(app: Any) -> World:
    return await make_world(owner_sm(app))


async def _decisions(app: Any, case_id: str) -> list[Decision]:
    async with transaction(owner_sm(app)) as s:
        rows = await s.execute(select(Decision).where(col(Decision.case_id) == case_id))
        return list(rows.scalars().all())


async def test_a_decision_run_out_months_ago_offers_a_new_decision(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed_case(rvt, world)
    path = f"/cases/{case['id']}"
    ended = max(d.ends_at for d in await _decisions(app, case["id"]))
    clock.set(ended + timedelta(days=210))  # seven months on, the sweep never came
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)  # signed in now

    page = (await rvt.get(f"{path}?lang=en")).text
    assert "In force" not in page  # the old decisions are not shown as valid
    assert page.count(">Ran out</span>") == 3  # the adult and both children
    assert "Living without a valid decision." in page
    assert "too long ago for a renewal to reach today" in page
    link = re.search(r'<a class="button primary" id="renew" href="([^"]+)"', page)
    assert link is not None and "New decision until" in page
    assert link.group(1) == f"{path}?confirm=renew#renew-confirm"

    confirm = (await rvt.get(f"{path}?confirm=renew&lang=en")).text
    assert 'id="renew-confirm"' in confirm and "Check the new decision" in confirm
    section = confirm.split('id="renew-confirm"')[1].split("</form>")[0]
    assert section.count("<li>") == 3 and "The adult" in section and "Child 1" in section
    assert 'name="new_decision" value="1"' in section

    adult = next(d for d in await _decisions(app, case["id"]) if d.child_id is None)
    r = await post_form(
        rvt, path, f"{path}/renew", {"decision_id": str(adult.id), "new_decision": "1"}
    )
    assert r.status_code == 303, r.text
    fresh = [d for d in await _decisions(app, case["id"]) if d.status == DecisionStatus.active]
    assert len(fresh) == 3
    assert all(d.starts_at == ended for d in fresh)  # the time lived there is covered
    assert all(d.ends_at == clock.now() + timedelta(days=14) for d in fresh)
    page = (await rvt.get(f"{path}?lang=en")).text
    assert ">Ran out</span>" not in page and page.count(">In force</span>") == 3
    assert "Living without a valid decision." not in page


async def test_a_new_decision_is_refused_for_a_decision_still_in_force(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed_case(rvt, world)
    path = f"/cases/{case['id']}"
    adult = case["placement"]["decisions"][0]
    r = await post_form(
        rvt, path, f"{path}/renew?lang=en", {"decision_id": adult["id"], "new_decision": "1"}
    )
    assert r.status_code == 409 and "has not run out" in r.text
    assert len(await _decisions(app, case["id"])) == 3


async def test_renewal_asks_for_confirmation_naming_who_and_when(
    world: World, client_for: ClientFactory
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed_case(rvt, world)
    path = f"/cases/{case['id']}"
    page = (await rvt.get(path)).text
    assert 'id="renew-confirm"' not in page  # the first click only opens the check
    assert f'href="{path}?confirm=renew#renew-confirm"' in page
    confirm = (await rvt.get(f"{path}?confirm=renew&lang=en")).text
    section = confirm.split('id="renew-confirm"')[1].split("</form>")[0]
    assert "Check what will be renewed" in section and section.count("<li>") == 3
    assert 'name="new_decision"' not in section and "Renew these decisions" in section


async def test_languages_and_children_are_labels_in_the_readers_language(
    world: World, client_for: ClientFactory
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed_case(rvt, world)
    path = f"/cases/{case['id']}"  # intake recorded the languages "sv" and "ar"
    english = (await rvt.get(f"{path}?lang=en")).text
    swedish = (await rvt.get(f"{path}?lang=sv")).text
    assert "Languages: Swedish, Arabic" in english and "Språk: svenska, arabiska" in swedish
    assert "Barn 1" not in english and "Child 1" in english
    assert "Barn 1" in swedish


async def test_a_follow_up_is_marked_done_with_a_note(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    from placement.models import FollowUp

    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed_case(rvt, world)
    path = f"/cases/{case['id']}"
    meeting = next(f for f in case["placement"]["follow_ups"] if f["kind"] != "phone")
    page = (await rvt.get(f"{path}?lang=en")).text
    assert f'id="note-{meeting["id"]}"' in page
    long = await post_form(
        rvt, path, f"{path}/follow-ups/{meeting['id']}/done", {"note": "x" * 2001}
    )
    assert long.status_code == 422 and 'value="' + "x" * 2001 + '"' in long.text  # kept
    r = await post_form(
        rvt, path, f"{path}/follow-ups/{meeting['id']}/done", {"note": " Trygg, vill bo kvar. "}
    )
    assert r.status_code == 303
    async with transaction(owner_sm(app)) as s:
        row = await s.get(FollowUp, meeting["id"])
        assert row is not None and row.done_at is not None
        assert row.note == "Trygg, vill bo kvar."
    shown = (await rvt.get(f"{path}?lang=en")).text
    assert "Note: Trygg, vill bo kvar." in shown and f'id="note-{meeting["id"]}"' not in shown
