"""Districts: the city's district administrations and the neighbouring municipalities."""

from __future__ import annotations

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
