"""Soft preferences: named terms with integer points (positive = better).

A term is `(code, points, detail)`; `detail` is the number the explanation shows (km, SEK,
hours...). The score of a proposal is the sum of its terms' points. The same terms are the fit
of a pair in the joint plan, so both modes rank alike.

Equal treatment: no term looks at the requesting district. Two households that differ only in
which district asks get the same terms for every unit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from optimizer.geo import DistanceTable
from optimizer.problem import (
    ACUTE_KINDS,
    INTERIM_KINDS,
    RESOURCE_FAMILY_ROOM,
    RESOURCE_PLACES,
    DistrictInfo,
    Household,
    Policy,
    Resource,
    Unit,
)
from optimizer.rules import RuleContext

Term = tuple[str, int, float]

PREFERENCE_CODES: tuple[str, ...] = (
    "exclusion_distance",
    "preferred_area",
    "preferred_area_unsafe",
    "language",
    "no_common_language",
    "cost",
    "stale_vacancy",
    "acute_place_for_post_acute",
    "interim_for_post_acute",
    "continuity",
    "active_use_unit",
    "pets_not_allowed",
    "family_room_spare_beds",
)


@dataclass(frozen=True, slots=True)
class ScoreContext:
    household: Household
    policy: Policy
    exclusion_km: dict[str, float]  # per district: km to the nearest area to avoid ({} if none)
    preferred_km: dict[str, float]  # per district: km to the nearest safe preferred district
    has_exclusions: bool
    has_preferred: bool


def make_score_context(
    household: Household,
    districts: Mapping[str, DistrictInfo],
    policy: Policy,
    rule_ctx: RuleContext,
    table: DistanceTable | None = None,
) -> ScoreContext:
    # Preferred districts that are themselves to be avoided (or in the buffer) never count:
    # closeness to school or work must not pull a household towards the perpetrator.
    unsafe = rule_ctx.excluded | rule_ctx.buffer
    preferred = household.preferred_district_ids - unsafe
    table = table or DistanceTable(districts)
    return ScoreContext(
        household=household,
        policy=policy,
        exclusion_km=table.nearest(household.exclusion_district_ids),
        preferred_km=table.nearest(preferred),
        has_exclusions=bool(household.exclusion_district_ids),
        has_preferred=bool(preferred),
    )


def resource_options(size: int, unit: Unit) -> list[Resource]:
    """Ways the household can be housed in the unit: single places, or one family room of
    each distinct capacity that is large enough (rooms of equal capacity are interchangeable).
    """
    opts: list[Resource] = []
    if size <= unit.free_places:
        opts.append(Resource(RESOURCE_PLACES, size))
    for cap in sorted({c for c in unit.free_family_rooms if c >= size}):
        opts.append(Resource(RESOURCE_FAMILY_ROOM, cap))
    return opts


def unit_terms(s: ScoreContext, u: Unit) -> list[Term]:
    """The terms that do not depend on which resource in the unit is used."""
    w = s.policy.weights
    hh = s.household
    terms: list[Term] = []
    safe = True
    if s.has_exclusions:
        km = s.exclusion_km.get(u.district_id, 0.0)
        safe = km >= s.policy.safe_distance_km
        pts = int(w.exclusion_distance_per_km * min(km, float(w.exclusion_distance_cap_km)))
        terms.append(("exclusion_distance", pts, km))
    if s.has_preferred:
        km = s.preferred_km.get(u.district_id, math.inf)
        pts = int(max(0.0, w.preferred_max - w.preferred_per_km * km))
        if pts > 0:
            terms.append(("preferred_area", pts, km) if safe else ("preferred_area_unsafe", 0, km))
    if hh.languages:
        if hh.languages & u.languages:
            terms.append(("language", w.language_match, 0.0))
        else:
            terms.append(("no_common_language", 0, 0.0))
    if u.nightly_cost > 0 and w.cost_per_100_sek:
        terms.append(("cost", -w.cost_per_100_sek * -(-u.nightly_cost // 100), u.nightly_cost))
    age = u.vacancy_age_hours
    if age is None or age > s.policy.stale_after_hours:
        terms.append(("stale_vacancy", -w.stale_vacancy, -1.0 if age is None else age))
    if hh.phase == "post_acute":
        if u.kind in ACUTE_KINDS:
            terms.append(("acute_place_for_post_acute", -w.acute_place_for_post_acute, 0.0))
        elif u.kind in INTERIM_KINDS:
            terms.append(("interim_for_post_acute", w.interim_for_post_acute, 0.0))
    if hh.current_unit_id is not None and hh.current_unit_id == u.unit_id:
        terms.append(("continuity", w.continuity, 0.0))
    if hh.substance_use == "none" and u.substance_policy == "active_use_accepted":
        terms.append(("active_use_unit", -w.active_use_unit_for_non_user, 0.0))
    if hh.has_pets and not u.pets_allowed:
        terms.append(("pets_not_allowed", -w.pets_not_allowed, 0.0))
    return terms


def resource_terms(s: ScoreContext, size: int, r: Resource) -> list[Term]:
    if r.kind == RESOURCE_FAMILY_ROOM and r.persons > size:
        spare = r.persons - size
        return [("family_room_spare_beds", -s.policy.weights.family_room_spare_bed * spare, spare)]
    return []


def total(terms: list[Term]) -> int:
    return sum(t[1] for t in terms)


def best_option(s: ScoreContext, size: int, u: Unit, base: int) -> tuple[Resource, int] | None:
    """The best resource in the unit and its score; ties prefer a family room for families
    (keeps them together) and single places for one person, then the smaller room."""
    best: tuple[Resource, int] | None = None
    best_key: tuple[int, int, int] | None = None
    for r in resource_options(size, u):
        score = base + total(resource_terms(s, size, r))
        family = r.kind == RESOURCE_FAMILY_ROOM
        prefer = 0 if family == (size > 1) else 1
        key = (-score, prefer, r.persons)
        if best_key is None or key < best_key:
            best, best_key = (r, score), key
    return best
