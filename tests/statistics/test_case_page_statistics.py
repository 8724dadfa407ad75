"""The case page records what the statistics need, through HTTP: the end form's stay end and
contract length, a child's kind of schooling, and a mellanbo referral with its answer (page
and JSON)."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import col, select

from placement.clock import FrozenClock
from placement.db import transaction
from placement.models import Case, Child, MellanboReferral
from placement.models.enums import MellanboStatus, Role, SchoolingKind, StayEnd
from tests.conftest import ClientFactory, owner_sm
from tests.decisions.factories import World
from tests.pages.helpers import post_form
from tests.pages.test_case_page import placed_case


async def test_end_form_records_stay_end_and_contract(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed_case(rvt, world)
    path = f"/cases/{case['id']}"
    adult = case["placement"]["decisions"][0]
    page = (await rvt.get(f"{path}?lang=en")).text
    assert 'name="end_stay"' in page and 'id="end_contract_months"' in page
    day = re.search(r'id="end_at" name="end_at" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"decision_id": adult["id"], "end_outcome": "back_home", "end_at": day,
            "end_stay": "completed", "end_contract_months": "12"}  # fmt: skip
    r = await post_form(rvt, path, f"{path}/end?lang=en", form)
    assert r.status_code == 422 and 'id="end_contract_months-error"' in r.text
    assert 'value="12"' in r.text  # what was typed is kept
    form |= {"end_contract_months": "five"}
    r = await post_form(rvt, path, f"{path}/end?lang=en", form)
    assert r.status_code == 422 and "whole number of months" in r.text
    form |= {"end_outcome": "second_hand_lease", "end_contract_months": "5",
             "end_stay": "broken_off"}  # fmt: skip
    r = await post_form(rvt, path, f"{path}/end", form)
    assert r.status_code == 303
    async with transaction(owner_sm(app)) as s:
        row = await s.get(Case, case["id"])
        assert row is not None
        assert (row.stay_end, row.contract_months, row.secure_permanent_housing) == (
            StayEnd.broken_off, 5, False,
        )  # fmt: skip


async def test_schooling_kind_and_mellanbo_referral(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed_case(rvt, world)
    path = f"/cases/{case['id']}"
    child = case["children"][0]["id"]
    page = (await rvt.get(f"{path}?lang=en")).text
    assert f'id="schooling-kind-{child}"' in page and "Refer to SHIS mellanbo" in page
    day = clock.now().date().isoformat()
    r = await post_form(
        rvt, path, f"{path}/children/{child}/schooling",
        {f"schooling-{child}": day, f"schooling-kind-{child}": "larteamet"},
    )  # fmt: skip
    assert r.status_code == 303
    bad = {f"schooling-{child}": day, f"schooling-kind-{child}": "circus"}
    r = await post_form(rvt, path, f"{path}/children/{child}/schooling?lang=en", bad)
    assert r.status_code == 422
    async with transaction(owner_sm(app)) as s:
        stored = await s.get(Child, child)
        assert stored is not None and stored.schooling_kind == SchoolingKind.larteamet

    r = await post_form(rvt, path, f"{path}/mellanbo-referrals", {})
    assert r.status_code == 303 and r.headers["location"] == f"{path}?done=referred"
    page = (await rvt.get(f"{path}?lang=en")).text
    assert "Waiting for an answer" in page and "Refer to SHIS mellanbo" not in page
    ref_id = re.search(r"/mellanbo-referrals/([0-9a-f-]+)/answer", page).group(1)  # type: ignore[union-attr]
    r = await post_form(rvt, path, f"{path}/mellanbo-referrals/{ref_id}/answer",
                        {"answer": "granted"})  # fmt: skip
    assert r.status_code == 303
    r = await post_form(rvt, path, f"{path}/mellanbo-referrals/{ref_id}/answer?lang=en",
                        {"answer": "declined"})  # fmt: skip
    assert r.status_code == 409 and "already been answered" in r.text
    # The JSON API: list, refer again, answer.
    listed = (await rvt.get(f"/api/cases/{case['id']}/mellanbo-referrals")).json()
    assert [x["status"] for x in listed] == ["granted"]
    made = await rvt.post(f"/api/cases/{case['id']}/mellanbo-referrals")
    assert made.status_code == 201
    again = await rvt.post(f"/api/cases/{case['id']}/mellanbo-referrals")
    assert again.status_code == 409
    answered = await rvt.post(
        f"/api/cases/{case['id']}/mellanbo-referrals/{made.json()['id']}/answer",
        json={"answer": "declined"},
    )
    assert answered.status_code == 200 and answered.json()["status"] == "declined"
    async with transaction(owner_sm(app)) as s:
        rows = (await s.execute(select(MellanboReferral).where(
            col(MellanboReferral.case_id) == case["id"]))).scalars().all()  # fmt: skip
        assert sorted(r.status for r in rows) == [MellanboStatus.declined, MellanboStatus.granted]
    # Another district's officer sees nothing of it.
    other = await client_for(Role.rvt_officer, district_id=world.district_b.id)
    assert (await other.get(f"/api/cases/{case['id']}/mellanbo-referrals")).status_code == 404
