"""Housing-queue priority applications, certificates, the committee, watches and flat offers."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from placement.models.base import (
    UUIDModel,
    enum_field,
    fk,
    int_array_field,
    jsonb_field,
    str_array_field,
    text_field,
    tz_field,
)
from placement.models.enums import LandlordAnswer, OfferResponse, PriorityStatus, Role


class PriorityApplication(UUIDModel, table=True):
    __tablename__ = "priority_application"
    __table_args__ = (
        # One application at a time per case: a closed one may be followed by a new one.
        sa.Index(
            "uq_priority_application_open_case",
            "case_id",
            unique=True,
            postgresql_where=sa.text("status <> 'closed'"),
        ),
    )

    case_id: uuid.UUID = fk("case.id")
    status: PriorityStatus = enum_field(PriorityStatus, default=PriorityStatus.draft, index=True)
    adults: int = Field(default=1, ge=1, le=2)
    children_ages: list[int] = int_array_field()
    avoid_district_codes: list[str] = str_array_field()
    needed_district_codes: list[str] = str_array_field()
    needs_wheelchair: bool = False
    max_rent_sek: int | None = Field(default=None, ge=0)
    debt_obstacle: bool = False
    debt_note_ciphertext: str | None = text_field()  # shown to the agency only with consent
    consent_to_share: bool = False
    registered_in_city_since: date | None = None
    able_to_live_independently: bool | None = None
    no_other_solution: bool | None = None
    eligibility_overrides: list[str] = str_array_field()
    eligibility_override_reason: str | None = text_field()
    created_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    created_at: datetime = tz_field()
    updated_at: datetime | None = tz_field(default=None, nullable=True)

    @property
    def household_size(self) -> int:
        return self.adults + len(self.children_ages)


class PriorityStatusChange(UUIDModel, table=True):
    __tablename__ = "priority_status_change"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "seq", name="uq_priority_status_change_seq"),
    )

    application_id: uuid.UUID = fk("priority_application.id")
    # 1, 2, 3 ... per application: the history's order even when two steps share a timestamp.
    seq: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    from_status: PriorityStatus | None = enum_field(
        PriorityStatus, default=None, nullable=True, name="from_status"
    )
    to_status: PriorityStatus = enum_field(PriorityStatus, name="to_status")
    changed_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    changed_role: Role = enum_field(Role)
    changed_at: datetime = tz_field()
    reason: str | None = text_field()
    # Set when the system wrote the reason: ``reason`` is then a catalog message id with
    # ``{name}`` blanks filled from these, so each reader sees it in their own language.
    reason_params: dict[str, object] | None = jsonb_field()


class Certificate(UUIDModel, table=True):
    """Social services' supporting statement (intyg)."""

    __tablename__ = "certificate"

    application_id: uuid.UUID = fk("priority_application.id")
    written_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    written_at: datetime = tz_field()
    supports: str = Field(sa_column=sa.Column(sa.Text, nullable=False))


class PriorityCommitteeMeeting(UUIDModel, table=True):
    __tablename__ = "priority_committee_meeting"
    __table_args__ = (
        sa.CheckConstraint("papers_due_on <= meets_on", name="papers_before_meeting"),
    )

    meets_on: date = Field(unique=True, index=True)
    papers_due_on: date


class PriorityAppeal(UUIDModel, table=True):
    __tablename__ = "priority_appeal"
    __table_args__ = (
        # At most one undecided appeal per application.
        sa.Index(
            "uq_priority_appeal_pending",
            "application_id",
            unique=True,
            postgresql_where=sa.text("outcome IS NULL"),
        ),
    )

    application_id: uuid.UUID = fk("priority_application.id")
    meeting_id: uuid.UUID = fk("priority_committee_meeting.id")
    filed_at: datetime = tz_field()
    filed_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    grounds: str | None = text_field()
    outcome: str | None = Field(default=None, max_length=20)  # approved | rejected
    decided_at: datetime | None = tz_field(default=None, nullable=True)


