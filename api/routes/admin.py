"""Administration (role admin): accounts, roles and scope, disabling, API tokens, and each
district's settings (decision length, who may grant which kind of unit).

Admins never see case data. Every change is audit-logged; a role change or disabling ends
the user's sessions at once (security stamp)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import ClockDep, SessionDep, require
from api.routing import UnitOfWorkRoute
from placement import district_settings as district_config
from placement.admin import tokens, users
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.models import UserAccount
from placement.models.enums import Role

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/admin", tags=["admin"])
Admin = Annotated[Actor, Depends(require(Permission.users_manage))]


UserCreate = users.UserCreateIn


class UserUpdate(BaseModel):
    role: Role | None = None
    district_id: uuid.UUID | None = None
    is_active: bool | None = None
    is_team_lead: bool | None = None
    operator_id: uuid.UUID | None = None


class UserRead(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    district_id: uuid.UUID | None
    operator_id: uuid.UUID | None
    is_team_lead: bool
    is_active: bool
    totp_enabled: bool


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=80)


class TokenCreated(BaseModel):
    id: uuid.UUID
    name: str
    token: str  # shown once; only its digest is stored


class TokenRead(BaseModel):
    id: uuid.UUID
    name: str
    user_id: uuid.UUID
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _user(u: UserAccount) -> UserRead:
    return UserRead.model_validate(u, from_attributes=True)


@router.get("/users")
async def list_users(session: SessionDep, actor: Admin) -> list[UserRead]:
    return [_user(u) for u in await users.list_users(session, actor)]


@router.post("/users", status_code=201)
async def create_user(
    body: UserCreate, session: SessionDep, clock: ClockDep, actor: Admin
) -> UserRead:
    return _user(await users.create_user(session, clock, actor, body))


@router.patch("/users/{user_id}")
async def update_user(
    user_id: uuid.UUID, body: UserUpdate, session: SessionDep, clock: ClockDep, actor: Admin
) -> UserRead:
    change = users.UserChange(**body.model_dump(exclude_unset=True))
    return _user(await users.update_user(session, clock, actor, user_id, change))


@router.post("/users/{user_id}/second-factor/reset")
async def reset_second_factor(
    user_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Admin
) -> UserRead:
    """Forget the user's authenticator (they enrol a new one at the next sign-in)."""
    return _user(await users.reset_second_factor(session, clock, actor, user_id))


@router.post("/users/{user_id}/tokens", status_code=201)
async def create_token(
    user_id: uuid.UUID, body: TokenCreate, session: SessionDep, clock: ClockDep, actor: Admin
) -> TokenCreated:
    row, token = await tokens.create_token(session, clock, actor, user_id, body.name)
    return TokenCreated(id=row.id, name=row.name, token=token)


@router.get("/tokens")
async def list_tokens(session: SessionDep, actor: Admin) -> list[TokenRead]:
    rows = await tokens.list_tokens(session, actor)
    return [TokenRead.model_validate(t, from_attributes=True) for t in rows]


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke_token(
    token_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Admin
) -> None:
    await tokens.revoke_token(session, clock, actor, token_id)


@router.get("/districts/{district_id}/settings")
async def district_settings(
    district_id: uuid.UUID, session: SessionDep, actor: Admin
) -> district_config.DistrictSettingsRead:
    return await district_config.get_settings(session, district_id)


@router.put("/districts/{district_id}/settings")
async def update_district_settings(
    district_id: uuid.UUID,
    body: district_config.DistrictSettingsIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Admin,
) -> district_config.DistrictSettingsRead:
    """The district's decision length and who may grant each kind of unit."""
    return await district_config.update_settings(session, clock, actor, district_id, body)
