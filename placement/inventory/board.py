"""The coordinator's board over the whole inventory: totals counted in SQL over every unit
the filter matches, and one page of units (50) at a time, whatever the country's size.

Free, held, occupied and blocked are for the coming night (``free_now_window``), with the
same overlap rule as every capacity count. A page costs a fixed number of queries: the
totals, the usage totals, the page, and the page's capacity.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.clock import Clock
from placement.config import Settings
from placement.inventory.capacity import (
    active_overlap,
    busy_subquery,
    capacity_by_unit,
    free_now_window,
)
from placement.inventory.listing import stale_condition, summary
from placement.inventory.schemas import UnitSummary
from placement.models import Booking, District, Operator, Place, Unit
from placement.models.enums import BookingKind, PlaceKind, UnitKind

PAGE_SIZE = 50
MAX_PAGE = 2_000  # 100,000 units: far beyond any country's inventory
BoardSort = Literal["district", "name", "free", "confirmed"]


class BoardQuery(BaseModel):
    """What the coordinator asked for (every field optional; a value outside: refused)."""

    model_config = ConfigDict(extra="forbid")

    kind: UnitKind | None = None
    district_id: uuid.UUID | None = None
    municipality: str | None = Field(default=None, max_length=120)
    free_only: bool = False
    stale: bool = False
    sort: BoardSort = "district"
    page: int = Field(default=1, ge=1, le=MAX_PAGE)


@dataclass
class BoardTotals:
    units: int = 0
    free_places: int = 0
    free_family_rooms: int = 0
    held: int = 0
    occupied: int = 0
    blocked: int = 0  # blocks, and places occupied outside Boendekedjan
    external: int = 0
    stale: int = 0


@dataclass
class BoardPage:
    totals: BoardTotals
    units: list[UnitSummary] = field(default_factory=list)
    page: int = 1
    pages: int = 1

    @property
    def first(self) -> int:
        return 0 if self.totals.units == 0 else (self.page - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return min(self.page * PAGE_SIZE, self.totals.units)


def _free_subquery(now: Any) -> Any:
    """Per unit: its free single places and free family rooms for the coming night."""
    start, end = free_now_window(now)
    busy = busy_subquery(start, end, now)
    free = busy.c.place_id.is_(None)
    return (
        select(
            col(Place.unit_id).label("unit_id"),
            func.count(col(Place.id)).filter(col(Place.kind) == PlaceKind.place, free).label("fp"),
            func.count(col(Place.id))
            .filter(col(Place.kind) == PlaceKind.family_room, free)
            .label("fr"),
        )
        .outerjoin(busy, busy.c.place_id == col(Place.id))
        .where(col(Place.retired_at).is_(None))
        .group_by(col(Place.unit_id))
        .subquery("free")
    )


def _filtered(stmt: Any, q: BoardQuery, free: Any, now: Any, settings: Settings) -> Any:
    conditions: list[ColumnElement[bool]] = [col(Unit.retired_at).is_(None)]
    if q.kind is not None:
        conditions.append(col(Unit.kind) == q.kind)
    if q.district_id is not None:
        conditions.append(col(Unit.district_id) == q.district_id)
    if q.municipality:
        conditions.append(col(District.municipality) == q.municipality)
    if q.stale:
        conditions.append(stale_condition(now, settings))
    if q.free_only:
        conditions.append(or_(func.coalesce(free.c.fp, 0) > 0, func.coalesce(free.c.fr, 0) > 0))
    return (
        stmt.join(District, col(District.id) == col(Unit.district_id))
        .outerjoin(free, free.c.unit_id == col(Unit.id))
        .where(and_(*conditions))
    )


async def board_page(
    session: AsyncSession, clock: Clock, settings: Settings, q: BoardQuery
) -> BoardPage:
    now = clock.now()
    free = _free_subquery(now)
    stale = stale_condition(now, settings)
    row = (
        await session.execute(
            _filtered(
                select(
                    func.count(col(Unit.id)),
                    func.coalesce(func.sum(func.coalesce(free.c.fp, 0)), 0),
                    func.coalesce(func.sum(func.coalesce(free.c.fr, 0)), 0),
                    func.coalesce(func.sum(case((stale, 1), else_=0)), 0),
                ).select_from(Unit),
                q,
                free,
                now,
                settings,
            )
        )
    ).one()
    totals = BoardTotals(
        units=int(row[0]), free_places=int(row[1]), free_family_rooms=int(row[2]), stale=int(row[3])
    )
    if totals.units:
        ids = _filtered(select(col(Unit.id)).select_from(Unit), q, free, now, settings)
        await _usage_totals(session, totals, ids, now)
    pages = max(1, math.ceil(totals.units / PAGE_SIZE))
    page = min(q.page, pages)
    order: list[Any]
    if q.sort == "name":
        order = [col(Unit.name), col(Unit.id)]
    elif q.sort == "free":
        order = [
            (func.coalesce(free.c.fp, 0) + func.coalesce(free.c.fr, 0)).desc(),
            col(Unit.name),
            col(Unit.id),
        ]
    elif q.sort == "confirmed":
        order = [col(Unit.vacancy_confirmed_at).asc().nulls_first(), col(Unit.name), col(Unit.id)]
    else:
        order = [col(District.name), col(Unit.name), col(Unit.id)]
    rows = (
        await session.execute(
            _filtered(
                select(Unit, col(Operator.name), col(District.name))
                .select_from(Unit)
                .join(Operator, col(Operator.id) == col(Unit.operator_id)),
                q,
                free,
                now,
                settings,
            )
            .order_by(*order)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    ).all()
    start, end = free_now_window(now)
    capacity = await capacity_by_unit(session, [r[0].id for r in rows], start, end, now)
    units = [
        UnitSummary(**summary(unit, op_name, d_name, capacity[unit.id], now, settings))
        for unit, op_name, d_name in rows
    ]
    return BoardPage(totals=totals, units=units, page=page, pages=pages)


async def _usage_totals(
    session: AsyncSession, totals: BoardTotals, unit_ids: Any, now: Any
) -> None:
    """Held, occupied and blocked places over every matching unit (a place or family room
    counts once per kind, as on each unit's row)."""
    start, end = free_now_window(now)
    rows = (
        await session.execute(
            select(
                col(Booking.kind),
                col(Booking.external_occupancy),
                func.count(func.distinct(col(Booking.place_id))),
            )
            .where(
                col(Booking.unit_id).in_(unit_ids),
                active_overlap(start, end, now),
            )
            .group_by(col(Booking.kind), col(Booking.external_occupancy))
        )
    ).all()
    for kind, external, n in rows:
        if kind == BookingKind.placement and not external:
            totals.occupied += int(n)
        elif kind == BookingKind.hold and not external:
            totals.held += int(n)
        elif kind == BookingKind.block:
            totals.blocked += int(n)
            if external:
                totals.external += int(n)


async def areas(session: AsyncSession) -> list[tuple[str, list[tuple[uuid.UUID, str]]]]:
    """What the area filter offers: each municipality with its districts, by name."""
    rows = (
        await session.execute(
            select(col(District.municipality), col(District.id), col(District.name)).order_by(
                col(District.municipality), col(District.name)
            )
        )
    ).all()
    out: dict[str, list[tuple[uuid.UUID, str]]] = {}
    for municipality, did, name in rows:
        out.setdefault(municipality, []).append((did, name))
    return list(out.items())
