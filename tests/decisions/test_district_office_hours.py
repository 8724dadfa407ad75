"""A district's own office hours and dated exceptions: the pure calendar with them (Swedish
holidays still closed whatever a district sets), and a night hand-over that follows them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from placement.calendar import (
    OfficeHours,
    city_hours,
    next_office_start,
    warning_at,
    within_office_hours,
)
from placement.clock import FrozenClock
from placement.config import Settings
from placement.db import transaction
from placement.models import District, DistrictOfficeDay
from placement.models.enums import Role
from placement.office_hours import office_hours_for
from tests.conftest import ClientFactory, owner_sm
from tests.decisions.factories import World, household_json
from tests.decisions.test_decision_api import children_payload

STHLM = ZoneInfo("Europe/Stockholm")
S = Settings(environment="test")


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STHLM)


EARLY = OfficeHours(time(7, 0), time(15, 0))
KLAMDAG = OfficeHours(
    time(8, 0),
    time(17, 0),
    {
        date(2026, 12, 23): None,  # closed: the day before Christmas Eve
        date(2026, 12, 25): (time(9, 0), time(12, 0)),  # Christmas Day: stays closed
        date(2026, 12, 29): (time(8, 0), time(12, 0)),  # shortened
    },
)


@pytest.mark.parametrize(
    ("moment", "office", "inside"),
    [
        (at(2026, 11, 24, 7, 30), EARLY, True),
        (at(2026, 11, 24, 7, 30), None, False),  # the city's hours start at 08:00
        (at(2026, 11, 24, 15, 30), EARLY, False),
        (at(2026, 11, 24, 15, 30), None, True),
        (at(2026, 11, 28, 10, 0), EARLY, False),  # Saturday
        (at(2026, 12, 23, 10, 0), KLAMDAG, False),  # closed by the district
        (at(2026, 12, 25, 10, 0), KLAMDAG, False),  # a holiday is never opened
        (at(2026, 12, 29, 11, 0), KLAMDAG, True),
        (at(2026, 12, 29, 13, 0), KLAMDAG, False),  # after the shortened hours
        (at(2026, 12, 30, 13, 0), KLAMDAG, True),  # the next day: the usual hours
    ],
)
def test_within_district_hours(moment: datetime, office: OfficeHours | None, inside: bool) -> None:
    assert within_office_hours(moment.astimezone(UTC), S, office) is inside


@pytest.mark.parametrize(
    ("moment", "office", "expected"),
    [
        (at(2026, 11, 24, 18, 0), EARLY, at(2026, 11, 25, 7, 0)),
        (at(2026, 11, 24, 18, 0), None, at(2026, 11, 25, 8, 0)),
        # Without the exception the district would take over on Wednesday the 23rd.
        (at(2026, 12, 22, 20, 0), None, at(2026, 12, 23, 8, 0)),
        # Closed on the 23rd, then Christmas Eve, Christmas, Boxing Day and a Sunday.
        (at(2026, 12, 22, 20, 0), KLAMDAG, at(2026, 12, 28, 8, 0)),
        (at(2026, 12, 29, 13, 0), KLAMDAG, at(2026, 12, 30, 8, 0)),
        # Midsummer weekend with other daily hours: the holidays still count.
        (at(2026, 6, 18, 16, 0), EARLY, at(2026, 6, 22, 7, 0)),
    ],
)
def test_next_office_start_with_district_hours(
    moment: datetime, office: OfficeHours | None, expected: datetime
) -> None:
    assert next_office_start(moment.astimezone(UTC), S, office) == expected.astimezone(UTC)


def test_warning_skips_the_districts_closed_days() -> None:
    ends = at(2026, 12, 27, 12, 0).astimezone(UTC)  # a Sunday
    assert warning_at(ends, 0, S) == at(2026, 12, 23, 8, 0).astimezone(UTC)
    assert warning_at(ends, 0, S, KLAMDAG) == at(2026, 12, 22, 8, 0).astimezone(UTC)
    assert warning_at(ends, 0, S, EARLY) == at(2026, 12, 23, 7, 0).astimezone(UTC)


def test_city_hours_are_the_settings() -> None:
    assert city_hours(S) == OfficeHours(S.office_hours_start, S.office_hours_end)


async def _override(app: Any, world: World) -> None:
    async with transaction(owner_sm(app)) as s:
        district = await s.get(District, world.district_a.id)
        assert district is not None
        district.office_hours_start, district.office_hours_end = time(7, 0), time(15, 0)
        s.add(
            DistrictOfficeDay(
                district_id=district.id,
                day=date(2026, 12, 28),
                closed=True,
                note="Klämdag",
                created_at=datetime(2026, 12, 1, tzinfo=UTC),
            )
        )


async def test_office_hours_for_reads_the_district(app: Any, world: World) -> None:
    await _override(app, world)
    async with owner_sm(app)() as s:
        office = await office_hours_for(s, S, world.district_a.id, date(2026, 12, 20))
        other = await office_hours_for(s, S, world.district_b.id, date(2026, 12, 20))
        nobody = await office_hours_for(s, S, None, date(2026, 12, 20))
    assert office == OfficeHours(time(7, 0), time(15, 0), {date(2026, 12, 28): None})
    assert other == nobody == city_hours(S)


async def test_night_hand_over_follows_the_districts_hours(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    await _override(app, world)
    clock.set(at(2026, 12, 23, 22, 0))  # the night before Christmas Eve
    night = await client_for(Role.socialjour)
    r = await night.post("/api/cases", json=household_json(world))
    assert r.status_code == 201, r.text
    case = r.json()
    body = {"unit_id": str(world.shelter.id), "children": children_payload(case)}
    r = await night.post(f"/api/cases/{case['id']}/decisions", json=body)
    assert r.status_code == 201, r.text
    due = datetime.fromisoformat(r.json()["handover"]["due_at"])
    # The city would hand over on Monday 28 December at 08:00; the district is closed that
    # day and opens at 07:00.
    assert due == at(2026, 12, 29, 7, 0)


async def test_a_decision_after_the_districts_hours_is_flagged_and_handed_over(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    await _override(app, world)
    # 15:30 on a working day is inside the city's hours but after the district's.
    clock.set(at(2027, 3, 9, 15, 30))
    night = await client_for(Role.socialjour)
    r = await night.post("/api/cases", json=household_json(world))
    assert r.status_code == 201, r.text
    case = r.json()
    body = {"unit_id": str(world.shelter.id), "children": children_payload(case)}
    r = await night.post(f"/api/cases/{case['id']}/decisions", json=body)
    assert r.status_code == 201, r.text
    placed = r.json()
    assert all(d["outside_office_hours"] for d in placed["decisions"])
    assert datetime.fromisoformat(placed["handover"]["due_at"]) == at(2027, 3, 10, 7, 0)
