"""Helpers shared by the modes: district lookup, fast scoring, full explanations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from optimizer.explain import (
    ivo_expiry_reason,
    override_reason,
    preference_reason,
    resource_reason,
)
from optimizer.problem import ACUTE_KINDS, INTERIM_KINDS, DistrictInfo, Resource, Unit
from optimizer.results import Reason
from optimizer.rules import RuleContext, ivo_expires_during_stay, overridden_failures
from optimizer.scoring import ScoreContext, resource_terms, total, unit_terms

Districts = Mapping[str, DistrictInfo] | Iterable[DistrictInfo]


def as_district_map(districts: Districts) -> dict[str, DistrictInfo]:
    if isinstance(districts, Mapping):
        return dict(districts)
    return {d.district_id: d for d in districts}


def fast_unit_score(s: ScoreContext, u: Unit) -> int:
    """Same number as `total(unit_terms(s, u))` without building the terms: the inner loop of
    "now" runs this for every eligible unit. A property test keeps the two in step."""
    w = s.policy.weights
    hh = s.household
    score = 0
    safe = True
    if s.has_exclusions:
        km = s.exclusion_km.get(u.district_id, 0.0)
        safe = km >= s.policy.safe_distance_km
        score += int(w.exclusion_distance_per_km * min(km, float(w.exclusion_distance_cap_km)))
    if s.has_preferred and safe:
        pkm = s.preferred_km.get(u.district_id)
        if pkm is not None:
            score += int(max(0.0, w.preferred_max - w.preferred_per_km * pkm))
    if hh.languages and hh.languages & u.languages:
        score += w.language_match
    if u.nightly_cost > 0:
        score -= w.cost_per_100_sek * -(-u.nightly_cost // 100)
    age = u.vacancy_age_hours
    if age is None or age > s.policy.stale_after_hours:
        score -= w.stale_vacancy
    if hh.phase == "post_acute":
        if u.kind in ACUTE_KINDS:
            score -= w.acute_place_for_post_acute
        elif u.kind in INTERIM_KINDS:
            score += w.interim_for_post_acute
    if hh.current_unit_id is not None and hh.current_unit_id == u.unit_id:
        score += w.continuity
    if hh.substance_use == "none" and u.substance_policy == "active_use_accepted":
        score -= w.active_use_unit_for_non_user
    if hh.has_pets and not u.pets_allowed:
        score -= w.pets_not_allowed
    return score


def fast_resource_penalty(size: int, u: Unit, spare_bed_weight: int) -> int:
    """Points lost to the best resource choice (0 for places or an exact family room).
    Larger rooms than the smallest fitting one only lose more points, so two candidates do."""
    if size <= u.free_places:
        return 0
    room = min((c for c in u.free_family_rooms if c >= size), default=None)
    return 0 if room is None else (room - size) * spare_bed_weight


def explain_option(
    c: RuleContext, s: ScoreContext, u: Unit, r: Resource
) -> tuple[int, tuple[Reason, ...]]:
    """Score and reasons for one option: overrides first (a person must see them), then the
    IVO warning, the preferences by weight, and last which resource is used."""
    terms = unit_terms(s, u) + resource_terms(s, c.size, r)
    reasons: list[Reason] = [override_reason(code) for code in overridden_failures(c, u)]
    if ivo_expires_during_stay(c, u) and u.ivo_permit_valid_until is not None:
        reasons.append(ivo_expiry_reason(u.ivo_permit_valid_until))
    prefs = sorted(terms, key=lambda t: -abs(t[1]))
    reasons.extend(preference_reason(t, c, u) for t in prefs)
    reasons.append(resource_reason(r))
    return total(terms), tuple(reasons)
