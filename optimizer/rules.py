"""Hard rules: each is a named function `(ctx, unit) -> rule code | None`.

A rule returns its code when the unit breaks it for this household, else None. Rules never
look at the requesting district except `rule_sharing_policy`, which applies exactly what the
owner's sharing policy allows: nothing else may favour a district's own units.

`RuleContext` holds what every rule needs about the household, computed once per call, so the
loop over thousands of units does little more than attribute reads and comparisons.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from optimizer.geo import neighbours_of
from optimizer.problem import (
    POSSIBLY_BOY,
    REQUIRED_PROTECTION,
    RULE_CODES,
    DistrictInfo,
    Household,
    Policy,
    Unit,
)


@dataclass(frozen=True, slots=True)
class RuleContext:
    household: Household
    districts: Mapping[str, DistrictInfo]
    required_protection: int
    size: int
    excluded: frozenset[str]
    buffer: frozenset[str]  # empty unless policy.exclusion_buffer
    n_children: int
    oldest_child: int  # -1 without children
    oldest_boy: int  # -1 without boys
    requester: DistrictInfo | None
    last_night: date


def make_context(
    household: Household, districts: Mapping[str, DistrictInfo], policy: Policy
) -> RuleContext:
    excluded = household.exclusion_district_ids
    buffer = neighbours_of(districts, excluded) if policy.exclusion_buffer else frozenset()
    ages = [c.age for c in household.children]
    # A child whose gender is not stated may be a boy: the units' age limits for boys apply.
    boys = [c.age for c in household.children if c.gender in POSSIBLY_BOY]
    return RuleContext(
        household=household,
        districts=districts,
        required_protection=REQUIRED_PROTECTION.get(household.risk_level, 3),
        size=household.size,
        excluded=excluded,
        buffer=buffer,
        n_children=len(ages),
        oldest_child=max(ages, default=-1),
        oldest_boy=max(boys, default=-1),
        requester=districts.get(household.requesting_district_id),
        last_night=household.start + timedelta(days=max(household.nights, 1) - 1),
    )


def fits(size: int, unit: Unit) -> bool:
    """A household fits in n single places or in one family room for at least n persons."""
    return size <= unit.free_places or any(c >= size for c in unit.free_family_rooms)


# --- the rules ----------------------------------------------------------------------------------


def rule_protection_level(c: RuleContext, u: Unit) -> str | None:
    return "protection_level" if u.protection_level < c.required_protection else None


def rule_exclusion_area(c: RuleContext, u: Unit) -> str | None:
    return "exclusion_area" if u.district_id in c.excluded else None


def rule_exclusion_buffer(c: RuleContext, u: Unit) -> str | None:
    return "exclusion_buffer" if u.district_id in c.buffer else None


def rule_gender(c: RuleContext, u: Unit) -> str | None:
    return "gender" if c.household.gender not in u.accepted_genders else None


def rule_age(c: RuleContext, u: Unit) -> str | None:
    age = c.household.age
    if (u.min_age is not None and age < u.min_age) or (u.max_age is not None and age > u.max_age):
        return "age"
    return None


def rule_substance_policy(c: RuleContext, u: Unit) -> str | None:
    use = c.household.substance_use
    policy = u.substance_policy
    if use == "active":
        ok = policy == "active_use_accepted"
    elif use == "wants_drug_free":
        ok = policy == "drug_free"
    else:  # no use: drug-free places are kept for those who ask for them
        ok = policy != "drug_free"
    return None if ok else "substance_policy"


def rule_wheelchair(c: RuleContext, u: Unit) -> str | None:
    return "wheelchair" if c.household.needs_wheelchair and not u.wheelchair_accessible else None


def rule_honour_competence(c: RuleContext, u: Unit) -> str | None:
    return "honour_competence" if c.household.honour_context and not u.honour_competence else None


def rule_children_not_accepted(c: RuleContext, u: Unit) -> str | None:
    return "children_not_accepted" if c.n_children and not u.accepts_children else None


def rule_too_many_children(c: RuleContext, u: Unit) -> str | None:
    # Only for units that take children at all; otherwise children_not_accepted says it.
    if u.accepts_children and c.n_children > u.max_children:
        return "too_many_children"
    return None


def rule_child_age(c: RuleContext, u: Unit) -> str | None:
    if not u.accepts_children or not c.n_children:
        return None
    if u.max_child_age is not None and c.oldest_child > u.max_child_age:
        return "child_age"
    if u.max_boy_age is not None and c.oldest_boy > u.max_boy_age:
        return "child_age"
    return None


def rule_ivo_permit(c: RuleContext, u: Unit) -> str | None:
    """A private operator's permit must cover the whole period, to the last night."""
    if not u.ivo_permit_required:
        return None
    valid = u.ivo_permit_valid_until
    return "ivo_permit" if valid is None or valid < c.last_night else None


