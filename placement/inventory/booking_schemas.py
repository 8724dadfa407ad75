"""Wire models for availability, holds, placements, blocks, vacancy reports and IVO permits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from placement.bounds import SaneDate, SaneDatetime
from placement.inventory.schemas import Freshness, Language, Wire
from placement.models.enums import Gender, SharingPolicy, SubstancePolicy, SubstanceUse, UnitKind

Nights = Annotated[int, Field(ge=1, le=365)]


class ChildSpec(Wire):
    age: int = Field(ge=0, le=25)
    gender: Gender | None = None


class HouseholdSpec(Wire):
    adults: int = Field(default=1, ge=1, le=4)
    children: list[ChildSpec] = Field(default_factory=list, max_length=12)

    @property
    def size(self) -> int:
        return self.adults + len(self.children)


# --- availability -------------------------------------------------------------------------------


class AvailabilityQuery(HouseholdSpec):
    """Which units can take this household from ``starts_at`` (default now) for ``nights``."""

    starts_at: SaneDatetime | None = None
    nights: Nights
    # Sharing policies are judged from this district (default: the user's own district).
    requesting_district_id: uuid.UUID | None = None
    min_protection_level: int | None = Field(default=None, ge=1, le=3)
    needs_wheelchair: bool = False
    substance_use: SubstanceUse | None = None
    honour_context: bool = False
    gender: Gender | None = None  # the adult's
    age: int | None = Field(default=None, ge=0, le=120)  # the adult's
    languages: list[Language] = Field(default_factory=list, max_length=10)
    has_pets: bool = False
    kinds: list[UnitKind] = Field(default_factory=list)
    exclude_district_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)
    include_stale: bool = True
    limit: int = Field(default=200, ge=1, le=1000)


class AvailableUnit(Freshness):
    unit_id: uuid.UUID
    name: str
    kind: UnitKind
    operator_name: str
    district_id: uuid.UUID
    district_name: str
    owner_district_id: uuid.UUID
    sharing_policy: SharingPolicy
    protection_level: int
    staffed_24_7: bool
    wheelchair_accessible: bool
    honour_competence: bool
    substance_policy: SubstancePolicy
    languages: list[str]
    pets_allowed: bool
    accepts_children: bool
    max_children: int
    nightly_cost_sek: int
    places: int
    family_rooms: list[int]
    free_places: int
    free_family_rooms: list[int]
    fits_in: Literal["family_room", "places"]
    ivo_permit_valid_until: SaneDate | None
    ivo_expires_during_stay: bool


class AvailabilityResult(BaseModel):
    starts_at: datetime
    ends_at: datetime
    household_size: int
    requesting_district_id: uuid.UUID | None
    total: int
    units: list[AvailableUnit]


# --- holds and placements -----------------------------------------------------------------------


class HoldCreate(HouseholdSpec):
    unit_id: uuid.UUID
    starts_at: SaneDatetime | None = None
    nights: Nights
    case_id: uuid.UUID | None = None
    request_id: uuid.UUID | None = None
    requesting_district_id: uuid.UUID | None = None
    # A hold for a case is judged by the rule book; a near miss is held only with each
    # broken rule overridden and a reason (the decision records the override again).
    overridden_rules: list[str] = Field(default_factory=list, max_length=15)
    override_reason: str | None = Field(default=None, max_length=2000)
    # The referral the hold of a case sends to the unit's operator.
    expected_arrival_at: SaneDatetime | None = None  # default: the start
    callback_phone: str | None = Field(default=None, max_length=40)


class HoldConfirm(Wire):
    case_id: uuid.UUID
    starts_at: SaneDatetime | None = None
    nights: Nights | None = None


class PlacementCreate(HouseholdSpec):
    unit_id: uuid.UUID
    case_id: uuid.UUID
    starts_at: SaneDatetime
    nights: Nights
    place_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=12)
    request_id: uuid.UUID | None = None
    requesting_district_id: uuid.UUID | None = None
    overridden_rules: list[str] = Field(default_factory=list, max_length=15)
    override_reason: str | None = Field(default=None, max_length=2000)


class HoldRead(BaseModel):
    """Who holds what: visible to all staff, without personal data."""

    group_id: uuid.UUID
    unit_id: uuid.UUID
    unit_name: str
    place_labels: list[str]
    beds: int  # how many persons the held places take
    starts_at: datetime
    ends_at: datetime
    expires_at: datetime | None
    extension_count: int
    can_extend: bool
    status: str
    held_by: str | None
    held_at: datetime
    # The unit's answer to the referral: pending, accepted, declined, confirmed_by_phone,
    # withdrawn (None: a hold without a case, which sends none).
    referral_status: str | None = None


class PlacementRead(BaseModel):
    group_id: uuid.UUID
    unit_id: uuid.UUID
    unit_name: str
    place_labels: list[str]
    case_id: uuid.UUID | None
    starts_at: datetime
    ends_at: datetime


# --- operators' vacancy reports and blocks ------------------------------------------------------


class BlockCreate(Wire):
    """Block places for a period: either the given places or a number of single places."""

    starts_at: SaneDatetime
    ends_at: SaneDatetime
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
    place_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=200)
    count: int | None = Field(default=None, ge=1, le=200, validate_default=True)

    @field_validator("ends_at")
    @classmethod
    def _after_start(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("starts_at")
        if start is not None and value <= start:
            raise ValueError("the end must be after the start")
        return value

    @field_validator("count")
    @classmethod
    def _one_way(cls, value: int | None, info: ValidationInfo) -> int | None:
        if (value is None) == (info.data.get("place_ids") is None):
            raise ValueError("give either the places to block or how many, not both or neither")
        return value


class BlockRead(BaseModel):
    group_id: uuid.UUID
    unit_id: uuid.UUID
    place_labels: list[str]
    starts_at: datetime
    ends_at: datetime
    reason: str | None
    created_at: datetime
    created_by: str | None


class VacancyReportCreate(Wire):
    free_places: int = Field(ge=0, le=500)
    free_family_rooms: int = Field(default=0, ge=0, le=200)
    note: str | None = Field(default=None, max_length=300)


class VacancyReportRead(BaseModel):
    id: uuid.UUID
    unit_id: uuid.UUID
    reported_at: datetime
    reported_by: str | None
    free_places: int
    free_family_rooms: int
    note: str | None
    # What Boendekedjan itself counts as free now, and whether the two agree.
    counted_free_places: int | None = None
    counted_free_family_rooms: int | None = None
    message: str | None = None
    # A lower report: how many places and family rooms are now held as external occupancy.
    external_places: int = 0
    external_family_rooms: int = 0
    # A higher report: flagged for the coordinator, not applied.
    above_computed: bool = False


class IvoPermitRead(BaseModel):
    unit_id: uuid.UUID
    unit_name: str
    operator_name: str
    district_name: str
    valid_until: SaneDate | None
    days_left: int | None
    status: Literal["expiring", "expired", "missing"]
