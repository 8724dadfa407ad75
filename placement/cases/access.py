"""Who may see which case, and the audit entry every access writes.

The one place that scopes case queries: an RVT officer sees the cases of their own district,
Socialjouren sees every district's cases (it works city-wide at night), other roles see none.
A case outside the actor's scope answers 404, exactly like a case that does not exist, so
that its existence is not disclosed. A later issue adds row-level security underneath.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, false, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.audit.service import case_access, record_case_access, record_many
from placement.auth.actor import Actor
from placement.clock import Clock
from placement.errors import N_, Forbidden, NotFound
from placement.models import Case, Person
from placement.models.enums import AuditAction, ProtectedIdentity, Role

CASE_NOT_FOUND = N_("The case does not exist or is not yours to see.")

CASE_ROLES = frozenset({Role.rvt_officer, Role.socialjour})


def case_scope(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on ``case`` limiting rows to what the actor may see."""
    if actor.role == Role.socialjour:
        return true()
    if actor.role == Role.rvt_officer and actor.district_id is not None:
        return col(Case.responsible_district_id) == actor.district_id
    return false()


def require_case_role(actor: Actor) -> None:
    if actor.role not in CASE_ROLES:
        raise Forbidden("Your role does not give access to cases.")


def may_use_district(actor: Actor, district_id: uuid.UUID) -> bool:
    return actor.role == Role.socialjour or (
        actor.role == Role.rvt_officer and actor.district_id == district_id
    )


async def load_case(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    case_id: uuid.UUID,
    *,
    action: AuditAction | None = AuditAction.read,
    entity_type: str = "case",
    entity_id: uuid.UUID | None = None,
    lock: bool = False,
    reason: str | None = None,
) -> tuple[Case, Person]:
    """The case and its person, or 404. Writes one audit entry unless ``action`` is None.

    ``lock`` takes a row lock on the case: every change to a case's decisions locks it
    first, so two officers deciding on the same household queue up instead of racing.
    """
    require_case_role(actor)
    stmt: Any = (
        select(Case, Person)
        .join(Person, col(Person.id) == col(Case.person_id))
        .where(col(Case.id) == case_id, case_scope(actor))
    )
    if lock:
        stmt = stmt.with_for_update(of=Case)
    row = (await session.execute(stmt)).first()
    if row is None:
        raise NotFound(CASE_NOT_FOUND, field="case_id")
    case, person = row
    if action is not None:
        await audit_case(
            session,
            clock,
            actor,
            case,
            person,
            action,
            entity_type=entity_type,
            entity_id=entity_id,
            reason=reason,
        )
    return case, person


async def audit_case(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    case: Case,
    person: Person | None,
    action: AuditAction,
    *,
    entity_type: str = "case",
    entity_id: uuid.UUID | None = None,
    reason: str | None = None,
    flag: bool = False,
) -> None:
    protected = person is not None and person.protected_identity != ProtectedIdentity.none
    # Flagged for review: every reveal, and any access to a protected-identity case by
    # someone who is not its handler (the auditors' review report lists these).
    await record_case_access(
        session,
        clock,
        actor,
        case_id=case.id,
        handler_id=case.handler_id,
        protected_identity=protected,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        reason=reason,
        flag=flag,
    )


async def audit_cases(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    cases: Iterable[tuple[Case, Person | None]],
    action: AuditAction = AuditAction.read,
    *,
    reason: str | None = None,
) -> int:
    """``audit_case`` for every case of a listing, written in one multi-row insert: the same
    rows (one per case, flagged alike), one round trip."""
    return await audit_case_rows(
        session,
        clock,
        actor,
        (
            (
                case.id,
                case.handler_id,
                person is not None and person.protected_identity != ProtectedIdentity.none,
            )
            for case, person in cases
        ),
        action,
        reason=reason,
    )


async def audit_case_rows(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    cases: Iterable[tuple[uuid.UUID, uuid.UUID | None, bool]],
    action: AuditAction = AuditAction.read,
    *,
    reason: str | None = None,
) -> int:
    """``audit_cases`` from columns (case id, handler id, protected identity) for listings
    that load no Case or Person objects."""
    return await record_many(
        session,
        clock,
        actor,
        (
            case_access(
                actor,
                case_id=case_id,
                handler_id=handler_id,
                protected_identity=protected,
                action=action,
                reason=reason,
            )
            for case_id, handler_id, protected in cases
        ),
    )
