"""Inventory changes: units and places. Flush, never commit; audit in the same session.

Places are changed under the unit lock (``bookings.lock_unit``), the same lock every booking
takes, so a place cannot be retired or shrunk while someone books it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import exists
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.audit.service import record
from placement.auth.actor import Actor
from placement.clock import Clock
from placement.crypto import Keyring
from placement.errors import Conflict, InvalidInput, NotFound
from placement.inventory.bookings import lock_unit
from placement.inventory.capacity import active_overlap
from placement.inventory.contact import encrypt_phone
from placement.inventory.rules import (
    first_problem,
    invalid_from,
    resolved_ivo_required,
    unit_field_values,
    unit_problems,
)
from placement.inventory.schemas import (
    PlaceCreate,
    PlaceUpdate,
    UnitCreate,
    UnitFields,
    UnitUpdate,
)
from placement.models import Booking, District, Operator, Place, Unit
from placement.models.enums import AuditAction, BookingKind, BookingStatus, PlaceKind

ADDRESS_AD = "unit_address"  # AES-GCM associated data: a unit address decrypts only as one
FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)

# --- units --------------------------------------------------------------------------------------


async def _check_unit(session: AsyncSession, fields: UnitFields) -> Operator:
    operator = await session.get(Operator, fields.operator_id)
    district = await session.get(District, fields.district_id)
    owner = (
        await session.get(District, fields.owner_district_id)
        if fields.owner_district_id is not None
        else None
    )
    error = first_problem(unit_problems(fields, operator, district, owner))
    if error is not None:
        raise error
    assert operator is not None  # noqa: S101 - unit_problems reports a missing operator
    return operator


def unit_values(fields: UnitFields, operator: Operator) -> dict[str, Any]:
    values = fields.model_dump()
    values["ivo_permit_required"] = resolved_ivo_required(fields, operator)
    values["accepted_genders"] = [g.value for g in fields.accepted_genders]
    return values


async def get_unit(session: AsyncSession, unit_id: uuid.UUID) -> Unit:
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("No such unit.", field="unit_id")
    return unit


async def create_unit(
    session: AsyncSession, clock: Clock, actor: Actor, keyring: Keyring, data: UnitCreate
) -> Unit:
    fields = UnitFields.model_validate(data.model_dump(include=set(UnitFields.model_fields)))
    operator = await _check_unit(session, fields)
    unit = Unit(
        **unit_values(fields, operator),
        address_ciphertext=(
            keyring.encrypt(data.address, associated=ADDRESS_AD) if data.address else None
        ),
        contact_phone_ciphertext=encrypt_phone(keyring, data.contact_phone),
        contact_hours=(data.contact_hours or "").strip() or None,
        created_at=clock.now(),
    )
    session.add(unit)
    await session.flush()
    session.add_all(
        [
            Place(unit_id=unit.id, label=p.label, kind=p.kind, capacity=p.capacity)
            for p in data.places
        ]
    )
    await session.flush()
    await record(session, clock, actor, AuditAction.create, "unit", unit.id)
    return unit


async def update_unit(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    keyring: Keyring,
    unit_id: uuid.UUID,
    data: UnitUpdate,
) -> Unit:
    unit = await lock_unit_any(session, unit_id)
    patch = data.model_dump(exclude_unset=True)
    address_given = "address" in patch
    address = patch.pop("address", None)
    phone_given, hours_given = "contact_phone" in patch, "contact_hours" in patch
    phone, hours = patch.pop("contact_phone", None), patch.pop("contact_hours", None)
    try:
        fields = UnitFields.model_validate({**unit_field_values(unit), **patch})
    except ValidationError as exc:
        raise invalid_from(exc) from exc
    operator = await _check_unit(session, fields)
    for name, value in unit_values(fields, operator).items():
        setattr(unit, name, value)
    if address_given:
        unit.address_ciphertext = (
            keyring.encrypt(address, associated=ADDRESS_AD) if address else None
        )
    if phone_given:
        unit.contact_phone_ciphertext = encrypt_phone(keyring, phone)
    if hours_given:
        unit.contact_hours = (hours or "").strip() or None
    unit.updated_at = clock.now()
    await session.flush()
    await record(session, clock, actor, AuditAction.update, "unit", unit.id)
    return unit


async def lock_unit_any(session: AsyncSession, unit_id: uuid.UUID) -> Unit:
    """Lock a unit row, retired or not (``bookings.lock_unit`` refuses retired units)."""
    unit = await session.scalar(select(Unit).where(col(Unit.id) == unit_id).with_for_update())
    if unit is None:
        raise NotFound("No such unit.", field="unit_id")
    return unit


async def _has_live_bookings(
    session: AsyncSession,
    now: datetime,
    *,
    unit_id: uuid.UUID | None = None,
    place_id: uuid.UUID | None = None,
) -> bool:
    """Current or future placements or unexpired holds (blocks do not keep a place alive)."""
    stmt = select(
        exists().where(
            active_overlap(now, FAR_FUTURE, now),
            col(Booking.kind) != BookingKind.block,
            (col(Booking.unit_id) == unit_id) if unit_id else (col(Booking.place_id) == place_id),
        )
    )
    return bool(await session.scalar(stmt))


async def _release_blocks(
    session: AsyncSession,
    now: datetime,
    *,
    unit_id: uuid.UUID | None = None,
    place_id: uuid.UUID | None = None,
) -> None:
    stmt = select(Booking).where(
        col(Booking.kind) == BookingKind.block,
        col(Booking.status) == BookingStatus.active,
        col(Booking.ends_at) > now,
        (col(Booking.unit_id) == unit_id) if unit_id else (col(Booking.place_id) == place_id),
    )
    for block in (await session.execute(stmt)).scalars():
        block.status = BookingStatus.released
        block.closed_at = now


async def retire_unit(
    session: AsyncSession, clock: Clock, actor: Actor, unit_id: uuid.UUID
) -> Unit:
    unit = await lock_unit_any(session, unit_id)
    now = clock.now()
    if unit.retired_at is not None:
        return unit
    if await _has_live_bookings(session, now, unit_id=unit.id):
        raise Conflict(
            "The unit has current or future placements or holds. End or move them first."
        )
    await _release_blocks(session, now, unit_id=unit.id)
    unit.retired_at = now
    unit.updated_at = now
    await session.flush()
    await record(session, clock, actor, AuditAction.delete, "unit", unit.id)
    return unit


# --- places -------------------------------------------------------------------------------------


async def _label_taken(
    session: AsyncSession, unit_id: uuid.UUID, label: str, exclude: uuid.UUID | None = None
) -> bool:
    stmt = select(Place.id).where(col(Place.unit_id) == unit_id, col(Place.label) == label)
    if exclude is not None:
        stmt = stmt.where(col(Place.id) != exclude)
    return (await session.scalar(stmt)) is not None


async def list_places(
    session: AsyncSession, unit_id: uuid.UUID, *, include_retired: bool = False
) -> list[Place]:
    stmt = select(Place).where(col(Place.unit_id) == unit_id).order_by(col(Place.label))
    if not include_retired:
        stmt = stmt.where(col(Place.retired_at).is_(None))
    return list((await session.execute(stmt)).scalars().all())


async def places_by_unit(
    session: AsyncSession, unit_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Place]]:
    """The places in service of many units, each unit's in label order, in one query."""
    out: dict[uuid.UUID, list[Place]] = {uid: [] for uid in unit_ids}
    rows = (
        await session.execute(
            select(Place)
            .where(col(Place.unit_id).in_(list(unit_ids)), col(Place.retired_at).is_(None))
            .order_by(col(Place.unit_id), col(Place.label))
        )
    ).scalars()
    for place in rows:
        out[place.unit_id].append(place)
    return out


