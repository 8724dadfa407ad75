"""The housing chain's inventory: operators, units, places, bookings and vacancy reports."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import deferred
from sqlmodel import Field, SQLModel

from placement.models.base import (
    UUIDModel,
    created_at_field,
    enum_field,
    fk,
    str_array_field,
    text_field,
    tz_field,
)
from placement.models.enums import (
    BookingKind,
    BookingStatus,
    OperatorKind,
    PlaceKind,
    SharingPolicy,
    SubstancePolicy,
    UnitKind,
)


class Operator(UUIDModel, table=True):
    __tablename__ = "operator"

    name: str = Field(max_length=160, unique=True)
    kind: OperatorKind = enum_field(OperatorKind)
    phone: str | None = Field(default=None, max_length=40)
    created_at: datetime = created_at_field()
    retired_at: datetime | None = tz_field(default=None, nullable=True)


# The street address is never loaded with a unit: the app role has no SELECT on the column
# (migration 0006); it is read only through bk_unit_address(), which returns it to the roles
# that place people (RVT, Socialjouren) and nobody else. Deferred, so plain unit queries
# never name it.
_ADDRESS_COLUMN: sa.Column[str | None] = sa.Column("address_ciphertext", sa.Text, nullable=True)
# The on-duty phone number is guarded the same way (migration 0011, bk_unit_contact_phone()).
_PHONE_COLUMN: sa.Column[str | None] = sa.Column("contact_phone_ciphertext", sa.Text, nullable=True)


class Unit(UUIDModel, table=True):
    __tablename__ = "unit"
    __mapper_args__: ClassVar[dict[str, object]] = {
        "properties": {
            "address_ciphertext": deferred(_ADDRESS_COLUMN),
            "contact_phone_ciphertext": deferred(_PHONE_COLUMN),
        }
    }
    __table_args__ = (
        sa.CheckConstraint("protection_level BETWEEN 1 AND 3", name="protection_level_range"),
        sa.CheckConstraint("max_children >= 0", name="max_children_nonnegative"),
        sa.CheckConstraint("nightly_cost_sek >= 0", name="nightly_cost_nonnegative"),
        sa.CheckConstraint(
            "min_age IS NULL OR max_age IS NULL OR min_age <= max_age", name="age_range"
        ),
    )

    operator_id: uuid.UUID = fk("operator.id")
    name: str = Field(max_length=160)
    kind: UnitKind = enum_field(UnitKind, index=True)
    district_id: uuid.UUID = fk("district.id")
    owner_district_id: uuid.UUID | None = fk("district.id", nullable=True)
    sharing_policy: SharingPolicy = enum_field(SharingPolicy)
    protection_level: int = Field(ge=1, le=3)
    staffed_24_7: bool = False
    secret_address: bool = False
    # Street address, AES-GCM encrypted (placement.crypto); never in lists or search results.
    address_ciphertext: str | None = Field(default=None, sa_column=_ADDRESS_COLUMN)
    # On-duty phone number, AES-GCM encrypted; shown only to the roles that place people.
    contact_phone_ciphertext: str | None = Field(default=None, sa_column=_PHONE_COLUMN)
    contact_hours: str | None = Field(default=None, max_length=80)  # e.g. "dygnet runt"
    accepted_genders: list[str] = str_array_field()
    min_age: int | None = Field(default=18, ge=0, le=120)
    max_age: int | None = Field(default=None, ge=0, le=120)
    accepts_children: bool = False
    max_children: int = Field(default=0, ge=0)
    max_child_age: int | None = Field(default=None, ge=0, le=25)
    max_boy_age: int | None = Field(default=None, ge=0, le=25)
    substance_policy: SubstancePolicy = enum_field(SubstancePolicy)
    wheelchair_accessible: bool = False
    honour_competence: bool = False
    languages: list[str] = str_array_field()
    pets_allowed: bool = False
    nightly_cost_sek: int = Field(default=0, ge=0)
    ivo_permit_required: bool = False
    ivo_permit_valid_until: date | None = None
    activity_code: str | None = Field(default=None, max_length=16)  # Socialstyrelsen, e.g. 1213
    vacancy_confirmed_at: datetime | None = tz_field(default=None, nullable=True)
    # What the operator said at the last confirmation (shown beside the computed count).
    reported_free_places: int | None = Field(default=None, ge=0)
    reported_free_family_rooms: int | None = Field(default=None, ge=0)
    created_at: datetime = created_at_field()
    updated_at: datetime | None = tz_field(default=None, nullable=True)
    retired_at: datetime | None = tz_field(default=None, nullable=True)


class Place(UUIDModel, table=True):
    """A bookable capacity in a unit: a single place (one person) or a family room."""

    __tablename__ = "place"
    __table_args__ = (
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        # A single place holds one person; only a family room holds more.
        sa.CheckConstraint("kind <> 'place' OR capacity = 1", name="single_capacity"),
        # A family room holds a family: two or more (a one-bed room is a single place).
        sa.CheckConstraint("kind <> 'family_room' OR capacity >= 2", name="family_capacity"),
        sa.UniqueConstraint("unit_id", "label", name="uq_place_unit_label"),
    )

    unit_id: uuid.UUID = fk("unit.id")
    label: str = Field(max_length=40)
    kind: PlaceKind = enum_field(PlaceKind)
    capacity: int = Field(default=1, ge=1, le=12)
    retired_at: datetime | None = tz_field(default=None, nullable=True)


class Booking(UUIDModel, table=True):
    """A hold, placement or block of one place over [starts_at, ends_at).

    Overlapping active bookings of one place are refused by a database trigger
    (``booking_no_overlap``, see the first migration), whatever code inserts them.
    """

    __tablename__ = "booking"
    __table_args__ = (
        sa.CheckConstraint("starts_at < ends_at", name="period_order"),
        sa.Index("ix_booking_place_period", "place_id", "starts_at", "ends_at"),
        sa.Index("ix_booking_unit_active", "unit_id", "status"),
        # Availability looks only at active bookings overlapping a period; history is large.
        # Covering (migration 0014): counting busy places is an index-only scan.
        sa.Index(
            "ix_booking_active_period",
            "ends_at",
            "starts_at",
            postgresql_where=sa.text("status = 'active'"),
            postgresql_include=["place_id", "kind", "expires_at"],
        ),
    )

    place_id: uuid.UUID = fk("place.id", index=False)
    unit_id: uuid.UUID = fk("unit.id", index=False)
    kind: BookingKind = enum_field(BookingKind)
    status: BookingStatus = enum_field(BookingStatus, default=BookingStatus.active)
    # Bookings of one household made together share a group id.
    group_id: uuid.UUID = Field(default_factory=uuid.uuid4, index=True)
    case_id: uuid.UUID | None = fk("case.id", nullable=True)
    request_id: uuid.UUID | None = fk("placement_request.id", nullable=True)
    starts_at: datetime = tz_field()
    ends_at: datetime = tz_field()
    expires_at: datetime | None = tz_field(default=None, nullable=True, index=True)
    extension_count: int = 0
    extension_reason: str | None = Field(default=None, max_length=300)
    block_reason: str | None = Field(default=None, max_length=200)
    # A block the product made from an operator's lower report (placement.inventory.external).
    external_occupancy: bool = False
    # A hold of a near-miss unit: the rules overridden and why (the decision inherits them).
    overridden_rules: list[str] = str_array_field()
    override_reason: str | None = text_field()
    created_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    created_at: datetime = created_at_field()
    closed_at: datetime | None = tz_field(default=None, nullable=True)


class VacancyReport(UUIDModel, table=True):
    """An operator's confirmation of what is free now."""

    __tablename__ = "vacancy_report"

    unit_id: uuid.UUID = fk("unit.id")
    reported_at: datetime = tz_field(index=True)
    reported_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    free_places: int = Field(ge=0)
    free_family_rooms: int = Field(default=0, ge=0)
    note: str | None = Field(default=None, max_length=300)
    # More free than the bookings allow: flagged to the coordinator, not applied.
    above_computed: bool = False


class InventoryVersion(SQLModel, table=True):
    """One row: the inventory's version, bumped from a sequence by a trigger on every change
    to units, places and districts (migration 0020). Read by the proposals' inventory cache;
    never written by the app."""

    __tablename__ = "inventory_version"

    id: int = Field(primary_key=True)
    version: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
