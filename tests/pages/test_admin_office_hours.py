"""A district's office hours on the admin page: its own daily hours and dated exceptions
(closed days, shortened hours), each change audited; a refused form says in Swedish what to
fix and keeps what was typed; nothing is saved by a refused form."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from sqlmodel import col, select

from placement.db import transaction
from placement.models import AuditEntry, District, DistrictOfficeDay
from placement.models.enums import Role
from tests.conftest import ClientFactory, owner_sm
from tests.decisions.factories import make_world
from tests.pages.helpers import post_form


async def _district(app: Any) -> District:
    async with transaction(owner_sm(app)) as s:
        district = await s.get(District, (await make_world(owner_sm(app))).district_a.id)
        assert district is not None
        return district


async def _reasons(app: Any, district: District) -> list[str]:
    async with transaction(owner_sm(app)) as s:
        rows = await s.execute(
            select(AuditEntry).where(
                col(AuditEntry.entity_id) == district.id,
                col(AuditEntry.entity_type) == "district_settings",
            )
        )
        return [f"{e.action.value}: {e.reason}" for e in rows.scalars()]


async def _days(app: Any, district: District) -> list[DistrictOfficeDay]:
    async with transaction(owner_sm(app)) as s:
        rows = await s.execute(
            select(DistrictOfficeDay).where(col(DistrictOfficeDay.district_id) == district.id)
        )
        return list(rows.scalars())


async def test_the_districts_own_office_hours(app: Any, client_for: ClientFactory) -> None:
    admin = await client_for(Role.admin)
    district = await _district(app)
    page = f"/admin/districts/{district.id}"
    action = f"{page}/office-hours"
    shown = await admin.get(page, params={"lang": "sv"})
    assert "Kontorstider" in shown.text and "stadens tider, 08:00–17:00" in shown.text

    bad = await post_form(
        admin, page, action, {"office_hours_start": "7.30", "office_hours_end": "15:00"}
    )
    assert bad.status_code == 422 and "Skriv tiden som TT:MM" in bad.text
    assert 'value="7.30"' in bad.text and 'value="15:00"' in bad.text  # nothing typed lost
    order = await post_form(
        admin, page, action, {"office_hours_start": "15:00", "office_hours_end": "07:30"}
    )
    assert order.status_code == 422 and "Stängningstiden måste vara efter" in order.text
    half = await post_form(admin, page, action, {"office_hours_start": "07:30"})
    assert half.status_code == 422 and "både när kontoret öppnar" in half.text
    async with transaction(owner_sm(app)) as s:
        unchanged = await s.get(District, district.id)
        assert unchanged is not None and unchanged.office_hours_start is None

    ok = await post_form(
        admin, page, action, {"office_hours_start": "07:30", "office_hours_end": "15:00"}
    )
    assert ok.status_code == 303
    shown = await admin.get(ok.headers["location"])
    assert "Stadsdelens kontorstider är sparade." in shown.text
    assert 'value="07:30"' in shown.text and 'value="15:00"' in shown.text
    async with transaction(owner_sm(app)) as s:
        saved = await s.get(District, district.id)
        assert saved is not None
        assert (saved.office_hours_start, saved.office_hours_end) == (time(7, 30), time(15, 0))
    back = await post_form(admin, page, action, {})  # both empty: the city's hours again
    assert back.status_code == 303
    assert sorted(await _reasons(app, district)) == [
        "update: office_hours: 07:30-15:00",
        "update: office_hours: city",
    ]


async def test_dated_exceptions_added_refused_and_removed(
    app: Any, client_for: ClientFactory
) -> None:
    admin = await client_for(Role.admin)
    district = await _district(app)
    page = f"/admin/districts/{district.id}"
    action = f"{page}/office-days"

    saturday = {"day": "2026-12-05", "closed": "1", "note": "Personaldag"}
    bad = await post_form(admin, page, action, saturday)
    assert bad.status_code == 422 and "helg eller helgdag" in bad.text
    assert 'value="2026-12-05"' in bad.text and 'value="Personaldag"' in bad.text
    christmas = await post_form(admin, page, action, {"day": "2026-12-24", "closed": "1"})
    assert christmas.status_code == 422  # Christmas Eve is closed anyway
    past = await post_form(admin, page, action, {"day": "2026-11-02", "closed": "1"})
    assert past.status_code == 422 and "Dagen har redan varit" in past.text
    no_hours = await post_form(admin, page, action, {"day": "2026-12-30", "closed": "0"})
    assert no_hours.status_code == 422 and "Markera dagen som stängd" in no_hours.text
    assert re.search(r'value="0"\s+checked', no_hours.text)  # "other hours" stays chosen
    not_a_date = await post_form(admin, page, action, {"day": "30/12", "closed": "1"})
    assert not_a_date.status_code == 422 and 'value="30/12"' in not_a_date.text
    assert await _days(app, district) == []

    closed = await post_form(
        admin, page, action, {"day": "2026-12-28", "closed": "1", "note": "Klämdag"}
    )
    assert closed.status_code == 303
    short = await post_form(
        admin, page, action, {"day": "2026-12-30", "closed": "0", "opens": "08:00",
                              "closes": "12:00"},
    )  # fmt: skip
    assert short.status_code == 303
    again = await post_form(admin, page, action, {"day": "2026-12-28", "closed": "1"})
    assert again.status_code == 409 and "redan ett undantag" in again.text

    shown = (await admin.get(page, params={"lang": "sv"})).text
    assert "2026-12-28" in shown and "Klämdag" in shown and "Stängt" in shown
    assert "08:00–12:00" in shown
    days = {d.day: d for d in await _days(app, district)}
    assert set(days) == {date(2026, 12, 28), date(2026, 12, 30)}
    assert days[date(2026, 12, 30)].opens == time(8, 0) and not days[date(2026, 12, 30)].closed

    removed = await post_form(admin, page, f"{action}/{days[date(2026, 12, 28)].id}/remove", {})
    assert removed.status_code == 303
    assert {d.day for d in await _days(app, district)} == {date(2026, 12, 30)}
    assert sorted(await _reasons(app, district)) == [
        "create: office_day_added: 2026-12-28 closed",
        "create: office_day_added: 2026-12-30 08:00-12:00",
        "delete: office_day_removed: 2026-12-28",
    ]
    # The auditor reads the changes in words.
    auditor = await client_for(Role.auditor)
    log = (await auditor.get("/audit", params={"username": "admin", "lang": "sv"})).text
    assert "dag med andra kontorstider tillagd: 2026-12-28 stängt" in log
    assert "office_day" not in log
    gone = await post_form(admin, page, f"{action}/{days[date(2026, 12, 28)].id}/remove", {})
    assert gone.status_code == 404 and "Undantaget finns inte" in gone.text


async def test_only_the_admin_edits_office_hours(app: Any, client_for: ClientFactory) -> None:
    district = await _district(app)
    coordinator = await client_for(Role.coordinator)
    r = await coordinator.post(
        f"/admin/districts/{district.id}/office-hours",
        data={"office_hours_start": "07:00", "office_hours_end": "15:00"},
    )
    assert r.status_code == 403
