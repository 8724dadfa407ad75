"""Small, explicit test data for the inventory: a few districts, operators and units."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from placement.db import transaction
from placement.models import Case, District, Operator, Person, Place, RiskAssessment, Unit
from placement.models.enums import (
    DistrictKind,
    Gender,
    OperatorKind,
    PlaceKind,
    RiskInstrument,
    RiskLevel,
    SharingPolicy,
    SubstancePolicy,
    UnitKind,
)


@dataclass(frozen=True)
class World:
    sodermalm: uuid.UUID  # Stockholm
    farsta: uuid.UUID  # Stockholm
    sollentuna: uuid.UUID  # Sollentuna, pool nordvast
    jarfalla: uuid.UUID  # Järfälla, pool nordvast
    uppsala: uuid.UUID  # Uppsala, no pool
    city: uuid.UUID  # municipal operator
    private: uuid.UUID  # private operator
    ngo: uuid.UUID  # civil-society operator


def _district(code: str, municipality: str, pool: str | None) -> District:
    return District(
        code=code,
        name=code.capitalize(),
        kind=DistrictKind.district_administration
        if municipality == "Stockholm"
        else DistrictKind.municipality,
        municipality=municipality,
        pool=pool,
        lat=59.3,
        lon=18.0,
    )


async def make_world(sm: Any) -> World:
    async with transaction(sm) as s:
        ds = [
            _district("sodermalm", "Stockholm", None),
            _district("farsta", "Stockholm", None),
            _district("sollentuna", "Sollentuna", "nordvast"),
            _district("jarfalla", "Järfälla", "nordvast"),
            _district("uppsala", "Uppsala", None),
        ]
        ops = [
            Operator(name="Stockholms stad", kind=OperatorKind.municipal),
            Operator(name="Trygghet AB", kind=OperatorKind.private),
            Operator(name="Kvinnojouren", kind=OperatorKind.civil_society),
        ]
        s.add_all([*ds, *ops])
        await s.flush()
        return World(*(d.id for d in ds), *(o.id for o in ops))


async def make_unit(
    sm: Any,
    world: World,
    *,
    singles: int = 1,
    rooms: tuple[int, ...] = (),
    confirmed_at: datetime | None = None,
    **fields: Any,
) -> uuid.UUID:
    values: dict[str, Any] = {
        "operator_id": world.city,
        "name": f"Unit {uuid.uuid4().hex[:6]}",
        "kind": UnitKind.protected_shelter,
        "district_id": world.sodermalm,
        "sharing_policy": SharingPolicy.city_wide,
        "protection_level": 3,
        "substance_policy": SubstancePolicy.no_active_use,
        "accepted_genders": ["female"],
        "accepts_children": bool(rooms),
        "max_children": 4 if rooms else 0,
        "languages": ["sv", "en"],
        "vacancy_confirmed_at": confirmed_at,
    }
    values.update(fields)
    async with transaction(sm) as s:
        unit = Unit(**values)
        s.add(unit)
        await s.flush()
        s.add_all(
            [
                Place(unit_id=unit.id, label=f"P{i + 1}", kind=PlaceKind.place)
                for i in range(singles)
            ]
            + [
                Place(unit_id=unit.id, label=f"F{i + 1}", kind=PlaceKind.family_room, capacity=c)
                for i, c in enumerate(rooms)
            ]
        )
        return unit.id


async def make_case(
    sm: Any, district_id: uuid.UUID, clock_now: datetime, *, risk: str | None = "low"
) -> uuid.UUID:
    """A case to book for. It has a FREDA assessment (low by default: these tests are about
    the booking core, not the placement rules; ``risk=None`` leaves it unassessed)."""
    async with transaction(sm) as s:
        person = Person(gender=Gender.female, birth_year=1990, scope_district_id=district_id)
        s.add(person)
        await s.flush()
        case = Case(
            case_number=f"T-{uuid.uuid4().hex[:8]}",
            person_id=person.id,
            responsible_district_id=district_id,
            opened_at=clock_now,
        )
        s.add(case)
        await s.flush()
        if risk is not None:
            s.add(
                RiskAssessment(
                    case_id=case.id,
                    instrument=RiskInstrument.freda,
                    level=RiskLevel(risk),
                    assessed_at=clock_now,
                )
            )
            await s.flush()
        return case.id


async def place_ids(sm: Any, unit_id: uuid.UUID) -> list[uuid.UUID]:
    from sqlmodel import col, select

    async with sm() as s:
        rows = await s.execute(
            select(Place.id).where(col(Place.unit_id) == unit_id).order_by(col(Place.label))
        )
        return list(rows.scalars().all())
