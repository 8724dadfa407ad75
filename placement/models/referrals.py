"""The opaque referral a hold sends to the unit's operator.

It carries what a shelter needs to say yes or no and nothing that identifies the person:
the case number, the household's size and the children's ages, the needs, the risk level,
the expected arrival and the officer's call-back number. Never a name, a personal identity
number or an address (there is no column for them). Row-level security (migration 0011):
Socialjouren, the responsible district's RVT and the unit's own operator.
"""

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
    int_array_field,
    str_array_field,
    tz_field,
)
from placement.models.enums import DeclineReason, ReferralStatus, RiskLevel, SubstanceUse


class Referral(UUIDModel, table=True):
    __tablename__ = "referral"
    __table_args__ = (
        sa.Index("ix_referral_group_id", "group_id", unique=True),
        sa.Index("ix_referral_operator_status", "operator_id", "status"),
    )

    group_id: uuid.UUID  # the hold's booking group
    case_id: uuid.UUID = fk("case.id")
    request_id: uuid.UUID | None = fk("placement_request.id", nullable=True)
    unit_id: uuid.UUID = fk("unit.id")
    operator_id: uuid.UUID = fk("operator.id", index=False)
    case_number: str = Field(max_length=32)
    adults: int = Field(ge=1, le=2)
    children_ages: list[int] = int_array_field()
    substance_use: SubstanceUse = enum_field(SubstanceUse, name="substance_use")
    needs_wheelchair: bool = False
    languages: list[str] = str_array_field()
    has_pets: bool = False
    honour_context: bool = False
    risk_level: RiskLevel | None = enum_field(
        RiskLevel, default=None, nullable=True, name="risk_level"
    )
    expected_arrival_at: datetime = tz_field()
    callback_phone: str | None = Field(default=None, max_length=40)
    status: ReferralStatus = enum_field(
        ReferralStatus, default=ReferralStatus.pending, name="status"
    )
    decline_reason: DeclineReason | None = enum_field(
        DeclineReason, default=None, nullable=True, name="decline_reason"
    )
    decline_text: str | None = Field(default=None, max_length=300)
    answered_at: datetime | None = tz_field(default=None, nullable=True)
    answered_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    created_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    created_at: datetime = created_at_field()

    @property
    def household_size(self) -> int:
        return self.adults + len(self.children_ages)
