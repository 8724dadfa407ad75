"""User accounts as the administrator manages them: create, change role and scope (district,
operator, team lead), disable and enable, reset the second factor. Every change is audited;
a change of role or scope, disabling or a second-factor reset ends the user's sessions at
once (a new security stamp). Admins never see case data: nothing here reads a case."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.audit.service import record
from placement.auth import service as auth_service
from placement.auth.actor import Actor
from placement.auth.permissions import Permission, has_permission
from placement.clock import Clock
from placement.errors import N_, Forbidden, InvalidInput, NotFound
from placement.models import District, Operator, UserAccount
from placement.models.enums import AuditAction, Role

NOT_ADMIN = N_("Only an administrator manages accounts.")
NO_USER = N_("No such user.")
NEEDS_DISTRICT = N_("An RVT officer must belong to a district.")
NEEDS_OPERATOR = N_("An operator account must belong to an operator.")
NO_DISTRICT = N_("No such district.")
NO_OPERATOR = N_("No such operator.")
NOT_YOURSELF = N_("You cannot disable your own account or take away your own role.")
TEAM_LEAD_ROLES = frozenset({Role.rvt_officer, Role.socialjour})
ONLY_CASE_TEAMS = N_("Only RVT officers and Socialjouren have team leads.")


class UserCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=80, pattern=r"^[a-z0-9._-]+$")
    display_name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=12, max_length=200)
    role: Role
    district_id: uuid.UUID | None = None
    operator_id: uuid.UUID | None = None
    is_team_lead: bool = False
    email: str | None = Field(default=None, max_length=200)


class UserChange(BaseModel):
    """A partial change: only the fields set are changed (``model_fields_set``)."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    district_id: uuid.UUID | None = None
    operator_id: uuid.UUID | None = None
    is_team_lead: bool | None = None
    is_active: bool | None = None


def require_admin(actor: Actor) -> None:
    if not has_permission(actor.role, Permission.users_manage):
        raise Forbidden(NOT_ADMIN)


async def list_users(session: AsyncSession, actor: Actor) -> list[UserAccount]:
    require_admin(actor)
    rows = await session.execute(select(UserAccount).order_by(col(UserAccount.username)))
    return list(rows.scalars())


async def get_user(session: AsyncSession, actor: Actor, user_id: uuid.UUID) -> UserAccount:
    require_admin(actor)
    user = await session.get(UserAccount, user_id)
    if user is None:
        raise NotFound(NO_USER, field="user_id")
    return user


async def _check_scope(
    session: AsyncSession,
    role: Role,
    district_id: uuid.UUID | None,
    operator_id: uuid.UUID | None,
    is_team_lead: bool,
) -> None:
    if district_id is not None and await session.get(District, district_id) is None:
        raise InvalidInput(NO_DISTRICT, field="district_id")
    if operator_id is not None and await session.get(Operator, operator_id) is None:
        raise InvalidInput(NO_OPERATOR, field="operator_id")
    if role == Role.rvt_officer and district_id is None:
        raise InvalidInput(NEEDS_DISTRICT, field="district_id")
    if role == Role.operator and operator_id is None:
        raise InvalidInput(NEEDS_OPERATOR, field="operator_id")
    if is_team_lead and role not in TEAM_LEAD_ROLES:
        raise InvalidInput(ONLY_CASE_TEAMS, field="is_team_lead")


async def create_user(
    session: AsyncSession, clock: Clock, actor: Actor, data: UserCreateIn
) -> UserAccount:
    require_admin(actor)
    # Only the role's own scope is kept (an operator id on an RVT officer means nothing).
    district_id = data.district_id if data.role in TEAM_LEAD_ROLES else None
    operator_id = data.operator_id if data.role == Role.operator else None
    await _check_scope(session, data.role, district_id, operator_id, data.is_team_lead)
    user = await auth_service.create_user(
        session,
        username=data.username,
        password=data.password,
        role=data.role,
        display_name=data.display_name,
        district_id=district_id,
        operator_id=operator_id,
        is_team_lead=data.is_team_lead,
        email=data.email or None,
    )
    await record(session, clock, actor, AuditAction.create, "user", user.id, reason=user.role.value)
    return user


async def update_user(
    session: AsyncSession, clock: Clock, actor: Actor, user_id: uuid.UUID, change: UserChange
) -> UserAccount:
    user = await get_user(session, actor, user_id)
    fields = change.model_fields_set
    role = change.role if change.role is not None else user.role
    district_id = change.district_id if "district_id" in fields else user.district_id
    operator_id = change.operator_id if "operator_id" in fields else user.operator_id
    lead = change.is_team_lead if change.is_team_lead is not None else user.is_team_lead
    if role not in TEAM_LEAD_ROLES:
        district_id, lead = None, lead and "is_team_lead" in fields
    if role != Role.operator:
        operator_id = None
    if user.id == actor.user_id and (role != user.role or change.is_active is False):
        raise InvalidInput(NOT_YOURSELF, field="role" if role != user.role else "is_active")
    await _check_scope(session, role, district_id, operator_id, lead)
    changed: list[str] = []
    if (role, district_id, operator_id, lead) != (
        user.role,
        user.district_id,
        user.operator_id,
        user.is_team_lead,
    ):
        for name, old, new in (
            ("role", user.role, role),
            ("district_id", user.district_id, district_id),
            ("operator_id", user.operator_id, operator_id),
            ("is_team_lead", user.is_team_lead, lead),
        ):
            if old != new:
                changed.append(name)
        user.operator_id = operator_id
        user.is_team_lead = lead
        await auth_service.change_role(session, user, role, district_id)  # new stamp
    if change.is_active is False and user.is_active:
        await auth_service.deactivate(session, user)
        changed.append("is_active")
    elif change.is_active is True and not user.is_active:
        user.is_active = True
        user.failed_logins = 0
        user.locked_until = None
        await session.flush()
        changed.append("is_active")
    if changed:
        await record(
            session,
            clock,
            actor,
            AuditAction.update,
            "user",
            user.id,
            reason=",".join(sorted(changed)),
        )
    return user


async def reset_second_factor(
    session: AsyncSession, clock: Clock, actor: Actor, user_id: uuid.UUID
) -> UserAccount:
    """Forget the user's authenticator: at the next sign-in they enrol a new one. Their
    sessions end now (a lost phone must not stay signed in)."""
    user = await get_user(session, actor, user_id)
    user.totp_secret_ciphertext = None
    user.totp_enabled = False
    user.totp_last_step = None
    user.security_stamp = uuid.uuid4()
    await session.flush()
    await record(
        session, clock, actor, AuditAction.update, "user", user.id, reason="second_factor_reset"
    )
    return user
