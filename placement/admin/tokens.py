"""API tokens for operators' integrations: made (shown once), listed with when each was last
used, revoked. Audited; only the digest of a token is stored."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.admin.users import get_user, require_admin
from placement.audit.service import record
from placement.auth import service as auth_service
from placement.auth.actor import Actor
from placement.clock import Clock
from placement.errors import N_, InvalidInput, NotFound
from placement.models import ApiToken, UserAccount
from placement.models.enums import AuditAction, Role

ONLY_OPERATORS = N_("API tokens are only for operator accounts.")
NO_TOKEN = N_("No such API token.")
NAME_NEEDED = N_("Give the token a name (1 to 80 characters), e.g. the system that uses it.")


@dataclass(frozen=True, slots=True)
class TokenRow:
    id: uuid.UUID
    name: str
    user_id: uuid.UUID
    username: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


async def list_tokens(session: AsyncSession, actor: Actor) -> list[TokenRow]:
    require_admin(actor)
    rows = await session.execute(
        select(ApiToken, UserAccount.username)
        .join(UserAccount, col(UserAccount.id) == col(ApiToken.user_id))
        .order_by(col(ApiToken.created_at), col(ApiToken.id))
    )
    return [
        TokenRow(t.id, t.name, t.user_id, name, t.created_at, t.last_used_at, t.revoked_at)
        for t, name in rows.all()
    ]


async def create_token(
    session: AsyncSession, clock: Clock, actor: Actor, user_id: uuid.UUID, name: str
) -> tuple[ApiToken, str]:
    user = await get_user(session, actor, user_id)
    if user.role != Role.operator:
        raise InvalidInput(ONLY_OPERATORS, field="user_id")
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise InvalidInput(NAME_NEEDED, field="name")
    row, token = await auth_service.create_api_token(session, clock, user, name)
    await record(session, clock, actor, AuditAction.create, "api_token", row.id)
    return row, token


async def revoke_token(
    session: AsyncSession, clock: Clock, actor: Actor, token_id: uuid.UUID
) -> None:
    require_admin(actor)
    token = await session.get(ApiToken, token_id, with_for_update=True)
    if token is None:
        raise NotFound(NO_TOKEN, field="token_id")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        await session.flush()
    await record(session, clock, actor, AuditAction.delete, "api_token", token_id)
