"""Districts: the city's district administrations and the neighbouring municipalities."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from placement.models.base import UUIDModel, enum_field, str_array_field
from placement.models.enums import DistrictKind, RvcRegion


class District(UUIDModel, table=True):
    __tablename__ = "district"

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
