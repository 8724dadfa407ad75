"""Wire models, one set per audience. Tables never go on the wire.

``Agency*`` models are what the housing agency receives. They are built from an explicit list
of fields and forbid extras, so no social-file data (risk, decisions, units, addresses, where the
household lives now, the case's district) can be put in them by mistake. ``Handler*`` models add
what only the case's handler may see (the case id, the debt note whatever the consent).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from placement.bounds import SaneDate
from placement.models.enums import LandlordAnswer, OfferResponse, PriorityStatus, Role

Age = Annotated[int, Field(ge=0, le=25)]
Code = Annotated[str, Field(min_length=1, max_length=64)]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- inputs -----------------------------------------------------------------------------------


class ApplicationCreate(BaseModel):
    """None means: take it from the case (household, wheelchair need, exclusion areas)."""

    case_id: uuid.UUID
    adults: int | None = Field(default=None, ge=1, le=2)
    children_ages: list[Age] | None = Field(default=None, max_length=12)
    avoid_district_codes: list[Code] | None = Field(default=None, max_length=60)
    needed_district_codes: list[Code] | None = Field(default=None, max_length=60)
    needs_wheelchair: bool | None = None
    max_rent_sek: int | None = Field(default=None, ge=0, le=100_000)
    debt_obstacle: bool = False
    debt_note: str | None = Field(default=None, max_length=2000)
    consent_to_share: bool = False
    registered_in_city_since: SaneDate | None = None
    able_to_live_independently: bool | None = None
    no_other_solution: bool | None = None


class ApplicationUpdate(BaseModel):
    """Only the fields sent are changed."""

    adults: int | None = Field(default=None, ge=1, le=2)
    children_ages: list[Age] | None = Field(default=None, max_length=12)
    avoid_district_codes: list[Code] | None = Field(default=None, max_length=60)
    needed_district_codes: list[Code] | None = Field(default=None, max_length=60)
    needs_wheelchair: bool | None = None
    max_rent_sek: int | None = Field(default=None, ge=0, le=100_000)
    debt_obstacle: bool | None = None
    debt_note: str | None = Field(default=None, max_length=2000)
    consent_to_share: bool | None = None
    registered_in_city_since: SaneDate | None = None
    able_to_live_independently: bool | None = None
    no_other_solution: bool | None = None


class StatusChangeIn(BaseModel):
    to_status: PriorityStatus
    reason: str | None = Field(default=None, max_length=2000)


class CertificateCreate(BaseModel):
    supports: str = Field(min_length=10, max_length=8000)


class CertificateRequestIn(BaseModel):
    reason: str = Field(min_length=5, max_length=2000)


class OverrideIn(BaseModel):
    check: Literal["two_year_registration", "independent_living", "no_other_solution"]
    reason: str = Field(min_length=10, max_length=2000)


class CriterionIn(BaseModel):
    """The agency's assessment of the priority criterion: met or not, and why (required)."""

    met: bool
    reason: str | None = Field(default=None, max_length=2000)


class AppealCreate(BaseModel):
    grounds: str = Field(min_length=10, max_length=8000)


class CommitteeDecisionIn(BaseModel):
    outcome: Literal["approved", "rejected"]
    reason: str = Field(min_length=3, max_length=2000)


class MeetingCreate(BaseModel):
    meets_on: SaneDate


class FlatCreate(BaseModel):
    reference: str = Field(min_length=1, max_length=40)
    district_code: str = Field(min_length=1, max_length=64)
    rooms: int = Field(ge=1, le=10)
    size_sqm: int = Field(ge=10, le=400)
    rent_sek: int = Field(ge=0, le=100_000)
    wheelchair_accessible: bool = False
    landlord: str = Field(min_length=1, max_length=120)
    available_from: SaneDate


class OfferCreate(BaseModel):
    application_id: uuid.UUID


class OfferResponseIn(BaseModel):
    accepted: bool
    reason: str | None = Field(default=None, max_length=2000)


class ContractIn(BaseModel):
    signed_on: SaneDate


class LandlordIn(BaseModel):
    """The landlord's answer about the tenant: asked, then approved or refused (reason)."""

    answer: Literal["asked", "approved", "refused"]
    reason: str | None = Field(default=None, max_length=2000)


class MessageCreate(BaseModel):
    body: str = Field(min_length=1, max_length=4000)


# --- outputs shared by both audiences ---------------------------------------------------------


class EligibilityCheckRead(_Out):
    code: str
    label: str
    result: Literal["passed", "failed", "unknown"]
    detail: str
    overridden: bool
    override_reason: str | None
    overridden_at: datetime | None
    overridden_by: str | None


