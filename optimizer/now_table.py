"""Mode 1, "now", over a prepared inventory: the same result as `propose_now`, with the hard
rules and the fast score computed as numpy columns over all units at once.

`NowInventory` holds what does not change from one request to the next (the units' fixed
facts, the districts, their distances, the unit table's columns); the adapter keeps one per
inventory version and gives each request its free capacity and vacancy ages. Only the units
that are shown (proposals, near misses) become `Unit` objects. Whenever the data holds
anything `propose_now` would report or skip (an invalid or repeated unit, no units at all),
the reference `propose_now` runs instead, so the result is always exactly its result (a
property test compares the two on random inventories).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from optimizer.common import as_district_map, explain_option
from optimizer.explain import nothing_fits_message, rule_reason
from optimizer.geo import DistanceTable
from optimizer.now import (
    NEAR_MISSES,
    SAFETY_MASK,
    _empty,
    _need_conflicts,
    _next_steps,
    propose_now,
)
from optimizer.problem import RULE_CODES, DistrictInfo, Household, Policy, Unit
from optimizer.results import NearMiss, NextStep, NowResult, Proposal
from optimizer.rules import HOUSEHOLD_DOES_NOT_FIT, NO_CAPACITY_PERIOD, codes_of, make_context
from optimizer.scoring import best_option, make_score_context, total, unit_terms
from optimizer.unit_table import UnitTable
from optimizer.validate import (
    MAX_PLACES,
    household_problems,
    policy_problems,
    size_problem_largest,
    usable_districts,
    usable_units,
)

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Capacity:
    """One request's view of the inventory: per unit (in `NowInventory.units` order) its free
    single places, its free family rooms (largest first, as the adapter counts them) and the
    hours since its vacancy was confirmed (None: never)."""

    free_places: Sequence[int]
    free_family_rooms: Sequence[tuple[int, ...]]
    vacancy_age_hours: Sequence[float | None]


class NowInventory:
    """The fixed facts of an inventory, prepared once for many "now" requests. The units'
    own free capacity and vacancy age are ignored: each request brings its `Capacity`."""

    def __init__(self, units: Sequence[Unit], districts: Mapping[str, DistrictInfo]) -> None:
        self.units = list(units)
        self.districts = as_district_map(districts)
        self.dmap, self.district_problems = usable_districts(self.districts)
        self.distances = DistanceTable(self.dmap)
        self.n = len(self.units)
        # Fixed facts valid (checked with a placeholder capacity that is itself valid): the
        # fast path applies; otherwise every request goes through `propose_now`.
        placeholder = [
            replace(u, free_places=0, free_family_rooms=(), vacancy_age_hours=None)
            for u in self.units
        ]
        kept, unit_problems = usable_units(placeholder)
        self.valid = bool(self.units) and not unit_problems and len(kept) == self.n
        self.table = UnitTable(placeholder, self.dmap, self.distances)

    def unit(self, i: int, cap: Capacity) -> Unit:
        return replace(
            self.units[i],
            free_places=cap.free_places[i],
            free_family_rooms=tuple(cap.free_family_rooms[i]),
            vacancy_age_hours=cap.vacancy_age_hours[i],
        )

    def units_with(self, cap: Capacity) -> list[Unit]:
        return [self.unit(i, cap) for i in range(self.n)]


def _capacity_valid(cap: Capacity) -> bool:
    """What `unit_number_faults` checks of the per-request fields, for every unit."""
    return (
        all(type(p) is int and 0 <= p <= MAX_PLACES for p in cap.free_places)
        and all(
            (a is None or (type(a) is float and 0.0 <= a < math.inf)) for a in cap.vacancy_age_hours
        )
        and all(
            type(c) is int and 1 <= c <= MAX_PLACES
            for rooms in cap.free_family_rooms
            for c in rooms
        )
    )


def propose_now_table(
    household: Household,
    inv: NowInventory,
    cap: Capacity,
    policy: Policy | None = None,
    limit: int = 5,
) -> NowResult:
    """`propose_now(household, inv.units_with(cap), inv.districts, policy, limit)`, faster."""
    policy = policy or Policy()
    if not inv.valid or not _capacity_valid(cap) or len(cap.free_places) != inv.n:
        return propose_now(household, inv.units_with(cap), inv.districts, policy, limit)
    dmap = inv.dmap
    hh_problems, ok = household_problems(household, dmap)
    bad_policy = policy_problems(policy)
    problems = hh_problems + bad_policy + list(inv.district_problems)
    if not ok or bad_policy:
        return _empty(household, problems)

    ctx = make_context(household, dmap, policy)
    size = ctx.size
    spare_w = policy.weights.family_room_spare_bed
    free_places = np.asarray(cap.free_places, dtype=np.int64)
    max_room = np.asarray([max(r, default=0) for r in cap.free_family_rooms], dtype=np.int64)
    has_rooms = np.asarray([bool(r) for r in cap.free_family_rooms], dtype=bool)
    ages = np.asarray(
        [math.inf if a is None else a for a in cap.vacancy_age_hours], dtype=np.float64
    )
    table = inv.table.for_now(free_places, max_room, (free_places > 0) | has_rooms, ages)

    # --- every hard rule for every unit at once; the fast score for the eligible ---
    masks = table.check(ctx)
    elig = np.flatnonzero(masks == 0)
    fail = np.flatnonzero(masks != 0)
    fail_m = masks[fail]
    uniq, per = np.unique(fail_m, return_counts=True)
    per_mask = {int(m): int(k) for m, k in zip(uniq.tolist(), per.tolist(), strict=True)}
    counts = {}
    for bit, code in enumerate(RULE_CODES):
        n = sum(k for m, k in per_mask.items() if m >> bit & 1)
        if n:
            counts[code] = n

    base = table.scores(ctx, policy, elig).tolist() if len(elig) else []
    elig_i = elig.tolist()
    elig_neg = []
    for i, score in zip(elig_i, base, strict=True):
        penalty = 0
        if size > cap.free_places[i]:
            room = min((c for c in cap.free_family_rooms[i] if c >= size), default=None)
            penalty = 0 if room is None else (room - size) * spare_w
        elig_neg.append(penalty - score)

    # --- explanations for the few that are shown ---
    sctx = make_score_context(household, dmap, policy, ctx, inv.distances)
    proposals: list[Proposal] = []
    top = heapq.nsmallest(
        max(limit, 0),
        range(len(elig_i)),
        key=lambda k: (elig_neg[k], inv.units[elig_i[k]].unit_id),
    )
    for k in top:
        u = inv.unit(elig_i[k], cap)
        best = best_option(sctx, size, u, total(unit_terms(sctx, u)))
        if best is None:  # cannot happen: capacity rules passed
            continue
        score, reasons = explain_option(ctx, sctx, u, best[0])
        proposals.append(Proposal(u.unit_id, u.name, score, best[0], reasons))

    near = []
    for i, m in _nearest(inv, fail, fail_m, per_mask):
        u = inv.unit(i, cap)
        codes = codes_of(m)
        near.append(
            NearMiss(u.unit_id, u.name, tuple(codes), tuple(rule_reason(c, ctx, u) for c in codes))
        )

    message_sv = message_en = None
    steps: tuple[NextStep, ...] = ()
    if not elig_i:
        largest = int(max(free_places.max(), max_room.max()))
        too_large = size_problem_largest(household.size, largest)
        if too_large is not None:
            problems.append(too_large)
        top_rule = max(counts.items(), key=lambda kv: kv[1])[0] if counts else None
        message_sv, message_en = nothing_fits_message(
            top_rule, counts.get(top_rule, 0) if top_rule else 0
        )
        conflicts = _need_conflicts(ctx, list(per_mask))
        problems.extend(conflicts)
        single = {m for m in per_mask if m.bit_count() == 1}
        full = np.isin(masks, [NO_CAPACITY_PERIOD, HOUSEHOLD_DOES_NOT_FIT])
        stale = bool(np.any(full & ~(ages <= policy.stale_after_hours)))
        steps = _next_steps(ctx, single, bool(conflicts), stale)

    return NowResult(
        request_id=household.request_id,
        proposals=tuple(proposals),
        eligible_count=len(elig_i),
        excluded_counts=counts,
        excluded_units=len(fail),
        near_misses=tuple(near),
        message_sv=message_sv,
        message_en=message_en,
        next_steps=steps,
        problems=tuple(problems),
    )


def _nearest(
    inv: NowInventory, fail: IntArray, fail_m: IntArray, per_mask: Mapping[int, int]
) -> list[tuple[int, int]]:
    """`now._nearest` over the mask column: (unit index, mask) of the units breaking the
    fewest rules; safety rules break ties last, then unit id."""
    groups: dict[tuple[int, int], list[int]] = {}
    for m in per_mask:
        groups.setdefault((m.bit_count(), (m & SAFETY_MASK).bit_count()), []).append(m)
    out: list[tuple[int, int]] = []
    for key in sorted(groups):
        chosen = np.isin(fail_m, groups[key])
        found = [
            (inv.units[i].unit_id, i, m)
            for i, m in zip(fail[chosen].tolist(), fail_m[chosen].tolist(), strict=True)
        ]
        for _uid, i, m in heapq.nsmallest(NEAR_MISSES - len(out), found):
            out.append((i, m))
        if len(out) >= NEAR_MISSES:
            break
    return out
