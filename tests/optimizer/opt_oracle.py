"""An independent, plain re-implementation of the hard rules and of exact joint solutions.

Written from the rules in the brief, not from optimizer/rules.py, so that a mistake in the
optimizer's rules (or in its fused fast checker, or its pruning) shows up as a disagreement.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import timedelta

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from optimizer import DistrictInfo, Household, Policy, Resource, Unit
from optimizer.candidates import placement_weight
from optimizer.rules import make_context
from optimizer.scoring import make_score_context, resource_terms, total, unit_terms

OVERRIDABLE = {
    "protection_level",
    "exclusion_area",
    "exclusion_buffer",
    "gender",
    "age",
    "substance_policy",
    "wheelchair",
    "honour_competence",
    "children_not_accepted",
    "too_many_children",
    "child_age",
    "ivo_permit",
    "sharing_policy",
}


def broken_rules(
    hh: Household, u: Unit, districts: Sequence[DistrictInfo], policy: Policy
) -> set[str]:
    """Every hard rule the unit breaks for the household, overrides applied."""
    dmap = {d.district_id: d for d in districts}
    out: set[str] = set()
    if u.protection_level < {"low": 1, "medium": 2, "high": 3}[hh.risk_level]:
        out.add("protection_level")
    if u.district_id in hh.exclusion_district_ids:
        out.add("exclusion_area")
    if policy.exclusion_buffer:
        near = set()
        for d in districts:
            for e in hh.exclusion_district_ids:
                if e in d.neighbours or (e in dmap and d.district_id in dmap[e].neighbours):
                    near.add(d.district_id)
        if u.district_id in near - hh.exclusion_district_ids:
            out.add("exclusion_buffer")
    if hh.gender not in u.accepted_genders:
        out.add("gender")
    if (u.min_age is not None and hh.age < u.min_age) or (
        u.max_age is not None and hh.age > u.max_age
    ):
        out.add("age")
    allowed = {
        "active": {"active_use_accepted"},
        "wants_drug_free": {"drug_free"},
        "none": {"active_use_accepted", "no_active_use"},
    }[hh.substance_use]
    if u.substance_policy not in allowed:
        out.add("substance_policy")
    if hh.needs_wheelchair and not u.wheelchair_accessible:
        out.add("wheelchair")
    if hh.honour_context and not u.honour_competence:
        out.add("honour_competence")
    if hh.children:
        if not u.accepts_children:
            out.add("children_not_accepted")
        else:
            if len(hh.children) > u.max_children:
                out.add("too_many_children")
            too_old = u.max_child_age is not None and any(
                c.age > u.max_child_age for c in hh.children
            )
            boy_too_old = u.max_boy_age is not None and any(
                c.gender == "male" and c.age > u.max_boy_age for c in hh.children
            )
            if too_old or boy_too_old:
                out.add("child_age")
    last_night = hh.start + timedelta(days=max(hh.nights, 1) - 1)
    if u.ivo_permit_required and (
        u.ivo_permit_valid_until is None or u.ivo_permit_valid_until < last_night
    ):
        out.add("ivo_permit")
    owner = u.owner_district_id or u.district_id
    req = dmap.get(hh.requesting_district_id)
    own = dmap.get(owner)
    shared = {
        "open": True,
        "own_district": hh.requesting_district_id == owner,
        "city_wide": req is not None and own is not None and req.municipality == own.municipality,
        "regional_pool": req is not None
        and own is not None
        and req.pool is not None
        and req.pool == own.pool,
    }[u.sharing_policy]
    if not shared:
        out.add("sharing_policy")
    size = hh.adults + len(hh.children)
    if u.free_places == 0 and not u.free_family_rooms:
        out.add("no_capacity_period")
    elif size > u.free_places and all(c < size for c in u.free_family_rooms):
        out.add("household_does_not_fit")
    return out - (set(hh.overridden_rules) & OVERRIDABLE)


def placement_ok(
    hh: Household,
    u: Unit,
    r: Resource,
    districts: Sequence[DistrictInfo],
    policy: Policy,
) -> bool:
    size = hh.adults + len(hh.children)
    if broken_rules(hh, u, districts, policy):
        return False
    if r.kind == "places":
        return r.persons == size and size <= u.free_places
    return r.persons >= size and r.persons in u.free_family_rooms


def capacities_ok(
    placements: Sequence[tuple[Household, Unit, Resource]],
) -> bool:
    """Places: the sum of persons fits; family rooms: a matching of households to rooms."""
    by_unit: dict[str, list[tuple[Household, Resource]]] = {}
    units: dict[str, Unit] = {}
    for hh, u, r in placements:
        by_unit.setdefault(u.unit_id, []).append((hh, r))
        units[u.unit_id] = u
    for uid, items in by_unit.items():
        u = units[uid]
        persons = sum(r.persons for _hh, r in items if r.kind == "places")
        if persons > u.free_places:
            return False
        rooms = sorted(r.persons for _hh, r in items if r.kind == "family_room")
        free = sorted(u.free_family_rooms)
        for need in rooms:  # each taken room must exist (exact capacity class)
            if need in free:
                free.remove(need)
            else:
                return False
    return True


# --- exact joint optimum, independently ---------------------------------------------------------


def _options(
    hhs: Sequence[Household],
    units: Sequence[Unit],
    districts: Sequence[DistrictInfo],
    policy: Policy,
) -> list[tuple[int, int, str, int, int]]:
    """(household, unit, kind, room index or -1, fit) with every family room separate."""
    dmap = {d.district_id: d for d in districts}
    out = []
    for hi, hh in enumerate(hhs):
        ctx = make_context(hh, dmap, policy)
        sctx = make_score_context(hh, dmap, policy, ctx)
        size = hh.adults + len(hh.children)
        for ui, u in enumerate(units):
            if broken_rules(hh, u, districts, policy):
                continue
            base = total(unit_terms(sctx, u))
            if size <= u.free_places:
                out.append((hi, ui, "places", -1, base))
            for ri, cap in enumerate(u.free_family_rooms):
                if cap >= size:
                    fit = base + total(resource_terms(sctx, size, Resource("family_room", cap)))
                    out.append((hi, ui, "family_room", ri, fit))
    return out


def milp_optimum(
    hhs: Sequence[Household],
    units: Sequence[Unit],
    districts: Sequence[DistrictInfo],
    policy: Policy,
) -> tuple[int, int]:
    """(max placed weight, max fit given it) with scipy's HiGHS, rooms one by one."""
    opts = _options(hhs, units, districts, policy)
    if not opts:
        return 0, 0
    n = len(opts)
    w = np.array([placement_weight(hhs[o[0]], policy) for o in opts], dtype=float)
    fit = np.array([o[4] for o in opts], dtype=float)
    rows: list[np.ndarray] = []
    ub: list[float] = []
    for hi in range(len(hhs)):
        row = np.array([1.0 if o[0] == hi else 0.0 for o in opts])
        if row.any():
            rows.append(row)
            ub.append(1.0)
    for ui, u in enumerate(units):
        row = np.array(
            [
                float(hhs[o[0]].adults + len(hhs[o[0]].children))
                if o[1] == ui and o[2] == "places"
                else 0.0
                for o in opts
            ]
        )
        if row.any():
            rows.append(row)
            ub.append(float(u.free_places))
        for ri in range(len(u.free_family_rooms)):
            row = np.array([1.0 if o[1] == ui and o[3] == ri else 0.0 for o in opts])
            if row.any():
                rows.append(row)
                ub.append(1.0)
    a = np.vstack(rows)
    cons = LinearConstraint(a, -np.inf, np.array(ub))
    integ = np.ones(n)
    r1 = milp(-w, constraints=cons, integrality=integ, bounds=Bounds(0, 1))
    best = round(-r1.fun)
    cons2 = LinearConstraint(
        np.vstack([a, w]), np.r_[np.full(len(ub), -np.inf), best - 0.5], np.r_[ub, np.inf]
    )
    r2 = milp(-fit, constraints=cons2, integrality=integ, bounds=Bounds(0, 1))
    return best, round(-r2.fun)


def brute_force_optimum(
    hhs: Sequence[Household],
    units: Sequence[Unit],
    districts: Sequence[DistrictInfo],
    policy: Policy,
) -> tuple[int, int]:
    """Enumerate every choice (none, or one option) per household; tiny instances only."""
    opts = _options(hhs, units, districts, policy)
    per_h: list[list[tuple[int, int, str, int, int] | None]] = [[None] for _ in hhs]
    for o in opts:
        per_h[o[0]].append(o)
    best = (0, 0)
    for combo in itertools.product(*per_h):
        chosen = [o for o in combo if o is not None]
        used_rooms = [(o[1], o[3]) for o in chosen if o[2] == "family_room"]
        if len(used_rooms) != len(set(used_rooms)):
            continue
        ok = True
        for ui, u in enumerate(units):
            persons = sum(
                hhs[o[0]].adults + len(hhs[o[0]].children)
                for o in chosen
                if o[1] == ui and o[2] == "places"
            )
            if persons > u.free_places:
                ok = False
                break
        if not ok:
            continue
        value = (
            sum(placement_weight(hhs[o[0]], policy) for o in chosen),
            sum(o[4] for o in chosen),
        )
        best = max(best, value)
    return best
