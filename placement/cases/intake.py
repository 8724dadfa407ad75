"""What a quick intake (the night form) assumes when the officer does not know: the adult's
age. The choice of risk instrument is ``placement.cases.risk.intake_assessment``.

An unknown age is stored as no birth year (shown as "age not known"); only the units' age
rules, which need a number, read it as ``UNKNOWN_AGE``."""

from __future__ import annotations

from datetime import datetime

from placement.cases import numbers
from placement.errors import N_, InvalidInput

UNKNOWN_AGE = 30  # an adult of unknown age: only the age rules of units use it
MIN_AGE, MAX_AGE = 16, 110
AGE_RANGE = N_("Write the age in years (16 or more).")
EARLIER_CASE_FORMAT = N_(
    "A case number has 3 to 32 letters, digits and hyphens, for example RV-2025-ABC234."
)


def earlier_case_number(text: str) -> str | None:
    """The earlier case's number as typed (None when left empty); refused when it cannot be
    a case number. Whether the case exists and may be seen is ``create_case``'s check."""
    value = text.strip()
    if not value:
        return None
    if not numbers.SHAPE.fullmatch(value):
        raise InvalidInput(EARLIER_CASE_FORMAT, field="earlier_case_number")
    return value


def parse_age(text: str) -> int | None:
    """The age typed in years, or None when left empty; refused outside 16 to 110."""
    value = text.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or not MIN_AGE <= int(value) <= MAX_AGE:
        raise InvalidInput(AGE_RANGE, field="age")
    return int(value)


def birth_year(age: int | None, now: datetime) -> int | None:
    """The birth year of an adult of the given age; None (not known) without an age."""
    return now.year - age if age is not None else None


def rule_age(birth_year: int | None, year: int) -> int:
    """The age the units' age rules compare: the real one, or ``UNKNOWN_AGE``."""
    return year - birth_year if birth_year is not None else UNKNOWN_AGE
