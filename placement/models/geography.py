"""Districts: the city's district administrations and the neighbouring municipalities."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from placement.models.base import UUIDModel, enum_field, fk, str_array_field, tz_field
from placement.models.enums import DistrictKind, RvcRegion


class District(UUIDModel, table=True):
    __tablename__ = "district"
    __table_args__ = (
        sa.CheckConstraint(
            "(office_hours_start IS NULL AND office_hours_end IS NULL) OR "
            "(office_hours_start IS NOT NULL AND office_hours_end IS NOT NULL "
            "AND office_hours_start < office_hours_end)",
            name="office_hours_pair",
        ),
    )

    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=120)
    kind: DistrictKind = enum_field(DistrictKind)
    municipality: str = Field(max_length=120, index=True)
    pool: str | None = Field(default=None, max_length=64)
    rvc_region: RvcRegion | None = enum_field(RvcRegion, default=None, nullable=True)
    # A representative point for distances (fictional precision is enough: district level).
    lat: float
    lon: float
    neighbour_codes: list[str] = str_array_field()
    # Per-district configuration (who may grant what, decision length).
    decision_days: int | None = Field(default=None, ge=1, le=365)
    rvt_can_grant_mellanbo: bool = True
    # Who may grant each unit kind here: {unit_kind: [role, ...]}. A kind not listed is
    # granted by the deciding roles (placement.rulebook.may_grant).
    grant_roles: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=sa.Column(JSONB, nullable=False, server_default="{}"),
    )
    # The district's own office hours (both or neither; none: the city's, from settings).
    office_hours_start: time | None = Field(default=None, sa_column=sa.Column(sa.Time))
    office_hours_end: time | None = Field(default=None, sa_column=sa.Column(sa.Time))


class DistrictOfficeDay(UUIDModel, table=True):
    """A dated exception to a district's office hours: closed that day (a "klämdag", a staff
    day) or other hours (shortened). Weekends and holidays stay closed regardless."""

    __tablename__ = "district_office_day"
    __table_args__ = (
        sa.UniqueConstraint("district_id", "day", name="uq_district_office_day_day"),
        sa.CheckConstraint(
            "(closed AND opens IS NULL AND closes IS NULL) OR "
            "(NOT closed AND opens IS NOT NULL AND closes IS NOT NULL AND opens < closes)",
            name="hours_given",
        ),
    )

    district_id: uuid.UUID = fk("district.id")
    day: date
    closed: bool
    opens: time | None = Field(default=None, sa_column=sa.Column(sa.Time))
    closes: time | None = Field(default=None, sa_column=sa.Column(sa.Time))
    note: str | None = Field(default=None, max_length=120)
    created_by_id: uuid.UUID | None = fk("user_account.id", nullable=True, index=False)
    created_at: datetime = tz_field()
