"""Availability, holds and placements: what is free, and keeping it while staff phone around."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from api.deps import ClockDep, SessionDep, SettingsDep, require
from api.routing import UnitOfWorkRoute
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.inventory import availability, holds
from placement.inventory.booking_schemas import (
    AvailabilityQuery,
    AvailabilityResult,
    HoldConfirm,
    HoldCreate,
    HoldRead,
    PlacementCreate,
    PlacementRead,
)

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/inventory", tags=["availability"])

Reader = Annotated[Actor, Depends(require(Permission.inventory_read))]
Holder = Annotated[Actor, Depends(require(Permission.hold_manage))]


@router.post("/availability")
async def find_available(
    body: AvailabilityQuery,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Reader,
) -> AvailabilityResult:
    """Units that can take the household for the whole period (a query; nothing is saved)."""
    return await availability.find_available(session, clock, settings, actor, body)


@router.get("/holds")
async def list_holds(
    session: SessionDep, clock: ClockDep, _: Reader, unit_id: uuid.UUID | None = None
) -> list[HoldRead]:
    """Every running hold and who holds it (no personal data)."""
    return await holds.list_active_holds(session, clock, unit_id=unit_id)


@router.post("/holds", status_code=201)
async def create_hold(
    body: HoldCreate, session: SessionDep, clock: ClockDep, settings: SettingsDep, actor: Holder
) -> HoldRead:
    return await holds.create_hold(session, clock, settings, actor, body)


@router.post("/holds/{group_id}/extend")
async def extend_hold(
    group_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Holder,
) -> HoldRead:
    return await holds.extend_hold(session, clock, settings, actor, group_id)


@router.post("/holds/{group_id}/confirm", status_code=201)
async def confirm_hold(
    group_id: uuid.UUID,
    body: HoldConfirm,
    session: SessionDep,
    clock: ClockDep,
    actor: Holder,
) -> PlacementRead:
    return await holds.confirm_hold(session, clock, actor, group_id, body)


@router.delete("/holds/{group_id}", status_code=204)
async def release_hold(
    group_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Holder
) -> None:
    await holds.release_hold(session, clock, actor, group_id)


@router.post("/placements", status_code=201)
async def create_placement(
    body: PlacementCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Holder,
) -> PlacementRead:
    return await holds.create_placement(session, clock, settings, actor, body)
