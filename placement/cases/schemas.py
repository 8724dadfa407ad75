"""Wire models for cases. Tables never go on the wire; names never appear in lists."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from placement.bounds import SaneDate, SaneDatetime
from placement.models.enums import (
    CasePhase,
    CaseStatus,
    ExclusionKind,
    Gender,
    Outcome,
    ProtectedIdentity,
    RequestStatus,
    RiskInstrument,
    RiskLevel,
    SchoolingKind,
    SubstanceUse,
)

LANGUAGE = r"^[a-z]{2,3}$"
DISTRICT_CODE = r"^[a-z0-9-]{2,64}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonIn(Strict):
    """The adult. Every identifying field is optional: the case number is the pseudonym."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    personal_number: str | None = Field(default=None, min_length=10, max_length=13)
    contact: str | None = Field(default=None, max_length=300)
    gender: Gender
    # None (or left out): the age is not known; shown so, never as a guessed year.
    birth_year: int | None = Field(default=None, ge=1900, le=2100)

    @model_validator(mode="after")
    def _adult_gender(self) -> PersonIn:
        if self.gender == Gender.not_stated:
            raise ValueError("the adult's gender is needed: the units' rules depend on it")
        return self


class ChildCreate(Strict):
    """A child: a birth date, or an age in whole years when the date is not known yet."""

    pseudonym: str | None = Field(default=None, min_length=1, max_length=40)
    gender: Gender  # Gender.not_stated when the officer did not say
    birth_date: SaneDate | None = None
    age: int | None = Field(default=None, ge=0, le=17)
    school_district_code: str | None = Field(default=None, pattern=DISTRICT_CODE)

    @model_validator(mode="after")
    def _birth_date_or_age(self) -> ChildCreate:
        if (self.birth_date is None) == (self.age is None):
            raise ValueError("give either birth_date or age for each child")
        return self


class ChildUpdate(Strict):
    schooling_started_on: SaneDate | None = None
    schooling_kind: SchoolingKind | None = None
    school_district_code: str | None = Field(default=None, pattern=DISTRICT_CODE)


class ExclusionAreaIn(Strict):
    district_code: str = Field(pattern=DISTRICT_CODE)
    kind: ExclusionKind


class RiskAssessmentIn(Strict):
    instrument: RiskInstrument
    level: RiskLevel
    assessed_at: SaneDatetime | None = None  # default: now


class RiskSupersede(Strict):
    reason: str = Field(min_length=1, max_length=1000)


class Needs(Strict):
    substance_use: SubstanceUse = SubstanceUse.none
    needs_wheelchair: bool = False
    honour_context: bool = False
    languages: list[str] = Field(default_factory=list, max_length=10)
    has_pets: bool = False
    preferred_district_codes: list[str] = Field(default_factory=list, max_length=30)

    @model_validator(mode="after")
    def _codes(self) -> Needs:
        if any(not re.fullmatch(LANGUAGE, lang) for lang in self.languages):
            raise ValueError("languages are ISO 639 codes such as 'sv' or 'ar'")
        if any(not re.fullmatch(DISTRICT_CODE, c) for c in self.preferred_district_codes):
            raise ValueError("preferred_district_codes are district codes such as 'farsta'")
        return self


class CaseCreate(Strict):
    case_number: str | None = Field(default=None, min_length=3, max_length=32)
    responsible_district_id: uuid.UUID
    handler_id: uuid.UUID | None = None
    protected_identity: ProtectedIdentity = ProtectedIdentity.none
    phase: CasePhase = CasePhase.acute
    adults: int = Field(default=1, ge=1, le=2)
    person: PersonIn
    needs: Needs = Field(default_factory=Needs)
    children: list[ChildCreate] = Field(default_factory=list, max_length=12)
    exclusion_areas: list[ExclusionAreaIn] = Field(default_factory=list, max_length=40)
    risk_assessments: list[RiskAssessmentIn] = Field(default_factory=list, max_length=20)
    # For a person without a personal identity number: the case number of an earlier case of
    # the same person, so that a return counts as re-actualised (never shown in statistics).
    earlier_case_number: str | None = Field(default=None, min_length=3, max_length=32)


class CaseUpdate(Strict):
    handler_id: uuid.UUID | None = None
    protected_identity: ProtectedIdentity | None = None
    phase: CasePhase | None = None
    adults: int | None = Field(default=None, ge=1, le=2)
    needs: Needs | None = None


class PlacementRequestCreate(Strict):
    starts_at: SaneDatetime | None = None  # default: now
    nights: int = Field(default=14, ge=1, le=365)


class ChildRead(BaseModel):
    id: uuid.UUID
    pseudonym: str
    gender: Gender
    birth_date: SaneDate
    age: int
    school_district_id: uuid.UUID | None
    schooling_started_on: SaneDate | None
    schooling_kind: SchoolingKind | None = None
    # Days from the child's first placement to the start of schooling (goal: at most 7).
    schooling_days_after_placement: int | None


class ExclusionAreaRead(BaseModel):
    id: uuid.UUID
    district_id: uuid.UUID
    district_code: str
    kind: ExclusionKind


class RiskAssessmentRead(BaseModel):
    id: uuid.UUID
    instrument: RiskInstrument
    level: RiskLevel
    assessed_at: datetime
    assessed_by_id: uuid.UUID | None
    superseded_at: datetime | None = None
    superseded_reason: str | None = None


class PlacementRequestRead(BaseModel):
    id: uuid.UUID
    status: RequestStatus
    starts_at: datetime
    nights: int
    requested_at: datetime
    requesting_district_id: uuid.UUID


class CaseSummary(BaseModel):
    id: uuid.UUID
    case_number: str
    status: CaseStatus
    phase: CasePhase
    responsible_district_id: uuid.UUID
    handler_id: uuid.UUID | None
    protected_identity: ProtectedIdentity
    current_risk_level: RiskLevel | None
    opened_at: datetime


class CaseRead(CaseSummary):
    adults: int
    gender: Gender
    birth_year: int | None  # None: the age is not known
    needs: Needs
    children: list[ChildRead]
    exclusion_areas: list[ExclusionAreaRead]
    risk_assessments: list[RiskAssessmentRead]
    # An honour case with no PATRIARK assessment in force.
    honour_without_patriark: bool = False
    placement_requests: list[PlacementRequestRead]
    closed_at: datetime | None
    outcome: Outcome | None
    secure_permanent_housing: bool | None


class IdentityRead(BaseModel):
    """Decrypted identifying fields: a separate, audited request (action ``reveal``)."""

    case_id: uuid.UUID
    name: str | None
    personal_number: str | None
    contact: str | None
