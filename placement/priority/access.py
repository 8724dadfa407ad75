"""Who may see which application: the only scoped query, the loaders and the audit helper.

The RVT officers of the case's responsible district are the handler side; officers of other
districts get 404, as if the application did not exist. The housing agency sees every application
that has left the draft stage. No other role reaches these functions (the routes check the
permissions, and ``side_of`` refuses anyone else).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import false
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.audit.service import Audited, record, record_many
from placement.auth.actor import Actor
from placement.auth.permissions import Permission, has_permission
from placement.clock import Clock
from placement.errors import N_, Forbidden, NotFound
from placement.models import Case, Person, PriorityApplication
from placement.models.enums import AuditAction, PriorityStatus, ProtectedIdentity

ENTITY = "priority_application"
NOT_FOUND = N_("No such priority application.")


class Side(StrEnum):
    social = "social"  # the case's handler (RVT officer of the responsible district)
    agency = "agency"  # the housing agency's priority unit


def side_of(actor: Actor) -> Side:
    if has_permission(actor.role, Permission.priority_write_social):
        return Side.social
    if has_permission(actor.role, Permission.priority_write_agency):
        return Side.agency
    raise Forbidden("Your role does not give access to priority applications.")


@dataclass(slots=True)
class Scoped:
    """An application the actor may see, with its case and whether the identity is protected."""

    application: PriorityApplication
    case: Case
    protected: bool
    side: Side


def scoped_query(actor: Actor) -> Any:
    """SELECT application, case, protected identity: already limited to what ``actor`` may see."""
    side = side_of(actor)
    stmt = (
        select(PriorityApplication, Case, col(Person.protected_identity))
        .join(Case, col(Case.id) == col(PriorityApplication.case_id))
        # Outer join: row-level security hides people from the housing agency (it sees the
        # pseudonym only), so for the agency the identity flag is simply not known here.
        .outerjoin(Person, col(Person.id) == col(Case.person_id))
    )
    if side == Side.social:
        if actor.district_id is None:
            return stmt.where(false())
        return stmt.where(col(Case.responsible_district_id) == actor.district_id)
    return stmt.where(col(PriorityApplication.status) != PriorityStatus.draft)


def _scoped(row: Any, side: Side) -> Scoped:
    application, case, protected_identity = row
    return Scoped(
        application=application,
        case=case,
        protected=protected_identity not in (None, ProtectedIdentity.none),
        side=side,
    )


async def load(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, *, lock: bool = False
) -> Scoped:
    stmt = scoped_query(actor).where(col(PriorityApplication.id) == application_id)
    if lock:
        stmt = stmt.with_for_update(of=PriorityApplication)
    row = (await session.execute(stmt)).first()
    if row is None:
        raise NotFound(NOT_FOUND, field="application_id")
    return _scoped(row, side_of(actor))


async def load_many(
    session: AsyncSession,
    actor: Actor,
    *,
    statuses: frozenset[PriorityStatus] | None = None,
    case_id: uuid.UUID | None = None,
    application_ids: list[uuid.UUID] | None = None,
) -> list[Scoped]:
    stmt = scoped_query(actor)
    if statuses is not None:
        stmt = stmt.where(col(PriorityApplication.status).in_(sorted(statuses)))
    if case_id is not None:
        stmt = stmt.where(col(PriorityApplication.case_id) == case_id)
    if application_ids is not None:
        stmt = stmt.where(col(PriorityApplication.id).in_(application_ids))
    stmt = stmt.order_by(col(PriorityApplication.created_at), col(PriorityApplication.id))
    side = side_of(actor)
    return [_scoped(row, side) for row in (await session.execute(stmt)).all()]


async def audit_many(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    rows: Iterable[Scoped],
    action: AuditAction,
    reason: str | None = None,
) -> None:
    """``audit`` for every application of a listing, in one multi-row insert."""
    await record_many(
        session,
        clock,
        actor,
        (
            Audited(
                action,
                ENTITY,
                s.application.id,
                case_id=s.application.case_id,
                reason=reason,
                protected_identity=s.protected,
            )
            for s in rows
        ),
    )


async def audit(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    scoped: Scoped,
    action: AuditAction,
    reason: str | None = None,
) -> None:
    """One audit entry per read or change, in the same transaction. No free text from users."""
    await record(
        session,
        clock,
        actor,
        action,
        ENTITY,
        scoped.application.id,
        case_id=scoped.application.case_id,
        reason=reason,
        protected_identity=scoped.protected,
    )
