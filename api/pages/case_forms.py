"""Shared plumbing of the desk, due, case and inbox pages: flash messages after a redirect,
starting over after a refused form, the small sub-navigation, and form values."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from api.labels import N_
from api.templating import translate
from placement.auth.actor import Actor
from placement.auth.scope import apply_scope
from placement.cases.access import CASE_ROLES
from placement.decisions.inbox import unread_count
from placement.errors import InvalidInput

DONE = {
    "renewed": N_("The household's decision is renewed."),
    "moved": N_("The household is moved. New follow-ups are planned."),
    "ended": N_("The placement is ended and its outcome recorded."),
    "follow_up": N_("The follow-up is recorded."),
    "acknowledged": N_("The hand-over is acknowledged; the case is with your district."),
    "schooling": N_("The schooling start is recorded."),
    "referred": N_("The household is referred to SHIS mellanbo."),
    "referral_answered": N_("The answer to the referral is recorded."),
    "court": N_("The submission to the court is recorded."),
    "read": N_("The message is marked as read."),
    "all_read": N_("All messages are marked as read."),
}


def flash_of(request: Request) -> str | None:
    done = request.query_params.get("done", "")
    return translate(request, DONE[done]) if done in DONE else None


async def start_over(session: AsyncSession, actor: Actor) -> None:
    """Undo a refused action's partial work; the row-level scope is transaction-local."""
    await session.rollback()
    await apply_scope(session, actor)


async def nav_context(session: AsyncSession, actor: Actor, current: str) -> dict[str, Any]:
    unread = await unread_count(session, actor)
    return {"nav": current, "unread": unread, "desk_links": actor.role in CASE_ROLES}


def text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def kept(form: FormData, names: list[str]) -> dict[str, str]:
    return {name: text(form, name) for name in names}


def model(cls: type[BaseModel], **data: Any) -> Any:
    """Build a service's input model; a value it refuses becomes an error on its field."""
    try:
        return cls(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first.get("loc", ("",))[0])
        message = N_("Check this value.")
        if name == "reason":
            message = N_("The text is too long. Shorten it.")
        raise InvalidInput(message, field=name) from None
