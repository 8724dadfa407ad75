"""Messages between the agency and the handler on one application. Bodies are encrypted at rest;
writing and reading are audit-logged like every other access to the application."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.clock import Clock
from placement.crypto import Keyring
from placement.errors import Conflict, InvalidInput
from placement.models import ApplicationMessage
from placement.models.enums import AuditAction, PriorityStatus
from placement.priority import notify
from placement.priority.access import Side, audit, load
from placement.priority.schemas import MessageRead
from placement.priority.views import display_names


def body_context(application_id: uuid.UUID) -> str:
    return f"application_message:{application_id}"


def _read(keyring: Keyring, m: ApplicationMessage, names: dict[uuid.UUID, str]) -> MessageRead:
    return MessageRead(
        id=m.id,
        author=names.get(m.author_id) if m.author_id else None,
        author_role=m.author_role,
        body=keyring.decrypt(m.body_ciphertext, associated=body_context(m.application_id)),
        created_at=m.created_at,
    )


async def post(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    keyring: Keyring,
    application_id: uuid.UUID,
    body: str,
) -> MessageRead:
    scoped = await load(session, actor, application_id)
    if not body.strip():
        raise InvalidInput("Write a message.", field="body")
    app = scoped.application
    if app.status == PriorityStatus.draft and scoped.side == Side.social:
        raise Conflict("Submit the application before writing to the housing agency.")
    now = clock.now()
    message = ApplicationMessage(
        application_id=app.id,
        author_id=actor.user_id,
        author_role=actor.role,
        body_ciphertext=keyring.encrypt(body.strip(), associated=body_context(app.id)),
        created_at=now,
    )
    session.add(message)
    await session.flush()
    await audit(session, clock, actor, scoped, AuditAction.create, "message written")
    if scoped.side == Side.agency:
        await notify.notify_handler(session, scoped.case, kind="priority_message", now=now)
    else:
        await notify.notify_agency(session, scoped.case, kind="priority_message", now=now)
    names = await display_names(session, [actor.user_id])
    return _read(keyring, message, names)


async def list_messages(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    keyring: Keyring,
    application_id: uuid.UUID,
) -> list[MessageRead]:
    scoped = await load(session, actor, application_id)
    rows = list(
        (
            await session.execute(
                select(ApplicationMessage)
                .where(col(ApplicationMessage.application_id) == scoped.application.id)
                .order_by(col(ApplicationMessage.created_at), col(ApplicationMessage.id))
            )
        ).scalars()
    )
    await audit(session, clock, actor, scoped, AuditAction.read, "messages read")
    names = await display_names(session, [m.author_id for m in rows])
    return [_read(keyring, m, names) for m in rows]
