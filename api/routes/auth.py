"""Sign-in (password, then TOTP for roles that see case data), sign-out, who am I."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from api.clientaddr import client_address
from api.csrf import SESSION_COOKIE
from api.deps import (
    ClockDep,
    CurrentActor,
    KeyringDep,
    PasswordSession,
    SessionDep,
    SettingsDep,
    set_session_cookie,
)
from api.labels import LOGIN_REFUSED, TOO_MANY_CODES
from api.routing import UnitOfWorkRoute
from placement.audit.service import record
from placement.auth import service as auth_service
from placement.auth import totp
from placement.clock import Clock
from placement.config import Settings
from placement.crypto import Keyring
from placement.errors import DomainError
from placement.models import UserAccount, UserSession
from placement.models.enums import AuditAction

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/auth", tags=["auth"])


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class LoginOut(BaseModel):
    username: str
    role: str
    second_factor: Literal["none", "verify", "enrol"]


class MeOut(BaseModel):
    username: str
    role: str
    district_id: str | None
    operator_id: str | None


class CodeIn(BaseModel):
    code: str = Field(min_length=6, max_length=8)


class EnrolOut(BaseModel):
    secret: str
    otpauth_uri: str


class LoginRefused(DomainError):
    status_code = 401


class TooManyAttempts(DomainError):
    status_code = 429


@router.post("/login")
async def login(
    body: LoginIn,
    request: Request,
    response: Response,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> LoginOut:
    client = client_address(request)
    if not request.app.state.login_limiter.hit(client):
        raise TooManyAttempts("Too many sign-in attempts. Wait a minute and try again.")
    result = await auth_service.login(
        session, clock, settings, body.username, body.password, client
    )
    if result.user is None or result.token is None:
        await session.commit()  # keep the failure count even though we answer with an error
        if result.reason == "throttled":
            raise TooManyAttempts(LOGIN_REFUSED["throttled"])
        raise LoginRefused(LOGIN_REFUSED["invalid"])
    user = result.user
    await record(session, clock, auth_service.actor_for(user), AuditAction.login, "user", user.id)
    set_session_cookie(response, result.token, settings)
    return LoginOut(
        username=user.username,
        role=user.role.value,
        second_factor=auth_service.second_factor_state(user, settings),
    )


class SessionEnded(DomainError):
    status_code = 401


async def _verify_code(
    request: Request,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    keyring: Keyring,
    pending: tuple[UserAccount, UserSession],
    code: str,
    enrolling: bool,
) -> None:
    """Check a code; a wrong one is counted (and kept) before the error answer."""
    user, user_session = pending
    try:
        await totp.verify(session, clock, keyring, user, user_session, code, enrolling=enrolling)
    except DomainError:
        ended = await auth_service.wrong_code(
            session, clock, settings, user, user_session, client_address(request)
        )
        await session.commit()
        if ended:
            raise SessionEnded(TOO_MANY_CODES) from None
        raise


@router.post("/totp/enrol")
async def totp_enrol(
    pending: PasswordSession, session: SessionDep, keyring: KeyringDep, settings: SettingsDep
) -> EnrolOut:
    """Start setting up two-step sign-in (only for an account without it)."""
    user, _ = pending
    secret, uri = await totp.begin_enrolment(session, keyring, user, settings.totp_issuer)
    return EnrolOut(secret=secret, otpauth_uri=uri)


@router.post("/totp/confirm", status_code=204)
async def totp_confirm(
    body: CodeIn,
    request: Request,
    settings: SettingsDep,
    pending: PasswordSession,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
) -> None:
    await _verify_code(request, session, clock, settings, keyring, pending, body.code, True)


@router.post("/totp/verify", status_code=204)
async def totp_verify(
    body: CodeIn,
    request: Request,
    settings: SettingsDep,
    pending: PasswordSession,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
) -> None:
    await _verify_code(request, session, clock, settings, keyring, pending, body.code, False)


@router.post("/logout", status_code=204)
async def logout(
    request: Request, response: Response, session: SessionDep, clock: ClockDep
) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await auth_service.logout(session, clock, token)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me")
async def me(actor: CurrentActor) -> MeOut:
    return MeOut(
        username=actor.username,
        role=actor.role.value,
        district_id=str(actor.district_id) if actor.district_id else None,
        operator_id=str(actor.operator_id) if actor.operator_id else None,
    )
