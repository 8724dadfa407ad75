"""Row-level security scope: who the database thinks is asking, for this transaction only.

The app connects as (or switches to) a role that does not own the tables, and the case
tables have FORCE ROW LEVEL SECURITY with policies that read these transaction-local
settings. A session with no scope set sees no case rows at all (default deny).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from placement.auth.actor import Actor

SYSTEM_ROLE = "system"


async def apply_scope(session: AsyncSession, actor: Actor) -> None:
    await _set(
        session,
        role=actor.role.value,
        district=str(actor.district_id) if actor.district_id else "",
        operator=str(actor.operator_id) if actor.operator_id else "",
        user=str(actor.user_id) if actor.user_id else "",
    )


async def system_scope(session: AsyncSession) -> None:
    """For the scheduler, the CLI, demo seeding and aggregate statistics (never per-case UI)."""
    await _set(session, role=SYSTEM_ROLE, district="", operator="", user="")


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