def rule_sharing_policy(c: RuleContext, u: Unit) -> str | None:
    return None if sharing_allows(c, u) else "sharing_policy"


def sharing_allows(c: RuleContext, u: Unit) -> bool:
    policy = u.sharing_policy
    if policy == "open":
        return True
    owner = u.owner
    if policy == "own_district":
        return c.household.requesting_district_id == owner
    req = c.requester
    own = c.districts.get(owner)
    if req is None or own is None:
        return False
    if policy == "city_wide":
        return req.municipality == own.municipality
    if policy == "regional_pool":
        return req.pool is not None and req.pool == own.pool
    return False


def rule_no_capacity_period(c: RuleContext, u: Unit) -> str | None:
    return "no_capacity_period" if u.free_places <= 0 and not u.free_family_rooms else None


def rule_household_does_not_fit(c: RuleContext, u: Unit) -> str | None:
    # Only when there is some free capacity; a full unit is no_capacity_period.
    if (u.free_places > 0 or u.free_family_rooms) and not fits(c.size, u):
        return "household_does_not_fit"
    return None


RuleFn = Callable[[RuleContext, Unit], "str | None"]

RULES: dict[str, RuleFn] = {
    "protection_level": rule_protection_level,
    "exclusion_area": rule_exclusion_area,
    "exclusion_buffer": rule_exclusion_buffer,
    "gender": rule_gender,
    "age": rule_age,
    "substance_policy": rule_substance_policy,
    "wheelchair": rule_wheelchair,
    "honour_competence": rule_honour_competence,
    "children_not_accepted": rule_children_not_accepted,
    "too_many_children": rule_too_many_children,
    "child_age": rule_child_age,
    "ivo_permit": rule_ivo_permit,
    "sharing_policy": rule_sharing_policy,
    "no_capacity_period": rule_no_capacity_period,
    "household_does_not_fit": rule_household_does_not_fit,
}
assert tuple(RULES) == RULE_CODES  # noqa: S101  (import-time consistency of the vocabulary)

# Bit of each rule in a failure mask (position in RULE_CODES).
PROTECTION_LEVEL = 1 << 0
EXCLUSION_AREA = 1 << 1
EXCLUSION_BUFFER = 1 << 2
GENDER = 1 << 3
AGE = 1 << 4
SUBSTANCE_POLICY = 1 << 5
WHEELCHAIR = 1 << 6
HONOUR_COMPETENCE = 1 << 7
CHILDREN_NOT_ACCEPTED = 1 << 8
TOO_MANY_CHILDREN = 1 << 9
CHILD_AGE = 1 << 10
IVO_PERMIT = 1 << 11
SHARING_POLICY = 1 << 12
NO_CAPACITY_PERIOD = 1 << 13
HOUSEHOLD_DOES_NOT_FIT = 1 << 14

# Rules that depend only on the household's needs and the unit's features, not on where the
# unit is, who owns it or what is free: used to tell contradictory needs from a full inventory.
NEED_RULES: tuple[str, ...] = (
    "protection_level",
    "gender",
    "age",
    "substance_policy",
    "wheelchair",
    "honour_competence",
    "children_not_accepted",
    "too_many_children",
    "child_age",
)

# Capacity rules: an override cannot create a bed, so they can never be overridden.
NOT_OVERRIDABLE: frozenset[str] = frozenset({"no_capacity_period", "household_does_not_fit"})


def active_rules(c: RuleContext) -> tuple[RuleFn, ...]:
    """The rules to check for this household: all, minus the overridden ones and the ones
    that cannot fail for it (no children, no wheelchair, no buffer...). Same verdicts as
    checking everything, fewer calls in the inner loop."""
    hh = c.household
    skip = set(hh.overridden_rules) - NOT_OVERRIDABLE
    if not c.excluded:
        skip.add("exclusion_area")
    if not c.buffer:
        skip.add("exclusion_buffer")
    if not hh.needs_wheelchair:
        skip.add("wheelchair")
    if not hh.honour_context:
        skip.add("honour_competence")
    if not c.n_children:
        skip |= {"children_not_accepted", "too_many_children", "child_age"}
    return tuple(fn for code, fn in RULES.items() if code not in skip)


def failed_rules(c: RuleContext, u: Unit, rules: Sequence[RuleFn]) -> list[str]:
    return [code for fn in rules if (code := fn(c, u)) is not None]


