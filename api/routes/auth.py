"""Sign-in and sign-out for the JSON API (the pages use the same session cookie)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from api.deps import SESSION_COOKIE, ClockDep, CurrentActor, SessionDep, SettingsDep
from placement.audit.service import record
from placement.auth import service as auth_service
from placement.auth.actor import Actor
from placement.errors import DomainError
from placement.models.enums import AuditAction

router = APIRouter(prefix="/api/auth", tags=["auth"])


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class MeOut(BaseModel):
    username: str
    role: str
    district_id: str | None
    operator_id: str | None


class LoginRefused(DomainError):
    status_code = 401


MESSAGES = {
    "invalid": "Wrong user name or password.",
    "locked": "Too many failed attempts. The account is locked for a while; try again later.",
    "inactive": "This account is disabled. Contact your administrator.",
}


@router.post("/login")
async def login(
    body: LoginIn, response: Response, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> MeOut:
    result = await auth_service.login(session, clock, settings, body.username, body.password)
    if result.user is None or result.token is None:
        # Commit the failure count before answering (the dependency commits on return).
        await session.commit()
        raise LoginRefused(MESSAGES[result.reason or "invalid"])
    user = result.user
    await record(session, clock, auth_service.actor_for(user), AuditAction.login, "user", user.id)
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        max_age=settings.session_absolute_hours * 3600,
        path="/",
    )
    return MeOut(
        username=user.username,
        role=user.role.value,
        district_id=str(user.district_id) if user.district_id else None,
        operator_id=str(user.operator_id) if user.operator_id else None,
    )


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


ActorDep = Annotated[Actor, Depends(lambda actor=None: actor)]
