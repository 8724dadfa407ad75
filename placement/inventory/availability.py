"""Availability: which units can take a household of N adults and these children from T for D
nights, across every unit kind.

One set-based query does the work: the units that pass the capability, sharing and IVO rules
(``offer_filters.py``), joined to their places, left-joined to the places busy in the period
(placements, unexpired holds and blocks), grouped per unit, keeping the units where the
household fits (one family room for everyone, or enough single places: the booking core's
rule). A second, primary-key lookup fetches the requesting district.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.auth.permissions import Permission, has_permission
from placement.clock import Clock
from placement.config import Settings
from placement.errors import N_, InvalidInput
from placement.inventory.booking_schemas import (
    AvailabilityQuery,
    AvailabilityResult,
    AvailableUnit,
)
from placement.inventory.capacity import busy_subquery, capacity_aggregates, freshness
from placement.inventory.listing import stale_condition
from placement.inventory.offer_filters import capability_conditions, sharing_condition, unless
from placement.inventory.rules import local_date
from placement.models import District, Operator, Place, Unit

NEED_DISTRICT = N_(
    "Choose the district the request is for: who may be offered a unit depends on the "
    "owner's sharing policy."
)


async def requesting_district(
    session: AsyncSession, actor: Actor, district_id: uuid.UUID | None, *, required: bool
) -> District | None:
    """The district asking (given, or the user's own); unknown ids are refused."""
    wanted = district_id or actor.district_id
    if wanted is None:
        if required:
            raise InvalidInput(NEED_DISTRICT, field="requesting_district_id")
        return None
    district = await session.get(District, wanted)
    if district is None:
        raise InvalidInput("Unknown district.", field="requesting_district_id")
    return district


def period_of(q: AvailabilityQuery, now: datetime) -> tuple[datetime, datetime]:
    start = q.starts_at or now
    return start, start + timedelta(days=q.nights)


async def find_available(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    q: AvailabilityQuery,
) -> AvailabilityResult:
    now = clock.now()
    start, end = period_of(q, now)
    # Coordinators may look at the whole inventory; staff asking for a household must say
    # for which district, since that decides what they may be offered.
    overview = has_permission(actor.role, Permission.inventory_write)
    requesting = await requesting_district(
        session, actor, q.requesting_district_id, required=not overview
    )
    first_day = local_date(start, settings.timezone)
    last_night = first_day + timedelta(days=q.nights - 1)
    size = q.size

    owner = aliased(District)
    location = aliased(District)
    busy = busy_subquery(start, end, now)
    aggs = capacity_aggregates(busy)
    free_places, max_free_room = aggs[2], aggs[4]
    stale = stale_condition(now, settings)

    conds: list[ColumnElement[bool]] = [
        col(Unit.retired_at).is_(None),
        col(Operator.retired_at).is_(None),
        # IVO: a unit that needs a permit is offered only with one valid on the start date.
        or_(
            col(Unit.ivo_permit_required).is_(False),
            col(Unit.ivo_permit_valid_until) >= first_day,
        ),
        *capability_conditions(q),
        sharing_condition(owner, requesting),
        unless(q.include_stale, ~stale),
    ]

    columns: list[Any] = [
        *(getattr(Unit, name) for name in UNIT_COLUMNS),
        col(Operator.name).label("operator_name"),
        col(location.name).label("district_name"),
        *aggs,
        func.count().over().label("total"),
    ]
    stmt = (
        select(*columns)
        .select_from(Unit)
        .join(Operator, col(Operator.id) == col(Unit.operator_id))
        .join(location, col(location.id) == col(Unit.district_id))
        .join(
            owner,
            col(owner.id) == func.coalesce(col(Unit.owner_district_id), col(Unit.district_id)),
        )
        .join(Place, and_(col(Place.unit_id) == col(Unit.id), col(Place.retired_at).is_(None)))
        .outerjoin(busy, busy.c.place_id == col(Place.id))
        .where(*conds)
        .group_by(col(Unit.id), col(Operator.id), col(location.id))
        .having(or_(free_places >= size, max_free_room >= size))
        .order_by(stale, col(Unit.name), col(Unit.id))
        .limit(q.limit)
    )
    # Plain rows, not ORM objects: an answer may hold hundreds of units.
    rows = (await session.execute(stmt)).all()
    units = [_available(row, size, last_night, now, settings) for row in rows]
    return AvailabilityResult(
        starts_at=start,
        ends_at=end,
        household_size=size,
        requesting_district_id=requesting.id if requesting else None,
        total=rows[0].total if rows else 0,
        units=units,
    )


UNIT_COLUMNS = (
    "id",
    "name",
    "kind",
    "district_id",
    "owner_district_id",
    "sharing_policy",
    "protection_level",
    "staffed_24_7",
    "wheelchair_accessible",
    "honour_competence",
    "substance_policy",
    "languages",
    "pets_allowed",
    "accepts_children",
    "max_children",
    "nightly_cost_sek",
    "ivo_permit_required",
    "ivo_permit_valid_until",
    "vacancy_confirmed_at",
    "reported_free_places",
    "reported_free_family_rooms",
)


def _available(
    row: Any, size: int, last_night: date, now: datetime, settings: Settings
) -> AvailableUnit:
    valid_until = row.ivo_permit_valid_until
    fresh = freshness(
        row.vacancy_confirmed_at,
        now,
        settings,
        reported_places=row.reported_free_places,
        reported_rooms=row.reported_free_family_rooms,
    )
    return AvailableUnit(
        **fresh.as_dict(),
        unit_id=row.id,
        name=row.name,
        kind=row.kind,
        operator_name=row.operator_name,
        district_id=row.district_id,
        district_name=row.district_name,
        owner_district_id=row.owner_district_id or row.district_id,
        sharing_policy=row.sharing_policy,
        protection_level=row.protection_level,
        staffed_24_7=row.staffed_24_7,
        wheelchair_accessible=row.wheelchair_accessible,
        honour_competence=row.honour_competence,
        substance_policy=row.substance_policy,
        languages=list(row.languages),
        pets_allowed=row.pets_allowed,
        accepts_children=row.accepts_children,
        max_children=row.max_children,
        nightly_cost_sek=row.nightly_cost_sek,
        places=row.places,
        family_rooms=list(row.rooms or ()),
        free_places=row.free_places,
        free_family_rooms=list(row.free_rooms or ()),
        fits_in=fits_in(size, row.free_places, row.max_free_room),
        ivo_permit_valid_until=valid_until,
        ivo_expires_during_stay=bool(
            row.ivo_permit_required and valid_until and valid_until < last_night
        ),
    )


def fits_in(
    size: int, free_singles: int, largest_free_room: int
) -> Literal["family_room", "places"]:
    """Where the booking core would put the household (``bookings.choose_places``)."""
    if size == 1 and free_singles:
        return "places"
    return "family_room" if largest_free_room >= size else "places"
