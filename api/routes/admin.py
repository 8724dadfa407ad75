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
from sqlmodel import col, select

from api.deps import ClockDep, SessionDep, require
from api.routing import UnitOfWorkRoute
from placement import district_settings as district_config
from placement.audit.service import record
from placement.auth import service as auth_service
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.errors import InvalidInput, NotFound
from placement.models import ApiToken, UserAccount
from placement.models.enums import AuditAction, Role

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/admin", tags=["admin"])
Admin = Annotated[Actor, Depends(require(Permission.users_manage))]


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=80, pattern=r"^[a-z0-9._-]+$")
    display_name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=12, max_length=200)
    role: Role
    district_id: uuid.UUID | None = None
    operator_id: uuid.UUID | None = None
    is_team_lead: bool = False
    email: str | None = Field(default=None, max_length=200)


class UserUpdate(BaseModel):
    role: Role | None = None
    district_id: uuid.UUID | None = None
    is_active: bool | None = None


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


async def _get_user(session: SessionDep, user_id: uuid.UUID) -> UserAccount:
    user = await session.get(UserAccount, user_id)
    if user is None:
        raise NotFound("No such user.", field="user_id")
    return user


@router.get("/users")
async def list_users(session: SessionDep, actor: Admin) -> list[UserRead]:
    rows = await session.execute(select(UserAccount).order_by(col(UserAccount.username)))
    return [_user(u) for u in rows.scalars()]


@router.post("/users", status_code=201)
async def create_user(
    body: UserCreate, session: SessionDep, clock: ClockDep, actor: Admin
) -> UserRead:
    user = await auth_service.create_user(session, **body.model_dump())
    await record(session, clock, actor, AuditAction.create, "user", user.id)
    return _user(user)


@router.patch("/users/{user_id}")
async def update_user(
    user_id: uuid.UUID, body: UserUpdate, session: SessionDep, clock: ClockDep, actor: Admin
) -> UserRead:
    user = await _get_user(session, user_id)
    if body.role is not None or "district_id" in body.model_fields_set:
        role = body.role or user.role
        district = body.district_id if "district_id" in body.model_fields_set else user.district_id
        if role == Role.rvt_officer and district is None:
            raise InvalidInput("An RVT officer must belong to a district.", field="district_id")
        await auth_service.change_role(session, user, role, district)
    if body.is_active is False and user.is_active:
        await auth_service.deactivate(session, user)
    elif body.is_active is True and not user.is_active:
        user.is_active = True
        await session.flush()
    await record(
        session,
        clock,
        actor,
        AuditAction.update,
        "user",
        user.id,
        reason=",".join(sorted(body.model_fields_set)),
    )
    return _user(user)


@router.post("/users/{user_id}/tokens", status_code=201)
async def create_token(
    user_id: uuid.UUID, body: TokenCreate, session: SessionDep, clock: ClockDep, actor: Admin
) -> TokenCreated:
    user = await _get_user(session, user_id)
    if user.role != Role.operator:
        raise InvalidInput("API tokens are only for operator accounts.", field="user_id")
    row, token = await auth_service.create_api_token(session, clock, user, body.name)
    await record(session, clock, actor, AuditAction.create, "api_token", row.id)
    return TokenCreated(id=row.id, name=row.name, token=token)


@router.get("/tokens")
async def list_tokens(session: SessionDep, actor: Admin) -> list[TokenRead]:
    rows = await session.execute(select(ApiToken).order_by(col(ApiToken.created_at)))
    return [TokenRead.model_validate(t, from_attributes=True) for t in rows.scalars()]


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke_token(
    token_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Admin
) -> None:
    await auth_service.revoke_api_token(session, clock, token_id)
    await record(session, clock, actor, AuditAction.delete, "api_token", token_id)


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
