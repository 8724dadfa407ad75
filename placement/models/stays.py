"""A household's stay at a unit as the shelter records it: arrival (or that it did not
come) and the safety planning the shelter does at move-in and at move-out.

Keyed by the booking group (the hold that became the placement keeps its group id). The
shelter's operator writes it and reads it by case number only; there is no column for a
name, a personal identity number or an address. Row-level security (migration 0016): the
system, Socialjouren, the responsible district's RVT and the unit's own operator.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa

from placement.models.base import UUIDModel, created_at_field, fk, tz_field


class Stay(UUIDModel, table=True):
    __tablename__ = "stay"
    __table_args__ = (
        sa.Index("ix_stay_group_id", "group_id", unique=True),
        sa.CheckConstraint("arrived_at IS NULL OR did_not_come_at IS NULL", name="arrived_or_not"),
    )

    group_id: uuid.UUID  # the booking group of the hold and placement
    case_id: uuid.UUID = fk("case.id")
    unit_id: uuid.UUID = fk("unit.id", index=False)
    operator_id: uuid.UUID = fk("operator.id")
    arrived_at: datetime | None = tz_field(default=None, nullable=True)
    did_not_come_at: datetime | None = tz_field(default=None, nullable=True)
    safety_plan_in_on: date | None = None
    safety_plan_out_on: date | None = None
    updated_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    updated_at: datetime | None = tz_field(default=None, nullable=True)
    created_at: datetime = created_at_field()
