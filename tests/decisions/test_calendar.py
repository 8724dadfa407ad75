"""Working days and office hours in Sweden (Europe/Stockholm)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from placement.calendar import (
    is_working_day,
    next_office_start,
    non_working_holidays,
    within_office_hours,
)
from placement.config import Settings

STHLM = ZoneInfo("Europe/Stockholm")
S = Settings(environment="test")


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STHLM)


def test_2026_holidays_include_the_de_facto_eves() -> None:
    days = non_working_holidays(2026)
    assert date(2026, 6, 19) in days  # Midsummer Eve (Friday)
    assert date(2026, 6, 20) in days  # Midsummer Day (Saturday)
    assert date(2026, 12, 24) in days and date(2026, 12, 31) in days
    assert date(2026, 6, 6) in days  # National Day
    assert date(2026, 4, 3) in days and date(2026, 4, 6) in days  # Good Friday, Easter Monday
    assert date(2026, 5, 14) in days  # Ascension Day
    assert not is_working_day(date(2026, 6, 19))
    assert is_working_day(date(2026, 6, 22))
    assert not is_working_day(date(2026, 11, 28))  # Saturday


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (at(2026, 11, 24, 8, 0), True),
        (at(2026, 11, 24, 16, 59), True),
        (at(2026, 11, 24, 17, 0), False),
        (at(2026, 11, 24, 7, 59), False),
        (at(2026, 6, 19, 10, 0), False),  # Midsummer Eve
        (at(2026, 11, 28, 10, 0), False),  # Saturday
    ],
)
def test_office_hours(moment: datetime, inside: bool) -> None:
    assert within_office_hours(moment.astimezone(UTC), S) is inside


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 6, 19, 23, 30), at(2026, 6, 22, 8, 0)),  # Midsummer weekend
        (at(2026, 11, 24, 6, 30), at(2026, 11, 24, 8, 0)),  # early morning: same day
        (at(2026, 11, 24, 8, 0), at(2026, 11, 25, 8, 0)),  # strictly after
        (at(2026, 11, 27, 18, 0), at(2026, 11, 30, 8, 0)),  # Friday evening
        (at(2026, 12, 23, 22, 0), at(2026, 12, 28, 8, 0)),  # Christmas
        (at(2026, 12, 30, 20, 0), at(2027, 1, 4, 8, 0)),  # New Year's Eve, Day, weekend
        (at(2026, 3, 28, 12, 0), at(2026, 3, 30, 8, 0)),  # across the switch to summer time
    ],
)
def test_next_office_start(moment: datetime, expected: datetime) -> None:
    assert next_office_start(moment.astimezone(UTC), S) == expected.astimezone(UTC)
