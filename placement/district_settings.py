"""Per-district configuration the admin edits: the decision length and who may grant each
kind of unit (enforced by the rule book, ``placement.rulebook.may_grant``)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from placement.audit.service import record
from placement.auth.actor import Actor
from placement.clock import Clock
from placement.errors import N_, InvalidInput, NotFound
from placement.models import District
from placement.models.enums import AuditAction, Role, UnitKind
from placement.rulebook import DECIDING_ROLES

EMPTY_GRANTERS = N_(
    "At least one role must be able to grant each kind of unit (an RVT officer or Socialjouren)."
)


class DistrictSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision_days: int | None = Field(default=None, ge=1, le=365)
    # {unit kind: roles that may grant it}; a kind left out: the deciding roles.
    grant_roles: dict[UnitKind, list[Role]] = Field(default_factory=dict, max_length=20)


class DistrictSettingsRead(BaseModel):
    district_id: uuid.UUID
    code: str
    decision_days: int | None
    grant_roles: dict[str, list[str]]


def _read(d: District) -> DistrictSettingsRead:
    return DistrictSettingsRead(
        district_id=d.id,
        code=d.code,
        decision_days=d.decision_days,
        grant_roles={k: list(v) for k, v in (d.grant_roles or {}).items()},
    )


async def get_settings(session: AsyncSession, district_id: uuid.UUID) -> DistrictSettingsRead:
    district = await session.get(District, district_id)
    if district is None:
        raise NotFound("No such district.", field="district_id")
    return _read(district)


async def update_settings(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    district_id: uuid.UUID,
    data: DistrictSettingsIn,
) -> DistrictSettingsRead:
    district = await session.get(District, district_id, with_for_update=True)
    if district is None:
        raise NotFound("No such district.", field="district_id")
    grants: dict[str, Any] = {}
    for kind, roles in data.grant_roles.items():
        chosen = sorted({r.value for r in roles})
        if not chosen or any(r not in DECIDING_ROLES for r in chosen):
            raise InvalidInput(EMPTY_GRANTERS, field=f"grant_roles.{kind.value}")
        grants[kind.value] = chosen
    district.decision_days = data.decision_days
    district.grant_roles = grants
    # The older flag says the same as the table for SHIS mellanbo; keep the two in step.
    mellanbo = grants.get(UnitKind.shis_mellanbo.value)
    district.rvt_can_grant_mellanbo = mellanbo is None or Role.rvt_officer.value in mellanbo
    await session.flush()
    await record(
        session,
        clock,
        actor,
        AuditAction.update,
        "district_settings",
        district.id,
        reason=",".join(sorted(grants)) or "defaults",
    )
    return _read(district)
