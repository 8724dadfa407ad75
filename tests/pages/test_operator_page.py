"""The operator's page through HTTP: own units only, stale warning, report and block forms."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import col, select

from placement.demo.seed import STREETS
from placement.inventory import bookings
from placement.models import Booking, Operator, Unit, VacancyReport
from placement.models.enums import BookingKind, BookingStatus, Role
from tests.conftest import ClientFactory, owner_sm
from tests.pages.helpers import post_form


async def _unit_of(app: Any, operator_name: str) -> tuple[uuid.UUID, uuid.UUID]:
    async with owner_sm(app)() as s:
        op = await s.scalar(select(Operator).where(col(Operator.name) == operator_name))
        assert op is not None
        unit = await s.scalar(select(Unit).where(col(Unit.operator_id) == op.id))
        assert unit is not None
        return op.id, unit.id


async def _english(client: httpx.AsyncClient) -> None:
    assert (await client.get("/operator", params={"lang": "en"})).status_code == 200


async def _set_confirmed(app: Any, unit_id: uuid.UUID, hours_ago: float) -> None:
    async with owner_sm(app)() as s:
        unit = await s.get(Unit, unit_id)
        assert unit is not None
        unit.vacancy_confirmed_at = app.state.clock.now() - timedelta(hours=hours_ago)
        await s.commit()


async def test_access(app: Any, demo: dict[str, int], client_for: ClientFactory) -> None:
    op_id, _ = await _unit_of(app, "Föreningen Ankaret")
    operator = await client_for(Role.operator, operator_id=op_id)
    assert (await operator.get("/operator")).status_code == 200
    coordinator = await client_for(Role.coordinator)
    assert (await coordinator.get("/operator")).status_code == 403
    anon = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    r = await anon.get("/operator")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/operator"
    await anon.aclose()


async def test_own_units_only_and_no_address(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    op_id, unit_id = await _unit_of(app, "Föreningen Ankaret")
    operator = await client_for(Role.operator, operator_id=op_id)
    await _english(operator)
    page = (await operator.get("/operator")).text
    assert "Kvinnojouren Ankaret" in page and f'id="unit-{unit_id}"' in page
    assert "Tryggheten skyddat boende" not in page and "Kriscentrum Lyktan" not in page
    assert not any(street in page for street in STREETS)  # never a shelter address
    # The report form is prefilled with what the bookings leave free.
    assert re.search(rf'id="free_places-{unit_id}"[^>]*value="\d+"', page)
    # Another operator's unit cannot be reported for.
    _, other = await _unit_of(app, "Trygghet Omsorg AB")
    r = await post_form(
        operator, "/operator", f"/operator/units/{other}/report", {"free_places": "1"}
    )
    assert r.status_code == 403


async def test_stale_warning(app: Any, demo: dict[str, int], client_for: ClientFactory) -> None:
    op_id, unit_id = await _unit_of(app, "Föreningen Ankaret")
    operator = await client_for(Role.operator, operator_id=op_id)
    await _english(operator)
    await _set_confirmed(app, unit_id, 2)
    fresh = (await operator.get("/operator")).text
    assert f'id="stale-{unit_id}"' not in fresh and "Up to date" in fresh
    assert "Updated 2 hours ago" in fresh
    await _set_confirmed(app, unit_id, app.state.settings.vacancy_stale_hours + 3)
    stale = (await operator.get("/operator")).text
    assert f'id="stale-{unit_id}"' in stale
    assert "The last report is older than 12 hours" in stale and "Needs a report:" in stale


async def test_report_vacancy(app: Any, demo: dict[str, int], client_for: ClientFactory) -> None:
    op_id, unit_id = await _unit_of(app, "Föreningen Ankaret")
    operator = await client_for(Role.operator, operator_id=op_id)
    await _english(operator)
    await _set_confirmed(app, unit_id, 30)
    page = (await operator.get("/operator")).text
    prefilled = re.search(rf'id="free_places-{unit_id}"[^>]*value="(\d+)"', page)
    assert prefilled
    rooms = re.search(rf'id="free_family_rooms-{unit_id}"[^>]*value="(\d+)"', page)
    assert rooms
    # Wrong input: the message is next to the field and what was typed stays.
    r = await post_form(
        operator,
        "/operator",
        f"/operator/units/{unit_id}/report",
        {"free_places": "två", "free_family_rooms": rooms.group(1), "note": "kollat"},
    )
    assert r.status_code == 422
    assert f'id="free_places-{unit_id}-error"' in r.text and "Write a whole number" in r.text
    assert 'value="två"' in r.text and 'value="kollat"' in r.text
    # More places than the unit has: the service refuses, in words the operator can act on.
    r = await post_form(
        operator, "/operator", f"/operator/units/{unit_id}/report", {"free_places": "40"}
    )
    assert r.status_code == 422 and 'value="40"' in r.text
    assert "The unit has 2 single places in Boendekedjan" in r.text
    async with owner_sm(app)() as s:
        assert (await s.get(Unit, unit_id)).vacancy_confirmed_at < app.state.clock.now()
    # One submit of the prefilled form confirms.
    r = await post_form(
        operator,
        "/operator",
        f"/operator/units/{unit_id}/report",
        {"free_places": prefilled.group(1), "free_family_rooms": rooms.group(1), "note": ""},
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/operator?done=reported")
    async with owner_sm(app)() as s:
        unit = await s.get(Unit, unit_id)
        assert unit is not None and unit.vacancy_confirmed_at == app.state.clock.now()
        assert unit.reported_free_places == int(prefilled.group(1))
        reports = (
            await s.execute(select(VacancyReport).where(col(VacancyReport.unit_id) == unit_id))
        ).scalars()
        assert any(v.reported_at == app.state.clock.now() for v in reports)
    after = await operator.get(r.headers["location"])
    assert "The free places are confirmed" in after.text
    assert f'id="stale-{unit_id}"' not in after.text


async def _blocks(app: Any, unit_id: uuid.UUID) -> list[Booking]:
    async with owner_sm(app)() as s:
        rows = await s.execute(
            select(Booking).where(
                col(Booking.unit_id) == unit_id, col(Booking.kind) == BookingKind.block
            )
        )
        return list(rows.scalars())


async def test_block_and_release(app: Any, demo: dict[str, int], client_for: ClientFactory) -> None:
    op_id, unit_id = await _unit_of(app, "Föreningen Ankaret")
    operator = await client_for(Role.operator, operator_id=op_id)
    await _english(operator)
    today = app.state.clock.now().date()
    tomorrow = today + timedelta(days=1)
    action = f"/operator/units/{unit_id}/block"
    # Errors next to their fields; everything typed is kept.
    r = await post_form(
        operator,
        "/operator",
        action,
        {
            "count": "1",
            "starts_on": (today - timedelta(days=1)).isoformat(),
            "ends_on": tomorrow.isoformat(),
            "reason": "x",
        },
    )
    assert r.status_code == 422
    assert f'id="reason-{unit_id}-error"' in r.text and "at least 3 characters" in r.text
    assert f'id="starts_on-{unit_id}-error"' in r.text and "cannot be in the past" in r.text
    assert f'value="{(today - timedelta(days=1)).isoformat()}"' in r.text and 'value="x"' in r.text
    assert '<details class="block" open>' in r.text  # the form stays open
    # More single places than are free: the service's refusal, next to the count.
    r = await post_form(
        operator,
        "/operator",
        action,
        {
            "count": "9",
            "starts_on": today.isoformat(),
            "ends_on": tomorrow.isoformat(),
            "reason": "Vattenskada",
        },
    )
    assert r.status_code == 422 and f'id="count-{unit_id}-error"' in r.text
    assert "Not that many single places are free" in r.text and 'value="Vattenskada"' in r.text
    assert await _blocks(app, unit_id) == []  # nothing of the refused try is kept
    # A good block: a place that is free today and tomorrow, ticked by its label.
    now = app.state.clock.now()
    async with owner_sm(app)() as s:
        free = await bookings.free_places(s, unit_id, now, now + timedelta(days=3), now)
    assert free, "the demo unit has a free place"
    r = await post_form(
        operator,
        "/operator",
        action,
        {
            "count": "",
            "place_ids": str(free[0].id),
            "starts_on": today.isoformat(),
            "ends_on": tomorrow.isoformat(),
            "reason": "Vattenskada",
        },
    )
    assert r.status_code == 303 and "done=blocked" in r.headers["location"]
    blocks = await _blocks(app, unit_id)
    assert len(blocks) == 1 and blocks[0].block_reason == "Vattenskada"
    assert blocks[0].place_id == free[0].id and blocks[0].starts_at == now
    page = (await operator.get(r.headers["location"])).text
    assert "The places are blocked" in page and "Vattenskada" in page
    assert re.search(r"<dt>Blocked</dt><dd>1</dd>", page)
    # Lift it again.
    r = await post_form(
        operator,
        "/operator",
        f"/operator/units/{unit_id}/blocks/{blocks[0].group_id}/release",
        {},
    )
    assert r.status_code == 303 and "done=released" in r.headers["location"]
    assert [b.status for b in await _blocks(app, unit_id)] == [BookingStatus.released]
