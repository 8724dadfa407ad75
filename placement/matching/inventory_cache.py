"""The inventory's fixed facts for "now", kept per app instance and checked against the
database's inventory version on every use.

A trigger bumps ``inventory_version`` on every change to units, places or districts
(retirements included; migration 0020), except a unit's vacancy columns (0026): operators
report vacancy every few minutes, so each request reads the time of each unit's last report
itself. A request reads the version first (one
row) and reuses the prepared inventory only if it was built at that version; otherwise it
loads units, places and districts again. Two app instances sharing one database therefore
never answer from an inventory the database no longer has. What changes by the minute
(bookings, holds, their expiry) is never cached: each request counts what is busy over its
own period, in SQL, and the free capacity follows from the cached places.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

import optimizer as opt
from placement.inventory.capacity import active_overlap
from placement.matching import loader
from placement.models import Booking, Place, Unit
from placement.models.enums import PlaceKind


@dataclass(frozen=True)
class PreparedInventory:
    version: int
    inventory: opt.NowInventory
    unit_ids: list[uuid.UUID]  # in the inventory's order
    place_index: dict[uuid.UUID, int]
    place_unit: npt.NDArray[np.int64]  # per place: index of its unit
    place_single: npt.NDArray[np.bool_]  # a single place (else a family room)
    place_capacity: list[int]
    districts: dict[str, opt.DistrictInfo]


_CACHE: dict[str, PreparedInventory] = {}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


async def inventory_version(session: AsyncSession) -> int:
    found = await session.execute(text("SELECT version FROM inventory_version WHERE id = 1"))
    return int(found.scalar_one())


async def prepared(session: AsyncSession) -> PreparedInventory:
    """The inventory at the database's current version (built now if this instance has no
    copy of that version)."""
    version = await inventory_version(session)
    key = str(session.get_bind().engine.url)
    hit = _CACHE.get(key)
    if hit is not None and hit.version == version:
        return hit
    built = await _build(session, version)
    _CACHE[key] = built
    return built


def forget() -> None:
    """Drop every prepared inventory (tests)."""
    _CACHE.clear()


async def _build(session: AsyncSession, version: int) -> PreparedInventory:
    # The version was read first: whatever is loaded now is that version or newer, never
    # older, and a newer one only bumps the version again (the next request reloads).
    rows = (
        await session.execute(
            select(*(getattr(Unit, name) for name in loader.UNIT_FIELDS))
            .where(col(Unit.retired_at).is_(None))
            .order_by(col(Unit.id))
        )
    ).all()
    # The fixed facts only: each request brings the free capacity and the vacancy age.
    units = [
        replace(loader.opt_unit(r, r.vacancy_confirmed_at or _EPOCH, 0, ()), vacancy_age_hours=None)
        for r in rows
    ]
    index = {r.id: i for i, r in enumerate(rows)}
    places = (
        await session.execute(
            select(col(Place.id), col(Place.unit_id), col(Place.kind), col(Place.capacity)).where(
                col(Place.retired_at).is_(None)
            )
        )
    ).all()
    places = [p for p in places if p.unit_id in index]
    districts = await loader.load_districts(session)
    return PreparedInventory(
        version=version,
        inventory=await asyncio.to_thread(opt.NowInventory, units, districts),
        unit_ids=[r.id for r in rows],
        place_index={p.id: j for j, p in enumerate(places)},
        place_unit=np.asarray([index[p.unit_id] for p in places], dtype=np.int64),
        place_single=np.asarray([p.kind == PlaceKind.place for p in places], dtype=bool),
        place_capacity=[p.capacity for p in places],
        districts=districts,
    )


async def capacity(
    session: AsyncSession,
    inv: PreparedInventory,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
) -> opt.Capacity:
    """Each unit's free capacity over [starts_at, ends_at) and its vacancy age at ``now``:
    the same numbers ``loader.load_units`` computes, from one query for the busy places."""
    busy_ids = (
        await session.execute(
            select(col(Booking.place_id)).where(active_overlap(starts_at, ends_at, now)).distinct()
        )
    ).scalars()
    n_places = len(inv.place_capacity)
    busy = np.zeros(n_places, dtype=bool)
    for pid in busy_ids:
        j = inv.place_index.get(pid)
        if j is not None:
            busy[j] = True
    n = inv.inventory.n
    free = ~busy
    free_places = np.bincount(inv.place_unit[inv.place_single & free], minlength=n).tolist()
    rooms: list[list[int]] = [[] for _ in range(n)]
    for j in np.flatnonzero(~inv.place_single & free).tolist():
        rooms[int(inv.place_unit[j])].append(inv.place_capacity[j])
    # The last report of each unit, read now: a report does not change the version.
    confirmed = dict(
        (
            await session.execute(
                select(col(Unit.id), col(Unit.vacancy_confirmed_at)).where(
                    col(Unit.retired_at).is_(None), col(Unit.vacancy_confirmed_at).is_not(None)
                )
            )
        )
        .tuples()
        .all()
    )
    ages = [
        None if (c := confirmed.get(u)) is None else (now - c).total_seconds() / 3600
        for u in inv.unit_ids
    ]
    return opt.Capacity(
        [int(p) for p in free_places],
        [tuple(sorted(r, reverse=True)) for r in rooms],
        ages,
    )
