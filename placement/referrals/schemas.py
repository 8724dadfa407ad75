"""What the JSON API says of referrals and stays (case number only: never a name, a personal
identity number or an address)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from placement.models import Referral
from placement.models.enums import DeclineReason, ReferralStatus, RiskLevel, SubstanceUse
from placement.referrals.stays import OperatorStays, StayRow


class ReferralRead(BaseModel):
    id: uuid.UUID
    group_id: uuid.UUID
    unit_id: uuid.UUID
    case_number: str
    adults: int
    children_ages: list[int]
    substance_use: SubstanceUse
    needs_wheelchair: bool
    languages: list[str]
    has_pets: bool
    honour_context: bool
    risk_level: RiskLevel | None
    expected_arrival_at: datetime
    callback_phone: str | None
    status: ReferralStatus
    decline_reason: DeclineReason | None
    decline_text: str | None
    answered_at: datetime | None
    created_at: datetime
    hold_expires_at: datetime | None = None
    hold_live: bool | None = None

    @classmethod
    def of(
        cls, r: Referral, *, expires_at: datetime | None = None, live: bool | None = None
    ) -> ReferralRead:
        return cls(
            id=r.id,
            group_id=r.group_id,
            unit_id=r.unit_id,
            case_number=r.case_number,
            adults=r.adults,
            children_ages=list(r.children_ages),
            substance_use=r.substance_use,
            needs_wheelchair=r.needs_wheelchair,
            languages=list(r.languages),
            has_pets=r.has_pets,
            honour_context=r.honour_context,
            risk_level=r.risk_level,
            expected_arrival_at=r.expected_arrival_at,
            callback_phone=r.callback_phone,
            status=r.status,
            decline_reason=r.decline_reason,
            decline_text=r.decline_text,
            answered_at=r.answered_at,
            created_at=r.created_at,
            hold_expires_at=expires_at,
            hold_live=live,
        )


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: DeclineReason
    text: str | None = Field(default=None, max_length=300)


class StayRead(BaseModel):
    group_id: uuid.UUID
    case_number: str
    unit_name: str
    starts_at: datetime
    ends_at: datetime
    placed: bool
    expected_arrival_at: datetime | None
    arrived_at: datetime | None
    did_not_come_at: datetime | None
    safety_plan_in_on: date | None
    safety_plan_out_on: date | None

    @classmethod
    def of(cls, row: StayRow) -> StayRead:
        return cls(
            group_id=row.group_id,
            case_number=row.case_number,
            unit_name=row.unit_name,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            placed=row.placed,
            expected_arrival_at=row.expected_arrival_at,
            arrived_at=row.arrived_at,
            did_not_come_at=row.did_not_come_at,
            safety_plan_in_on=row.safety_plan_in_on,
            safety_plan_out_on=row.safety_plan_out_on,
        )


class OperatorStaysRead(BaseModel):
    expected: list[StayRead]
    living: list[StayRead]
    leaving: list[StayRead]
    moved_out: list[StayRead]

    @classmethod
    def of(cls, view: OperatorStays) -> OperatorStaysRead:
        return cls(
            expected=[StayRead.of(r) for r in view.expected],
            living=[StayRead.of(r) for r in view.living],
            leaving=[StayRead.of(r) for r in view.leaving],
            moved_out=[StayRead.of(r) for r in view.moved_out],
        )


class ArrivalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    arrived_at: AwareDatetime | None = None  # empty: now


class SafetyPlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    moment: Literal["in", "out"]
    on: date | None = None  # empty: today (Stockholm)


class StayChanged(BaseModel):
    group_id: uuid.UUID
    arrived_at: datetime | None
    did_not_come_at: datetime | None
    safety_plan_in_on: date | None
    safety_plan_out_on: date | None
