"""Builders for optimizer tests: a small map, permissive units and households, random instances.

Helper module names start with `opt_` so they cannot clash with other test folders (the test
folders have no __init__.py; pytest puts this folder on sys.path).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from typing import Any

from hypothesis import strategies as st

from optimizer import Child, DistrictInfo, Household, JointPlanResult, Policy, Unit, plan_jointly

START = date(2025, 3, 3)

# Two municipalities (Stockholm-like city with four districts, two pool municipalities) and
# one far away municipality. Coordinates are real-ish so distances are in km.
DISTRICTS: tuple[DistrictInfo, ...] = (
    DistrictInfo("sod", "Södermalm", "stockholm", None, 59.315, 18.07, frozenset({"ens", "kun"})),
    DistrictInfo("ens", "Enskede", "stockholm", None, 59.28, 18.08, frozenset({"sod"})),
    DistrictInfo("kun", "Kungsholmen", "stockholm", None, 59.333, 18.03, frozenset({"sod", "bro"})),
    DistrictInfo("bro", "Bromma", "stockholm", None, 59.34, 17.94, frozenset({"kun"})),
    DistrictInfo("vas", "Upplands Väsby", "vasby", "nordvast", 59.52, 17.91, frozenset({"sol"})),
    DistrictInfo("sol", "Sollentuna", "sollentuna", "nordvast", 59.43, 17.95, frozenset({"vas"})),
    DistrictInfo("lul", "Luleå", "lulea", None, 65.58, 22.15, frozenset()),
)
DISTRICT_IDS = tuple(d.district_id for d in DISTRICTS)


def unit(unit_id: str = "u1", **kw: Any) -> Unit:
    """A unit that accepts almost anyone: open, high protection, children, wheelchair..."""
    base = Unit(
        unit_id=unit_id,
        name=f"Enhet {unit_id}",
        kind="protected_shelter",
        district_id="lul",
        sharing_policy="open",
        protection_level=3,
        accepted_genders=frozenset({"female", "male", "non_binary"}),
        min_age=18,
        max_age=None,
        accepts_children=True,
        max_children=5,
        max_child_age=None,
        max_boy_age=None,
        substance_policy="no_active_use",
        staffed_24_7=True,
        wheelchair_accessible=True,
        honour_competence=True,
        languages=frozenset({"sv", "en"}),
        pets_allowed=True,
        nightly_cost=1000,
        vacancy_age_hours=2.0,
        free_places=4,
        free_family_rooms=(4,),
    )
    return replace(base, **kw)


def household(request_id: str = "h1", **kw: Any) -> Household:
    base = Household(
        request_id=request_id,
        requesting_district_id="sod",
        gender="female",
        age=34,
        start=START,
        adults=1,
        children=(),
        risk_level="high",
        substance_use="none",
        exclusion_district_ids=frozenset({"ens"}),
        preferred_district_ids=frozenset(),
        phase="acute",
        nights=14,
    )
    return replace(base, **kw)


# --- random small instances --------------------------------------------------------------------

KINDS = (
    "protected_shelter",
    "hostel",
    "on_call_flat",
    "training_flat",
    "shis_interim",
    "shis_mellanbo",
    "trial_flat",
    "regional_pool_flat",
)


def random_unit(rng: random.Random, i: int) -> Unit:
    return Unit(
        unit_id=f"u{i}",
        name=f"Enhet {i}",
        kind=rng.choice(KINDS),
        district_id=rng.choice(DISTRICT_IDS),
        owner_district_id=rng.choice((None, None, rng.choice(DISTRICT_IDS))),
        sharing_policy=rng.choice(("own_district", "city_wide", "regional_pool", "open", "open")),
        protection_level=rng.randint(1, 3),
        accepted_genders=frozenset(rng.sample(["female", "male", "non_binary"], rng.randint(1, 3))),
        min_age=rng.choice((None, 18, 18, 21)),
        max_age=rng.choice((None, None, 25, 65)),
        accepts_children=rng.random() < 0.7,
        max_children=rng.randint(0, 4),
        max_child_age=rng.choice((None, 12, 17)),
        max_boy_age=rng.choice((None, None, 12)),
        substance_policy=rng.choice(
            ("active_use_accepted", "no_active_use", "no_active_use", "drug_free")
        ),
        wheelchair_accessible=rng.random() < 0.5,
        honour_competence=rng.random() < 0.5,
        languages=frozenset(rng.sample(["sv", "en", "ar", "so"], rng.randint(1, 3))),
        pets_allowed=rng.random() < 0.3,
        nightly_cost=rng.randint(0, 2500),
        vacancy_age_hours=rng.choice((None, 1.0, 30.0, 100.0)),
        ivo_permit_required=rng.random() < 0.3,
        ivo_permit_valid_until=rng.choice(
            (None, date(2025, 1, 1), date(2025, 3, 10), date(2026, 1, 1))
        ),
        free_places=rng.randint(0, 4),
        free_family_rooms=tuple(rng.randint(2, 5) for _ in range(rng.randint(0, 2))),
    )


def random_household(rng: random.Random, i: int) -> Household:
    n_kids = rng.choice((0, 0, 1, 2, 3))
    return Household(
        request_id=f"h{i}",
        requesting_district_id=rng.choice(DISTRICT_IDS),
        gender=rng.choice(("female", "female", "male", "non_binary")),
        age=rng.randint(18, 70),
        start=START,
        adults=rng.choice((1, 1, 2)),
        children=tuple(
            Child(rng.randint(0, 17), rng.choice(("female", "male"))) for _ in range(n_kids)
        ),
        risk_level=rng.choice(("low", "medium", "high")),
        substance_use=rng.choice(("none", "none", "active", "wants_drug_free")),
        needs_wheelchair=rng.random() < 0.2,
        honour_context=rng.random() < 0.2,
        languages=frozenset(rng.sample(["sv", "en", "ar", "so", "fa"], rng.randint(0, 2))),
        has_pets=rng.random() < 0.2,
        exclusion_district_ids=frozenset(rng.sample(DISTRICT_IDS, rng.randint(0, 2))),
        preferred_district_ids=frozenset(rng.sample(DISTRICT_IDS, rng.randint(0, 2))),
        phase=rng.choice(("acute", "post_acute")),
        waiting_hours=rng.uniform(0, 100),
        current_unit_id=rng.choice((None, None, "u0", "u1")),
        nights=rng.randint(1, 30),
        overridden_rules=frozenset(
            rng.sample(["protection_level", "gender", "sharing_policy"], rng.choice((0, 0, 0, 1)))
        ),
    )


def random_instance(
    rng: random.Random, n_households: int, n_units: int, loose: bool = False
) -> tuple[list[Household], list[Unit]]:
    """`loose`: most hard rules pass, so households compete for scarce capacity (what the
    joint plan is about); otherwise every rule fails often (what the rule tests want)."""
    hhs = [random_household(rng, i) for i in range(n_households)]
    units = [random_unit(rng, i) for i in range(n_units)]
    if loose:
        hhs = [_loosen_household(rng, h) for h in hhs]
        units = [_loosen_unit(rng, u) for u in units]
    return hhs, units


def _loosen_unit(rng: random.Random, u: Unit) -> Unit:
    return replace(
        u,
        sharing_policy=rng.choice(("open", "open", "city_wide", u.sharing_policy)),
        protection_level=rng.choice((2, 3, 3)),
        accepted_genders=frozenset({"female", "male", "non_binary"})
        if rng.random() < 0.8
        else u.accepted_genders,
        min_age=18,
        max_age=None,
        accepts_children=True,
        max_children=4,
        max_boy_age=None,
        substance_policy=rng.choice(("no_active_use", "no_active_use", "active_use_accepted")),
        ivo_permit_required=False,
        wheelchair_accessible=rng.random() < 0.7,
        honour_competence=rng.random() < 0.7,
    )


def _loosen_household(rng: random.Random, h: Household) -> Household:
    return replace(
        h,
        substance_use=rng.choice(("none", "none", "none", "active")),
        needs_wheelchair=rng.random() < 0.1,
        honour_context=rng.random() < 0.1,
        exclusion_district_ids=frozenset(rng.sample(DISTRICT_IDS, rng.randint(0, 1))),
        children=h.children[:2],
    )


@st.composite
def instances(
    draw: st.DrawFn, max_households: int = 4, max_units: int = 6
) -> tuple[list[Household], list[Unit]]:
    """Hypothesis wrapper: the seed, sizes and looseness are drawn (and shrink)."""
    seed = draw(st.integers(0, 2**32 - 1))
    n_h = draw(st.integers(1, max_households))
    n_u = draw(st.integers(0, max_units))
    loose = draw(st.booleans())
    return random_instance(random.Random(seed), n_h, n_u, loose)


def plan_on_core(
    hhs: list[Household], units: list[Unit], policy: Policy, threshold: int = 2
) -> JointPlanResult:
    """The joint plan with the large-model paths forced on a small instance: above `threshold`
    options phase 1 and phase 2 work on an LP-checked core and phase 2 prices by subgradient."""
    return plan_jointly(
        hhs,
        units,
        DISTRICTS,
        policy,
        max_core_variables=2,
        max_phase1_variables=threshold,
        max_colgen_variables=threshold,
    )
