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


async def error_page_chrome(request: Request) -> None:
    """For an error page answered before any page dependency ran (an unknown address): find
    the signed-in reader and their menu so the page shows them like every other page. Reads
    only, in its own short session, rolled back (an anonymous reader gets the sign-in link)."""
    if getattr(request.state, "actor", None) is not None:
        return
    from api.deps import _resolve_actor
    from placement.auth.scope import apply_scope

    app = request.app
    session = app.state.sessionmaker()
    try:
        actor = await _resolve_actor(request, session, app.state.clock, app.state.settings)
        if actor is not None:
            await apply_scope(session, actor)
            request.state.menu = await menu_for(session, app.state.clock, app.state.settings, actor)
        request.state.actor = actor
    finally:
        await session.rollback()
        await session.close()


HOME_BY_ROLE = {
    "socialjour": "/night",
    "rvt_officer": "/desk",
    "operator": "/operator",
    "coordinator": "/board",
    "housing_agency": "/priority",
    "auditor": "/audit",
    "admin": "/admin",
}
