"""Inventory sweeps: idempotent, run by the scheduler every interval and at start-up.

Availability already ignores a hold whose time has run out, so a hold frees its places the
moment it expires whether or not this runs; the sweep makes the state explicit (status
``expired``), tells the holder through a reminder, and warns about IVO permits running out.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.clock import Clock
from placement.config import Settings
from placement.inventory.bookings import expire_due_holds
from placement.inventory.rules import local_date
from placement.jobs import register_sweep
from placement.models import Booking, Reminder, Unit
from placement.models.enums import ReminderKind

REMIND_BATCH = 1000


async def _remind(session: AsyncSession, rows: list[dict[str, object]]) -> int:
    created = 0
    # In batches: a statement carries at most 32,767 parameters (a catch-up can be large).
    for start in range(0, len(rows), REMIND_BATCH):
        result = await session.execute(
            insert(Reminder)
            .values(rows[start : start + REMIND_BATCH])
            .on_conflict_do_nothing(index_elements=["key"])
        )
        created += int(getattr(result, "rowcount", 0) or 0)
    return created


@register_sweep("expire_holds")
async def expire_holds(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    """Mark holds whose time ran out as expired; remind each holder. Returns the hold count."""
    groups = await expire_due_holds(session, clock)
    if not groups:
        return 0
    now = clock.now()
    holders = (
        await session.execute(
            select(Booking.group_id, Booking.created_by_id, Booking.case_id)
            .where(col(Booking.group_id).in_(groups))
            .distinct()
        )
    ).all()
    await _remind(
        session,
        [
            {
                "key": f"hold_expired:{group_id}",
                "kind": ReminderKind.hold_expired,
                "case_id": case_id,
                "subject_id": group_id,
                "user_id": user_id,
                "due_at": now,
                "created_at": now,
            }
            for group_id, user_id, case_id in holders
            if user_id is not None
        ],
    )
    return len(groups)


@register_sweep("ivo_permits")
async def ivo_permits(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    """One reminder per unit and permit date once the permit is within the warning period."""
    now = clock.now()
    horizon = local_date(now, settings.timezone) + timedelta(days=settings.ivo_warning_days)
    units = (
        (
            await session.execute(
                select(Unit).where(
                    col(Unit.retired_at).is_(None),
                    col(Unit.ivo_permit_required).is_(True),
                    col(Unit.ivo_permit_valid_until).is_not(None),
                    col(Unit.ivo_permit_valid_until) <= horizon,
                )
            )
        )
        .scalars()
        .all()
    )
    return await _remind(
        session,
        [
            {
                "key": f"ivo_permit_expiring:{u.id}:{u.ivo_permit_valid_until}",
                "kind": ReminderKind.ivo_permit_expiring,
                "subject_id": u.id,
                "district_id": u.owner_district_id or u.district_id,
                "due_at": now,
                "created_at": now,
            }
            for u in units
        ],
    )
