"""Calendar days in the city's time zone (committee dates, the two-year rule)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from placement.clock import Clock
from placement.config import Settings


def local_today(clock: Clock, settings: Settings) -> date:
    return clock.now().astimezone(ZoneInfo(settings.timezone)).date()


def local_start(day: date, settings: Settings) -> datetime:
    """Midnight at the start of ``day`` in the city's time zone."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(settings.timezone))
