"""People, cases, children, needs, risk assessments, exclusion areas and placement requests."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

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
    CasePhase,
    CaseStatus,
    ExclusionKind,
    Gender,
    MellanboStatus,
    Outcome,
    ProtectedIdentity,
    RequestStatus,
    RiskInstrument,
    RiskLevel,
    SchoolingKind,
    StayEnd,
    SubstanceUse,
)


class Person(UUIDModel, table=True):
    """Identifying data, encrypted at rest (placement.crypto). Never logged, never in URLs."""

    __tablename__ = "person"

    name_ciphertext: str | None = text_field()
    personal_number_ciphertext: str | None = text_field()
    contact_ciphertext: str | None = text_field()
    gender: Gender = enum_field(Gender)
    # None: the age is not known (placement.cases.intake).
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    protected_identity: ProtectedIdentity = enum_field(
        ProtectedIdentity, default=ProtectedIdentity.none
    )
    # The district whose RVT may see this person (row-level security needs a row-local
    # value: the person row is written before the case row that refers to it).
    scope_district_id: uuid.UUID | None = fk("district.id", nullable=True)
    created_at: datetime = created_at_field()


class Case(UUIDModel, table=True):
    """One adult's matter. ``case_number`` is the pseudonym used everywhere outside the file."""

    __tablename__ = "case"

    case_number: str = Field(max_length=32, unique=True, index=True)
    person_id: uuid.UUID = fk("person.id")
    responsible_district_id: uuid.UUID = fk("district.id")
    handler_id: uuid.UUID | None = fk("user_account.id", nullable=True)
    status: CaseStatus = enum_field(CaseStatus, default=CaseStatus.open, index=True)
    phase: CasePhase = enum_field(CasePhase, default=CasePhase.acute)
    adults: int = Field(default=1, ge=1, le=2)
    # Needs (shared/domain.md: target groups).
    substance_use: SubstanceUse = enum_field(SubstanceUse, default=SubstanceUse.none)
    needs_wheelchair: bool = False
    honour_context: bool = False
    languages: list[str] = str_array_field()
    has_pets: bool = False
    preferred_district_codes: list[str] = str_array_field()
    opened_at: datetime = tz_field()
    closed_at: datetime | None = tz_field(default=None, nullable=True)
    outcome: Outcome | None = enum_field(Outcome, default=None, nullable=True)
    secure_permanent_housing: bool | None = None
    stay_end: StayEnd | None = enum_field(StayEnd, default=None, nullable=True)
    contract_months: int | None = Field(default=None, ge=0, le=1200)
    # Pseudonymous link between cases of one person (placement.cases.person_link): a keyed
    # hash of the personal identity number, or the link of an earlier case named at intake.
    # Only statistics compare it; it never leaves the database.
    person_link: str | None = Field(default=None, max_length=80, index=True)
    earlier_case_id: uuid.UUID | None = fk("case.id", nullable=True, index=False)
    created_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    created_at: datetime = created_at_field()


class MellanboReferral(UUIDModel, table=True):
    """A referral of a household to SHIS mellanbo: referred, then granted or declined."""

    __tablename__ = "mellanbo_referral"

    case_id: uuid.UUID = fk("case.id")
    status: MellanboStatus = enum_field(
        MellanboStatus, default=MellanboStatus.referred, name="referralstatus"
    )
    referred_at: datetime = tz_field(index=True)
    referred_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    decided_at: datetime | None = tz_field(default=None, nullable=True)
    decided_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)


class Child(UUIDModel, table=True):
    __tablename__ = "child"

    case_id: uuid.UUID = fk("case.id")
    pseudonym: str = Field(max_length=40)  # e.g. "Barn 1"; names live encrypted in Person
    person_id: uuid.UUID | None = fk("person.id", nullable=True)
    gender: Gender = enum_field(Gender)
    birth_date: date
    school_district_id: uuid.UUID | None = fk("district.id", nullable=True, index=False)
    schooling_started_on: date | None = None
    schooling_kind: SchoolingKind | None = enum_field(SchoolingKind, default=None, nullable=True)


class RiskAssessment(UUIDModel, table=True):
    __tablename__ = "risk_assessment"

    case_id: uuid.UUID = fk("case.id")
    instrument: RiskInstrument = enum_field(RiskInstrument)
    level: RiskLevel = enum_field(RiskLevel)
    assessed_at: datetime = tz_field(index=True)
    assessed_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    # An assessment stays in force until it is superseded on purpose, with a reason: a later
    # FREDA "low" does not cancel a PATRIARK "high" (placement.cases.risk).
    superseded_at: datetime | None = tz_field(default=None, nullable=True)
    superseded_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    superseded_reason: str | None = text_field()


class ExclusionArea(UUIDModel, table=True):
    __tablename__ = "exclusion_area"
    __table_args__ = (sa.UniqueConstraint("case_id", "district_id", "kind"),)

    case_id: uuid.UUID = fk("case.id")
    district_id: uuid.UUID = fk("district.id", index=False)
    kind: ExclusionKind = enum_field(ExclusionKind)


class PlacementRequest(UUIDModel, table=True):
    """An open need for a place: what the matcher's 'now' and 'joint plan' modes work on."""

    __tablename__ = "placement_request"
    __table_args__ = (sa.CheckConstraint("nights >= 1", name="nights_positive"),)

    case_id: uuid.UUID = fk("case.id")
    requesting_district_id: uuid.UUID = fk("district.id", index=False)
    status: RequestStatus = enum_field(RequestStatus, default=RequestStatus.open, index=True)
    starts_at: datetime = tz_field()
    nights: int = Field(ge=1, le=365)
    requested_at: datetime = tz_field()
    created_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
