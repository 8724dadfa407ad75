"""What a quick intake (the night form) assumes when the officer does not know: the adult's
age. The choice of risk instrument is ``placement.cases.risk.intake_assessment``."""

from __future__ import annotations

from datetime import datetime

from placement.errors import N_, InvalidInput

UNKNOWN_AGE = 30  # an adult of unknown age: only the age rules of units use it
MIN_AGE, MAX_AGE = 16, 110
AGE_RANGE = N_("Write the age in years (16 or more).")


def parse_age(text: str) -> int | None:
    """The age typed in years, or None when left empty; refused outside 16 to 110."""
    value = text.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or not MIN_AGE <= int(value) <= MAX_AGE:
        raise InvalidInput(AGE_RANGE, field="age")
    return int(value)


def birth_year(age: int | None, now: datetime) -> int:
    return now.year - (age if age is not None else UNKNOWN_AGE)
