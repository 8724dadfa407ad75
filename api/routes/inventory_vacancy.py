"""Operators report what is free and block places; coordinators see IVO permits running out."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import ClockDep, CurrentActor, SessionDep, SettingsDep, require
from api.routing import UnitOfWorkRoute
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.errors import Forbidden
from placement.inventory import listing, vacancy
from placement.inventory.booking_schemas import (
    BlockCreate,
    BlockRead,
    IvoPermitRead,
    VacancyReportCreate,
    VacancyReportRead,
)
from placement.inventory.listing import UnitFilter
from placement.inventory.schemas import UnitPage

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/inventory", tags=["vacancy"])

Reader = Annotated[Actor, Depends(require(Permission.inventory_read))]
Reporter = Annotated[Actor, Depends(require(Permission.vacancy_report))]


@router.get("/my-units")
async def my_units(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Reporter,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> UnitPage:
    """The operator's own units, with what Boendekedjan counts as free and how fresh it is."""
    if actor.operator_id is None:
        raise Forbidden(vacancy.NOT_YOURS)
    flt = UnitFilter(operator_id=actor.operator_id, limit=limit, offset=offset)
    return await listing.list_units(session, clock, settings, flt)


@router.post("/units/{unit_id}/vacancy-reports", status_code=201)
async def report_vacancy(
    unit_id: uuid.UUID,
    body: VacancyReportCreate,
    session: SessionDep,
    clock: ClockDep,
    actor: Reporter,
) -> VacancyReportRead:
    return await vacancy.report_vacancy(session, clock, actor, unit_id, body)


@router.get("/units/{unit_id}/vacancy-reports")
async def list_vacancy_reports(
    unit_id: uuid.UUID,
    session: SessionDep,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[VacancyReportRead]:
    await vacancy.get_unit_for(session, actor, unit_id)
    return await vacancy.list_vacancy_reports(session, unit_id, limit=limit)


@router.post("/units/{unit_id}/blocks", status_code=201)
async def block_places(
    unit_id: uuid.UUID,
    body: BlockCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Reporter,
) -> BlockRead:
    return await vacancy.block_places(
        session, clock, actor, unit_id, body, timezone=settings.timezone
    )


@router.get("/units/{unit_id}/blocks")
async def list_blocks(
    unit_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: CurrentActor
) -> list[BlockRead]:
    await vacancy.get_unit_for(session, actor, unit_id)
    return await vacancy.list_blocks(session, clock, unit_id)


@router.delete("/units/{unit_id}/blocks/{group_id}", status_code=204)
async def release_block(
    unit_id: uuid.UUID,
    group_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    actor: Reporter,
) -> None:
    await vacancy.release_block(session, clock, actor, unit_id, group_id)


@router.get("/ivo-permits/expiring")
async def ivo_permits_expiring(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    _: Reader,
    within_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
) -> list[IvoPermitRead]:
    """Permits running out within ``within_days`` (default: the IVO warning setting)."""
    return await vacancy.ivo_permits_expiring(session, clock, settings, within_days)
