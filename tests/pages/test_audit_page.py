"""The auditor's page: filter by user (user name or name) and by case number; rows name the
user, the case by number and the action and record in words, never ids or codes."""

from __future__ import annotations

import re
from typing import Any

import pytest

from placement.models.enums import Role
from tests.conftest import ClientFactory, owner_sm
from tests.decisions.factories import World, household_json, make_world
from tests.pages.test_desk_page import placed

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
async def world(app: Any) -> World:
    return await make_world(owner_sm(app))


async def test_audit_page(client_for: ClientFactory) -> None:
    auditor = await client_for(Role.auditor, username="granskare.sida")
    r = await auditor.get("/audit", params={"username": "granskare.sida"})
    assert r.status_code == 200 and "Granskningslogg" in r.text and "granskare.sida" in r.text
    bad = await auditor.get("/audit", params={"case_number": "%%"})
    assert bad.status_code == 200 and 'id="case_number-error"' in bad.text
    assert 'value="%%"' in bad.text  # what was typed stays
    bad = await auditor.get("/audit", params={"since": "igår"})
    assert 'id="since-error"' in bad.text and 'value="igår"' in bad.text
    coordinator = await client_for(Role.coordinator)
    assert (await coordinator.get("/audit")).status_code == 403


async def test_filter_by_case_number_and_user_with_words_not_codes(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id, username="hl.one")
    case = await placed(rvt, world, children=0)
    await rvt.get(f"/cases/{case['id']}")
    other = await client_for(Role.rvt_officer, district_id=world.district_a.id, username="hl.two")
    await placed(other, world, children=0)
    auditor = await client_for(Role.auditor)

    r = await auditor.get("/audit", params={"case_number": case["case_number"][:-2].lower()})
    assert r.status_code == 200
    body = r.text[r.text.index("<tbody>") :]
    assert case["case_number"] in body and "hl.one" in body
    assert "hl.two" not in body  # their case has another number
    assert '<td data-label="Händelse">Läst</td>' in body and "RVT-handläggare" in body
    assert not UUID.search(body)  # no ids on the page
    assert ">read<" not in body and "rvt_officer" not in body

    by_user = await auditor.get("/audit", params={"username": "HL.TW", "lang": "en"})
    body = by_user.text[by_user.text.index("<tbody>") :]
    assert "hl.two" in body and "hl.one" not in body
    assert "Created" in body and "RVT officer" in body
    none = await auditor.get("/audit", params={"case_number": "ZZZ-NOPE"})
    assert "No entries match." in none.text or "Inga" in none.text


async def test_the_export_applies_exactly_the_pages_filters(
    app: Any, world: World, client_for: ClientFactory
) -> None:
    import csv
    import io

    one = await client_for(Role.rvt_officer, district_id=world.district_a.id, username="ex.one")
    mine = await placed(one, world, children=0)
    await one.get(f"/cases/{mine['id']}")
    made = await one.post("/api/cases", json=household_json(world, children=0))
    assert made.status_code == 201, made.text
    theirs = made.json()  # the same user, another case
    two = await client_for(Role.rvt_officer, district_id=world.district_a.id, username="ex.two")
    assert (await two.get(f"/cases/{mine['id']}")).status_code == 200  # same case, other user
    auditor = await client_for(Role.auditor)

    filters = {"case_number": mine["case_number"], "username": "EX.ONE"}
    page = await auditor.get("/audit", params=filters)
    assert page.status_code == 200
    assert 'href="/audit/export.csv?' in page.text
    link = page.text.split('href="/audit/export.csv?', 1)[1].split('"', 1)[0]
    assert "case_number=" in link and "username=" in link
    listed = page.text[page.text.index("<tbody>") :].count("<tr")

    r = await auditor.get("/audit/export.csv", params=filters)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and len(rows) == listed
    assert {row["username"] for row in rows} == {"ex.one"}
    assert {row["case_number"] for row in rows} == {mine["case_number"]}
    assert {row["case_id"] for row in rows} == {mine["id"]}
    assert theirs["case_number"] not in r.text

    # Unfiltered, the other user's and the other case's rows are there: the filter did it.
    everything = await auditor.get("/audit/export.csv")
    assert "ex.two" in everything.text and theirs["id"] in everything.text
    # The export is itself in the log.
    from sqlmodel import col, func, select

    from placement.models import AuditEntry

    async with owner_sm(app)() as s:
        exports = await s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(col(AuditEntry.entity_type) == "audit_log", col(AuditEntry.action) == "export")
        )
    assert exports == 2
    # A bad filter is refused with the page's words, not ignored.
    bad = await auditor.get("/audit/export.csv", params={"since": "igår", "lang": "sv"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("text/html")
