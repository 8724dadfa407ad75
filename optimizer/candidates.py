"""Feasible (household, unit, resource) options for the joint plan, and exact pruning.

Data step of the CP-SAT model: a variable will exist only for an option that passes every hard
rule. The rules and the fit run over all units at once per household, on numpy columns
(`optimizer/unit_table.py`): first the cheap, selective ones (free capacity, protection level,
gender, sharing), then all of them on the units left. The options are parallel arrays
(household, resource, fit, need): at 5,000 households x 30,000 units there are millions of
options, and a Python object per option would cost gigabytes.

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
from typing import Any

import numpy as np
import numpy.typing as npt

from optimizer.geo import DistanceTable
from optimizer.problem import (
    RESOURCE_FAMILY_ROOM,
    RESOURCE_PLACES,
    RULE_CODES,
    DistrictInfo,
    Household,
    Policy,
    Unit,
)
from optimizer.rules import RuleContext, make_context
from optimizer.scoring import ScoreContext, make_score_context
from optimizer.unit_table import UnitTable

IntArray = npt.NDArray[np.signedinteger[Any]]  # int32 per option, int64 elsewhere

# In `failed_counts`: the household had no option and its obstacles were not counted in time.
NOT_COUNTED = "not_counted"
# In `failed_counts`: the time for building options ran out before this household.
NOT_CONSIDERED = "not_considered"


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
    contexts: list[RuleContext]
    feasible_pairs: int
    table: DistanceTable
    districts: Mapping[str, DistrictInfo]
    policy: Policy

    def __len__(self) -> int:
        return len(self.household)

    def score_context(self, hi: int) -> ScoreContext:
        """For explaining household `hi`'s option (built only for the households shown)."""
        c = self.contexts[hi]
        return make_score_context(c.household, self.districts, self.policy, c, self.table)


def as_array(values: Sequence[int] | IntArray) -> IntArray:
    return np.asarray(values, dtype=np.int64)


def take(a: IntArray, cols: IntArray) -> IntArray:
    """a[cols], without a copy when cols is every option in order (the large case)."""
    if len(cols) == len(a) and (len(cols) == 0 or (cols[0] == 0 and cols[-1] == len(a) - 1)):
        return a
    return a[cols]


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
    stop_at: float | None = None,
    order: Sequence[int] | None = None,
    min_build_s: float = 0.0,
) -> Options:
    """Every option passing every hard rule, with its fit, as arrays (see `UnitTable`).
    `count_until`: a perf_counter time after which the obstacles of households without any
    option are no longer counted (their reason then says so). `stop_at`: after this time the
    households not yet reached get no options (marked NOT_CONSIDERED), so that the plan still
    keeps its time limit on a machine slower than expected; `order` (highest priority first)
    decides who is reached first, and at least `min_build_s` is spent on the households."""
    table = DistanceTable(dmap)
    ut = UnitTable(units, dmap, table)
    spare_w = policy.weights.family_room_spare_bed
    width = ut.room_res.shape[1]
    parts_h: list[IntArray] = []
    parts_r: list[IntArray] = []
    parts_f: list[IntArray] = []
    failed_counts: list[dict[str, int]] = [{} for _ in households]
    contexts: list[RuleContext] = [make_context(hh, dmap, policy) for hh in households]
    feasible = 0
    if stop_at is not None:
        stop_at = max(stop_at, time.perf_counter() + min_build_s)
    stopped = False
    for step, hi in enumerate(order if order is not None else range(len(households))):
        ctx = contexts[hi]
        if stop_at is not None and step % 32 == 0 and time.perf_counter() > stop_at:
            stopped = True  # from here on, every household is skipped
        if stopped:
            failed_counts[hi] = {NOT_CONSIDERED: 0}
            continue
        idx = ut.prefilter(ctx)
        if len(idx):
            idx = idx[ut.check(ctx, idx) == 0]
        if not len(idx):
            # No option at all: count the failures over every unit, so the reason names the
            # real obstacle.
            if count_until is not None and time.perf_counter() > count_until:
                failed_counts[hi] = {NOT_COUNTED: 0}
            else:
                failed_counts[hi] = _counts(ut.check(ctx))
            continue
        feasible += len(idx)
        size = ctx.size
        base = ut.scores(ctx, policy, idx)
        pos = np.arange(len(idx), dtype=np.int64)
        pr = ut.places_res[idx]
        okp = (pr >= 0) & (ut.free_places[idx] >= size)
        rr = ut.room_res[idx]
        rc = ut.room_cap[idx]
        okr = (rr >= 0) & (rc >= size)
        res = np.concatenate([pr[okp], rr[okr]])
        fit = np.concatenate([base[okp], (base[:, None] - (rc - size) * spare_w)[okr]])
        # Per unit: its single places first, then its rooms by size (the order of old).
        slot = pos[:, None] * (width + 1) + 1 + np.arange(width, dtype=np.int64)[None, :]
        by_slot = np.argsort(np.concatenate([pos[okp] * (width + 1), slot[okr]]), kind="stable")
        if not len(res):
            continue
        parts_h.append(np.full(len(res), hi, dtype=np.int32))
        parts_r.append(res[by_slot].astype(np.int32))
        parts_f.append(fit[by_slot].astype(np.int32))
    # Options by household index, whatever order the households were reached in.
    by_h = sorted(range(len(parts_h)), key=lambda k: int(parts_h[k][0]))
    parts_h = [parts_h[k] for k in by_h]
    parts_r = [parts_r[k] for k in by_h]
    parts_f = [parts_f[k] for k in by_h]
    household = np.concatenate(parts_h) if parts_h else as_array([])
    resource = np.concatenate(parts_r) if parts_r else as_array([])
    sizes = as_array([hh.size for hh in households])
    is_places = np.array([k == RESOURCE_PLACES for k in ut.res_kind], dtype=bool)
    need = np.where(is_places[resource], sizes[household], 1) if len(resource) else resource
    need = need.astype(np.int32)
    resources = [
        ResourceInfo(ut.units[u], kind, room, cap)
        for u, kind, room, cap in zip(
            ut.res_unit.tolist(),
            ut.res_kind,
            ut.res_room.tolist(),
            ut.res_capacity.tolist(),
            strict=True,
        )
    ]
    return Options(
        household=household,
        resource=resource,
        fit=np.concatenate(parts_f) if parts_f else as_array([]),
        need=need,
        capacity=ut.res_capacity,
        resources=resources,
        failed_counts=failed_counts,
        contexts=contexts,
        feasible_pairs=feasible,
        table=table,
        districts=dmap,
        policy=policy,
    )


def _counts(masks: IntArray) -> dict[str, int]:
    out: dict[str, int] = {}
    for bit, code in enumerate(RULE_CODES):
        n = int(np.count_nonzero(masks & (1 << bit)))
        if n:
            out[code] = n
    return out


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
