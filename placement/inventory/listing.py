"""Reading the inventory: unit lists (never an address) and the unit detail (address audited).

A page of units costs three queries whatever its size: the count, the page, and the
capacity of the page's units (set-based, ``capacity.capacity_by_unit``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from placement.audit.service import record
from placement.auth.actor import Actor
from placement.auth.permissions import Permission, has_permission
from placement.clock import Clock
from placement.config import Settings
from placement.crypto import Keyring
from placement.errors import NotFound
from placement.inventory.capacity import Capacity, capacity_by_unit, free_now_window
from placement.inventory.capacity import unit_freshness as freshness_of
from placement.inventory.contact import unit_contacts
from placement.inventory.schemas import PlaceRead, UnitDetail, UnitPage, UnitSummary
from placement.inventory.service import ADDRESS_AD, list_places
from placement.models import District, Operator, Place, Unit
from placement.models.enums import AuditAction, SharingPolicy, UnitKind


@dataclass(frozen=True, slots=True)
class UnitFilter:
    kind: UnitKind | None = None
    district_id: uuid.UUID | None = None
    operator_id: uuid.UUID | None = None
    sharing_policy: SharingPolicy | None = None
    stale: bool | None = None
    include_retired: bool = False
    name_contains: str | None = None
    limit: int = 100
    offset: int = 0


def stale_condition(now: Any, settings: Settings) -> ColumnElement[bool]:
    cutoff = now - timedelta(hours=settings.vacancy_stale_hours)
    return or_(col(Unit.vacancy_confirmed_at).is_(None), col(Unit.vacancy_confirmed_at) < cutoff)


def summary(
    unit: Unit,
    operator_name: str,
    district_name: str,
    capacity: Capacity,
    now: Any,
    settings: Settings,
) -> dict[str, Any]:
    """Fields of ``UnitSummary`` for one unit (shared by the list and the detail)."""
    return {
        **{name: getattr(unit, name) for name in _UNIT_COLUMNS},
        **freshness_of(unit, now, settings).as_dict(),
        "operator_name": operator_name,
        "district_name": district_name,
        "owner_district_id": unit.owner_district_id or unit.district_id,
        "places": capacity.places,
        "family_rooms": list(capacity.family_rooms),
        "free_places_now": capacity.free_places,
        "free_family_rooms_now": list(capacity.free_family_rooms),
    }


_DERIVED = {
    "operator_name",
    "district_name",
    "owner_district_id",
    "places",
    "family_rooms",
    "free_places_now",
    "free_family_rooms_now",
    "vacancy_confirmed_at",
    "vacancy_age_hours",
    "vacancy_stale",
    "reported_free_places",
    "reported_free_family_rooms",
}
_UNIT_COLUMNS = [name for name in UnitSummary.model_fields if name not in _DERIVED]


async def list_units(
    session: AsyncSession, clock: Clock, settings: Settings, flt: UnitFilter
) -> UnitPage:
    now = clock.now()
    location = aliased(District)
    conditions: list[ColumnElement[bool]] = []
    if not flt.include_retired:
        conditions.append(col(Unit.retired_at).is_(None))
    if flt.kind is not None:
        conditions.append(col(Unit.kind) == flt.kind)
    if flt.district_id is not None:
        conditions.append(col(Unit.district_id) == flt.district_id)
    if flt.operator_id is not None:
        conditions.append(col(Unit.operator_id) == flt.operator_id)
    if flt.sharing_policy is not None:
        conditions.append(col(Unit.sharing_policy) == flt.sharing_policy)
    if flt.stale is not None:
        stale = stale_condition(now, settings)
        conditions.append(stale if flt.stale else ~stale)
    if flt.name_contains:
        pattern = "%" + flt.name_contains.replace("%", r"\%").replace("_", r"\_") + "%"
        conditions.append(col(Unit.name).ilike(pattern))
    total = await session.scalar(select(func.count(col(Unit.id))).where(*conditions)) or 0
    rows = (
        await session.execute(
            select(Unit, col(Operator.name), col(location.name))
            .join(Operator, col(Operator.id) == col(Unit.operator_id))
            .join(location, col(location.id) == col(Unit.district_id))
            .where(*conditions)
            .order_by(col(Unit.name), col(Unit.id))
            .limit(flt.limit)
            .offset(flt.offset)
        )
    ).all()
    start, end = free_now_window(now)
    capacity = await capacity_by_unit(session, [r[0].id for r in rows], start, end, now)
    items = [
        UnitSummary(**summary(unit, op_name, d_name, capacity[unit.id], now, settings))
        for unit, op_name, d_name in rows
    ]
    return UnitPage(total=total, items=items)


async def unit_detail(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    keyring: Keyring,
    actor: Actor,
    unit_id: uuid.UUID,
) -> UnitDetail:
    row = (
        await session.execute(
            select(Unit, col(Operator.name), col(District.name))
            .join(Operator, col(Operator.id) == col(Unit.operator_id))
            .join(District, col(District.id) == col(Unit.district_id))
            .where(col(Unit.id) == unit_id)
        )
    ).first()
    if row is None:
        raise NotFound("No such unit.", field="unit_id")
    unit, op_name, d_name = row
    now = clock.now()
    start, end = free_now_window(now)
    capacity = (await capacity_by_unit(session, [unit.id], start, end, now))[unit.id]
    address = None
    # The database itself decides: bk_unit_address() returns the ciphertext only under an
    # RVT, Socialjouren or system scope; the app role cannot select the column at all.
    has_address = bool(
        await session.scalar(text("SELECT bk_unit_has_address(:id)"), {"id": unit.id})
    )
    if has_address and has_permission(actor.role, Permission.unit_address_read):
        stored = await session.scalar(text("SELECT bk_unit_address(:id)"), {"id": unit.id})
        if stored:
            address = keyring.decrypt(stored, associated=ADDRESS_AD)
            await record(session, clock, actor, AuditAction.read, "unit_address", unit.id)
    places = await list_places(session, unit.id, include_retired=True)
    contact = (await unit_contacts(session, clock, actor, keyring, [unit.id])).get(unit.id)
    return UnitDetail(
        **summary(unit, op_name, d_name, capacity, now, settings),
        has_address=has_address,
        address=address,
        contact_phone=contact.phone if contact else None,
        contact_hours=contact.hours if contact else None,
        place_list=[place_read(p) for p in places],
    )


def place_read(place: Place) -> PlaceRead:
    return PlaceRead(
        id=place.id,
        unit_id=place.unit_id,
        label=place.label,
        kind=place.kind,
        capacity=place.capacity,
        retired_at=place.retired_at,
    )
