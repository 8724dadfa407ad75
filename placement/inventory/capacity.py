"""Free capacity, counted set-based: one query for any number of units.

A place is busy over [starts_at, ends_at) when an active booking of it overlaps the period;
a hold whose time has run out no longer counts, even before the sweep marks it expired (the
same rule as ``bookings.busy_place_ids``, which the booking core uses under the unit lock).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, func, or_
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.config import Settings
from placement.models import Booking, Place, Unit
from placement.models.enums import BookingKind, BookingStatus, PlaceKind


@dataclass(frozen=True, slots=True)
class Capacity:
    places: int = 0
    family_rooms: tuple[int, ...] = ()
    free_places: int = 0
    free_family_rooms: tuple[int, ...] = ()


def fits(size: int, free_places: int, free_family_rooms: Iterable[int]) -> bool:
    """The booking core's rule: one family room for the whole household, or n single places."""
    return size <= free_places or any(c >= size for c in free_family_rooms)


def active_overlap(starts_at: datetime, ends_at: datetime, now: datetime) -> ColumnElement[bool]:
    return and_(
        col(Booking.status) == BookingStatus.active,
        col(Booking.starts_at) < ends_at,
        col(Booking.ends_at) > starts_at,
        or_(col(Booking.kind) != BookingKind.hold, col(Booking.expires_at) > now),
    )


def busy_subquery(starts_at: datetime, ends_at: datetime, now: datetime) -> Subquery:
    return (
        select(col(Booking.place_id).label("place_id"))
        .where(active_overlap(starts_at, ends_at, now))
        .distinct()
        .subquery("busy")
    )


def capacity_aggregates(busy: Subquery) -> list[Any]:
    """Aggregate columns over ``place`` left-joined to ``busy``; group by the unit."""
    single = col(Place.kind) == PlaceKind.place
    room = col(Place.kind) == PlaceKind.family_room
    free = busy.c.place_id.is_(None)
    largest_first = aggregate_order_by(col(Place.capacity), col(Place.capacity).desc())
    return [
        func.count(col(Place.id)).filter(single).label("places"),
        func.array_agg(largest_first).filter(room).label("rooms"),
        func.count(col(Place.id)).filter(single, free).label("free_places"),
        func.array_agg(largest_first).filter(room, free).label("free_rooms"),
        func.coalesce(func.max(col(Place.capacity)).filter(room, free), 0).label("max_free_room"),
    ]


async def capacity_by_unit(
    session: AsyncSession,
    unit_ids: Iterable[uuid.UUID],
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
) -> dict[uuid.UUID, Capacity]:
    ids = list(unit_ids)
    if not ids:
        return {}
    busy = busy_subquery(starts_at, ends_at, now)
    stmt = (
        select(col(Place.unit_id), *capacity_aggregates(busy))
        .outerjoin(busy, busy.c.place_id == col(Place.id))
        .where(col(Place.unit_id).in_(ids), col(Place.retired_at).is_(None))
        .group_by(col(Place.unit_id))
    )
    out = {uid: Capacity() for uid in ids}
    for row in (await session.execute(stmt)).all():
        out[row.unit_id] = Capacity(
            places=row.places,
            family_rooms=tuple(row.rooms or ()),
            free_places=row.free_places,
            free_family_rooms=tuple(row.free_rooms or ()),
        )
    return out


def free_now_window(now: datetime) -> tuple[datetime, datetime]:
    """'Free now' means free for one night from now."""
    return now, now + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class FreshnessInfo:
    vacancy_confirmed_at: datetime | None
    vacancy_age_hours: float | None
    vacancy_stale: bool
    reported_free_places: int | None
    reported_free_family_rooms: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "vacancy_confirmed_at": self.vacancy_confirmed_at,
            "vacancy_age_hours": self.vacancy_age_hours,
            "vacancy_stale": self.vacancy_stale,
            "reported_free_places": self.reported_free_places,
            "reported_free_family_rooms": self.reported_free_family_rooms,
        }


def freshness(
    confirmed_at: datetime | None,
    now: datetime,
    settings: Settings,
    *,
    reported_places: int | None = None,
    reported_rooms: int | None = None,
) -> FreshnessInfo:
    """A unit never confirmed, or confirmed longer ago than the setting, is stale."""
    if confirmed_at is None:
        return FreshnessInfo(None, None, True, reported_places, reported_rooms)
    age = max((now - confirmed_at).total_seconds() / 3600, 0.0)
    return FreshnessInfo(
        confirmed_at,
        round(age, 2),
        age > settings.vacancy_stale_hours,
        reported_places,
        reported_rooms,
    )


def unit_freshness(unit: Unit, now: datetime, settings: Settings) -> FreshnessInfo:
    return freshness(
        unit.vacancy_confirmed_at,
        now,
        settings,
        reported_places=unit.reported_free_places,
        reported_rooms=unit.reported_free_family_rooms,
    )
