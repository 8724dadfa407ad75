"""Applying an inventory import: validate every row first, then apply all rows or none.

Validation runs against districts, operators, units and booked places loaded once, with the
same rules as the API (``UnitFields`` and ``rules.unit_problems``). Only when no row has a
problem is anything written; the request's transaction makes the write all or nothing too.
A row with an ``id`` updates that unit; its places are reconciled to the given numbers
(places are added, or retired if they are not booked now or later).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.audit.service import record
from placement.auth.actor import Actor
from placement.clock import Clock
from placement.errors import N_, InvalidInput
from placement.inventory.capacity import active_overlap
from placement.inventory.importexport import Parsed, ParsedRow, RowError, UnitRow
from placement.inventory.rules import unit_problems, validation_problems
from placement.inventory.schemas import UnitFields
from placement.inventory.service import unit_values
from placement.models import Booking, District, Operator, Place, Unit
from placement.models.enums import AuditAction, BookingKind, BookingStatus, PlaceKind

FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)
# Row fields that name things by human key; the rest map one to one onto UnitFields.
_KEYED = {
    "id",
    "operator",
    "operator_kind",
    "district",
    "owner_district",
    "single_places",
    "family_rooms",
}


class ImportRejected(InvalidInput):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            N_("Nothing was imported: {n} problem(s) found. Correct them and try again."),
            params={"n": len(errors)},
        )
        self.errors = errors


class ImportResult(BaseModel):
    dry_run: bool
    operators_created: int = 0
    units_created: int = 0
    units_updated: int = 0
    places_added: int = 0
    places_retired: int = 0


@dataclass
class _PlacePlan:
    add_singles: int = 0
    add_rooms: list[int] = field(default_factory=list)
    retire: list[Place] = field(default_factory=list)


@dataclass
class _UnitPlan:
    row: UnitRow
    fields: UnitFields
    operator: Operator
    existing: Unit | None
    places: _PlacePlan


@dataclass
class _Context:
    districts: dict[str, District]
    operators: dict[str, Operator]  # by lower-case name, incl. those the file creates
    new_operators: list[Operator]
    units: dict[uuid.UUID, Unit]
    places: dict[uuid.UUID, list[Place]]  # of the units being updated, incl. retired
    booked: set[uuid.UUID]  # place ids with a current or future placement or hold


async def _load(session: AsyncSession, parsed: Parsed, now: datetime) -> _Context:
    districts = {d.code: d for d in (await session.execute(select(District))).scalars()}
    operators = {o.name.lower(): o for o in (await session.execute(select(Operator))).scalars()}
    ids = [r.row.id for r in parsed.rows if r.row.id is not None]
    units = {
        u.id: u
        for u in (await session.execute(select(Unit).where(col(Unit.id).in_(ids)))).scalars()
    }
    places: dict[uuid.UUID, list[Place]] = {}
    for p in (await session.execute(select(Place).where(col(Place.unit_id).in_(ids)))).scalars():
        places.setdefault(p.unit_id, []).append(p)
    booked = set(
        (
            await session.execute(
                select(Booking.place_id).where(
                    col(Booking.unit_id).in_(ids),
                    col(Booking.kind) != BookingKind.block,
                    active_overlap(now, FAR_FUTURE, now),
                )
            )
        ).scalars()
    )
    return _Context(districts, operators, [], units, places, booked)


def _operator_for(ctx: _Context, row: UnitRow) -> Operator | None:
    operator = ctx.operators.get(row.operator.lower())
    if operator is None and row.operator_kind is not None:
        operator = Operator(id=uuid.uuid4(), name=row.operator, kind=row.operator_kind)
        ctx.operators[row.operator.lower()] = operator
        ctx.new_operators.append(operator)
    return operator


def _plan_places(ctx: _Context, unit: Unit | None, row: UnitRow) -> tuple[_PlacePlan, str | None]:
    if unit is None:
        return _PlacePlan(row.single_places, list(row.family_rooms)), None
    live = [p for p in ctx.places.get(unit.id, []) if p.retired_at is None]
    plan = _PlacePlan()
    singles = sorted((p for p in live if p.kind == PlaceKind.place), key=lambda p: p.label)
    surplus = len(singles) - row.single_places
    if surplus < 0:
        plan.add_singles = -surplus
    elif surplus > 0:
        free = [p for p in reversed(singles) if p.id not in ctx.booked]
        if len(free) < surplus:
            return plan, (
                f"Only {len(free)} of the {surplus} single place(s) to remove are free; the "
                "others are booked now or later."
            )
        plan.retire.extend(free[:surplus])
    wanted = Counter(row.family_rooms)
    for room in sorted(
        (p for p in live if p.kind == PlaceKind.family_room),
        key=lambda p: p.id in ctx.booked,
        reverse=True,
    ):
        if wanted[room.capacity] > 0:
            wanted[room.capacity] -= 1
        elif room.id in ctx.booked:
            return plan, (
                f"Family room {room.label} is booked now or later and cannot be removed or resized."
            )
        else:
            plan.retire.append(room)
    plan.add_rooms = sorted(wanted.elements(), reverse=True)
    return plan, None


def _validate_row(ctx: _Context, item: ParsedRow, errors: list[RowError]) -> _UnitPlan | None:
    row, line = item.row, item.line
    problems: list[tuple[str, str]] = []
    existing = ctx.units.get(row.id) if row.id is not None else None
    if row.id is not None and existing is None:
        problems.append(("id", "No unit has this id; leave id empty to create a new unit."))
    operator = _operator_for(ctx, row)
    if operator is None:
        problems.append(
            ("operator", f"Unknown operator '{row.operator}'; give operator_kind to create it.")
        )
    district = ctx.districts.get(row.district)
    if district is None:
        problems.append(("district", f"Unknown district code '{row.district}'."))
    owner = ctx.districts.get(row.owner_district) if row.owner_district else None
    if row.owner_district and owner is None:
        problems.append(("owner_district", f"Unknown district code '{row.owner_district}'."))
    if problems:
        errors.extend(RowError(line, f, m) for f, m in problems)
        return None
    assert operator is not None and district is not None  # noqa: S101 - checked above
    try:
        fields = UnitFields.model_validate(
            {
                **row.model_dump(exclude=_KEYED),
                "operator_id": operator.id,
                "district_id": district.id,
                "owner_district_id": owner.id if owner else None,
            }
        )
    except ValidationError as exc:
        errors.extend(RowError(line, f, m) for f, m in validation_problems(exc))
        return None
    rename = {
        "operator_id": "operator",
        "district_id": "district",
        "owner_district_id": "owner_district",
    }
    found = unit_problems(fields, operator, district, owner)
    errors.extend(RowError(line, rename.get(f, f), m) for f, m in found)
    places, problem = _plan_places(ctx, existing, row)
    if problem:
        errors.append(RowError(line, "single_places", problem))
    if found or problem:
        return None
    return _UnitPlan(row, fields, operator, existing, places)


def _labels(taken: set[str], prefix: str, n: int) -> list[str]:
    out: list[str] = []
    k = 1
    while len(out) < n:
        label = f"{prefix}{k}"
        if label not in taken:
            out.append(label)
            taken.add(label)
        k += 1
    return out


async def apply_import(
    session: AsyncSession, clock: Clock, actor: Actor, parsed: Parsed, *, dry_run: bool
) -> ImportResult:
    now = clock.now()
    errors = list(parsed.errors)
    ctx = await _load(session, parsed, now)
    for _line, op in parsed.operators:
        if op.name.lower() not in ctx.operators:
            new = Operator(id=uuid.uuid4(), name=op.name, kind=op.kind, phone=op.phone)
            ctx.operators[op.name.lower()] = new
            ctx.new_operators.append(new)
    seen: dict[uuid.UUID, int] = {}
    plans: list[_UnitPlan] = []
    for item in parsed.rows:
        if item.row.id is not None:
            if item.row.id in seen:
                errors.append(
                    RowError(item.line, "id", f"The same unit is also on line {seen[item.row.id]}.")
                )
                continue
            seen[item.row.id] = item.line
        plan = _validate_row(ctx, item, errors)
        if plan is not None:
            plans.append(plan)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.line, e.field or "")))
    result = ImportResult(
        dry_run=dry_run,
        operators_created=len(ctx.new_operators),
        units_created=sum(1 for p in plans if p.existing is None),
        units_updated=sum(1 for p in plans if p.existing is not None),
        places_added=sum(p.places.add_singles + len(p.places.add_rooms) for p in plans),
        places_retired=sum(len(p.places.retire) for p in plans),
    )
    if dry_run:
        return result
    session.add_all(ctx.new_operators)
    await session.flush()
    targets: list[tuple[_UnitPlan, Unit, set[str]]] = []
    for plan in plans:
        values = unit_values(plan.fields, plan.operator)
        if plan.existing is None:
            unit = Unit(**values, created_at=now)
            session.add(unit)
            targets.append((plan, unit, set()))
        else:
            unit = plan.existing
            for name, value in values.items():
                setattr(unit, name, value)
            unit.updated_at = now
            targets.append((plan, unit, {p.label for p in ctx.places.get(unit.id, [])}))
    await session.flush()  # units before their places
    for plan, unit, taken in targets:
        for place in plan.places.retire:
            place.retired_at = now
        singles = _labels(taken, "P", plan.places.add_singles)
        rooms = _labels(taken, "F", len(plan.places.add_rooms))
        session.add_all(
            [Place(unit_id=unit.id, label=lb, kind=PlaceKind.place) for lb in singles]
            + [
                Place(unit_id=unit.id, label=lb, kind=PlaceKind.family_room, capacity=c)
                for lb, c in zip(rooms, plan.places.add_rooms, strict=True)
            ]
        )
    await session.flush()
    await _release_blocks_on_retired(session, now, plans)
    await record(
        session,
        clock,
        actor,
        AuditAction.create,
        "inventory_import",
        reason=result.model_dump_json(),
    )
    return result


async def _release_blocks_on_retired(
    session: AsyncSession, now: datetime, plans: list[_UnitPlan]
) -> None:
    retired = [p.id for plan in plans for p in plan.places.retire]
    if not retired:
        return
    blocks = await session.execute(
        select(Booking).where(
            col(Booking.place_id).in_(retired),
            col(Booking.kind) == BookingKind.block,
            col(Booking.status) == BookingStatus.active,
            col(Booking.ends_at) > now,
        )
    )
    for b in blocks.scalars():
        b.status = BookingStatus.released
        b.closed_at = now
    await session.flush()
