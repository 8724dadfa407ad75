"""Pseudonymous case numbers ``RV-<year>-<six characters>``: random, never from a person."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from placement.errors import InvalidInput

# Crockford-like alphabet without look-alikes (0/O, 1/I/L), read out over the phone at night.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,31}$")
# A Swedish personal identity number (YYMMDD-NNNN, YYYYMMDDNNNN ...) must never become a pseudonym.
PERSONAL_NUMBER_LIKE = re.compile(r"\d{6}(\d{2})?[-+]?\d{4}")


def generate(now: datetime) -> str:
    suffix = "".join(secrets.choice(ALPHABET) for _ in range(6))
    return f"RV-{now.year}-{suffix}"


def validate(case_number: str) -> str:
    value = case_number.strip()
    if not SHAPE.fullmatch(value):
        raise InvalidInput(
            "A case number has 3 to 32 letters, digits and hyphens.", field="case_number"
        )
    if PERSONAL_NUMBER_LIKE.search(value):
        raise InvalidInput(
            "A case number must not contain a personal identity number: it is a pseudonym.",
            field="case_number",
        )
    return value
