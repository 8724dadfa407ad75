"""Synthetic households that fit a given unit, checked with the matcher's own rules.

The demo places people only through the services (placement.demo.history), and the services
refuse what the rule book refuses. So a household is drawn to fit the unit first (gender,
age, children, substance use, needs, risk within the unit's protection level, an area to
avoid elsewhere, a district the unit is shared with) and checked with ``optimizer.rules``
before any row is written.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import optimizer as opt
from optimizer.rules import NOT_OVERRIDABLE, RULES, make_context
from placement.matching.loader import opt_unit
from placement.models import District, Unit
from placement.models.enums import (
    Gender,
    RiskLevel,
    SharingPolicy,
    SubstancePolicy,
    SubstanceUse,
)

RISK_FOR_PROTECTION: dict[int, tuple[RiskLevel, ...]] = {
    3: (RiskLevel.low, RiskLevel.medium, RiskLevel.high, RiskLevel.high),
    2: (RiskLevel.low, RiskLevel.medium, RiskLevel.medium),
    1: (RiskLevel.low,),
}
LANGS = ("sv", "en", "ar", "so", "fa", "ti", "pl", "es")


@dataclass
class HouseholdSpec:
    district: District  # responsible (and requesting) district
    gender: Gender
    age: int
    children: list[tuple[Gender, int]] = field(default_factory=list)
    substance_use: SubstanceUse = SubstanceUse.none
    needs_wheelchair: bool = False
    honour_context: bool = False
    risk: RiskLevel = RiskLevel.medium
    avoid: District | None = None
    languages: list[str] = field(default_factory=lambda: ["sv"])

    @property
    def size(self) -> int:
        return 1 + len(self.children)


def requesting_districts(unit: Unit, districts: Sequence[District]) -> list[District]:
    """Districts with an RVT that the unit's owner shares it with."""
    owner_id = unit.owner_district_id or unit.district_id
    owner = next((d for d in districts if d.id == owner_id), None)
    policy = unit.sharing_policy
    if policy == SharingPolicy.own_district:
        return [d for d in districts if d.id == owner_id]
    if policy == SharingPolicy.city_wide and owner is not None:
        return [d for d in districts if d.municipality == owner.municipality]
    if policy == SharingPolicy.regional_pool and owner is not None and owner.pool:
        return [d for d in districts if d.pool == owner.pool]
    return list(districts)


def draw(
    rng: random.Random,
    unit: Unit,
    room: int,
    candidates: Sequence[District],
    stockholm: Sequence[District],
) -> HouseholdSpec | None:
    if not candidates or not unit.accepted_genders:
        return None
    genders = [Gender(g) for g in unit.accepted_genders]
    gender = (
        Gender.female if Gender.female in genders and rng.random() < 0.86 else rng.choice(genders)
    )
    low, high = max(19, unit.min_age or 18), min(64, unit.max_age or 64)
    if low > high:
        return None
    kids: list[tuple[Gender, int]] = []
    if unit.accepts_children and room > 1:
        n = min(rng.choice([0, 1, 1, 2, 2, 3]), unit.max_children, room - 1)
        for _ in range(n):
            child_gender = rng.choice([Gender.female, Gender.male])
            oldest = 16 if unit.max_child_age is None else unit.max_child_age
            if child_gender == Gender.male and unit.max_boy_age is not None:
                oldest = min(oldest, unit.max_boy_age)
            kids.append((child_gender, rng.randint(0, max(0, oldest))))
    if unit.substance_policy == SubstancePolicy.active_use_accepted:
        use = SubstanceUse.active if rng.random() < 0.7 else SubstanceUse.none
    elif unit.substance_policy == SubstancePolicy.drug_free:
        use = SubstanceUse.wants_drug_free
    else:
        use = SubstanceUse.none
    district = rng.choice(list(candidates))
    avoid_from = [d for d in stockholm if d.id not in (unit.district_id, district.id)]
    return HouseholdSpec(
        district=district,
        gender=gender,
        age=rng.randint(low, high),
        children=kids,
        substance_use=use,
        needs_wheelchair=unit.wheelchair_accessible and rng.random() < 0.1,
        honour_context=unit.honour_competence and rng.random() < 0.25,
        risk=rng.choice(RISK_FOR_PROTECTION[unit.protection_level]),
        avoid=rng.choice(avoid_from) if avoid_from else None,
        languages=rng.sample(list(LANGS), k=rng.choice([1, 1, 2])),
    )


def breaks(
    spec: HouseholdSpec,
    unit: Unit,
    districts: Mapping[str, opt.DistrictInfo],
    start: datetime,
    nights: int,
    policy: opt.Policy,
) -> list[str]:
    """The hard rules (capacity aside) this household would break in the unit."""
    day = start.date()
    household = opt.Household(
        request_id=str(uuid.uuid4()),
        requesting_district_id=str(spec.district.id),
        gender=spec.gender.value,
        age=spec.age,
        start=day,
        children=tuple(opt.Child(age=a, gender=g.value) for g, a in spec.children),
        risk_level=spec.risk.value,
        substance_use=spec.substance_use.value,
        needs_wheelchair=spec.needs_wheelchair,
        honour_context=spec.honour_context,
        exclusion_district_ids=frozenset({str(spec.avoid.id)}) if spec.avoid else frozenset(),
        nights=nights,
    )
    ctx = make_context(household, districts, policy)
    candidate = opt_unit(unit, start, spec.size, ())
    return [
        code
        for code, fn in RULES.items()
        if code not in NOT_OVERRIDABLE and fn(ctx, candidate) is not None
    ]


def fitting(
    rng: random.Random,
    unit: Unit,
    room: int,
    candidates: Sequence[District],
    stockholm: Sequence[District],
    districts: Mapping[str, opt.DistrictInfo],
    start: datetime,
    nights: int,
    policy: opt.Policy,
) -> HouseholdSpec | None:
    """A household for the unit that breaks no rule, or None after a few tries."""
    for _ in range(25):
        spec = draw(rng, unit, room, candidates, stockholm)
        if spec is None:
            return None
        if not breaks(spec, unit, districts, start, nights, policy):
            return spec
    return None


def stay(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high), hours=rng.randint(0, 23))
