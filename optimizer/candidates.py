"""Feasible (household, unit, resource) options for the joint plan, and exact pruning.

Data step of the CP-SAT model: a variable will exist only for an option that passes every hard
rule. To avoid checking every household against every unit, units are first bucketed by what
the sharing policy, gender and protection level allow (a superset of the passing units when
those rules are not overridden); the full rule check then runs on the bucket only.

Resources: a unit's single places form one resource with capacity `free_places` (a household
of n persons takes n of them); its free family rooms are grouped by capacity, each group one
resource whose capacity is the number of rooms (a household takes one room). Rooms of equal
capacity are interchangeable, so grouping them is exact.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.common import fast_unit_score
from optimizer.geo import DistanceTable
from optimizer.problem import (
    GENDERS,
    RESOURCE_FAMILY_ROOM,
    RESOURCE_PLACES,
    DistrictInfo,
    Household,
    Policy,
    Unit,
)
from optimizer.rules import RuleContext, codes_of, compile_checker, make_context
from optimizer.scoring import ScoreContext, make_score_context

IntArray = npt.NDArray[np.int64]

# In `failed_counts`: the household had no option and its obstacles were not counted in time.
NOT_COUNTED = "not_counted"


@dataclass(slots=True)
class ResourceInfo:
    unit: Unit
    kind: str  # RESOURCE_PLACES or RESOURCE_FAMILY_ROOM
    room_capacity: int  # persons per room (0 for places)
    capacity: int  # free places, or number of rooms in the group


@dataclass(slots=True)
class Options:
    """One entry per option in parallel numpy arrays; households and resources by index.

    `need` is what the option takes from its resource (persons for single places, 1 for a
    family room); `capacity` is per resource. No Python object exists per option."""

    household: IntArray
    resource: IntArray
    fit: IntArray
    need: IntArray
    capacity: IntArray
    resources: list[ResourceInfo]
    # Per household: how many candidate units failed each rule (for "why not placed").
    failed_counts: list[dict[str, int]]
    contexts: list[tuple[RuleContext, ScoreContext]]
    feasible_pairs: int = 0

    def __len__(self) -> int:
        return len(self.household)


def as_array(values: Sequence[int] | IntArray) -> IntArray:
    return np.asarray(values, dtype=np.int64)


def _group_keys(u: Unit, dmap: Mapping[str, DistrictInfo]) -> str | None:
    """The sharing group a unit belongs to; a household may use the groups it is part of."""
    p = u.sharing_policy
    if p == "open":
        return "open"
    if p == "own_district":
        return f"own:{u.owner}"
    owner = dmap.get(u.owner)
    if owner is None:
        return None
    if p == "city_wide":
        return f"city:{owner.municipality}"
    if p == "regional_pool":
        return f"pool:{owner.pool}" if owner.pool is not None else None
    return None


def _household_groups(hh: Household, dmap: Mapping[str, DistrictInfo]) -> list[str]:
    groups = ["open", f"own:{hh.requesting_district_id}"]
    req = dmap.get(hh.requesting_district_id)
    if req is not None:
        groups.append(f"city:{req.municipality}")
        if req.pool is not None:
            groups.append(f"pool:{req.pool}")
    return groups


class UnitIndex:
    """Units with free capacity, bucketed by (sharing group, accepted gender, level)."""

    def __init__(self, units: Sequence[Unit], dmap: Mapping[str, DistrictInfo]) -> None:
        self.dmap = dmap
        self.all = [u for u in units if u.free_places > 0 or u.free_family_rooms]
        self.buckets: dict[tuple[str, str, int], list[Unit]] = {}
        self.by_group: dict[str, list[Unit]] = {}
        for u in self.all:
            g = _group_keys(u, dmap)
            if g is None:
                g = "none"
            self.by_group.setdefault(g, []).append(u)
            for gender in u.accepted_genders:
                self.buckets.setdefault((g, gender, u.protection_level), []).append(u)

    def candidates(self, hh: Household, required_level: int) -> list[Unit]:
        over = hh.overridden_rules
        groups = (
            list(self.by_group) if "sharing_policy" in over else _household_groups(hh, self.dmap)
        )
        if "gender" in over:
            # Any gender: use the group lists directly (no duplicates across genders).
            lo = 0 if "protection_level" in over else required_level
            return [u for g in groups for u in self.by_group.get(g, ()) if u.protection_level >= lo]
        if hh.gender not in GENDERS:
            return []
        levels = (1, 2, 3) if "protection_level" in over else range(required_level, 4)
        out: list[Unit] = []
        for g in groups:
            for lvl in levels:
                out.extend(self.buckets.get((g, hh.gender, lvl), ()))
        return out


def placement_weight(hh: Household, policy: Policy) -> int:
    """First-level weight: grows with risk and with waiting time (whole days, capped)."""
    w = policy.weights
    base = {"low": w.placed_low, "medium": w.placed_medium, "high": w.placed_high}.get(
        hh.risk_level, w.placed_high
    )
    hours = hh.waiting_hours
    if not isinstance(hours, int | float) or not math.isfinite(hours):
        hours = 0.0  # refused by validation; the weight must still be a number
    days = min(int(max(hours, 0.0) // 24), w.placed_waiting_days_cap)
    return base + days * w.placed_per_waiting_day


def build_options(
    households: Sequence[Household],
    units: Sequence[Unit],
    dmap: Mapping[str, DistrictInfo],
    policy: Policy,
    count_until: float | None = None,
) -> Options:
    """`count_until`: a perf_counter time after which obstacles of households without any
    option are no longer counted (their reason then says so)."""
    index = UnitIndex(units, dmap)
    o_h: list[int] = []
    o_r: list[int] = []
    o_fit: list[int] = []
    resources: list[ResourceInfo] = []
    failed_counts: list[dict[str, int]] = []
    contexts: list[tuple[RuleContext, ScoreContext]] = []
    res_index: dict[tuple[str, int], int] = {}  # (unit_id, room capacity or 0) -> resource
    spare_w = policy.weights.family_room_spare_bed
    table = DistanceTable(dmap)
    feasible = 0

    def add(hi: int, u: Unit, cap: int, fit: int) -> None:
        key = (u.unit_id, cap)
        ri = res_index.get(key)
        if ri is None:
            ri = res_index[key] = len(resources)
            if cap == 0:
                resources.append(ResourceInfo(u, RESOURCE_PLACES, 0, u.free_places))
            else:
                rooms = sum(1 for c in u.free_family_rooms if c == cap)
                resources.append(ResourceInfo(u, RESOURCE_FAMILY_ROOM, cap, rooms))
        o_h.append(hi)
        o_r.append(ri)
        o_fit.append(fit)

    for hi, hh in enumerate(households):
        ctx = make_context(hh, dmap, policy)
        sctx = make_score_context(hh, dmap, policy, ctx, table)
        contexts.append((ctx, sctx))
        check = compile_checker(ctx)
        masks: dict[int, int] = {}
        size = ctx.size
        before = feasible
        for u in index.candidates(hh, ctx.required_protection):
            if m := check(u):
                masks[m] = masks.get(m, 0) + 1
                continue
            feasible += 1
            base = fast_unit_score(sctx, u)
            if size <= u.free_places:
                add(hi, u, 0, base)
            for cap in sorted({c for c in u.free_family_rooms if c >= size}):
                add(hi, u, cap, base - (cap - size) * spare_w)
        counts: dict[str, int] = {}
        if feasible == before:
            # No option at all: count the failures over every unit (the buckets above skip
            # units by sharing, gender and level), so the reason names the real obstacle.
            if count_until is not None and time.perf_counter() > count_until:
                counts = {NOT_COUNTED: 0}
            else:
                masks = {}
                for u in units:
                    if m := check(u):
                        masks[m] = masks.get(m, 0) + 1
        for m, n in masks.items():
            for code in codes_of(m):
                counts[code] = counts.get(code, 0) + n
        failed_counts.append(counts)
    household = as_array(o_h)
    resource = as_array(o_r)
    kinds = np.array([r.kind == RESOURCE_PLACES for r in resources], dtype=bool)
    sizes = as_array([hh.size for hh in households])
    need = np.where(kinds[resource], sizes[household], 1) if len(resource) else as_array([])
    return Options(
        household=household,
        resource=resource,
        fit=as_array(o_fit),
        need=as_array(need),
        capacity=as_array([r.capacity for r in resources]),
        resources=resources,
        failed_counts=failed_counts,
        contexts=contexts,
        feasible_pairs=feasible,
    )


def prune_exact(opts: Options, sizes: Sequence[int]) -> IntArray:
    """Indices of the options to keep. Never changes either optimum (placed weight or fit).

    Argument. For household h take its options by decreasing fit and stop once the kept
    resources K satisfy  sum_{R in K} b_h(R) > |O(K)|,  where O(K) is the set of *other*
    households with any option on a resource of K, and b_h(R) is the least number of other
    households that can make R unable to take h: the number of rooms for a room group; for
    places ceil((P - n_h + 1) / s), with P the free places and s the largest size among the
    other households that can use R (and infinity if none can).
    Each household occupies one resource, so in any feasible plan the others cannot block every
    resource of K: some R in K can still take h. Take an optimal plan of the full model in which
    h uses a pruned option o. Move h to a free R in K: the plan stays feasible, the set of
    placed households (level 1) is unchanged and the fit does not decrease, since every kept
    option has fit >= fit(o). Doing this for each such household in turn (the others may have
    moved, but each still occupies one resource it has an option on, so O(K) still bounds them)
    gives a plan using only kept options that is at least as good on both levels. The pruned
    model is a restriction of the full one, so both optima are equal.
    """
    n = len(sizes)
    o_h = opts.household.tolist()
    o_r = opts.resource.tolist()
    fit = opts.fit.tolist()
    by_h: list[list[int]] = [[] for _ in range(n)]
    for oi, hi in enumerate(o_h):
        by_h[hi].append(oi)
    # Who can use each resource (a bit set over households) and the largest size among them.
    # Using the largest size over all users, h included, can only underestimate b_h(R),
    # which keeps the stopping test safe.
    reach = [0] * len(opts.resources)
    biggest = [0] * len(opts.resources)
    for hi, ri in zip(o_h, o_r, strict=True):
        reach[ri] |= 1 << hi
        biggest[ri] = max(biggest[ri], sizes[hi])
    keep: list[int] = []
    for hi, own in enumerate(by_h):
        if not own:
            continue
        own.sort(key=lambda oi: -fit[oi])
        me = 1 << hi
        seen: set[int] = set()
        others = 0
        need = 0
        for oi in own:
            keep.append(oi)
            ri = o_r[oi]
            if ri in seen:
                continue
            seen.add(ri)
            others |= reach[ri] & ~me
            info = opts.resources[ri]
            if info.kind == RESOURCE_FAMILY_ROOM:
                need += info.capacity
            elif reach[ri] & ~me:
                need += -(-(info.capacity - sizes[hi] + 1) // biggest[ri])
            else:
                need = n + 1  # nobody else can use these places: h always fits there
            if need > others.bit_count():
                break
    keep.sort()
    return as_array(keep)