class CriterionRead(_Out):
    """The priority criterion (strong medical or social needs or extremely urgent
    circumstances) as the agency last assessed it; ``assessed`` False: not yet."""

    code: str
    label: str
    assessed: bool
    met: bool | None = None
    reason: str | None = None  # None only for an assessment backfilled by migration 0017
    assessed_by: str | None = None
    assessed_at: datetime | None = None
    backfilled: bool = False


class CertificateRead(_Out):
    id: uuid.UUID
    written_by: str | None
    written_at: datetime
    supports: str


class BlockedStepRead(_Out):
    """A plain status step open by the status machine that cannot be taken yet, and why."""

    status: PriorityStatus
    # priority.steps: no_certificate, criterion_not_assessed, criterion_not_met, checks_unmet,
    # appeal_not_approved (a status may be listed once for each reason)
    code: str
    checks: list[str] = []  # for checks_unmet: the eligibility checks not met


class StatusChangeRead(_Out):
    from_status: PriorityStatus | None
    to_status: PriorityStatus
    changed_by: str | None
    changed_role: Role
    changed_at: datetime
    reason: str | None  # in English when the system wrote it (see reason_key)
    # When the system wrote the reason: its catalog message id and blanks, for the pages.
    reason_key: str | None = None
    reason_params: dict[str, str] = {}


class AppealRead(_Out):
    id: uuid.UUID
    meeting_id: uuid.UUID
    meets_on: SaneDate
    papers_due_on: SaneDate
    filed_at: datetime
    grounds: str | None
    outcome: str | None
    decided_at: datetime | None


class FlatRead(_Out):
    id: uuid.UUID
    reference: str
    district_code: str
    district_name: str
    rooms: int
    size_sqm: int
    rent_sek: int
    wheelchair_accessible: bool
    landlord: str
    available_from: SaneDate
    registered_at: datetime
    status: str


class OfferRead(_Out):
    id: uuid.UUID
    application_id: uuid.UUID
    flat: FlatRead
    offered_at: datetime
    response: OfferResponse
    responded_at: datetime | None
    decline_reason: str | None
    contract_signed_on: SaneDate | None
    landlord_answer: LandlordAnswer = LandlordAnswer.not_asked
    landlord_asked_at: datetime | None = None
    landlord_answered_at: datetime | None = None
    landlord_reason: str | None = None


class MessageRead(_Out):
    id: uuid.UUID
    author: str | None
    author_role: Role
    body: str
    created_at: datetime


class MeetingRead(_Out):
    id: uuid.UUID
    meets_on: SaneDate
    papers_due_on: SaneDate
    appeals: int


class _ApplicationFields(_Out):
    id: uuid.UUID
    case_number: str
    status: PriorityStatus
    adults: int
    children_ages: list[int]
    household_size: int
    avoid_district_codes: list[str]
    needed_district_codes: list[str]
    needs_wheelchair: bool
    max_rent_sek: int | None
    consent_to_share: bool
    registered_in_city_since: SaneDate | None
    able_to_live_independently: bool | None
    no_other_solution: bool | None
    criterion: CriterionRead
    eligibility: list[EligibilityCheckRead]
    certificates: list[CertificateRead]
    history: list[StatusChangeRead]
    appeals: list[AppealRead]
    offers: list[OfferRead]
    next_statuses: list[PriorityStatus]
    blocked_statuses: list[BlockedStepRead] = []
    created_at: datetime
    updated_at: datetime | None


# --- the housing agency -----------------------------------------------------------------------


class AgencyApplicationRead(_ApplicationFields):
    debt_obstacle: bool | None  # None: the applicant has not consented to share it
    debt_note: str | None


class AgencyApplicationSummary(_Out):
    id: uuid.UUID
    case_number: str
    status: PriorityStatus
    household_size: int
    adults: int
    children_ages: list[int]
    avoid_district_codes: list[str]
    needed_district_codes: list[str]
    needs_wheelchair: bool
    created_at: datetime
    updated_at: datetime | None


class RuleRead(_Out):
    code: str
    text: str


class ProposalRead(_Out):
    application: AgencyApplicationSummary
    eligible: bool
    rank: int | None
    score: int | None
    failed_rules: list[RuleRead]
    reasons: list[str]


class FlatProposalsRead(_Out):
    flat: FlatRead
    proposals: list[ProposalRead]
    matcher: str  # "optimizer" or "rules" (the optimizer was not available)


class PapersItem(_Out):
    appeal: AppealRead
    application: AgencyApplicationRead


class MeetingPapersRead(_Out):
    meeting: MeetingRead
    items: list[PapersItem]


# --- the case's handler -----------------------------------------------------------------------


class HandlerApplicationRead(_ApplicationFields):
    case_id: uuid.UUID
    debt_obstacle: bool
    debt_note: str | None


class HandlerApplicationSummary(_Out):
    id: uuid.UUID
    case_id: uuid.UUID
    case_number: str
    status: PriorityStatus
    household_size: int
    created_at: datetime
    updated_at: datetime | None
