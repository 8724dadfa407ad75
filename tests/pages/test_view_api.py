"""The case, desk and due views as JSON (api/routes/views.py): the same cases as the pages
for the same filters, pages of 50 with a bound, the same scope, and audit entries written
only for the cases returned."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, func, select

from api.i18n import translations
from placement.clock import FrozenClock
from placement.models import AuditEntry
from placement.models.enums import Role
from tests.conftest import ClientFactory, owner_sm
from tests.decisions.factories import ADULT_NAME, PERSONAL_NUMBER, World, audit_count, make_world
from tests.pages.bulk import make_cases
from tests.pages.test_desk_page import placed

ROW = re.compile(r'<th scope="row" class="nowrap"><a href="/cases/[^"]+">([^<]+)</a>')
DUE_ROW = re.compile(r'<td class="nowrap" data-label="Case"><a href="/cases/[^"]+">([^<]+)</a>')


@pytest.fixture
async def world(app: Any) -> World:
    return await make_world(owner_sm(app))


async def _reads(app: Any) -> int:
    async with owner_sm(app)() as s:
        n = await s.scalar(
            select(func.count()).select_from(AuditEntry).where(col(AuditEntry.action) == "read")
        )
        return int(n or 0)


def _due_numbers(groups: dict[str, Any]) -> list[str]:
    return [r["item"]["case_number"] for g in ("overdue", "today", "later") for r in groups[g]]


async def test_the_desk_as_json_gives_the_pages_cases(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    real = await placed(rvt, world, children=0)
    await make_cases(owner_sm(app), world.district_a.id, 120, clock.now(), closed_every=10)
    await rvt.get("/desk?lang=en")  # the pages in English (the language is remembered)
    for asked in ("", "page=2", "page=3", "sort=number&status=all", "risk=high", "due=soon",
                  "kind=none&risk=none&sort=opened", "status=closed", "page=99"):  # fmt: skip
        page = (await rvt.get(f"/desk?{asked}")).text
        r = await rvt.get(f"/api/desk?{asked}")
        assert r.status_code == 200, (asked, r.text)
        view = r.json()
        assert [c["summary"]["case_number"] for c in view["cases"]] == ROW.findall(page), asked
        assert view["page_size"] == 50 and len(view["cases"]) <= 50
        assert f"of {view['total']}" in page or view["total"] == 0, asked
    last = (await rvt.get("/api/desk?page=99")).json()
    assert last["page"] == last["pages"] == 3 and last["query"]["page"] == 3  # 109 open cases
    assert [c["summary"]["case_number"] for c in (await rvt.get("/api/desk?risk=high")).json()[
        "cases"
    ]] == [real["case_number"]]  # fmt: skip

    # Audited like the page: one read per case returned (listed here or due), no more.
    before = await _reads(app)
    view = (await rvt.get("/api/desk?page=2")).json()
    returned = {c["summary"]["id"] for c in view["cases"]} | {
        r["item"]["case_id"] for g in ("overdue", "today", "later") for r in view["due"][g]
    }
    assert await _reads(app) - before == len(returned) == 51  # 50 listed, the real one due

    # Bounded paging: a page past the bound is a 422 in Swedish (the field named).
    sv = translations("sv").gettext
    for path in ("/api/desk?page=10001", "/api/due/view?page=999999999", "/api/desk?page=0"):
        r = await rvt.get(f"{path}&lang=sv")
        assert r.status_code == 422, path
        detail = r.json()["detail"]
        assert detail.startswith(sv("Check the input.")) and "page" in detail, detail
        assert sv("Check the input.") != "Check the input."
    bad = await rvt.get("/api/desk?risk=extreme&lang=sv")
    assert bad.status_code == 422 and "risk" in bad.json()["detail"]


async def test_the_due_list_as_json_gives_the_pages_rows(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    first = await placed(rvt, world)
    clock.advance(timedelta(days=2))  # its first follow-ups are overdue
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)  # signed in anew
    second = await placed(rvt, world, children=0)
    jour = await client_for(Role.socialjour)
    await jour.get("/due?lang=en")
    for asked in ("", "what=follow_up_overdue", f"district_id={world.district_b.id}",
                  f"district_id={world.district_a.id}&what=follow_up_due"):  # fmt: skip
        page = (await jour.get(f"/due?{asked}")).text
        before = await _reads(app)
        r = await jour.get(f"/api/due/view?{asked}")
        assert r.status_code == 200, r.text
        view = r.json()
        numbers = _due_numbers(view["groups"])
        assert numbers == DUE_ROW.findall(page), asked
        assert await _reads(app) - before == len(set(numbers)), asked
        assert view["page_size"] == 50
    everything = (await jour.get("/api/due/view")).json()
    assert {first["case_number"], second["case_number"]} <= set(_due_numbers(everything["groups"]))
    assert "follow_up_overdue" in everything["kinds"] and everything["districts"]


async def test_the_case_view_as_json_scoped_and_audited(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    sm = owner_sm(app)
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await placed(rvt, world, children=1)
    before = await audit_count(sm, case["id"], "read")
    r = await rvt.get(f"/api/cases/{case['id']}/view")
    assert r.status_code == 200, r.text
    view = r.json()
    assert await audit_count(sm, case["id"], "read") == before + 1  # one read, like the page
    assert view["case"]["case_number"] == case["case_number"]
    assert view["placement"]["unit_name"] == "Skydd Ett" and view["can_renew"] is True
    assert len(view["decisions"]) == 2  # the adult's and the child's
    assert {d["person"] is None for d in view["decisions"]} == {True, False}
    assert view["follow_ups"] and view["district_name"] == world.district_a.name
    assert view["arrival"]["unit_name"] == "Skydd Ett" and view["arrival"]["arrived_at"] is None
    assert all(u["unit_id"] != str(world.shelter.id) for u in view["candidates"])
    assert ADULT_NAME not in r.text and PERSONAL_NUMBER not in r.text  # no identity
    page = (await rvt.get(f"/cases/{case['id']}")).text
    assert case["case_number"] in page and view["case"]["case_number"] in page

    # Another district's officer does not see it, on the page or as JSON; nothing is read.
    other = await client_for(Role.rvt_officer, district_id=world.district_b.id)
    reads = await audit_count(sm, case["id"], "read")
    assert (await other.get(f"/api/cases/{case['id']}/view")).status_code == 404
    assert (await other.get(f"/cases/{case['id']}")).status_code == 404
    desk = (await other.get(f"/api/desk?district_id={world.district_a.id}")).json()
    assert desk["total"] == 0 and desk["cases"] == [] and _due_numbers(desk["due"]) == []
    assert case["case_number"] not in _due_numbers(
        (await other.get("/api/due/view")).json()["groups"]
    )
    assert await audit_count(sm, case["id"], "read") == reads
    # Roles without case access are refused.
    coordinator = await client_for(Role.coordinator)
    for path in (f"/api/cases/{case['id']}/view", "/api/desk", "/api/due/view"):
        assert (await coordinator.get(path)).status_code == 403, path
