"""Shared page dependencies: the signed-in actor (or a redirect to sign-in) and permissions."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request

from api.deps import ClockDep, SessionDep, SettingsDep, get_optional_actor
from placement.auth.actor import Actor
from placement.auth.permissions import Permission, has_permission
from placement.errors import DomainError
from placement.navigation import menu_for


class SignInRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PagePermissionDenied(DomainError):
    status_code = 403


async def page_actor(
    request: Request,
    actor: Annotated[Actor | None, Depends(get_optional_actor)],
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Actor:
    """The signed-in actor; also builds the menu the page header shows (base.html)."""
    if actor is None:
        raise SignInRequired(quote(request.url.path))  # a path only: never query data
    request.state.menu = await menu_for(session, clock, settings, actor)
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]


def page_require(*permissions: Permission) -> Callable[..., Coroutine[Any, Any, Actor]]:
    async def dependency(actor: PageActor) -> Actor:
        if not all(has_permission(actor.role, p) for p in permissions):
            raise PagePermissionDenied("Your role does not give access to this page.")
        return actor

    dependency.required_permissions = permissions  # type: ignore[attr-defined]
    return dependency


HOME_BY_ROLE = {
    "socialjour": "/night",
    "rvt_officer": "/desk",
    "operator": "/operator",
    "coordinator": "/board",
    "housing_agency": "/priority",
    "auditor": "/audit",
    "admin": "/admin",
}
