"""Inventory JSON API: operators, units and places. Parse, call a service, return a schema."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import ClockDep, KeyringDep, SessionDep, SettingsDep, require
from api.routing import UnitOfWorkRoute
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.inventory import listing, operators, service
from placement.inventory.listing import UnitFilter, place_read
from placement.inventory.schemas import (
    OperatorCreate,
    OperatorRead,
    OperatorUpdate,
    PlaceCreate,
    PlaceRead,
    PlaceUpdate,
    UnitCreate,
    UnitDetail,
    UnitPage,
    UnitUpdate,
)
from placement.models.enums import SharingPolicy, UnitKind

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/inventory", tags=["inventory"])

Reader = Annotated[Actor, Depends(require(Permission.inventory_read))]
Writer = Annotated[Actor, Depends(require(Permission.inventory_write))]


# --- operators ----------------------------------------------------------------------------------


@router.get("/operators")
async def list_operators(
    session: SessionDep, _: Reader, include_retired: bool = False
) -> list[OperatorRead]:
    return await operators.list_operators(session, include_retired=include_retired)


@router.post("/operators", status_code=201)
async def create_operator(
    body: OperatorCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> OperatorRead:
    return operators.operator_read(await operators.create_operator(session, clock, actor, body))


@router.get("/operators/{operator_id}")
async def get_operator(operator_id: uuid.UUID, session: SessionDep, _: Reader) -> OperatorRead:
    return operators.operator_read(await operators.get_operator(session, operator_id))


@router.patch("/operators/{operator_id}")
async def update_operator(
    operator_id: uuid.UUID,
    body: OperatorUpdate,
    session: SessionDep,
    clock: ClockDep,
    actor: Writer,
) -> OperatorRead:
    operator = await operators.update_operator(session, clock, actor, operator_id, body)
    return operators.operator_read(operator)


@router.post("/operators/{operator_id}/retire")
async def retire_operator(
    operator_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Writer
) -> OperatorRead:
    return operators.operator_read(
        await operators.retire_operator(session, clock, actor, operator_id)
    )


# --- units --------------------------------------------------------------------------------------


@router.get("/units")
async def list_units(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    _: Reader,
    kind: UnitKind | None = None,
    district_id: uuid.UUID | None = None,
    operator_id: uuid.UUID | None = None,
    sharing_policy: SharingPolicy | None = None,
    stale: Annotated[bool | None, Query(description="only stale (true) or fresh (false)")] = None,
    include_retired: bool = False,
    q: Annotated[str | None, Query(max_length=80, description="part of the name")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> UnitPage:
    flt = UnitFilter(
        kind=kind,
        district_id=district_id,
        operator_id=operator_id,
        sharing_policy=sharing_policy,
        stale=stale,
        include_retired=include_retired,
        name_contains=q,
        limit=limit,
        offset=offset,
    )
    return await listing.list_units(session, clock, settings, flt)


async def _detail(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: Actor,
    unit_id: uuid.UUID,
) -> UnitDetail:
    return await listing.unit_detail(session, clock, settings, keyring, actor, unit_id)


@router.post("/units", status_code=201)
async def create_unit(
    body: UnitCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: Writer,
) -> UnitDetail:
    unit = await service.create_unit(session, clock, actor, keyring, body)
    return await _detail(session, clock, settings, keyring, actor, unit.id)


@router.get("/units/{unit_id}")
async def get_unit(
    unit_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: Reader,
) -> UnitDetail:
    """The only response with a shelter address, for roles allowed to see it (audited)."""
    return await _detail(session, clock, settings, keyring, actor, unit_id)


@router.patch("/units/{unit_id}")
async def update_unit(
    unit_id: uuid.UUID,
    body: UnitUpdate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: Writer,
) -> UnitDetail:
    await service.update_unit(session, clock, actor, keyring, unit_id, body)
    return await _detail(session, clock, settings, keyring, actor, unit_id)


@router.post("/units/{unit_id}/retire")
async def retire_unit(
    unit_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: Writer,
) -> UnitDetail:
    await service.retire_unit(session, clock, actor, unit_id)
    return await _detail(session, clock, settings, keyring, actor, unit_id)


# --- places -------------------------------------------------------------------------------------


@router.get("/units/{unit_id}/places")
async def list_places(
    unit_id: uuid.UUID, session: SessionDep, _: Reader, include_retired: bool = False
) -> list[PlaceRead]:
    await service.get_unit(session, unit_id)
    places = await service.list_places(session, unit_id, include_retired=include_retired)
    return [place_read(p) for p in places]


@router.post("/units/{unit_id}/places", status_code=201)
async def add_place(
    unit_id: uuid.UUID, body: PlaceCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> PlaceRead:
    return place_read(await service.add_place(session, clock, actor, unit_id, body))


@router.patch("/places/{place_id}")
async def update_place(
    place_id: uuid.UUID, body: PlaceUpdate, session: SessionDep, clock: ClockDep, actor: Writer
) -> PlaceRead:
    return place_read(await service.update_place(session, clock, actor, place_id, body))


@router.post("/places/{place_id}/retire")
async def retire_place(
    place_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Writer
) -> PlaceRead:
    return place_read(await service.retire_place(session, clock, actor, place_id))
