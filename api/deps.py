"""Request dependencies: one session per request (commit or roll back once), actor, clock."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.csrf import SESSION_COOKIE
from api.routing import request_session
from placement.auth import service as auth_service
from placement.auth.actor import Actor
from placement.auth.permissions import Permission, has_permission
from placement.auth.scope import apply_scope
from placement.clock import Clock
from placement.config import Settings
from placement.crypto import Keyring
from placement.errors import DomainError
from placement.models import UserAccount, UserSession
from placement.models.enums import Role

# A page's background poll (htmx ``hx-trigger="every ..."``) sends this header; such a
# request reads the session but does not restart its idle time.
POLL_HEADER = "X-BK-Poll"


def is_poll(request: Request) -> bool:
    return request.headers.get(POLL_HEADER) == "1"


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    """The sign-in cookie: HttpOnly, Secure (outside tests), SameSite=Strict."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        max_age=settings.session_absolute_hours * 3600,
        path="/",
    )


class Unauthenticated(DomainError):
    status_code = 401


class PermissionDenied(DomainError):
    status_code = 403


def get_session(request: Request) -> AsyncSession:
    """The request's unit of work: opened, committed and rolled back by the route
    (api.routing.UnitOfWorkRoute), never by a handler."""
    return request_session(request)


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_keyring(request: Request) -> Keyring:
    keyring: Keyring = request.app.state.keyring
    return keyring


SessionDep = Annotated[AsyncSession, Depends(get_session)]
ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
KeyringDep = Annotated[Keyring, Depends(get_keyring)]


def _request_id(request: Request) -> str:
    rid = getattr(request.state, "request_id", None)
    if not isinstance(rid, str):
        rid = uuid.uuid4().hex
        request.state.request_id = rid
    return rid


async def _resolve_actor(
    request: Request, session: AsyncSession, clock: Clock, settings: Settings
) -> Actor | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        user = await auth_service.resolve_api_token(session, clock, auth[7:].strip())
        # API tokens exist for operators' integrations only (scoped to their units).
        if user is None or user.role != Role.operator:
            return None
        return auth_service.actor_for(user, _request_id(request))
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        resolved = await auth_service.resolve_session(
            session, clock, settings, token, touch=not is_poll(request)
        )
        if resolved is not None:
            user, user_session = resolved
            if auth_service.second_factor_satisfied(user, user_session, settings):
                return auth_service.actor_for(user, _request_id(request))
    return None


async def get_optional_actor(
    request: Request, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> Actor | None:
    """The signed-in actor (or None). Sets the row-level security scope for this request."""
    actor = await _resolve_actor(request, session, clock, settings)
    if actor is not None:
        await apply_scope(session, actor)
    request.state.actor = actor
    return actor


async def get_password_session(
    request: Request, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> tuple[UserAccount, UserSession]:
    """A session that has passed the password step (for the two-step sign-in routes)."""
    token = request.cookies.get(SESSION_COOKIE)
    resolved = (
        await auth_service.resolve_session(session, clock, settings, token) if token else None
    )
    if resolved is None:
        raise Unauthenticated("Please sign in.")
    return resolved


PasswordSession = Annotated[tuple[UserAccount, UserSession], Depends(get_password_session)]


async def get_actor(actor: Annotated[Actor | None, Depends(get_optional_actor)]) -> Actor:
    if actor is None:
        raise Unauthenticated("Please sign in.")
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]


def require(*permissions: Permission) -> Callable[..., Coroutine[Any, Any, Actor]]:
    """Dependency factory: the actor must hold every listed permission."""

    async def dependency(actor: CurrentActor) -> Actor:
        for permission in permissions:
            if not has_permission(actor.role, permission):
                raise PermissionDenied("Your role does not give access to this.")
        return actor

    dependency.required_permissions = permissions  # type: ignore[attr-defined]
    return dependency
