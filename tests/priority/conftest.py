"""A small fictional city for the priority tests: districts, one case with a shelter placement
(unit, address, booking, decision, risk assessment) that the housing agency must never see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from placement.clock import FrozenClock
from placement.crypto import Keyring
from placement.db import transaction
from placement.models import (
    Booking,
    Case,
    Child,
    Decision,
    District,
    ExclusionArea,
    Operator,
    Person,
    Place,
    RiskAssessment,
    Unit,
)
from placement.models.enums import (
    BookingKind,
    ConsentStatus,
    DistrictKind,
    ExclusionKind,
    Gender,
    LegalBasis,
    OperatorKind,
    PlaceKind,
    RiskInstrument,
    RiskLevel,
    Role,
    SharingPolicy,
    SubstancePolicy,
    UnitKind,
)
from tests.conftest import owner_sm

# code, name, centre, neighbours. "bromma" is only where the shelter is: never shown to the agency.
DISTRICTS = (
    ("sodermalm", "Södermalm", 59.312, 18.069, ("farsta", "skarholmen")),
    ("farsta", "Farsta", 59.243, 18.093, ("sodermalm",)),
    ("skarholmen", "Skärholmen", 59.277, 17.907, ("sodermalm", "hagersten")),
    ("hagersten", "Hägersten", 59.298, 17.973, ("skarholmen",)),
    ("kungsholmen", "Kungsholmen", 59.332, 18.029, ()),
    ("bromma", "Bromma", 59.338, 17.939, ()),
)

UNIT_NAME = "Skyddat boende Eken"
ADDRESS = "Hemliggatan 12, 168 50 Bromma"
PERSON_NAME = "Aino Testsson"


@dataclass
class World:
    districts: dict[str, uuid.UUID]
    case_id: uuid.UUID
    case_number: str
    unit_id: uuid.UUID
    decision_id: uuid.UUID
    booking_id: uuid.UUID
    booking_group_id: uuid.UUID
    risk_id: uuid.UUID
    secrets: dict[str, str] = field(default_factory=dict)  # label -> value never shown to agency


async def add_case(
    s: Any,
    clock: FrozenClock,
    keyring: Keyring,
    district_id: uuid.UUID,
    number: str,
    *,
    adults: int = 1,
) -> Case:
    person = Person(
        name_ciphertext=keyring.encrypt(PERSON_NAME),
        gender=Gender.female,
        birth_year=1990,
        scope_district_id=district_id,
    )
    s.add(person)
    await s.flush()
    case = Case(
        case_number=number,
        person_id=person.id,
        responsible_district_id=district_id,
        adults=adults,
        opened_at=clock.now() - timedelta(days=60),
    )
    s.add(case)
    await s.flush()
    return case


@pytest.fixture
async def world(app: Any, clock: FrozenClock, keyring: Keyring) -> World:
    async with transaction(owner_sm(app)) as s:
        ids: dict[str, uuid.UUID] = {}
        for code, name, lat, lon, neighbours in DISTRICTS:
            d = District(
                code=code,
                name=name,
                kind=DistrictKind.district_administration,
                municipality="Stockholm",
                lat=lat,
                lon=lon,
                neighbour_codes=list(neighbours),
            )
            s.add(d)
            await s.flush()
            ids[code] = d.id
        case = await add_case(s, clock, keyring, ids["sodermalm"], "RV-2026-0042")
        s.add(
            Child(
                case_id=case.id,
                pseudonym="Barn 1",
                gender=Gender.male,
                birth_date=date(2019, 3, 2),
                school_district_id=ids["skarholmen"],
            )
        )
        s.add(
            ExclusionArea(
                case_id=case.id, district_id=ids["farsta"], kind=ExclusionKind.perpetrator_home
            )
        )
        risk = RiskAssessment(
            case_id=case.id,
            instrument=RiskInstrument.patriark,
            level=RiskLevel.high,
            assessed_at=clock.now() - timedelta(days=50),
        )
        s.add(risk)
        operator = Operator(name="Stiftelsen Trygghet", kind=OperatorKind.civil_society)
        s.add(operator)
        await s.flush()
        address_ciphertext = keyring.encrypt(ADDRESS)
        unit = Unit(
            operator_id=operator.id,
            name=UNIT_NAME,
            kind=UnitKind.protected_shelter,
            district_id=ids["bromma"],
            sharing_policy=SharingPolicy.city_wide,
            protection_level=3,
            secret_address=True,
            address_ciphertext=address_ciphertext,
            substance_policy=SubstancePolicy.no_active_use,
            accepted_genders=["female"],
            accepts_children=True,
            max_children=3,
        )
        s.add(unit)
        await s.flush()
        place = Place(unit_id=unit.id, label="Rum 4", kind=PlaceKind.family_room, capacity=3)
        s.add(place)
        await s.flush()
        group = uuid.uuid4()
        starts = clock.now() - timedelta(days=40)
        booking = Booking(
            place_id=place.id,
            unit_id=unit.id,
            kind=BookingKind.placement,
            group_id=group,
            case_id=case.id,
            starts_at=starts,
            ends_at=starts + timedelta(days=90),
            created_at=starts,
        )
        s.add(booking)
        decision = Decision(
            case_id=case.id,
            unit_id=unit.id,
            booking_group_id=group,
            measure=UnitKind.protected_shelter,
            legal_basis=LegalBasis.sol,
            consent_status=ConsentStatus.not_applicable,
            starts_at=starts,
            ends_at=starts + timedelta(days=90),
            decided_at=starts,
            decided_role=Role.rvt_officer,
            reason="Skyddsbehov efter hot",
        )
        s.add(decision)
        await s.flush()
        return World(
            districts=ids,
            case_id=case.id,
            case_number=case.case_number,
            unit_id=unit.id,
            decision_id=decision.id,
            booking_id=booking.id,
            booking_group_id=group,
            risk_id=risk.id,
            secrets={
                "unit name": UNIT_NAME,
                "unit id": str(unit.id),
                "place label": "Rum 4",
                "operator": operator.name,
                "address": ADDRESS,
                "address ciphertext": address_ciphertext,
                "decision id": str(decision.id),
                "decision reason": "Skyddsbehov efter hot",
                "booking id": str(booking.id),
                "booking group": str(group),
                "risk id": str(risk.id),
                "risk instrument": "patriark",
                "case id": str(case.id),
                "person id": str(case.person_id),
                "person name": PERSON_NAME,
                "shelter district": "bromma",
                "shelter district id": str(ids["bromma"]),
                "responsible district id": str(ids["sodermalm"]),
            },
        )


@pytest.fixture
def sign_in(client_for: Any) -> Any:
    """``await sign_in(Role..., district=...)``: a client that remembers its user name (so a test
    that moves the clock by days can sign in again)."""

    async def factory(role: Role, district_id: uuid.UUID | None = None) -> Any:
        name = f"{role.value}-{uuid.uuid4().hex[:8]}"
        client = await client_for(role, district_id=district_id, username=name)
        client.headers["x-test-user"] = name
        return client

    return factory