class WatchedFlat(UUIDModel, table=True):
    """A flat that came in through the agency's watch (bevakning)."""

    __tablename__ = "watched_flat"

    reference: str = Field(max_length=40, unique=True)
    district_id: uuid.UUID = fk("district.id")
    rooms: int = Field(ge=1, le=10)
    size_sqm: int = Field(ge=10, le=400)
    rent_sek: int = Field(ge=0)
    wheelchair_accessible: bool = False
    landlord: str = Field(max_length=120)
    available_from: date
    registered_at: datetime = tz_field()
    status: str = Field(default="available", max_length=20)  # available | offered | let


class FlatOffer(UUIDModel, table=True):
    __tablename__ = "flat_offer"
    __table_args__ = (
        # A flat is offered to one household at a time, and let to at most one (an accepted
        # offer whose landlord refused the tenant no longer holds the flat).
        sa.Index(
            "uq_flat_offer_open",
            "flat_id",
            unique=True,
            postgresql_where=sa.text(
                "response IN ('pending', 'accepted') AND landlord_answer <> 'refused'"
            ),
        ),
        sa.CheckConstraint(
            "landlord_answer <> 'refused' OR landlord_reason IS NOT NULL",
            name="landlord_refusal_reason",
        ),
    )

    flat_id: uuid.UUID = fk("watched_flat.id")
    application_id: uuid.UUID = fk("priority_application.id")
    offered_at: datetime = tz_field()
    offered_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    response: OfferResponse = enum_field(OfferResponse, default=OfferResponse.pending)
    responded_at: datetime | None = tz_field(default=None, nullable=True)
    decline_reason: str | None = text_field()
    contract_signed_on: date | None = None
    # The landlord must approve the tenant before the offer becomes a contract (debt is the
    # usual obstacle); a refusal keeps its reason.
    landlord_answer: LandlordAnswer = enum_field(LandlordAnswer, default=LandlordAnswer.not_asked)
    landlord_asked_at: datetime | None = tz_field(default=None, nullable=True)
    landlord_answered_at: datetime | None = tz_field(default=None, nullable=True)
    landlord_reason: str | None = text_field()


class PriorityEligibilityOverride(UUIDModel, table=True):
    """The agency's decision to set aside a failed eligibility check, with who, when and why."""

    __tablename__ = "priority_eligibility_override"
    __table_args__ = (
        sa.UniqueConstraint(
            "application_id", "check_code", name="uq_priority_eligibility_override_check"
        ),
    )

    application_id: uuid.UUID = fk("priority_application.id")
    check_code: str = Field(max_length=40)
    reason: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    overridden_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    overridden_role: Role = enum_field(Role)
    overridden_at: datetime = tz_field()


class PriorityCriterionAssessment(UUIDModel, table=True):
    """The agency's assessment of the priority criterion (strong medical or social needs or
    extremely urgent circumstances): met or not met, with a reason. A new assessment is a new
    row; the latest one (highest ``seq``) counts. ``backfilled`` rows were written by migration
    0017 for applications approved before the criterion was recorded (they carry no reason)."""

    __tablename__ = "priority_criterion_assessment"
    __table_args__ = (
        sa.CheckConstraint(
            "backfilled OR (reason IS NOT NULL AND length(btrim(reason)) > 0)",
            name="reason_given",
        ),
        sa.UniqueConstraint("application_id", "seq", name="uq_priority_criterion_assessment_seq"),
    )

    application_id: uuid.UUID = fk("priority_application.id")
    # 1, 2, 3 ... per application: the latest is the highest, even when two share a time.
    seq: int = Field(default=1, sa_column=sa.Column(sa.Integer, nullable=False))
    met: bool
    reason: str | None = text_field()
    assessed_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    assessed_role: Role = enum_field(Role)
    assessed_at: datetime = tz_field()
    backfilled: bool = Field(
        default=False,
        sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()),
    )


class ApplicationMessage(UUIDModel, table=True):
    __tablename__ = "application_message"

    application_id: uuid.UUID = fk("priority_application.id")
    author_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    author_role: Role = enum_field(Role)
    body_ciphertext: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = tz_field()
