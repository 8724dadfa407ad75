"""Write audit entries in the same transaction as the read or change they describe."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from placement.auth.actor import Actor
from placement.clock import Clock
from placement.models import AuditEntry
from placement.models.enums import AuditAction


async def record(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    action: AuditAction,
    entity_type: str,
    entity_id: uuid.UUID | None = None,
    *,
    case_id: uuid.UUID | None = None,
    reason: str | None = None,
    protected_identity: bool = False,
    flagged_for_review: bool = False,
) -> AuditEntry:
    entry = AuditEntry(
        at=clock.now(),
        user_id=actor.user_id,
        username=actor.username,
        role=actor.role.value,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        case_id=case_id,
        reason=reason,
        protected_identity=protected_identity,
        flagged_for_review=flagged_for_review,
        request_id=actor.request_id,
    )
    session.add(entry)
    await session.flush()
    return entry


async def record_case_access(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    *,
    case_id: uuid.UUID,
    handler_id: uuid.UUID | None,
    protected_identity: bool,
    action: AuditAction = AuditAction.read,
    entity_type: str = "case",
    entity_id: uuid.UUID | None = None,
    reason: str | None = None,
    flag: bool = False,
) -> AuditEntry:
    """One entry for a read or change of a case. Access to a protected-identity case by
    anyone but its handler, every reveal, and whatever the caller flags (a placement that
    overrides a rule) is flagged for the auditors' review."""
    flagged = (
        flag
        or action == AuditAction.reveal
        or (protected_identity and actor.user_id is not None and actor.user_id != handler_id)
    )
    return await record(
        session,
        clock,
        actor,
        action,
        entity_type,
        entity_id or case_id,
        case_id=case_id,
        reason=reason,
        protected_identity=protected_identity,
        flagged_for_review=flagged,
    )
