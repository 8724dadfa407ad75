"""Operators: the organisations running units (city, civil society, private, foundations).

Flush, never commit; every change is audited in the same session.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.audit.service import record
from placement.auth.actor import Actor
from placement.clock import Clock
from placement.errors import N_, Conflict, InvalidInput, NotFound
from placement.inventory.schemas import OperatorCreate, OperatorRead, OperatorUpdate
from placement.models import Operator, Unit
from placement.models.enums import AuditAction


async def _operator_name_taken(
    session: AsyncSession, name: str, exclude: uuid.UUID | None = None
) -> bool:
    stmt = select(Operator.id).where(func.lower(col(Operator.name)) == name.lower())
    if exclude is not None:
        stmt = stmt.where(col(Operator.id) != exclude)
    return (await session.scalar(stmt)) is not None


def operator_read(operator: Operator, unit_count: int = 0) -> OperatorRead:
    return OperatorRead(
        id=operator.id,
        name=operator.name,
        kind=operator.kind,
        phone=operator.phone,
        retired_at=operator.retired_at,
        unit_count=unit_count,
    )


async def list_operators(session: AsyncSession, *, include_retired: bool) -> list[OperatorRead]:
    units = (
        select(func.count(col(Unit.id)))
        .where(col(Unit.operator_id) == col(Operator.id), col(Unit.retired_at).is_(None))
        .scalar_subquery()
    )
    stmt = select(Operator, units).order_by(col(Operator.name))
    if not include_retired:
        stmt = stmt.where(col(Operator.retired_at).is_(None))
    return [operator_read(op, n) for op, n in (await session.execute(stmt)).all()]


async def get_operator(session: AsyncSession, operator_id: uuid.UUID) -> Operator:
    operator = await session.get(Operator, operator_id)
    if operator is None:
        raise NotFound("No such operator.", field="operator_id")
    return operator


async def create_operator(
    session: AsyncSession, clock: Clock, actor: Actor, data: OperatorCreate
) -> Operator:
    if await _operator_name_taken(session, data.name):
        raise Conflict("An operator with that name already exists.", field="name")
    operator = Operator(name=data.name, kind=data.kind, phone=data.phone)
    session.add(operator)
    await session.flush()
    await record(session, clock, actor, AuditAction.create, "operator", operator.id)
    return operator


async def update_operator(
    session: AsyncSession, clock: Clock, actor: Actor, operator_id: uuid.UUID, data: OperatorUpdate
) -> Operator:
    operator = await get_operator(session, operator_id)
    patch = data.model_dump(exclude_unset=True)
    for name in ("name", "kind"):
        if name in patch and patch[name] is None:
            raise InvalidInput(
                N_("{field}: a value is required."), field=name, params={"field": name}
            )
    if "name" in patch and await _operator_name_taken(session, patch["name"], operator.id):
        raise Conflict("An operator with that name already exists.", field="name")
    for name, value in patch.items():
        setattr(operator, name, value)
    await session.flush()
    await record(session, clock, actor, AuditAction.update, "operator", operator.id)
    return operator


async def retire_operator(
    session: AsyncSession, clock: Clock, actor: Actor, operator_id: uuid.UUID
) -> Operator:
    operator = await get_operator(session, operator_id)
    active_units = await session.scalar(
        select(func.count(col(Unit.id))).where(
            col(Unit.operator_id) == operator.id, col(Unit.retired_at).is_(None)
        )
    )
    if active_units:
        raise Conflict(
            N_("The operator still runs {n} unit(s); retire them first."),
            params={"n": active_units},
        )
    if operator.retired_at is None:
        operator.retired_at = clock.now()
        await session.flush()
        await record(session, clock, actor, AuditAction.delete, "operator", operator.id)
    return operator
