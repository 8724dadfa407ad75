"""Reading the case page's forms: ids, dates and "today means now". The case view itself is
built in the domain (``placement.cases.case_view``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from api.labels import N_
from placement.cases.case_view import local_today
from placement.config import Settings
from placement.errors import InvalidInput


def parse_uuid(value: str, field_name: str, message: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput(message, field=field_name) from None


def parse_day(value: str, field_name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(N_("Write the date as YYYY-MM-DD."), field=field_name) from None


def moment_of(day: date, now: datetime, settings: Settings) -> datetime:
    """Today means now; another day means noon of that day (Stockholm time)."""
    if day == local_today(now, settings):
        return now
    return datetime.combine(day, time(12, 0), tzinfo=ZoneInfo(settings.timezone))
