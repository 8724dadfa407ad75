"""What the places of a unit are used for now: occupied, held, blocked (page helper).

``placement.inventory.capacity`` counts what is *free*; the board and the operator page also
show what the other places are taken by. One set-based query for any number of units, with
the same overlap rule as the capacity count (a hold whose time has run out no longer counts).
A place and a family room count as one each. A place with two bookings in the window (one
ending, the next starting) counts under both kinds, so the sum can exceed the unit's places.

No module-level ``router``: this is not a page. (A candidate for placement.inventory.capacity.)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.inventory.capacity import active_overlap
from placement.models import Booking
from placement.models.enums import BookingKind


@dataclass(frozen=True, slots=True)
class Usage:
    occupied: int = 0
    held: int = 0
    blocked: int = 0
    external: int = 0  # occupied outside Boendekedjan, from the operator's lower report


async def usage_by_unit(
    session: AsyncSession,
    unit_ids: Iterable[uuid.UUID],
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
) -> dict[uuid.UUID, Usage]:
    ids = list(unit_ids)
    out = {uid: Usage() for uid in ids}
    if not ids:
        return out
    rows = (
        await session.execute(
            select(
                col(Booking.unit_id),
                col(Booking.kind),
                col(Booking.external_occupancy),
                func.count(func.distinct(col(Booking.place_id))),
            )
            .where(col(Booking.unit_id).in_(ids), active_overlap(starts_at, ends_at, now))
            .group_by(col(Booking.unit_id), col(Booking.kind), col(Booking.external_occupancy))
        )
    ).all()
    counts: dict[uuid.UUID, dict[tuple[BookingKind, bool], int]] = {}
    for unit_id, kind, is_external, n in rows:
        counts.setdefault(unit_id, {})[(kind, bool(is_external))] = int(n)
    for unit_id, by_kind in counts.items():
        out[unit_id] = Usage(
            occupied=by_kind.get((BookingKind.placement, False), 0),
            held=by_kind.get((BookingKind.hold, False), 0),
            blocked=by_kind.get((BookingKind.block, False), 0),
            external=by_kind.get((BookingKind.block, True), 0),
        )
    return out
