"""Wire models for decisions, follow-ups, hand-overs, due items and the inbox."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from placement.bounds import SaneDatetime
from placement.models.enums import (
    ConsentStatus,
    CourtOutcome,
    DecisionStatus,
    FollowUpKind,
    LegalBasis,
    Outcome,
    ReminderKind,
    Role,
    StayEnd,
    UnitKind,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChildDecisionIn(Strict):
    """One accompanying child's own decision (SoL 6 ch. 1 a §, since 1 April 2024).

    ``legal_basis`` has no default on purpose: a child's decision without one is refused.
    """

    child_id: uuid.UUID
    legal_basis: LegalBasis | None = None
    consent_status: ConsentStatus
    # The child's own needs: school or preschool, Lärteamet (required for a new placement).
    assessment_note: str | None = Field(default=None, max_length=2000)


class PlacementRules(Strict):
    """Rules given up on purpose, with the reason (recorded on every decision)."""

    overridden_rules: list[str] = Field(default_factory=list, max_length=10)
    override_reason: str | None = Field(default=None, max_length=2000)


class GrantCreate(PlacementRules):
    """Grant a placement to the household: a unit directly, or a held place (hold_group_id)."""

    unit_id: uuid.UUID | None = None
    hold_group_id: uuid.UUID | None = None
    starts_at: SaneDatetime | None = None  # default: now
    ends_at: SaneDatetime | None = None  # default: start + the district's decision length
    children: list[ChildDecisionIn] = Field(default_factory=list, max_length=12)
    request_id: uuid.UUID | None = None
    reason: str | None = Field(default=None, max_length=4000)


class RenewCreate(PlacementRules):
    """Continue the household's decisions from exactly where they end."""

    ends_at: SaneDatetime | None = None  # default: previous end + the decision length
    # A child's legal basis may change at renewal (e.g. after the court's ruling).
    children: list[ChildDecisionIn] = Field(default_factory=list, max_length=12)
    reason: str | None = Field(default=None, max_length=4000)


class MoveCreate(PlacementRules):
    unit_id: uuid.UUID | None = None
    hold_group_id: uuid.UUID | None = None
    at: SaneDatetime | None = None  # default: now
    ends_at: SaneDatetime | None = None
    children: list[ChildDecisionIn] = Field(default_factory=list, max_length=12)
    reason: str | None = Field(default=None, max_length=4000)


class EndCreate(Strict):
    outcome: Outcome
    stay_end: StayEnd = StayEnd.completed
    # The next home's contract, in months (housing outcomes only); 6 or more is secure.
    contract_months: int | None = Field(default=None, ge=0, le=1200)
    at: SaneDatetime | None = None  # default: now
    reason: str | None = Field(default=None, max_length=4000)


class CourtSubmissionIn(Strict):
    submitted_at: SaneDatetime | None = None  # default: now


class FollowUpDone(Strict):
    done_at: SaneDatetime | None = None  # default: now
    note: str | None = Field(default=None, max_length=2000)  # what the follow-up found


class CourtAnswerIn(Strict):
    outcome: CourtOutcome
    decided_at: SaneDatetime | None = None  # default: now


class DecisionRead(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID | None
    unit_id: uuid.UUID | None
    booking_group_id: uuid.UUID | None
    measure: UnitKind
    legal_basis: LegalBasis
    consent_status: ConsentStatus
    status: DecisionStatus
    starts_at: datetime
    ends_at: datetime
    ended_at: datetime | None
    decided_at: datetime
    decided_by_id: uuid.UUID | None
    decided_role: Role
    outside_office_hours: bool
    reason: str | None
    renews_decision_id: uuid.UUID | None
    court_submission_due_at: datetime | None
    court_submitted_at: datetime | None
    outcome: Outcome | None
    secure_permanent_housing: bool | None
    overridden_rules: list[str]
    override_reason: str | None
    court_outcome: str | None = None
    court_decided_at: datetime | None = None
    lapsed_at: datetime | None = None
    assessment_note: str | None = None


class FollowUpRead(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    decision_id: uuid.UUID
    kind: FollowUpKind
    due_at: datetime
    done_at: datetime | None
    done_by_id: uuid.UUID | None
    note: str | None = None


class HandoverRead(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    case_number: str
    decision_id: uuid.UUID | None
    to_district_id: uuid.UUID
    created_at: datetime
    due_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by_id: uuid.UUID | None


class PlacementResult(BaseModel):
    """What a grant, renewal or move produced, in one answer."""

    decisions: list[DecisionRead]
    follow_ups: list[FollowUpRead]
    handover: HandoverRead | None
    booking_ids: list[uuid.UUID]


class CaseDecisions(BaseModel):
    decisions: list[DecisionRead]
    follow_ups: list[FollowUpRead]
    handovers: list[HandoverRead]


class DueItem(BaseModel):
    kind: ReminderKind
    case_id: uuid.UUID | None
    case_number: str | None
    subject_id: uuid.UUID
    due_at: datetime
    overdue: bool
    escalated: bool = False
    label: str
    # What the lists call it: the reminder kind, except that a follow-up whose date has not
    # come yet is "due", not "overdue" (the reminder kind is named for when it fires).
    what: str = ""


class NotificationRead(BaseModel):
    id: uuid.UUID
    kind: str
    case_number: str | None
    recipient_key: str
    created_at: datetime
    read_at: datetime | None
    label: str


class CalendarTokenRead(BaseModel):
    """Shown once: the feed URL holds the secret; only its digest is stored."""

    url: str