def overridden_failures(c: RuleContext, u: Unit) -> tuple[str, ...]:
    """Overridden rules this unit would have broken: the proposal must say so."""
    over = c.household.overridden_rules
    if not over:
        return ()
    return tuple(
        code
        for code, fn in RULES.items()
        if code in over and code not in NOT_OVERRIDABLE and fn(c, u) is not None
    )


def ivo_expires_during_stay(c: RuleContext, u: Unit) -> bool:
    valid = u.ivo_permit_valid_until
    return bool(u.ivo_permit_required and valid is not None and valid < c.last_night)


def compile_checker(c: RuleContext) -> Callable[[Unit], int]:
    """One fused function with the same verdicts as `failed_rules(c, u, active_rules(c))`, as
    a bit mask over RULE_CODES (0: the unit passes; `codes_of` turns it into codes). It exists
    only for speed: "now" checks thousands of units per call, and ints, unlike lists, cost the
    garbage collector nothing. The named rules above stay the reference; a property test keeps
    the two identical."""
    hh = c.household
    skip = set(hh.overridden_rules) - NOT_OVERRIDABLE
    req = 0 if "protection_level" in skip else c.required_protection
    excluded = frozenset() if "exclusion_area" in skip else c.excluded
    buffer = frozenset() if "exclusion_buffer" in skip else c.buffer
    gender = None if "gender" in skip else hh.gender
    age = None if "age" in skip else hh.age
    use = None if "substance_policy" in skip else hh.substance_use
    wheel = hh.needs_wheelchair and "wheelchair" not in skip
    honour = hh.honour_context and "honour_competence" not in skip
    n_kids = c.n_children
    kids_na = n_kids > 0 and "children_not_accepted" not in skip
    kids_many = n_kids > 0 and "too_many_children" not in skip
    kids_age = n_kids > 0 and "child_age" not in skip
    oldest, oldest_boy = c.oldest_child, c.oldest_boy
    ivo = "ivo_permit" not in skip
    last_night = c.last_night
    sharing = "sharing_policy" not in skip
    req_id = hh.requesting_district_id
    requester = c.requester
    dget = c.districts.get
    size = c.size

    def check(u: Unit) -> int:
        f = 0
        if u.protection_level < req:
            f |= PROTECTION_LEVEL
        d = u.district_id
        if d in excluded:
            f |= EXCLUSION_AREA
        if d in buffer:
            f |= EXCLUSION_BUFFER
        if gender is not None and gender not in u.accepted_genders:
            f |= GENDER
        if age is not None and (
            (u.min_age is not None and age < u.min_age)
            or (u.max_age is not None and age > u.max_age)
        ):
            f |= AGE
        if use is not None:
            p = u.substance_policy
            if use == "active":
                bad = p != "active_use_accepted"
            elif use == "wants_drug_free":
                bad = p != "drug_free"
            else:
                bad = p == "drug_free"
            if bad:
                f |= SUBSTANCE_POLICY
        if wheel and not u.wheelchair_accessible:
            f |= WHEELCHAIR
        if honour and not u.honour_competence:
            f |= HONOUR_COMPETENCE
        if n_kids:
            takes = u.accepts_children
            if kids_na and not takes:
                f |= CHILDREN_NOT_ACCEPTED
            if takes:
                if kids_many and n_kids > u.max_children:
                    f |= TOO_MANY_CHILDREN
                if kids_age and (
                    (u.max_child_age is not None and oldest > u.max_child_age)
                    or (u.max_boy_age is not None and oldest_boy > u.max_boy_age)
                ):
                    f |= CHILD_AGE
        if ivo and u.ivo_permit_required:
            valid = u.ivo_permit_valid_until
            if valid is None or valid < last_night:
                f |= IVO_PERMIT
        sp = u.sharing_policy
        if sharing and sp != "open":
            owner = u.owner_district_id or u.district_id
            if sp == "own_district":
                shared = owner == req_id
            else:
                od = dget(owner)
                if od is None or requester is None:
                    shared = False
                elif sp == "city_wide":
                    shared = od.municipality == requester.municipality
                else:
                    pool = requester.pool
                    shared = sp == "regional_pool" and pool is not None and od.pool == pool
            if not shared:
                f |= SHARING_POLICY
        places, rooms = u.free_places, u.free_family_rooms
        if places <= 0 and not rooms:
            f |= NO_CAPACITY_PERIOD
        elif size > places:
            for cap in rooms:
                if cap >= size:
                    break
            else:
                f |= HOUSEHOLD_DOES_NOT_FIT
        return f

    return check


def codes_of(mask: int) -> list[str]:
    """The rule codes in a failure mask, in RULE_CODES order."""
    return [code for i, code in enumerate(RULE_CODES) if mask >> i & 1]
