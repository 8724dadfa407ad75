"""Wire models for operators, units and places. Tables never go on the wire.

``UnitFields`` holds every rule a unit's own fields must satisfy; the API, updates (after
merging) and the bulk import all validate through it, so a rule is written once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from placement.bounds import SaneDate
from placement.models.enums import (
    Gender,
    OperatorKind,
    PlaceKind,
    SharingPolicy,
    SubstancePolicy,
    UnitKind,
)


def _served_gender(value: Gender) -> Gender:
    if value == Gender.not_stated:
        raise ValueError("a unit accepts women, men or non-binary people")
    return value


# A gender a unit can accept (an adult's: "not stated" is for children only).
ServedGender = Annotated[Gender, AfterValidator(_served_gender)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=160)]


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- operators ----------------------------------------------------------------------------------


class OperatorCreate(Wire):
    name: Name
    kind: OperatorKind
    phone: str | None = Field(default=None, max_length=40)


class OperatorUpdate(Wire):
    name: Name | None = None
    kind: OperatorKind | None = None
    phone: str | None = Field(default=None, max_length=40)


class OperatorRead(BaseModel):
    id: uuid.UUID
    name: str
    kind: OperatorKind
    phone: str | None
    retired_at: datetime | None
    unit_count: int = 0


# --- places -------------------------------------------------------------------------------------


class PlaceCreate(Wire):
    label: Label
    kind: PlaceKind = PlaceKind.place
    capacity: int = Field(default=1, ge=1, le=12)

    @field_validator("capacity")
    @classmethod
    def _capacity_matches_kind(cls, value: int, info: ValidationInfo) -> int:
        kind = info.data.get("kind")
        if kind == PlaceKind.place and value != 1:
            raise ValueError("a single place holds exactly one person (capacity 1)")
        if kind == PlaceKind.family_room and value < 2:
            raise ValueError("a family room holds at least two persons")
        return value


class PlaceUpdate(Wire):
    label: Label | None = None
    capacity: int | None = Field(default=None, ge=1, le=12)


class PlaceRead(BaseModel):
    id: uuid.UUID
    unit_id: uuid.UUID
    label: str
    kind: PlaceKind
    capacity: int
    retired_at: datetime | None


# --- units --------------------------------------------------------------------------------------


class UnitFields(Wire):
    """A unit's own fields and the rules between them."""

    operator_id: uuid.UUID
    name: Name
    kind: UnitKind
    district_id: uuid.UUID
    owner_district_id: uuid.UUID | None = None
    sharing_policy: SharingPolicy
    protection_level: int = Field(ge=1, le=3)
    staffed_24_7: bool = False
    secret_address: bool = False
    accepted_genders: list[ServedGender] = Field(min_length=1)
    min_age: int | None = Field(default=18, ge=0, le=120)
    max_age: int | None = Field(default=None, ge=0, le=120)
    accepts_children: bool = False
    max_children: int = Field(default=0, ge=0, le=20)
    max_child_age: int | None = Field(default=None, ge=0, le=25)
    max_boy_age: int | None = Field(default=None, ge=0, le=25)
    substance_policy: SubstancePolicy
    wheelchair_accessible: bool = False
    honour_competence: bool = False
    languages: list[Language] = Field(default_factory=list, max_length=30)
    pets_allowed: bool = False
    nightly_cost_sek: int = Field(default=0, ge=0, le=100_000)
    # None: derived (a private operator's protected shelter needs one, see the service).
    ivo_permit_required: bool | None = None
    ivo_permit_valid_until: SaneDate | None = None
    activity_code: str | None = Field(default=None, pattern=r"^[0-9]{2,6}$")

    @field_validator("max_age")
    @classmethod
    def _age_range(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("min_age")
        if value is not None and low is not None and value < low:
            raise ValueError("the highest age must not be below the lowest age")
        return value

    @field_validator("max_children")
    @classmethod
    def _children(cls, value: int, info: ValidationInfo) -> int:
        accepts = info.data.get("accepts_children")
        if accepts is False and value > 0:
            raise ValueError("a unit that takes no children must allow 0 children")
        if accepts and value < 1:
            raise ValueError("a unit that takes children must allow at least one child")
        return value


class UnitCreate(UnitFields):
    # Write-only: stored encrypted and shown only in the unit detail to roles allowed to.
    address: str | None = Field(default=None, min_length=1, max_length=300)
    # Write-only like the address: the on-duty number, shown only to RVT and Socialjouren.
    contact_phone: str | None = Field(default=None, max_length=40)
    contact_hours: str | None = Field(default=None, max_length=80)
    places: list[PlaceCreate] = Field(default_factory=list, max_length=200)

    @field_validator("places")
    @classmethod
    def _unique_labels(cls, value: list[PlaceCreate]) -> list[PlaceCreate]:
        labels = [p.label for p in value]
        if len(labels) != len(set(labels)):
            raise ValueError("every place in a unit needs its own label")
        return value


class UnitUpdate(Wire):
    """Partial update: only the fields sent are changed (null clears a nullable field)."""

    operator_id: uuid.UUID | None = None
    name: Name | None = None
    kind: UnitKind | None = None
    district_id: uuid.UUID | None = None
    owner_district_id: uuid.UUID | None = None
    sharing_policy: SharingPolicy | None = None
    protection_level: int | None = Field(default=None, ge=1, le=3)
    staffed_24_7: bool | None = None
    secret_address: bool | None = None
    accepted_genders: list[ServedGender] | None = Field(default=None, min_length=1)
    min_age: int | None = Field(default=None, ge=0, le=120)
    max_age: int | None = Field(default=None, ge=0, le=120)
    accepts_children: bool | None = None
    max_children: int | None = Field(default=None, ge=0, le=20)
    max_child_age: int | None = Field(default=None, ge=0, le=25)
    max_boy_age: int | None = Field(default=None, ge=0, le=25)
    substance_policy: SubstancePolicy | None = None
    wheelchair_accessible: bool | None = None
    honour_competence: bool | None = None
    languages: list[Language] | None = Field(default=None, max_length=30)
    pets_allowed: bool | None = None
    nightly_cost_sek: int | None = Field(default=None, ge=0, le=100_000)
    ivo_permit_required: bool | None = None
    ivo_permit_valid_until: SaneDate | None = None
    activity_code: str | None = Field(default=None, pattern=r"^[0-9]{2,6}$")
    address: str | None = Field(default=None, min_length=1, max_length=300)
    contact_phone: str | None = Field(default=None, max_length=40)
    contact_hours: str | None = Field(default=None, max_length=80)


class Freshness(BaseModel):
    """When the operator last confirmed what is free, and whether that is too old."""

    vacancy_confirmed_at: datetime | None
    vacancy_age_hours: float | None
    vacancy_stale: bool
    reported_free_places: int | None = None
    reported_free_family_rooms: int | None = None


class UnitSummary(Freshness):
    """A unit in a list: never the address."""

    id: uuid.UUID
    name: str
    kind: UnitKind
    operator_id: uuid.UUID
    operator_name: str
    district_id: uuid.UUID
    district_name: str
    owner_district_id: uuid.UUID
    sharing_policy: SharingPolicy
    protection_level: int
    staffed_24_7: bool
    secret_address: bool
    accepted_genders: list[str]
    min_age: int | None
    max_age: int | None
    accepts_children: bool
    max_children: int
    max_child_age: int | None
    max_boy_age: int | None
    substance_policy: SubstancePolicy
    wheelchair_accessible: bool
    honour_competence: bool
    languages: list[str]
    pets_allowed: bool
    nightly_cost_sek: int
    ivo_permit_required: bool
    ivo_permit_valid_until: SaneDate | None
    activity_code: str | None
    retired_at: datetime | None
    places: int
    family_rooms: list[int]
    # Free for one night from now (placements, holds and blocks counted).
    free_places_now: int
    free_family_rooms_now: list[int]


class UnitDetail(UnitSummary):
    has_address: bool
    # Only for roles allowed to see shelter addresses; every such read is audited.
    address: str | None = None
    # The on-duty number and its hours: only for RVT and Socialjouren (audited).
    contact_phone: str | None = None
    contact_hours: str | None = None
    place_list: list[PlaceRead]


class UnitPage(BaseModel):
    total: int
    items: list[UnitSummary]
