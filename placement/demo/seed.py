"""``seed-demo``: a synthetic demo city sized to the December 2022 figures in shared/domain.md.

Everything is fictional: unit names, street addresses, people. No personal identity numbers
are generated (a random valid one could belong to a real person). Idempotent: does nothing if
districts already exist.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.scope import system_scope
from placement.auth.secrets import hash_password
from placement.clock import Clock
from placement.config import Settings
from placement.crypto import Keyring
from placement.demo.geography import DISTRICTS
from placement.demo.history import seed_history
from placement.inventory.contact import encrypt_phone
from placement.models import (
    Case,
    District,
    Operator,
    Place,
    PriorityApplication,
    PriorityCommitteeMeeting,
    Unit,
    UserAccount,
    VacancyReport,
)
from placement.models.enums import (
    CasePhase,
    DistrictKind,
    OperatorKind,
    PlaceKind,
    PriorityStatus,
    Role,
    RvcRegion,
    SharingPolicy,
    SubstancePolicy,
    UnitKind,
)
from placement.priority import criterion

DEMO_PASSWORD = "demo-losenord-2026"  # noqa: S105 - demo accounts only, printed by seed-demo

FIRST_NAMES = (
    "Aino",
    "Berit",
    "Cecilia",
    "Dalia",
    "Elin",
    "Farah",
    "Greta",
    "Hodan",
    "Ida",
    "Jasmin",
    "Karin",
    "Leyla",
    "Maja",
    "Nour",
    "Olivia",
    "Petra",
    "Ronja",
    "Sara",
    "Tove",
    "Ulla",
    "Vera",
    "Yasmin",
    "Zeynep",
    "Amir",
    "Johan",
    "Erik",
)
LAST_NAMES = (
    "Exempelsson",
    "Demodotter",
    "Fiktivsson",
    "Påhittad",
    "Testberg",
    "Provlund",
    "Låtsasgren",
    "Övningsfors",
    "Mallström",
    "Skissqvist",
)
STREETS = (
    "Demogatan",
    "Fiktivvägen",
    "Påhittade gränd",
    "Exempelallén",
    "Övningsstigen",
    "Testbacken",
    "Låtsastorget",
    "Skissvägen",
)
LANGS = ("sv", "en", "ar", "so", "fa", "ti", "pl", "es")


@dataclass
class UnitSpec:
    name: str
    kind: UnitKind
    operator: str
    district: str
    sharing: SharingPolicy
    protection: int
    singles: int = 0
    family_rooms: tuple[int, ...] = ()
    staffed: bool = False
    secret: bool = False
    genders: tuple[str, ...] = ("female",)
    min_age: int | None = 18
    max_age: int | None = None
    children: int = 0
    max_child_age: int | None = None
    max_boy_age: int | None = None
    substance: SubstancePolicy = SubstancePolicy.no_active_use
    wheelchair: bool = False
    honour: bool = False
    languages: tuple[str, ...] = ("sv", "en")
    pets: bool = False
    cost: int = 0
    ivo_required: bool = False
    ivo_until: date | None = None
    owner: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


def _inventory(rng: random.Random, today: date) -> list[UnitSpec]:
    stockholm = [d.code for d in DISTRICTS if d.municipality == "Stockholm"]
    nordvast = [d.code for d in DISTRICTS if d.pool == "nordvast"]
    specs: list[UnitSpec] = [
        UnitSpec(
            "Kriscentrum Lyktan",
            UnitKind.protected_shelter,
            "Stockholms stad",
            "kungsholmen",
            SharingPolicy.city_wide,
            3,
            singles=6,
            family_rooms=(4,) * 6,
            staffed=True,
            secret=True,
            children=4,
            honour=True,
            languages=("sv", "en", "ar", "so", "fa"),
            cost=2900,
            owner=None,
        ),
        UnitSpec(
            "Hamnen akutboende",
            UnitKind.protected_shelter,
            "Stockholms stad",
            "norrmalm",
            SharingPolicy.city_wide,
            2,
            singles=12,
            staffed=True,
            secret=True,
            substance=SubstancePolicy.active_use_accepted,
            cost=2400,
        ),
        UnitSpec(
            "Linnean stödboende",
            UnitKind.protected_shelter,
            "Stockholms stad",
            "bromma",
            SharingPolicy.city_wide,
            3,
            singles=10,
            staffed=True,
            secret=True,
            substance=SubstancePolicy.drug_free,
            cost=2600,
        ),
        UnitSpec(
            "Kvinnojouren Ankaret",
            UnitKind.protected_shelter,
            "Föreningen Ankaret",
            "farsta",
            SharingPolicy.open,
            3,
            singles=2,
            family_rooms=(3, 4, 4),
            staffed=False,
            secret=True,
            children=3,
            cost=1800,
            languages=("sv", "en", "es"),
        ),
        UnitSpec(
            "Kvinnojouren Fyrbåken",
            UnitKind.protected_shelter,
            "Föreningen Fyrbåken",
            "skarholmen",
            SharingPolicy.open,
            3,
            family_rooms=(3, 5),
            secret=True,
            children=4,
            wheelchair=True,
            cost=1900,
            languages=("sv", "ar", "ti"),
        ),
        UnitSpec(
            "Tjejjouren Kompassen",
            UnitKind.protected_shelter,
            "Föreningen Kompassen",
            "sodermalm",
            SharingPolicy.open,
            3,
            singles=6,
            secret=True,
            min_age=16,
            max_age=25,
            honour=True,
            cost=2100,
            languages=("sv", "en", "ar", "ku"),
        ),
        UnitSpec(
            "Mansjouren Bryggan",
            UnitKind.protected_shelter,
            "Föreningen Bryggan",
            "hagersten-liljeholmen",
            SharingPolicy.open,
            2,
            singles=3,
            family_rooms=(3,),
            secret=True,
            genders=("male",),
            children=2,
            cost=1700,
        ),
        UnitSpec(
            "Tryggheten skyddat boende",
            UnitKind.protected_shelter,
            "Trygghet Omsorg AB",
            "sollentuna",
            SharingPolicy.open,
            3,
            singles=4,
            family_rooms=(4, 4, 5),
            staffed=True,
            secret=True,
            children=4,
            honour=True,
            wheelchair=True,
            cost=3400,
            ivo_required=True,
            ivo_until=today + timedelta(days=400),
            languages=("sv", "en", "ar", "fa", "so"),
        ),
        UnitSpec(
            "Skyddsnätet",
            UnitKind.protected_shelter,
            "Skyddsnätet Vård AB",
            "jarfalla",
            SharingPolicy.open,
            3,
            family_rooms=(4, 4),
            staffed=True,
            secret=True,
            children=3,
            cost=3200,
            ivo_required=True,
            ivo_until=today + timedelta(days=40),
        ),
        UnitSpec(
            "Nattljuset",
            UnitKind.protected_shelter,
            "Nattljuset Omsorg AB",
            "sigtuna",
            SharingPolicy.open,
            3,
            singles=4,
            staffed=True,
            secret=True,
            cost=3000,
            ivo_required=True,
            ivo_until=today - timedelta(days=10),
        ),
        UnitSpec(
            "Vandrarhemmet Kajen",
            UnitKind.hostel,
            "Kajen Logi AB",
            "sodermalm",
            SharingPolicy.open,
            1,
            singles=14,
            genders=("female", "male", "non_binary"),
            cost=650,
            substance=SubstancePolicy.active_use_accepted,
        ),
        UnitSpec(
            "Hotell Lindgården",
            UnitKind.hostel,
            "Lindgården Hotell AB",
            "alvsjo",
            SharingPolicy.open,
            1,
            singles=6,
            family_rooms=(3, 4, 4),
            genders=("female", "male", "non_binary"),
            children=4,
            cost=1100,
        ),
        UnitSpec(
            "Vandrarhemmet Backen",
            UnitKind.hostel,
            "Backen Logi AB",
            "solna",
            SharingPolicy.open,
            1,
            singles=10,
            genders=("female", "male", "non_binary"),
            cost=600,
        ),
    ]
    on_call_districts = stockholm[:10]
    for i, code in enumerate(on_call_districts):
        for j in range(2):
            specs.append(
                UnitSpec(
                    f"Jourlägenhet {code.split('-')[0].capitalize()} {j + 1}",
                    UnitKind.on_call_flat,
                    "Stockholms stad",
                    code,
                    SharingPolicy.own_district,
                    2,
                    family_rooms=(3 + (i + j) % 3,),
                    secret=True,
                    genders=("female", "male", "non_binary"),
                    children=4,
                    owner=code,
                    wheelchair=(i + j) % 5 == 0,
                    cost=700,
                )
            )
    for i in range(13):
        code = stockholm[i % len(stockholm)]
        specs.append(
            UnitSpec(
                f"Träningslägenhet {i + 1}",
                UnitKind.training_flat,
                "Stockholms stad",
                code,
                SharingPolicy.own_district,
                1,
                family_rooms=(2 + i % 3,),
                genders=("female", "male", "non_binary"),
                children=3,
                owner=code,
                cost=450,
            )
        )
    for i in range(70):
        code = stockholm[(i * 7) % len(stockholm)]
        specs.append(
            UnitSpec(
                f"SHIS {code.split('-')[0].capitalize()} {i + 1}",
                UnitKind.shis_interim,
                "SHIS Bostäder",
                code,
                SharingPolicy.city_wide,
                1,
                family_rooms=(2 + i % 4,),
                genders=("female", "male", "non_binary"),
                children=4,
                wheelchair=i % 9 == 0,
                cost=320,
                languages=("sv",),
            )
        )
    for i in range(28):
        code = stockholm[(i * 5) % len(stockholm)]
        specs.append(
            UnitSpec(
                f"SHIS mellanbo {i + 1}",
                UnitKind.shis_mellanbo,
                "SHIS Bostäder",
                code,
                SharingPolicy.city_wide,
                2,
                family_rooms=(2 + i % 3,),
                genders=("female", "male") if i > 20 else ("female",),
                children=3,
                wheelchair=i % 7 == 0,
                cost=520,
            )
        )
    for i in range(8):
        code = stockholm[(i * 3) % len(stockholm)]
        specs.append(
            UnitSpec(
                f"Försökslägenhet {i + 1}",
                UnitKind.trial_flat,
                "Stockholms stad",
                code,
                SharingPolicy.own_district,
                1,
                family_rooms=(2 + i % 3,),
                genders=("female", "male", "non_binary"),
                children=3,
                owner=code,
                cost=300,
            )
        )
    for i in range(12):
        code = nordvast[i % len(nordvast)]
        specs.append(
            UnitSpec(
                f"Nordvästlägenhet {i + 1}",
                UnitKind.regional_pool_flat,
                "Boendekedjan Nordväst",
                code,
                SharingPolicy.regional_pool,
                1,
                family_rooms=(2 + i % 3,),
                genders=("female", "male", "non_binary"),
                children=3,
                owner=code,
                cost=350,
            )
        )
    rng.shuffle(specs)
    return specs


OPERATOR_KINDS = {
    "Stockholms stad": OperatorKind.municipal,
    "SHIS Bostäder": OperatorKind.housing_foundation,
    "Boendekedjan Nordväst": OperatorKind.regional,
}


def _operator_kind(name: str) -> OperatorKind:
    if name in OPERATOR_KINDS:
        return OPERATOR_KINDS[name]
    if name.startswith("Föreningen"):
        return OperatorKind.civil_society
    return OperatorKind.private


async def demo_present(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(func.count()).select_from(District)))


async def seed_demo(
    session: AsyncSession,
    clock: Clock,
    keyring: Keyring,
    *,
    seed: int = 2022,
    settings: Settings | None = None,
) -> dict[str, int]:
    """Create the demo city. Returns counts of what was created (empty if already present)."""
    await system_scope(session)
    if await demo_present(session):
        return {}
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    now = clock.now()
    today = now.date()

    districts: dict[str, District] = {}
    for d in DISTRICTS:
        row = District(
            code=d.code,
            name=d.name,
            kind=DistrictKind.district_administration
            if d.municipality == "Stockholm"
            else DistrictKind.municipality,
            municipality=d.municipality,
            pool=d.pool,
            rvc_region=RvcRegion(d.rvc_region) if d.rvc_region else None,
            lat=d.lat,
            lon=d.lon,
            neighbour_codes=list(d.neighbours),
            rvt_can_grant_mellanbo=d.code != "enskede-arsta-vantor",
        )
        districts[d.code] = row
        session.add(row)
    await session.flush()

    operators: dict[str, Operator] = {}
    units: list[tuple[Unit, list[Place]]] = []
    for spec in _inventory(rng, today):
        op = operators.get(spec.operator)
        if op is None:
            op = Operator(name=spec.operator, kind=_operator_kind(spec.operator))
            operators[spec.operator] = op
            session.add(op)
            await session.flush()
        unit = Unit(
            operator_id=op.id,
            name=spec.name,
            kind=spec.kind,
            district_id=districts[spec.district].id,
            owner_district_id=districts[spec.owner].id if spec.owner else None,
            sharing_policy=spec.sharing,
            protection_level=spec.protection,
            staffed_24_7=spec.staffed,
            secret_address=spec.secret,
            address_ciphertext=keyring.encrypt(
                f"{rng.choice(STREETS)} {rng.randint(1, 120)}", associated="unit_address"
            ),
            # Synthetic on-duty numbers from the range PTS keeps for fiction (08-465 004 xx);
            # no random draw, so the rest of the demo city stays as it was.
            contact_phone_ciphertext=encrypt_phone(keyring, f"08-465 004 {len(units) % 100:02d}"),
            contact_hours="dygnet runt" if spec.staffed else "vardagar 08-17",
            accepted_genders=list(spec.genders),
            min_age=spec.min_age,
            max_age=spec.max_age,
            accepts_children=spec.children > 0,
            max_children=spec.children,
            max_child_age=spec.max_child_age,
            max_boy_age=spec.max_boy_age,
            substance_policy=spec.substance,
            wheelchair_accessible=spec.wheelchair,
            honour_competence=spec.honour,
            languages=list(spec.languages),
            pets_allowed=spec.pets,
            nightly_cost_sek=spec.cost,
            ivo_permit_required=spec.ivo_required,
            ivo_permit_valid_until=spec.ivo_until,
            activity_code="1213" if spec.kind == UnitKind.protected_shelter else None,
            # Most units confirmed within hours; about one in eight is stale.
            vacancy_confirmed_at=now - timedelta(hours=rng.choice([1, 2, 3, 5, 8, 10, 30])),
        )
        session.add(unit)
        await session.flush()
        places = [
            Place(unit_id=unit.id, label=f"P{i + 1}", kind=PlaceKind.place, capacity=1)
            for i in range(spec.singles)
        ] + [
            Place(unit_id=unit.id, label=f"F{i + 1}", kind=PlaceKind.family_room, capacity=c)
            for i, c in enumerate(spec.family_rooms)
        ]
        session.add_all(places)
        units.append((unit, places))
    await session.flush()

    users = await _seed_users(session, districts)
    counts = {
        "districts": len(districts),
        "operators": len(operators),
        "units": len(units),
        "places": sum(len(p) for _, p in units),
        "users": len(users),
    }
    for unit, places in units:
        if unit.vacancy_confirmed_at is not None:
            session.add(
                VacancyReport(
                    unit_id=unit.id,
                    reported_at=unit.vacancy_confirmed_at,
                    free_places=sum(1 for p in places if p.kind == PlaceKind.place),
                    free_family_rooms=sum(1 for p in places if p.kind == PlaceKind.family_room),
                )
            )
    await session.flush()
    # People, placements and their history: only through the domain services.
    counts.update(
        await seed_history(
            session, settings or Settings(), keyring, rng, now, districts, units, users
        )
    )
    counts["cases"] = int(await session.scalar(select(func.count()).select_from(Case)) or 0)
    counts.update(await _seed_priority(session, now, districts, users["formedling"]))
    return counts


async def _seed_users(
    session: AsyncSession, districts: dict[str, District]
) -> dict[str, UserAccount]:
    password_hash = hash_password(DEMO_PASSWORD)
    specs: list[tuple[str, str, Role, str | None, bool]] = [
        ("rvt.sodermalm", "Handläggare Södermalm", Role.rvt_officer, "sodermalm", False),
        ("rvt.sodermalm.lead", "Teamledare Södermalm", Role.rvt_officer, "sodermalm", True),
        (
            "rvt.eav",
            "Handläggare Enskede-Årsta-Vantör",
            Role.rvt_officer,
            "enskede-arsta-vantor",
            False,
        ),
        ("rvt.farsta", "Handläggare Farsta", Role.rvt_officer, "farsta", False),
        ("socialjour", "Socialjouren natt", Role.socialjour, None, False),
        ("formedling", "Förtursenheten", Role.housing_agency, None, False),
        ("samordnare", "Stadsövergripande samordnare", Role.coordinator, None, False),
        ("granskare", "Granskare", Role.auditor, None, False),
        ("admin", "Administratör", Role.admin, None, False),
    ]
    # Every district's own RVT officer, so each district's households are opened and
    # decided by their own social services (the named accounts above come first).
    named = {d for *_, d, _lead in specs if d}
    for code, row in districts.items():
        if code not in named:
            specs.append((f"rvt.{code}", f"Handläggare {row.name}", Role.rvt_officer, code, False))
    operator_specs = [
        ("jour.ankaret", "Kvinnojouren Ankaret", "Föreningen Ankaret"),
        ("tryggheten", "Tryggheten skyddat boende", "Trygghet Omsorg AB"),
    ]
    users: dict[str, UserAccount] = {}
    for username, display, role, district, lead in specs:
        user = UserAccount(
            username=username,
            display_name=display,
            password_hash=password_hash,
            role=role,
            district_id=districts[district].id if district else None,
            is_team_lead=lead,
        )
        session.add(user)
        users[username] = user
    for username, display, operator_name in operator_specs:
        operator = await session.scalar(select(Operator).where(col(Operator.name) == operator_name))
        if operator is None:
            continue
        user = UserAccount(
            username=username,
            display_name=display,
            password_hash=password_hash,
            role=Role.operator,
            operator_id=operator.id,
        )
        session.add(user)
        users[username] = user
    await session.flush()
    return users


# The agency's reason for the priority criterion on the demo applications past approval.
CRITERION_REASON = (
    "Intyget från socialtjänsten visar starka sociala behov: skyddat boende efter våld i "
    "nära relation och inget annat sätt att få ett eget förstahandskontrakt."
)
PAST_APPROVAL = frozenset({PriorityStatus.approved, PriorityStatus.watch_active})


async def _seed_priority(
    session: AsyncSession, now: datetime, districts: dict[str, District], agency: UserAccount
) -> dict[str, int]:
    meetings = 0
    first = date(now.year, now.month, 1)
    for i in range(1, 7):
        month = (first.month - 1 + i) % 12 + 1
        year = first.year + (first.month - 1 + i) // 12
        meets = date(year, month, 12)
        session.add(
            PriorityCommitteeMeeting(meets_on=meets, papers_due_on=meets - timedelta(days=7))
        )
        meetings += 1
    cases = (
        (
            await session.execute(
                select(Case)
                .where(col(Case.phase) == CasePhase.post_acute)
                .order_by(col(Case.case_number))
                .limit(6)
            )
        )
        .scalars()
        .all()
    )
    applications = []
    for i, case in enumerate(cases):
        application = PriorityApplication(
            case_id=case.id,
            status=[
                PriorityStatus.draft,
                PriorityStatus.submitted,
                PriorityStatus.under_review,
                PriorityStatus.approved,
                PriorityStatus.watch_active,
                PriorityStatus.certificate_requested,
            ][i % 6],
            adults=1,
            children_ages=[3, 7][: i % 3],
            avoid_district_codes=["sodermalm"] if i % 2 else ["farsta"],
            needed_district_codes=["skarholmen"] if i % 2 else [],
            registered_in_city_since=date(now.year - 3 + (i % 2) * 2, 1, 15),
            consent_to_share=True,
            created_at=now - timedelta(days=10 + i),
        )
        session.add(application)
        applications.append(application)
    await session.flush()
    # Applications past approval were approved with the criterion assessed as met.
    for application in applications:
        if application.status in PAST_APPROVAL:
            session.add(
                criterion.new_assessment(
                    application.id,
                    True,
                    CRITERION_REASON,
                    by_id=agency.id,
                    role=Role.housing_agency,
                    at=application.created_at + timedelta(days=2),
                )
            )
    await session.flush()
    return {"committee_meetings": meetings, "priority_applications": len(cases)}
