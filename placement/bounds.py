"""Bounds for values that come from outside: dates in a sane window, text without NUL bytes
or control characters, digits that are ASCII. Every input schema uses these types, so an
out-of-range value is a 422 with the field named instead of a server error deeper down."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)  # fixed, not "today + n": schemas have no clock
DATE_RANGE_MESSAGE = "the date must be between 1900 and 2100"


def _check_date(value: date) -> date:
    if not (EARLIEST <= value <= LATEST):
        raise ValueError(DATE_RANGE_MESSAGE)
    return value


def _check_datetime(value: datetime) -> datetime:
    _check_date(value.astimezone(UTC).date())
    return value


def _check_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("the text contains a character that is not allowed")
    return value


SaneDate = Annotated[date, AfterValidator(_check_date)]
SaneDatetime = Annotated[AwareDatetime, AfterValidator(_check_datetime)]
CleanText = Annotated[str, AfterValidator(_check_text)]


def is_ascii_digits(value: str) -> bool:
    """str.isdigit() accepts Arabic-Indic and other digits; identity numbers are ASCII."""
    return value.isascii() and value.isdigit()
