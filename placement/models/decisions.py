"""Decisions (one per adult and one per child), follow-ups, hand-overs, reminders, inbox."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from placement.models.base import (
    UUIDModel,
    created_at_field,
    enum_field,
    fk,
    jsonb_field,
    str_array_field,
    text_field,
    tz_field,
)
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


class Decision(UUIDModel, table=True):
    """A grant for one person (the adult, or one child) over [starts_at, ends_at).

    ``ended_at`` cuts the period short (an ending or a move); the ``decision_no_overlap``
    trigger (migration 0003) refuses two non-cancelled decisions for one person whose
    periods overlap, whatever code writes them.
    """

    __tablename__ = "decision"
    __table_args__ = (
        sa.CheckConstraint("starts_at < ends_at", name="period_order"),
        # The due list's court deadlines start from these few rows (migration 0023).
        sa.Index(
            "ix_decision_court_pending",
            "court_submission_due_at",
            postgresql_where=sa.text(
                "legal_basis = 'lpsb_immediate' AND court_submitted_at IS NULL"
            ),
        ),
        # The due list's decisions ending or run out (migration 0025).
        sa.Index(
            "ix_decision_current_ends",
            "ends_at",
            postgresql_where=sa.text("status IN ('active', 'lapsed')"),
        ),
    )

    case_id: uuid.UUID = fk("case.id")
    child_id: uuid.UUID | None = fk("child.id", nullable=True)  # None: the adult's decision
    unit_id: uuid.UUID | None = fk("unit.id", nullable=True)
    booking_group_id: uuid.UUID | None = Field(default=None, index=True)
    measure: UnitKind = enum_field(UnitKind)
    legal_basis: LegalBasis = enum_field(LegalBasis)
    consent_status: ConsentStatus = enum_field(ConsentStatus)
    status: DecisionStatus = enum_field(DecisionStatus, default=DecisionStatus.active, index=True)
    starts_at: datetime = tz_field()
    ends_at: datetime = tz_field(index=True)
    decided_at: datetime = tz_field()
    decided_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    decided_role: Role = enum_field(Role)
    outside_office_hours: bool = False
    reason: str | None = text_field()
    renews_decision_id: uuid.UUID | None = fk("decision.id", nullable=True)
    # LPSB immediate decisions must reach the administrative court in time or they lapse.
    court_submission_due_at: datetime | None = tz_field(default=None, nullable=True)
    court_submitted_at: datetime | None = tz_field(default=None, nullable=True)
    # The administrative court's answer; "not_confirmed" ends the child's decision.
    court_outcome: CourtOutcome | None = enum_field(CourtOutcome, default=None, nullable=True)
    court_decided_at: datetime | None = tz_field(default=None, nullable=True)
    # When the decision stopped being valid without an ending: run out unrenewed, or an
    # immediate LPSB decision never submitted to the court (status ``lapsed``).
    lapsed_at: datetime | None = tz_field(default=None, nullable=True)
    # A child's decision: a short assessment of the child's own needs (school or preschool,
    # Lärteamet). Free text about a person: shown on the case page, never logged.
    assessment_note: str | None = text_field()
    ended_at: datetime | None = tz_field(default=None, nullable=True)
    outcome: Outcome | None = enum_field(Outcome, default=None, nullable=True)
    secure_permanent_housing: bool | None = None
    stay_end: StayEnd | None = enum_field(StayEnd, default=None, nullable=True)
    contract_months: int | None = Field(default=None, ge=0, le=1200)
    overridden_rules: list[str] = str_array_field()
    override_reason: str | None = text_field()
    optimization_run_id: uuid.UUID | None = fk("optimization_run.id", nullable=True, index=False)
    created_at: datetime = created_at_field()


class FollowUp(UUIDModel, table=True):
    __tablename__ = "follow_up"
    # The due list's open follow-ups (migration 0025).
    __table_args__ = (
        sa.Index("ix_follow_up_open_due", "due_at", postgresql_where=sa.text("done_at IS NULL")),
    )

    case_id: uuid.UUID = fk("case.id")
    decision_id: uuid.UUID = fk("decision.id")
    kind: FollowUpKind = enum_field(FollowUpKind)
    due_at: datetime = tz_field(index=True)
    done_at: datetime | None = tz_field(default=None, nullable=True)
    done_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    note: str | None = text_field()  # what the follow-up found, written when marked done


class Handover(UUIDModel, table=True):
    """Socialjouren hands a case back to the responsible district on the next working day."""

    __tablename__ = "handover"
    # The due list's hand-overs not yet acknowledged (migration 0025).
    __table_args__ = (
        sa.Index(
            "ix_handover_open_due", "due_at", postgresql_where=sa.text("acknowledged_at IS NULL")
        ),
    )

    case_id: uuid.UUID = fk("case.id")
    decision_id: uuid.UUID | None = fk("decision.id", nullable=True)
    to_district_id: uuid.UUID = fk("district.id", index=False)
    created_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    created_at: datetime = tz_field()
    due_at: datetime = tz_field(index=True)
    acknowledged_at: datetime | None = tz_field(default=None, nullable=True)
    acknowledged_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)


class Reminder(UUIDModel, table=True):
    """A due item created by a scheduler sweep. ``key`` is unique: sweeps are idempotent."""

    __tablename__ = "reminder"
    # Sweeps look up "is there already a reminder for this item" by kind and subject.
    __table_args__ = (sa.Index("ix_reminder_kind_subject_id", "kind", "subject_id"),)

    key: str = Field(max_length=200, unique=True)
    kind: ReminderKind = enum_field(ReminderKind, index=True)
    case_id: uuid.UUID | None = fk("case.id", nullable=True)
    subject_id: uuid.UUID | None = None  # the decision, follow-up, hand-over, hold, ...
    district_id: uuid.UUID | None = fk("district.id", nullable=True)
    user_id: uuid.UUID | None = fk("user_account.id", nullable=True)
    due_at: datetime = tz_field(index=True)
    created_at: datetime = tz_field()
    escalated: bool = False
    resolved_at: datetime | None = tz_field(default=None, nullable=True)


class Notification(UUIDModel, table=True):
    """An inbox line for a user or a team (district), and optionally an e-mail to send."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.UniqueConstraint("reminder_id", "channel", "recipient_key", name="uq_notification_once"),
        sa.Index("ix_notification_recipient_key", "recipient_key", "channel"),
    )

    reminder_id: uuid.UUID | None = fk("reminder.id", nullable=True)
    channel: str = Field(max_length=16)  # inbox | email
    recipient_key: str = Field(max_length=80)  # "user:<id>" or "team:<district id>"
    user_id: uuid.UUID | None = fk("user_account.id", nullable=True)
    district_id: uuid.UUID | None = fk("district.id", nullable=True)
    case_number: str | None = Field(default=None, max_length=32)
    kind: str = Field(max_length=40)
    created_at: datetime = tz_field()
    read_at: datetime | None = tz_field(default=None, nullable=True)
    sent_at: datetime | None = tz_field(default=None, nullable=True)


class OptimizationRun(UUIDModel, table=True):
    """A matcher run as data: inputs, status, objective and proposals."""

    __tablename__ = "optimization_run"

    mode: str = Field(max_length=20)
    created_at: datetime = tz_field()
    created_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    status: str = Field(max_length=30)
    objective: float | None = None
    best_bound: float | None = None
    gap: float | None = None
    wall_time_ms: int | None = None
    inputs: dict[str, object] | None = jsonb_field()
    proposals: dict[str, object] | None = jsonb_field()
