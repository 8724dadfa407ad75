"""Find a case by its number (the pseudonym read out over the phone): an exact match, or
the cases whose number starts with what was typed. Scoped to the actor's cases and
audited like a listing: each case found is a read, with the reason "search"."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.cases import risk as risk_book
from placement.cases.access import audit_case, audit_cases, case_scope, require_case_role
from placement.cases.schemas import CaseSummary
from placement.cases.service import _summary
from placement.clock import Clock
from placement.errors import N_, InvalidInput
from placement.models import Case, Person
from placement.models.enums import AuditAction, RiskLevel

QUERY = re.compile(r"^[A-Za-z0-9-]{2,32}$")
LIMIT = 50
BAD_QUERY = N_("Write at least two characters of the case number (letters, digits, hyphens).")
AUDIT_REASON = "search"


@dataclass(frozen=True, slots=True)
class CaseSearch:
    query: str
    exact: CaseSummary | None  # the one case whose number is exactly what was typed
    matches: list[CaseSummary]  # otherwise the cases starting with it (at most LIMIT)
    more: bool  # more cases start with it than are listed


def normalise(text: str) -> str:
    value = text.strip().upper()
    if not QUERY.fullmatch(value):
        raise InvalidInput(BAD_QUERY, field="number")
    return value


async def search_cases(session: AsyncSession, clock: Clock, actor: Actor, text: str) -> CaseSearch:
    require_case_role(actor)
    query = normalise(text)
    latest_risk = risk_book.current_level_subquery()
    number = func.upper(col(Case.case_number))
    base = (
        select(Case, Person, latest_risk)
        .join(Person, col(Person.id) == col(Case.person_id))
        .where(case_scope(actor))
    )
    exact = (await session.execute(base.where(number == query))).first()
    if exact is not None:
        case, person, risk = exact
        await audit_case(session, clock, actor, case, person, AuditAction.read, reason=AUDIT_REASON)
        found = _summary(case, person, None if risk is None else RiskLevel(risk))
        return CaseSearch(query, found, [found], False)
    # The query holds only letters, digits and hyphens: no LIKE wildcard can slip in.
    rows = (
        await session.execute(
            base.where(number.startswith(query)).order_by(col(Case.case_number)).limit(LIMIT + 1)
        )
    ).all()
    shown = rows[:LIMIT]
    await audit_cases(session, clock, actor, ((c, p) for c, p, _ in shown), reason=AUDIT_REASON)
    out = [_summary(c, p, None if r is None else RiskLevel(r)) for c, p, r in shown]
    return CaseSearch(query, None, out, len(rows) > LIMIT)


async def case_ids_by_number(
    session: AsyncSession, actor: Actor, numbers: set[str]
) -> dict[str, uuid.UUID]:
    """Case numbers (the pseudonym a notification carries) to case ids, within scope; no
    audit entry (the inbox links to the case, whose page is the read)."""
    if not numbers:
        return {}
    rows = await session.execute(
        select(Case.case_number, Case.id).where(
            col(Case.case_number).in_(numbers), case_scope(actor)
        )
    )
    return {number: case_id for number, case_id in rows.all()}
