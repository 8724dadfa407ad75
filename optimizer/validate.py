"""Input checks. Bad input is explained in the result (`problems`), never raised.

Every number is checked to be a real, finite number in its range before anything uses it:
a NaN compares false with everything, so an unchecked NaN would pass every rule silently (or
raise deep inside the scoring). Repeated ids are refused, every copy: the plan cannot know
which copy is meant, and using one could double-book a place or place one request twice.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields

from optimizer.explain import RULE_LABELS
from optimizer.problem import (
    CHILD_GENDERS,
    GENDERS,
    PHASES,
    PROTECTION_LEVELS,
    REQUIRED_PROTECTION,
    RULE_CODES,
    SHARING_POLICIES,
    SUBSTANCE_POLICIES,
    SUBSTANCE_USES,
    UNIT_KINDS,
    DistrictInfo,
    Household,
    Policy,
    Unit,
    persons_en,
    persons_sv,
)
from optimizer.results import InputProblem
from optimizer.rules import NOT_OVERRIDABLE


def problem(code: str, sv: str, en: str) -> InputProblem:
    return InputProblem(code, sv, en)


def is_number(value: object, low: float = 0.0, high: float = math.inf) -> bool:
    """A real, finite number (not a bool) in [low, high]."""
    kind = type(value)
    if kind is int:
        return low <= value <= high  # type: ignore[operator]
    if kind is float:
        return math.isfinite(value) and low <= value <= high  # type: ignore[arg-type, operator]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and low <= value <= high


def is_whole(value: object, low: float = 0.0, high: float = math.inf) -> bool:
    """A whole number in [low, high] (an int, or a float without fraction)."""
    if type(value) is int:
        return low <= value <= high
    if not is_number(value, low, high):
        return False
    number = float(value)  # type: ignore[arg-type]  # is_number checked int | float
    return number == math.floor(number)


def _optional_whole(value: object, high: float = math.inf) -> bool:
    return value is None or is_whole(value, 0, high)


MAX_AGE = 130
MAX_NIGHTS = 3660  # ten years: longer is a typing error
MAX_WAITING_HOURS = 24 * 3660
MAX_PLACES = 10_000


def number_problem(code: str, what_sv: str, what_en: str, value: object) -> InputProblem:
    return problem(
        code,
        f"{what_sv} måste vara ett ändligt tal inom sitt intervall (fick {value!r})",
        f"{what_en} must be a finite number in its range (got {value!r})",
    )


def household_problems(
    hh: Household, districts: Mapping[str, DistrictInfo]
) -> tuple[list[InputProblem], bool]:
    """Problems with one household, and whether matching can go on at all."""
    fatal: list[InputProblem] = []
    rid = hh.request_id
    if not is_whole(hh.nights, 1, MAX_NIGHTS):
        fatal.append(
            problem(
                "invalid_nights",
                f"Antal nätter måste vara ett heltal 1–{MAX_NIGHTS} (ärende {rid} har "
                f"{hh.nights!r})",
                f"Nights must be a whole number 1–{MAX_NIGHTS} (request {rid} has {hh.nights!r})",
            )
        )
    if not is_whole(hh.adults, 1, 2):
        fatal.append(
            problem(
                "invalid_adults",
                f"Antal vuxna måste vara 1 eller 2 (ärende {rid} har {hh.adults})",
                f"The number of adults must be 1 or 2 (request {rid} has {hh.adults})",
            )
        )
    if not is_whole(hh.age, 0, MAX_AGE) or not all(is_whole(c.age, 0, 17) for c in hh.children):
        fatal.append(
            problem(
                "invalid_age",
                f"Åldrarna är orimliga: vuxen 0–{MAX_AGE} år, barn 0–17 år, i hela år",
                f"Ages are invalid: adult 0–{MAX_AGE}, children 0–17, in whole years",
            )
        )
    if not is_number(hh.waiting_hours, 0.0, MAX_WAITING_HOURS):
        fatal.append(
            number_problem(
                "invalid_waiting_time",
                f"Väntetiden i timmar (ärende {rid})",
                f"The waiting time in hours (request {rid})",
                hh.waiting_hours,
            )
        )
    bad = []
    if hh.gender not in GENDERS or any(c.gender not in CHILD_GENDERS for c in hh.children):
        bad.append("gender")
    if hh.risk_level not in REQUIRED_PROTECTION:
        bad.append("risk_level")
    if hh.substance_use not in SUBSTANCE_USES:
        bad.append("substance_use")
    if hh.phase not in PHASES:
        bad.append("phase")
    if bad:
        fields = ", ".join(bad)
        fatal.append(
            problem(
                "unknown_value",
                f"Okänt värde i fälten: {fields}",
                f"Unknown value in the fields: {fields}",
            )
        )
    warnings: list[InputProblem] = []
    if hh.requesting_district_id not in districts:
        warnings.append(
            problem(
                "unknown_requesting_district",
                "Det beställande distriktet är okänt: bara öppna enheter kan delas",
                "The requesting district is unknown: only open units can be shared",
            )
        )
    unknown = sorted((hh.exclusion_district_ids | hh.preferred_district_ids) - districts.keys())
    if unknown:
        warnings.append(
            problem(
                "unknown_district",
                "Okända områden i undvik/önskat: avstånd kan inte räknas för " + ", ".join(unknown),
                "Unknown areas among avoid/preferred: distances cannot be computed for "
                + ", ".join(unknown),
            )
        )
    both = sorted(hh.exclusion_district_ids & hh.preferred_district_ids)
    if both:
        warnings.append(
            problem(
                "preferred_and_excluded",
                "Samma område är både önskat och ska undvikas; säkerheten går före: "
                + ", ".join(both),
                "The same area is both preferred and to be avoided; safety comes first: "
                + ", ".join(both),
            )
        )
    bad_over = sorted(set(hh.overridden_rules) - set(RULE_CODES))
    if bad_over:
        warnings.append(
            problem(
                "unknown_override",
                "Okänd regel åsidosatt (ignoreras): " + ", ".join(bad_over),
                "Unknown rule overridden (ignored): " + ", ".join(bad_over),
            )
        )
    for code in sorted(hh.overridden_rules & NOT_OVERRIDABLE):
        ls, le = RULE_LABELS[code]
        warnings.append(
            problem(
                "override_not_possible",
                f"Regeln om {ls} kan inte åsidosättas: en plats måste finnas",
                f"The rule on {le} cannot be overridden: a place must exist",
            )
        )
    return fatal + warnings, not fatal


def unit_number_faults(u: Unit) -> list[str]:
    """The numeric fields of a unit that are not finite numbers in their range."""
    # Fast path for the usual unit (plain ints, "now" checks thousands per call); anything
    # else goes through the field-by-field checks below, which name the faulty fields.
    va = u.vacancy_age_hours
    lo, hi, ca, ba = u.min_age, u.max_age, u.max_child_age, u.max_boy_age
    rooms = u.free_family_rooms
    if (
        type(u.free_places) is int
        and 0 <= u.free_places <= MAX_PLACES
        and type(u.max_children) is int
        and 0 <= u.max_children <= MAX_PLACES
        and type(u.nightly_cost) is int
        and 0 <= u.nightly_cost <= 10_000_000
        and type(u.protection_level) is int
        and u.protection_level in PROTECTION_LEVELS
        and (va is None or (type(va) is float and 0.0 <= va < math.inf))
        and (lo is None or (type(lo) is int and 0 <= lo <= MAX_AGE))
        and (hi is None or (type(hi) is int and 0 <= hi <= MAX_AGE))
        and (ca is None or (type(ca) is int and 0 <= ca <= MAX_AGE))
        and (ba is None or (type(ba) is int and 0 <= ba <= MAX_AGE))
        and (not rooms or all(type(c) is int and 1 <= c <= MAX_PLACES for c in rooms))
    ):
        return []
    bad: list[str] = []
    if not is_whole(u.free_places, 0, MAX_PLACES):
        bad.append("free_places")
    if not all(is_whole(c, 1, MAX_PLACES) for c in u.free_family_rooms):
        bad.append("free_family_rooms")
    if not is_whole(u.max_children, 0, MAX_PLACES):
        bad.append("max_children")
    for name in ("min_age", "max_age", "max_child_age", "max_boy_age"):
        if not _optional_whole(getattr(u, name), MAX_AGE):
            bad.append(name)
    if not is_whole(u.nightly_cost, 0, 10_000_000):
        bad.append("nightly_cost")
    if u.vacancy_age_hours is not None and not is_number(u.vacancy_age_hours):
        bad.append("vacancy_age_hours")
    if u.protection_level not in PROTECTION_LEVELS or isinstance(u.protection_level, bool):
        bad.append("protection_level")
    return bad


def usable_units(units: Iterable[Unit]) -> tuple[list[Unit], list[InputProblem]]:
    """Drop units with invalid data, and every copy of a repeated id, and say why."""
    units = list(units)
    counts = Counter(u.unit_id for u in units)
    dup = sorted(uid for uid, n in counts.items() if n > 1)
    out: list[Unit] = []
    bad: dict[str, list[str]] = {}
    for u in units:
        if counts[u.unit_id] > 1:
            continue
        faults = unit_number_faults(u)
        if u.kind not in UNIT_KINDS:
            faults.append("kind")
        if u.sharing_policy not in SHARING_POLICIES:
            faults.append("sharing_policy")
        if u.substance_policy not in SUBSTANCE_POLICIES:
            faults.append("substance_policy")
        if faults:
            bad[u.unit_id] = faults
            continue
        out.append(u)
    problems: list[InputProblem] = []
    if bad:
        shown = sorted(bad)[:10]
        ids = "; ".join(f"{uid} ({', '.join(bad[uid])})" for uid in shown)
        problems.append(
            problem(
                "invalid_unit",
                f"{len(bad)} enheter har ogiltiga uppgifter och hoppas över: {ids}",
                f"{len(bad)} units have invalid data and are skipped: {ids}",
            )
        )
    if dup:
        ids = ", ".join(dup[:10])
        problems.append(
            problem(
                "duplicate_unit",
                f"Samma enhets-id förekommer flera gånger; ingen av dem används: {ids}",
                f"The same unit id appears more than once; none of them is used: {ids}",
            )
        )
    if not out:
        problems.append(
            problem(
                "no_units",
                "Det finns inga enheter att matcha mot",
                "There are no units to match against",
            )
        )
    return out, problems


def usable_districts(
    districts: Mapping[str, DistrictInfo],
) -> tuple[dict[str, DistrictInfo], list[InputProblem]]:
    """Drop districts whose coordinates are not finite degrees (distances would be NaN)."""
    out: dict[str, DistrictInfo] = {}
    bad: list[str] = []
    for did, d in districts.items():
        if is_number(d.lat, -90.0, 90.0) and is_number(d.lon, -180.0, 180.0):
            out[did] = d
        else:
            bad.append(did)
    if not bad:
        return out, []
    ids = ", ".join(sorted(bad)[:10])
    return out, [
        problem(
            "invalid_district",
            f"{len(bad)} områden har ogiltiga koordinater och räknas som okända: {ids}",
            f"{len(bad)} areas have invalid coordinates and count as unknown: {ids}",
        )
    ]


def policy_problems(policy: Policy) -> list[InputProblem]:
    """A policy with a number out of range is refused as a whole: no plan is made with it."""
    bad = [
        f.name
        for f in fields(policy.weights)
        if not is_number(getattr(policy.weights, f.name), 0, 1_000_000)
    ]
    if not is_number(policy.stale_after_hours):
        bad.append("stale_after_hours")
    if not is_number(policy.safe_distance_km, 0.0, 50_000.0):
        bad.append("safe_distance_km")
    if not bad:
        return []
    names = ", ".join(bad)
    return [
        problem(
            "invalid_policy",
            f"Inställningarna har ogiltiga tal (ändliga, inte negativa): {names}",
            f"The settings have invalid numbers (finite, not negative): {names}",
        )
    ]


def duplicate_ids(ids: Iterable[str]) -> set[str]:
    counts = Counter(ids)
    return {i for i, n in counts.items() if n > 1}


def size_problem(size: int, units: Sequence[Unit]) -> InputProblem | None:
    """Why a household fits nowhere by size, only when that is true: with nothing free at all
    the household is not too large, the inventory is full."""
    if not units:
        return None
    largest = max(max(u.free_places, max(u.free_family_rooms, default=0)) for u in units)
    return size_problem_largest(size, largest)


def size_problem_largest(size: int, largest: int) -> InputProblem | None:
    """`size_problem` given the largest free capacity of any unit (at least one unit)."""
    if largest <= 0:
        return problem(
            "nothing_free",
            "Ingen enhet har något ledigt för perioden",
            "No unit has anything free for the period",
        )
    if size > largest:
        return problem(
            "household_too_large",
            f"Hushållet ({persons_sv(size)}) är större än den största lediga kapaciteten i någon "
            f"enhet ({largest})",
            f"The household ({persons_en(size)}) is larger than the largest free capacity in any "
            f"unit ({largest})",
        )
    return None
