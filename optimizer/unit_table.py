"""The units as columns of numpy arrays: every hard rule and every soft term over all units
at once, for one household.

`UnitTable.check` gives the same failure masks as `rules.compile_checker` and
`UnitTable.scores` the same points as `common.fast_unit_score` (a property test keeps them
identical); they exist so that the joint plan builds its options without one Python call per
household x unit pair. The distances come from the same `DistanceTable` rows as the
explanations, so a plan's fit and its explained score are the same number.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from optimizer.geo import DistanceTable
from optimizer.problem import (
    ACUTE_KINDS,
    INTERIM_KINDS,
    RESOURCE_FAMILY_ROOM,
    RESOURCE_PLACES,
    DistrictInfo,
    Policy,
    Unit,
)
from optimizer.rules import (
    AGE,
    CHILD_AGE,
    CHILDREN_NOT_ACCEPTED,
    EXCLUSION_AREA,
    EXCLUSION_BUFFER,
    GENDER,
    HONOUR_COMPETENCE,
    HOUSEHOLD_DOES_NOT_FIT,
    IVO_PERMIT,
    NO_CAPACITY_PERIOD,
    NOT_OVERRIDABLE,
    PROTECTION_LEVEL,
    SHARING_POLICY,
    SUBSTANCE_POLICY,
    TOO_MANY_CHILDREN,
    WHEELCHAIR,
    RuleContext,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

GENDER_BITS = {"female": 1, "male": 2, "non_binary": 4}
SUBSTANCE_CODES = {"active_use_accepted": 0, "no_active_use": 1, "drug_free": 2}
SHARING_CODES = {"open": 0, "own_district": 1, "city_wide": 2, "regional_pool": 3}
NONE_HIGH = 1 << 30  # stands for "no upper limit"
NONE_LOW = -1  # stands for "no lower limit" / "no date"


def _ints(values: Sequence[int]) -> IntArray:
    return np.asarray(values, dtype=np.int64)


class UnitTable:
    """Columns over `units` (in their order) and the resources they offer.

    Resources: a unit's single places are one resource (capacity: free places) and its free
    family rooms of each capacity one more (capacity: the number of such rooms); `res_*`
    arrays are per resource, `places_res` (per unit, -1 if none) and `room_res`/`room_cap`
    (per unit x distinct room size, padded with -1/0) point into them."""

    def __init__(
        self, units: Sequence[Unit], dmap: Mapping[str, DistrictInfo], table: DistanceTable
    ) -> None:
        self.units = list(units)
        self.table = table
        # Ids: the known districts first (in the distance table's order), then any other id a
        # unit or household names; the lookups below are arrays over these indices.
        self.ids: dict[str, int] = dict(table.position)
        us = self.units
        self.n = len(us)
        self.unit_index = {u.unit_id: i for i, u in enumerate(us)}
        self.protection = _ints([u.protection_level for u in us])
        self.district = _ints([self.id_of(u.district_id) for u in us])
        self.genders = _ints(
            [sum(GENDER_BITS.get(g, 0) for g in set(u.accepted_genders)) for u in us]
        )
        self.min_age = _ints([NONE_LOW if u.min_age is None else u.min_age for u in us])
        self.max_age = _ints([NONE_HIGH if u.max_age is None else u.max_age for u in us])
        self.substance = _ints([SUBSTANCE_CODES.get(u.substance_policy, -1) for u in us])
        self.wheelchair = np.array([u.wheelchair_accessible for u in us], dtype=bool)
        self.honour = np.array([u.honour_competence for u in us], dtype=bool)
        self.takes_children = np.array([u.accepts_children for u in us], dtype=bool)
        self.max_children = _ints([u.max_children for u in us])
        self.max_child_age = _ints(
            [NONE_HIGH if u.max_child_age is None else u.max_child_age for u in us]
        )
        self.max_boy_age = _ints(
            [NONE_HIGH if u.max_boy_age is None else u.max_boy_age for u in us]
        )
        self.ivo_required = np.array([u.ivo_permit_required for u in us], dtype=bool)
        self.ivo_valid = _ints(
            [NONE_LOW if (d := u.ivo_permit_valid_until) is None else d.toordinal() for u in us]
        )
        self.sharing = _ints([SHARING_CODES.get(u.sharing_policy, 0) for u in us])
        owners = [u.owner_district_id or u.district_id for u in us]
        self.owner = _ints([self.id_of(o) for o in owners])
        municipalities: dict[str, int] = {}
        pools: dict[str, int] = {}
        self.municipality_of = municipalities
        self.pool_of = pools
        own_mun: list[int] = []
        own_pool: list[int] = []
        for o in owners:
            od = dmap.get(o)
            if od is None:
                own_mun.append(-1)
                own_pool.append(-1)
                continue
            own_mun.append(municipalities.setdefault(od.municipality, len(municipalities)))
            own_pool.append(-1 if od.pool is None else pools.setdefault(od.pool, len(pools)))
        self.owner_municipality = _ints(own_mun)
        self.owner_pool = _ints(own_pool)
        self.free_places = _ints([u.free_places for u in us])
        self.max_room = _ints([max(u.free_family_rooms, default=0) for u in us])
        self.has_capacity = (self.free_places > 0) | np.array(
            [bool(u.free_family_rooms) for u in us], dtype=bool
        )
        # Soft terms.
        langs: dict[str, int] = {}
        for u in us:
            for lang in u.languages:
                langs.setdefault(lang, len(langs))
        self.languages = langs
        self.speaks = np.zeros((self.n, max(1, len(langs))), dtype=bool)
        for i, u in enumerate(us):
            for lang in u.languages:
                self.speaks[i, langs[lang]] = True
        self.cost = _ints([u.nightly_cost for u in us])
        self.vacancy_age = np.array(
            [np.inf if u.vacancy_age_hours is None else u.vacancy_age_hours for u in us],
            dtype=np.float64,
        )
        self.acute = np.array([u.kind in ACUTE_KINDS for u in us], dtype=bool)
        self.interim = np.array([u.kind in INTERIM_KINDS for u in us], dtype=bool)
        self.active_use = self.substance == SUBSTANCE_CODES["active_use_accepted"]
        self.pets = np.array([u.pets_allowed for u in us], dtype=bool)
        self._resources(us)
        self.groups = self._sharing_groups()

    def for_now(
        self,
        free_places: IntArray,
        max_room: IntArray,
        has_capacity: BoolArray,
        vacancy_age: npt.NDArray[np.float64],
    ) -> UnitTable:
        """A copy with another free capacity and vacancy age per unit (the fixed columns
        shared), for `check` and `scores` only: "now" keeps one table per inventory and gives
        it each request's capacity. The resources and sharing groups stay those of `units`."""
        t = copy.copy(self)
        t.free_places = free_places
        t.max_room = max_room
        t.has_capacity = has_capacity
        t.vacancy_age = vacancy_age
        return t

    def id_of(self, did: str) -> int:
        i = self.ids.get(did)
        if i is None:
            i = self.ids[did] = len(self.ids)
        return i

    def _resources(self, us: list[Unit]) -> None:
        res_unit: list[int] = []
        res_kind: list[str] = []
        res_room: list[int] = []
        res_capacity: list[int] = []
        places_res = [-1] * len(us)
        rooms: list[list[tuple[int, int]]] = []
        for i, u in enumerate(us):
            if u.free_places > 0:
                places_res[i] = len(res_unit)
                res_unit.append(i)
                res_kind.append(RESOURCE_PLACES)
                res_room.append(0)
                res_capacity.append(u.free_places)
            own: list[tuple[int, int]] = []
            for cap in sorted(set(u.free_family_rooms)):
                own.append((len(res_unit), cap))
                res_unit.append(i)
                res_kind.append(RESOURCE_FAMILY_ROOM)
                res_room.append(cap)
                res_capacity.append(sum(1 for c in u.free_family_rooms if c == cap))
            rooms.append(own)
        width = max((len(r) for r in rooms), default=0)
        self.room_res = np.full((len(us), width), -1, dtype=np.int64)
        self.room_cap = np.zeros((len(us), width), dtype=np.int64)
        for i, own in enumerate(rooms):
            for k, (ri, cap) in enumerate(own):
                self.room_res[i, k] = ri
                self.room_cap[i, k] = cap
        self.places_res = _ints(places_res)
        self.res_unit = _ints(res_unit)
        self.res_kind = res_kind
        self.res_room = _ints(res_room)
        self.res_capacity = _ints(res_capacity)

    # --- hard rules ---------------------------------------------------------------------------

    def _sharing_groups(self) -> dict[tuple[str, int], IntArray]:
        """Units with free capacity by who may use them: ("o", 0) open to all, ("d", owner)
        the owner's own, ("m", municipality) city-wide, ("p", pool) the regional pool."""
        groups: dict[tuple[str, int], list[int]] = {}
        sp = self.sharing.tolist()
        keys = (
            self.owner.tolist(),
            self.owner_municipality.tolist(),
            self.owner_pool.tolist(),
        )
        for i in np.flatnonzero(self.has_capacity).tolist():
            code = sp[i]
            if code == 0:
                groups.setdefault(("o", 0), []).append(i)
            elif keys[code - 1][i] >= 0:
                groups.setdefault(("dmp"[code - 1], keys[code - 1][i]), []).append(i)
        return {k: _ints(v) for k, v in groups.items()}

    def prefilter(self, c: RuleContext) -> IntArray:
        """Units that can pass for this household: those with free capacity passing the
        sharing, protection and gender rules (cheap, and they exclude most units)."""
        skip = c.household.overridden_rules
        if "sharing_policy" in skip:
            idx = np.flatnonzero(self.has_capacity)
        else:
            r = c.requester
            wanted = [("o", 0), ("d", self.ids.get(c.household.requesting_district_id, -2))]
            if r is not None:
                wanted.append(("m", self.municipality_of.get(r.municipality, -2)))
                if r.pool is not None:
                    wanted.append(("p", self.pool_of.get(r.pool, -2)))
            parts = [g for k in wanted if (g := self.groups.get(k)) is not None]
            if not parts:
                return _ints([])
            idx = np.sort(np.concatenate(parts)) if len(parts) > 1 else parts[0]
        ok = np.ones(len(idx), dtype=bool)
        if "protection_level" not in skip:
            ok &= self.protection[idx] >= c.required_protection
        if "gender" not in skip:
            ok &= (self.genders[idx] & GENDER_BITS.get(c.household.gender, 0)) != 0
        return idx[ok]

    def _shared(self, c: RuleContext, idx: IntArray | None) -> BoolArray:
        sp = self.sharing if idx is None else self.sharing[idx]
        owner = self.owner if idx is None else self.owner[idx]
        mun = self.owner_municipality if idx is None else self.owner_municipality[idx]
        pool = self.owner_pool if idx is None else self.owner_pool[idx]
        req = self.ids.get(c.household.requesting_district_id, -2)
        r = c.requester
        req_mun = self.municipality_of.get(r.municipality, -2) if r is not None else -2
        req_pool = self.pool_of.get(r.pool, -2) if r is not None and r.pool is not None else -2
        shared = (
            (sp == 0)
            | ((sp == 1) & (owner == req))
            | ((sp == 2) & (mun == req_mun))
            | ((sp == 3) & (pool == req_pool))
        )
        return np.asarray(shared, dtype=bool)

    def check(self, c: RuleContext, idx: IntArray | None = None) -> IntArray:
        """Failure masks (bits over RULE_CODES; 0 passes) of the units `idx` (all if None)."""

        def col(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return a if idx is None else a[idx]

        hh = c.household
        skip = set(hh.overridden_rules) - NOT_OVERRIDABLE
        n = self.n if idx is None else len(idx)
        f = np.zeros(n, dtype=np.int64)

        def flag(cond: npt.NDArray[Any], bit: int) -> None:
            np.bitwise_or(f, cond * bit, out=f)

        if "protection_level" not in skip:
            flag(col(self.protection) < c.required_protection, PROTECTION_LEVEL)
        district = col(self.district)
        if c.excluded and "exclusion_area" not in skip:
            flag(self._lookup(c.excluded)[district], EXCLUSION_AREA)
        if c.buffer and "exclusion_buffer" not in skip:
            flag(self._lookup(c.buffer)[district], EXCLUSION_BUFFER)
        if "gender" not in skip:
            flag((col(self.genders) & GENDER_BITS.get(hh.gender, 0)) == 0, GENDER)
        if "age" not in skip:
            flag((hh.age < col(self.min_age)) | (hh.age > col(self.max_age)), AGE)
        if "substance_policy" not in skip:
            sub = col(self.substance)
            if hh.substance_use == "active":
                bad = sub != SUBSTANCE_CODES["active_use_accepted"]
            elif hh.substance_use == "wants_drug_free":
                bad = sub != SUBSTANCE_CODES["drug_free"]
            else:
                bad = sub == SUBSTANCE_CODES["drug_free"]
            flag(bad, SUBSTANCE_POLICY)
        if hh.needs_wheelchair and "wheelchair" not in skip:
            flag(~col(self.wheelchair), WHEELCHAIR)
        if hh.honour_context and "honour_competence" not in skip:
            flag(~col(self.honour), HONOUR_COMPETENCE)
        if c.n_children:
            takes = col(self.takes_children)
            if "children_not_accepted" not in skip:
                flag(~takes, CHILDREN_NOT_ACCEPTED)
            if "too_many_children" not in skip:
                flag(takes & (c.n_children > col(self.max_children)), TOO_MANY_CHILDREN)
            if "child_age" not in skip:
                old = (c.oldest_child > col(self.max_child_age)) | (
                    c.oldest_boy > col(self.max_boy_age)
                )
                flag(takes & old, CHILD_AGE)
        if "ivo_permit" not in skip:
            last = c.last_night.toordinal()
            flag(col(self.ivo_required) & (col(self.ivo_valid) < last), IVO_PERMIT)
        if "sharing_policy" not in skip:
            flag(~self._shared(c, idx), SHARING_POLICY)
        places = col(self.free_places)
        full = ~col(self.has_capacity)
        flag(full, NO_CAPACITY_PERIOD)
        flag(~full & (c.size > places) & (col(self.max_room) < c.size), HOUSEHOLD_DOES_NOT_FIT)
        return f

    def _lookup(self, ids: frozenset[str]) -> BoolArray:
        out = np.zeros(len(self.ids), dtype=bool)
        for did in ids:
            i = self.ids.get(did)
            if i is not None:
                out[i] = True
        return out

    # --- soft terms ---------------------------------------------------------------------------

    def _km(self, arr: npt.NDArray[np.float64] | None, default: float) -> npt.NDArray[np.float64]:
        """A per-district distance row extended over every id (unknown districts: default)."""
        out = np.full(len(self.ids), default, dtype=np.float64)
        if arr is not None:
            out[: len(arr)] = arr
        return out

    def scores(self, c: RuleContext, policy: Policy, idx: IntArray) -> IntArray:
        """`fast_unit_score` for the units `idx` (without building the score context's
        distance dicts: only the explanations of placed households need those)."""
        w = policy.weights
        hh = c.household
        n = len(idx)
        preferred = hh.preferred_district_ids - (c.excluded | c.buffer)
        score = np.zeros(n, dtype=np.int64)
        district = self.district[idx]
        safe = np.ones(n, dtype=bool)
        if hh.exclusion_district_ids:
            km = self._km(self.table.nearest_array(hh.exclusion_district_ids), 0.0)[district]
            safe = km >= policy.safe_distance_km
            cap = float(w.exclusion_distance_cap_km)
            score += np.floor(w.exclusion_distance_per_km * np.minimum(km, cap)).astype(np.int64)
        if preferred:
            pkm = self._km(self.table.nearest_array(preferred), np.nan)[district]
            known = safe & ~np.isnan(pkm)
            pts = np.floor(np.maximum(0.0, w.preferred_max - w.preferred_per_km * pkm[known]))
            score[known] += pts.astype(np.int64)
        if hh.languages:
            cols = [self.languages[x] for x in hh.languages if x in self.languages]
            if cols:
                score[self.speaks[idx][:, cols].any(axis=1)] += w.language_match
        cost = self.cost[idx]
        score -= np.where(cost > 0, w.cost_per_100_sek * -(-cost // 100), 0)
        score[~(self.vacancy_age[idx] <= policy.stale_after_hours)] -= w.stale_vacancy
        if hh.phase == "post_acute":
            acute = self.acute[idx]
            score[acute] -= w.acute_place_for_post_acute
            score[~acute & self.interim[idx]] += w.interim_for_post_acute
        if hh.current_unit_id is not None:
            here = self.unit_index.get(hh.current_unit_id)
            if here is not None:
                score[idx == here] += w.continuity
        if hh.substance_use == "none":
            score[self.active_use[idx]] -= w.active_use_unit_for_non_user
        if hh.has_pets:
            score[~self.pets[idx]] -= w.pets_not_allowed
        return score
