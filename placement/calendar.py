"""Working days and office hours in Sweden (times stored in UTC, reasoned about locally).

Non-working days are weekends, the public holidays of ``holidays.Sweden`` and the three
"de facto" holidays that Swedish working life treats like Sundays (SFS 1977:480 7 §):
Midsummer Eve, Christmas Eve and New Year's Eve. ``holidays`` (>= 0.6x) ships those as its
``DE_FACTO`` category; older versions do not, so they are also added here by rule, which is
harmless when the library already has them. For 2026 ``holidays.Sweden`` gives, among
others, Midsummer Day on Saturday 20 June; Midsummer Eve (Friday 19 June) comes from the
de facto category or the rule below.

Office hours are ``[office_hours_start, office_hours_end)`` on working days in
``settings.timezone`` (Europe/Stockholm), unless a district has its own (``OfficeHours``,
built by ``placement.office_hours.office_hours_for``): other daily hours and dated exceptions
(a closed "klämdag" or staff day, shortened hours on a date). Weekends and holidays stay
closed whatever a district sets. "The start of the next working day" is the first
office-hours start strictly after a moment: a decision at 06:30 on a Tuesday is handed over
at 08:00 the same Tuesday; one at 23:30 on Midsummer Eve at 08:00 on the Monday after.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from holidays.countries.sweden import Sweden

from placement.config import Settings


def _midsummer_eve(year: int) -> date:
    # The Friday between 19 and 25 June.
    d = date(year, 6, 19)
    return d + timedelta(days=(4 - d.weekday()) % 7)


@lru_cache(maxsize=64)
def non_working_holidays(year: int) -> frozenset[date]:
    """Public and de facto holidays of one year (weekends not included)."""
    categories = tuple(c for c in ("public", "de_facto") if c in Sweden.supported_categories)
    days = set(Sweden(years=year, categories=categories).keys())
    days |= {_midsummer_eve(year), date(year, 12, 24), date(year, 12, 31)}
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in non_working_holidays(day.year)


def _zone(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.timezone)


def local(at: datetime, settings: Settings) -> datetime:
    if at.tzinfo is None:
        raise ValueError("naive datetime: times must carry a time zone")
    return at.astimezone(_zone(settings))


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """The office hours that apply: daily ``[start, end)`` on working days, and dated
    exceptions (``None``: closed that day; a pair: those hours instead). A weekend or a
    holiday is closed even with an exception for it."""

    start: time
    end: time
    exceptions: Mapping[date, tuple[time, time] | None] = field(default_factory=dict)

    def on(self, day: date) -> tuple[time, time] | None:
        """The hours of a local date, or None when the office is closed that day."""
        if not is_working_day(day):
            return None
        if day in self.exceptions:
            return self.exceptions[day]
        return (self.start, self.end)


def city_hours(settings: Settings) -> OfficeHours:
    """The city's office hours (no district override, no exceptions)."""
    return OfficeHours(settings.office_hours_start, settings.office_hours_end)


def within_office_hours(
    at: datetime, settings: Settings, office: OfficeHours | None = None
) -> bool:
    here = local(at, settings)
    hours = (office or city_hours(settings)).on(here.date())
    return hours is not None and hours[0] <= here.time() < hours[1]


def office_start_on(day: date, settings: Settings, office: OfficeHours | None = None) -> datetime:
    """The office-hours start of a local date, in UTC (the usual start on a closed day)."""
    hours = office or city_hours(settings)
    today = hours.on(day)
    start = today[0] if today is not None else hours.start
    return datetime.combine(day, start, _zone(settings)).astimezone(UTC)


def is_office_day(day: date, office: OfficeHours | None, settings: Settings) -> bool:
    return (office or city_hours(settings)).on(day) is not None


def next_office_start(
    at: datetime, settings: Settings, office: OfficeHours | None = None
) -> datetime:
    """The first start of office hours on an open working day strictly after ``at`` (UTC)."""
    day = local(at, settings).date()
    for _ in range(60):  # never more than a handful of closed days in a row
        if is_office_day(day, office, settings):
            start = office_start_on(day, settings, office)
            if start > at:
                return start
        day += timedelta(days=1)
    raise RuntimeError("no working day within 60 days")  # pragma: no cover


def last_working_day_before(
    at: datetime, settings: Settings, office: OfficeHours | None = None
) -> date:
    """The last open working day strictly before the local date of ``at``."""
    day = local(at, settings).date() - timedelta(days=1)
    for _ in range(60):
        if is_office_day(day, office, settings):
            return day
        day -= timedelta(days=1)
    raise RuntimeError("no working day within 60 days")  # pragma: no cover


def warning_at(
    ends_at: datetime, hours: int, settings: Settings, office: OfficeHours | None = None
) -> datetime:
    """When to warn that something ends at ``ends_at``: ``hours`` ahead, but never later
    than the start of office hours on the last working day before the end, so the warning
    reaches someone at work in time (an end on Sunday 27 December 2026 is warned on
    Wednesday 23 December: the 24th to the 26th are not working days). ``office``: the
    district's hours, whose closed days are skipped too."""
    plain = ends_at - timedelta(hours=hours)
    day = last_working_day_before(ends_at, settings, office)
    working = office_start_on(day, settings, office)
    return min(plain, working)
