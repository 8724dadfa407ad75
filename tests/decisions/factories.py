"""A small world for case and decision tests: three districts, three units, five users."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.auth.service import actor_for
from placement.cases import service as cases
from placement.cases.schemas import CaseCreate
from placement.clock import Clock
from placement.config import Settings
from placement.crypto import Keyring
from placement.db import transaction
from placement.decisions import service as decisions
from placement.decisions.schemas import ChildDecisionIn, GrantCreate, PlacementResult
from placement.jobs import SWEEPS, load_sweeps
from placement.models import AuditEntry, District, Operator, Place, Unit, UserAccount
from placement.models.enums import (
    ConsentStatus,
    DistrictKind,
    LegalBasis,
    OperatorKind,
    PlaceKind,
    Role,
    SharingPolicy,
    SubstancePolicy,
    UnitKind,
)

NOTE = "Går i förskola; inga särskilda behov."  # a child's assessment note
ADULT_NAME = "Testa Exempelsdotter"
PERSONAL_NUMBER = "199001012393"  # synthetic, valid check digit (stored normalised)


@dataclass
class World:
    district_a: District  # the responsible district
    district_b: District  # another district
    district_c: District  # where the shelters are
    shelter: Unit
    shelter2: Unit
    low_unit: Unit  # protection level 1
    handler: UserAccount  # RVT officer in A
    lead: UserAccount  # team lead in A
    other_rvt: UserAccount  # RVT officer in B
    night: UserAccount  # Socialjouren

    def actor(self, user: UserAccount) -> Actor:
        return actor_for(user)


def _district(code: str) -> District:
    return District(
        code=code,
        name=code.title(),
        kind=DistrictKind.district_administration,
        municipality="Stockholm",
        lat=59.3,
        lon=18.0,
    )


def _unit(op: Operator, district: District, name: str, protection: int) -> Unit:
    return Unit(
        operator_id=op.id,
        name=name,
        kind=UnitKind.protected_shelter,
        district_id=district.id,
        sharing_policy=SharingPolicy.city_wide,
        protection_level=protection,
        staffed_24_7=True,
        substance_policy=SubstancePolicy.no_active_use,
        accepted_genders=["female"],
        accepts_children=True,
        max_children=4,
    )


def _user(username: str, role: Role, district: District | None, lead: bool = False) -> UserAccount:
    return UserAccount(
        username=username,
        display_name=username,
        password_hash="not-a-real-hash",
        role=role,
        district_id=None if district is None else district.id,
        is_team_lead=lead,
        email=f"{username}@example.invalid",
    )


async def make_world(sessionmaker: Any) -> World:
    tag = uuid.uuid4().hex[:6]
    async with transaction(sessionmaker) as s:
        a, b, c = _district(f"a-{tag}"), _district(f"b-{tag}"), _district(f"c-{tag}")
        op = Operator(name=f"Operator {tag}", kind=OperatorKind.municipal)
        s.add_all([a, b, c, op])
        await s.flush()
        shelter = _unit(op, c, "Skydd Ett", 3)
        shelter2 = _unit(op, c, "Skydd Två", 3)
        low = _unit(op, c, "Vandrarhem", 1)
        s.add_all([shelter, shelter2, low])
        await s.flush()
        for unit in (shelter, shelter2, low):
            s.add(Place(unit_id=unit.id, label="F1", kind=PlaceKind.family_room, capacity=4))
            s.add(Place(unit_id=unit.id, label="P1", kind=PlaceKind.place, capacity=1))
        users = [
            _user(f"handler-{tag}", Role.rvt_officer, a),
            _user(f"lead-{tag}", Role.rvt_officer, a, lead=True),
            _user(f"other-{tag}", Role.rvt_officer, b),
            _user(f"night-{tag}", Role.socialjour, None),
        ]
        s.add_all(users)
        await s.flush()
        return World(a, b, c, shelter, shelter2, low, *users)


def household(world: World, *, children: int = 2, **extra: Any) -> CaseCreate:
    data: dict[str, Any] = {
        "responsible_district_id": str(world.district_a.id),
        "person": {
            "name": ADULT_NAME,
            "personal_number": PERSONAL_NUMBER,
            "gender": "female",
            "birth_year": 1985,
        },
        "protected_identity": "protected_registration",
        "needs": {"languages": ["sv", "ar"]},
        "children": [
            {"gender": "female", "birth_date": "2016-03-01"},
            {"gender": "male", "age": 4},
        ][:children],
        "exclusion_areas": [{"district_code": world.district_b.code, "kind": "perpetrator_home"}],
        "risk_assessments": [{"instrument": "freda", "level": "high"}],
    }
    data.update(extra)
    return CaseCreate.model_validate(data)


async def open_case(
    sessionmaker: Any,
    clock: Clock,
    keyring: Keyring,
    world: World,
    actor: Actor,
    *,
    children: int = 2,
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    async with transaction(sessionmaker) as s:
        read = await cases.create_case(
            s, clock, actor, keyring, household(world, children=children)
        )
    return read.id, [c.id for c in sorted(read.children, key=lambda c: c.pseudonym)]


def child_decisions(child_ids: list[uuid.UUID]) -> list[ChildDecisionIn]:
    """The first child with both guardians' consent; the others under LPSB, immediately."""
    out = []
    for i, child_id in enumerate(child_ids):
        if i == 0:
            out.append(
                ChildDecisionIn(
                    child_id=child_id,
                    legal_basis=LegalBasis.sol_guardian_consent,
                    consent_status=ConsentStatus.both_guardians,
                    assessment_note=NOTE,
                )
            )
        else:
            out.append(
                ChildDecisionIn(
                    child_id=child_id,
                    legal_basis=LegalBasis.lpsb_immediate,
                    consent_status=ConsentStatus.one_guardian,
                    assessment_note=NOTE,
                )
            )
    return out


async def place(
    sessionmaker: Any,
    clock: Clock,
    settings: Settings,
    world: World,
    actor: Actor,
    case_id: uuid.UUID,
    child_ids: list[uuid.UUID],
    *,
    unit: Unit | None = None,
) -> PlacementResult:
    async with transaction(sessionmaker) as s:
        return await decisions.grant_placement(
            s,
            clock,
            settings,
            actor,
            case_id,
            GrantCreate(unit_id=(unit or world.shelter).id, children=child_decisions(child_ids)),
        )


async def run_decision_sweeps(sessionmaker: Any, clock: Clock, settings: Settings) -> None:
    """Only this area's sweeps (other areas' sweeps are tested by their owners)."""
    load_sweeps()
    for name, sweep in SWEEPS.items():
        if name.startswith("decisions."):
            async with transaction(sessionmaker) as s:
                await sweep(s, clock, settings)


def household_json(world: World, *, children: int = 2, **extra: Any) -> dict[str, Any]:
    return household(world, children=children, **extra).model_dump(mode="json", exclude_none=True)


async def audit_count(sessionmaker: Any, case_id: Any, action: str | None = None) -> int:
    async with transaction(sessionmaker) as s:
        stmt = (
            select(func.count()).select_from(AuditEntry).where(col(AuditEntry.case_id) == case_id)
        )
        if action is not None:
            stmt = stmt.where(col(AuditEntry.action) == action)
        return int(await s.scalar(stmt) or 0)
