"""Accounts, sessions and API tokens. Services flush; the caller commits."""

from __future__ import annotations

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth import throttle
from placement.auth.actor import Actor
from placement.auth.secrets import hash_password, new_token, token_digest, verify_password
from placement.clock import Clock
from placement.config import Settings
from placement.errors import N_, Conflict, InvalidInput
from placement.models import ApiToken, UserAccount, UserSession
from placement.models.enums import Role

MIN_PASSWORD_LENGTH = 12
# Verified against when the user name is unknown: the same argon2 cost as a real account.
DUMMY_HASH = hash_password("timing-equaliser-" + new_token())
# argon2 runs here, off the event loop, at most one check per core at a time: a burst of
# sign-ins queues for a core instead of crowding out the loop that serves every other request.
_ARGON2 = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="argon2")


async def _check_password(stored: str, password: str) -> bool:
    return await asyncio.get_running_loop().run_in_executor(
        _ARGON2, verify_password, stored, password
    )


def actor_for(user: UserAccount, request_id: str | None = None) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        district_id=user.district_id,
        operator_id=user.operator_id,
        is_team_lead=user.is_team_lead,
        request_id=request_id,
    )


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str | None = None,
    district_id: uuid.UUID | None = None,
    operator_id: uuid.UUID | None = None,
    is_team_lead: bool = False,
    email: str | None = None,
) -> UserAccount:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            N_("The password must be at least {n} characters."),
            field="password",
            params={"n": MIN_PASSWORD_LENGTH},
        )
    if role in (Role.rvt_officer,) and district_id is None:
        raise InvalidInput("An RVT officer must belong to a district.", field="district")
    if role == Role.operator and operator_id is None:
        raise InvalidInput("An operator account must belong to an operator.", field="operator")
    existing = await session.scalar(
        select(UserAccount).where(col(UserAccount.username) == username)
    )
    if existing is not None:
        raise Conflict("That user name is taken.", field="username")
    user = UserAccount(
        username=username,
        display_name=display_name or username,
        password_hash=await asyncio.get_running_loop().run_in_executor(
            _ARGON2, hash_password, password
        ),
        role=role,
        district_id=district_id,
        operator_id=operator_id,
        is_team_lead=is_team_lead,
        email=email,
    )
    session.add(user)
    await session.flush()
    return user


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: UserAccount | None
    token: str | None
    reason: str | None  # "invalid" or "throttled": never which user names exist


async def login(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    username: str,
    password: str,
    client: str = "unknown",
) -> LoginResult:
    """Password step. Throttled per (user name, client) in the database; one argon2 run in a
    worker thread whether or not the user exists, so the answer and its time are the same.

    argon2 takes ~170 ms of CPU. It runs with no database connection held: the reads (the
    throttle and the stored hash) end their transaction first, which hands the pooled
    connection back, and the writes (the failure count, or the new session) start a second
    one that the caller commits. A burst of sign-ins then cannot drain the pool (issue 16).
    The connection is handed back only when this call opened the transaction, so nothing a
    caller wrote before is ever committed early."""
    opened_here = not session.in_transaction()
    if await throttle.is_throttled(session, clock, settings, username, client):
        return LoginResult(None, None, "throttled")
    user = await session.scalar(select(UserAccount).where(col(UserAccount.username) == username))
    stored = user.password_hash if user is not None else DUMMY_HASH
    if opened_here:
        await session.commit()  # read only: ends the transaction, the connection goes back
    ok = await _check_password(stored, password)
    if ok and user is not None:
        await session.refresh(user)  # as it is now: deactivated meanwhile means refused
    if user is None or not ok or not user.is_active:
        await throttle.record_failure(session, clock, username, client, "password")
        return LoginResult(None, None, "invalid")
    await throttle.clear_pair(session, username, client)
    token = await start_session(session, clock, user)
    return LoginResult(user, token, None)


async def wrong_code(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    user: UserAccount,
    user_session: UserSession,
    client: str,
) -> bool:
    """Count a wrong second-factor code; True when the sign-in session was ended for it.

    The count is per sign-in session and also feeds the (user name, client) throttle, so a
    new password session does not give a patient script a fresh set of guesses."""
    user_session.failed_codes += 1
    await throttle.record_failure(session, clock, user.username, client, "code")
    ended = user_session.failed_codes >= settings.totp_max_failures
    if ended:
        user_session.revoked_at = clock.now()
    await session.flush()
    return ended


