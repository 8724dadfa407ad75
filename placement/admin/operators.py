"""Operators as the administrator sees them: the list with their units counted, and their
contact telephone (an organisation's number, never a person's) changed, audited by the
inventory service."""

from __future__ import annotations

import uuid

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from placement.admin.users import require_admin
from placement.auth.actor import Actor
from placement.clock import Clock
from placement.errors import N_, InvalidInput
from placement.inventory import operators
from placement.inventory.schemas import OperatorRead, OperatorUpdate

PHONE_TOO_LONG = N_("A telephone number has at most 40 characters.")


async def list_operators(session: AsyncSession, actor: Actor) -> list[OperatorRead]:
    require_admin(actor)
    return await operators.list_operators(session, include_retired=True)


async def set_phone(
    session: AsyncSession, clock: Clock, actor: Actor, operator_id: uuid.UUID, phone: str
) -> None:
    require_admin(actor)
    try:
        change = OperatorUpdate(phone=phone.strip() or None)
    except ValidationError:
        raise InvalidInput(PHONE_TOO_LONG, field="phone") from None
    await operators.update_operator(session, clock, actor, operator_id, change)
