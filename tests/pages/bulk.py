"""Many cases at once for list tests (the desk's filters and pages): rows written directly,
synthetic, no identifying data (names and numbers stay empty)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from placement.cases.numbers import ALPHABET
from placement.db import transaction
from placement.models import Case, Person
from placement.models.enums import CaseStatus, Gender


def bulk_number(i: int) -> str:
    digits = []
    for _ in range(6):
        i, r = divmod(i, len(ALPHABET))
        digits.append(ALPHABET[r])
    return "RV-2099-" + "".join(reversed(digits))


async def make_cases(
    sessionmaker: Any,
    district_id: uuid.UUID,
    count: int,
    opened: datetime,
    *,
    closed_every: int = 0,
    start: int = 0,
) -> list[str]:
    """``count`` cases in the district, opened a minute apart; every ``closed_every``-th
    one closed; numbered from ``start``. Returns their numbers (in order of opening)."""
    numbers = []
    async with transaction(sessionmaker) as s:
        for i in range(count):
            person = Person(gender=Gender.female, birth_year=1980, scope_district_id=district_id)
            s.add(person)
            await s.flush()
            closed = bool(closed_every) and i % closed_every == 0
            number = bulk_number(start + i)
            s.add(
                Case(
                    case_number=number,
                    person_id=person.id,
                    responsible_district_id=district_id,
                    status=CaseStatus.closed if closed else CaseStatus.open,
                    opened_at=opened - timedelta(minutes=count - i),
                    closed_at=opened if closed else None,
                )
            )
            numbers.append(number)
    return numbers