async def start_session(
    session: AsyncSession, clock: Clock, user: UserAccount, *, second_factor_done: bool = False
) -> str:
    """A new sign-in session for an authenticated user; returns the cookie token."""
    now = clock.now()
    token = new_token()
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=token_digest(token),
            security_stamp=user.security_stamp,
            second_factor_done=second_factor_done,
            created_at=now,
            last_seen_at=now,
        )
    )
    await session.flush()
    return token


async def resolve_session(
    session: AsyncSession, clock: Clock, settings: Settings, token: str, *, touch: bool = True
) -> tuple[UserAccount, UserSession] | None:
    """The signed-in user, or None if the session is unknown, revoked, idle or too old.

    ``touch``: the request is the user's own doing, so the idle time starts again. A page's
    background poll passes False: an open page alone never keeps a session alive."""
    row = (
        await session.execute(
            select(UserSession, UserAccount)
            .join(UserAccount, col(UserAccount.id) == col(UserSession.user_id))
            .where(col(UserSession.token_hash) == token_digest(token))
        )
    ).first()
    if row is None:
        return None
    user_session, user = row
    now = clock.now()
    if (
        user_session.revoked_at is not None
        or not user.is_active
        or user_session.security_stamp != user.security_stamp
        or now - user_session.last_seen_at > timedelta(minutes=settings.session_idle_minutes)
        or now - user_session.created_at > timedelta(hours=settings.session_absolute_hours)
    ):
        return None
    if touch:
        user_session.last_seen_at = now
        await session.flush()
    return user, user_session


async def logout(session: AsyncSession, clock: Clock, token: str) -> None:
    await session.execute(
        update(UserSession)
        .where(col(UserSession.token_hash) == token_digest(token))
        .values(revoked_at=clock.now())
    )


async def create_api_token(
    session: AsyncSession, clock: Clock, user: UserAccount, name: str
) -> tuple[ApiToken, str]:
    token = new_token()
    row = ApiToken(
        name=name, token_hash=token_digest(token), user_id=user.id, created_at=clock.now()
    )
    session.add(row)
    await session.flush()
    return row, token


async def resolve_api_token(session: AsyncSession, clock: Clock, token: str) -> UserAccount | None:
    row = (
        await session.execute(
            select(ApiToken, UserAccount)
            .join(UserAccount, col(UserAccount.id) == col(ApiToken.user_id))
            .where(col(ApiToken.token_hash) == token_digest(token))
        )
    ).first()
    if row is None:
        return None
    api_token, user = row
    if api_token.revoked_at is not None or not user.is_active:
        return None
    api_token.last_used_at = clock.now()
    await session.flush()
    return user


async def change_role(
    session: AsyncSession, user: UserAccount, role: Role, district_id: uuid.UUID | None
) -> None:
    """A new security stamp ends every session issued before the change."""
    user.role = role
    user.district_id = district_id
    user.security_stamp = uuid.uuid4()
    await session.flush()


async def deactivate(session: AsyncSession, user: UserAccount) -> None:
    user.is_active = False
    user.security_stamp = uuid.uuid4()
    await session.flush()


def second_factor_satisfied(
    user: UserAccount, user_session: UserSession, settings: Settings
) -> bool:
    """Roles that can see case data need a verified TOTP step in this sign-in session."""
    from placement.auth.permissions import SECOND_FACTOR_ROLES

    if user.role not in SECOND_FACTOR_ROLES or not settings.require_second_factor:
        return True
    return user_session.second_factor_done


def second_factor_state(user: UserAccount, settings: Settings) -> str:
    """'none' (not needed), 'verify' (enrolled) or 'enrol' (must set it up now)."""
    from placement.auth.permissions import SECOND_FACTOR_ROLES

    if user.role not in SECOND_FACTOR_ROLES or not settings.require_second_factor:
        return "none"
    return "verify" if user.totp_enabled else "enrol"


async def revoke_api_token(session: AsyncSession, clock: Clock, token_id: uuid.UUID) -> None:
    token = await session.get(ApiToken, token_id)
    if token is None:
        raise InvalidInput("No such API token.", field="token_id")
    token.revoked_at = clock.now()
    await session.flush()
