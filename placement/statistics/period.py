"""A statistics period: Stockholm dates [start, end), and the period of the same length
just before it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from placement.errors import N_, InvalidInput

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MAX_DAYS = 3 * 366
BAD_ORDER = N_("The period must end after it starts.")
TOO_LONG = N_("Choose a period of at most three years.")


@dataclass(frozen=True)
class Period:
    start: date  # first day, Stockholm date
    end: date  # the day after the last day

    @classmethod
    def checked(cls, start: date, end: date) -> Period:
        if end <= start:
            raise InvalidInput(BAD_ORDER, field="end")
        if (end - start).days > MAX_DAYS:
            raise InvalidInput(TOO_LONG, field="start")
        return cls(start, end)

    @classmethod
    def year_to(cls, today: date) -> Period:
        """The twelve months ending with today (the default on the page)."""
        end = today + timedelta(days=1)
        try:
            start = end.replace(year=end.year - 1)
        except ValueError:  # 29 February
            start = end.replace(year=end.year - 1, day=28)
        return cls(start, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> Period:
        return Period(self.start - timedelta(days=self.days), self.start)

    def utc_start(self) -> datetime:
        return datetime.combine(self.start, time(0), STOCKHOLM)

    def utc_end(self) -> datetime:
        return datetime.combine(self.end, time(0), STOCKHOLM)

    @cached_property
    def _bounds(self) -> tuple[datetime, datetime]:
        return self.utc_start(), self.utc_end()

    def contains(self, at: datetime) -> bool:
        """``at`` falls on one of the period's Stockholm dates."""
        start, end = self._bounds
        return start <= at < end

    def months(self) -> list[date]:
        """The first day of each calendar month the period touches."""
        out: list[date] = []
        day = self.start.replace(day=1)
        while day < self.end:
            out.append(day)
            day = (day + timedelta(days=32)).replace(day=1)
        return out


def local_date(at: datetime) -> date:
    return at.astimezone(STOCKHOLM).date()
