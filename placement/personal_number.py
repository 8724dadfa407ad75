"""Swedish personal identity numbers (personnummer) and coordination numbers
(samordningsnummer): date check and Luhn check, with messages a person understands."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from placement.errors import N_, InvalidInput

_PATTERN = re.compile(r"^(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{3})(\d)$", re.ASCII)


@dataclass(frozen=True, slots=True)
class PersonalNumber:
    normalised: str  # YYYYMMDDNNNC, 12 digits (coordination numbers keep day + 60)
    birth_date: date
    is_coordination_number: bool


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def parse(value: str, today: date, *, field: str = "personal_number") -> PersonalNumber:
    """Validate and normalise. ``today`` decides the century of a 10-digit number."""
    compact = value.strip().replace(" ", "")
    match = _PATTERN.match(compact)
    if not match:
        raise InvalidInput(
            "Write the personal identity number as YYYYMMDD-NNNN or YYMMDD-NNNN.", field=field
        )
    century, yy, mm, dd, sep, serial, check = match.groups()
    day = int(dd)
    coordination = day > 60
    if coordination:
        day -= 60
    if century is None:
        year = 2000 + int(yy)
        if year > today.year:
            year -= 100
        if sep == "+":  # '+' marks a person aged 100 or more
            year -= 100
    else:
        year = int(century + yy)
    try:
        born = date(year, int(mm), day)
    except ValueError:
        raise InvalidInput(
            N_("The date in the coordination number does not exist.")
            if coordination
            else N_("The date in the personal identity number does not exist."),
            field=field,
        ) from None
    if born > today:
        raise InvalidInput("The date of birth is in the future.", field=field)
    ten = f"{yy}{mm}{dd}{serial}{check}"
    if not luhn_ok(ten):
        raise InvalidInput(
            "The last digit (check digit) does not match. Check the number for typing errors.",
            field=field,
        )
    return PersonalNumber(
        normalised=f"{year:04d}{mm}{dd}{serial}{check}",
        birth_date=born,
        is_coordination_number=coordination,
    )
