"""Row-level security scope: who the database thinks is asking, for this transaction only.

The app connects as (or switches to) a role that does not own the tables, and the case
tables have FORCE ROW LEVEL SECURITY with policies that read these transaction-local
settings. A session with no scope set sees no case rows at all (default deny).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from placement.auth.actor import Actor
from placement.clock import Clock
from placement.models.enums import AuditAction

SYSTEM_ROLE = "system"
DEPTH = "bk_system_scope_depth"


async def apply_scope(session: AsyncSession, actor: Actor) -> None:
    await _set(
        session,
        role=actor.role.value,
        district=str(actor.district_id) if actor.district_id else "",
        operator=str(actor.operator_id) if actor.operator_id else "",
        user=str(actor.user_id) if actor.user_id else "",
    )


async def system_scope(session: AsyncSession) -> None:
    """For the scheduler, the CLI and demo seeding only: whole transactions that act for no
    user. Request paths use ``elevated`` (a test forbids bare use anywhere else)."""
    await _set(session, role=SYSTEM_ROLE, district="", operator="", user="")


@contextlib.asynccontextmanager
async def elevated(
    session: AsyncSession, clock: Clock, actor: Actor, purpose: str
) -> AsyncIterator[None]:
    """The one way a request reads or writes beyond the actor's row-level scope: for a
    stated purpose (no personal data in it), audited under the actor's name, and the actor's
    scope is set again when the block ends, however it ends. Nested blocks restore only when
    the outermost one ends."""
    from placement.audit.service import record  # the audit service needs the scope's models

    depth = int(session.info.get(DEPTH, 0))
    if depth == 0:
        await record(session, clock, actor, AuditAction.read, "system_scope", reason=purpose)
        await _set(session, role=SYSTEM_ROLE, district="", operator="", user="")
    session.info[DEPTH] = depth + 1
    try:
        yield
    finally:
        session.info[DEPTH] = depth
        if depth == 0:
            # After a database error the transaction is aborted and will roll back, taking
            # the scope with it; there is nothing to restore then.
            with contextlib.suppress(DBAPIError):
                await apply_scope(session, actor)


async def _set(
    session: AsyncSession, *, role: str, district: str, operator: str, user: str
) -> None:
    await session.execute(
        text(
            "SELECT set_config('bk.role', :role, true),"
            " set_config('bk.district_id', :district, true),"
            " set_config('bk.operator_id', :operator, true),"
            " set_config('bk.user_id', :user, true)"
        ),
        {"role": role, "district": district, "operator": operator, "user": user},
    )