async def add_place(
    session: AsyncSession, clock: Clock, actor: Actor, unit_id: uuid.UUID, data: PlaceCreate
) -> Place:
    await lock_unit(session, unit_id)
    if await _label_taken(session, unit_id, data.label):
        raise Conflict("The unit already has a place with that label.", field="label")
    place = Place(unit_id=unit_id, label=data.label, kind=data.kind, capacity=data.capacity)
    session.add(place)
    await session.flush()
    await record(session, clock, actor, AuditAction.create, "place", place.id)
    return place


async def _place_in_locked_unit(session: AsyncSession, place_id: uuid.UUID) -> Place:
    place = await session.get(Place, place_id)
    if place is None:
        raise NotFound("No such place.", field="place_id")
    await lock_unit(session, place.unit_id)
    return place


async def update_place(
    session: AsyncSession, clock: Clock, actor: Actor, place_id: uuid.UUID, data: PlaceUpdate
) -> Place:
    place = await _place_in_locked_unit(session, place_id)
    if data.label is not None and data.label != place.label:
        if await _label_taken(session, place.unit_id, data.label, place.id):
            raise Conflict("The unit already has a place with that label.", field="label")
        place.label = data.label
    if data.capacity is not None and data.capacity != place.capacity:
        if place.kind == PlaceKind.place:
            raise InvalidInput("A single place holds exactly one person.", field="capacity")
        if data.capacity < 2:
            raise InvalidInput("A family room holds at least two persons.", field="capacity")
        if data.capacity < place.capacity and await _has_live_bookings(
            session, clock.now(), place_id=place.id
        ):
            raise Conflict(
                "The family room is booked now or later; it cannot be made smaller until "
                "the booking ends.",
                field="capacity",
            )
        place.capacity = data.capacity
    await session.flush()
    await record(session, clock, actor, AuditAction.update, "place", place.id)
    return place


async def retire_place(
    session: AsyncSession, clock: Clock, actor: Actor, place_id: uuid.UUID
) -> Place:
    place = await _place_in_locked_unit(session, place_id)
    now = clock.now()
    if place.retired_at is not None:
        return place
    if await _has_live_bookings(session, now, place_id=place.id):
        raise Conflict("The place is booked now or later; end or move the booking first.")
    await _release_blocks(session, now, place_id=place.id)
    place.retired_at = now
    await session.flush()
    await record(session, clock, actor, AuditAction.delete, "place", place.id)
    return place
