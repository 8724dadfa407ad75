"""Input checks. Bad input is explained in the result (`problems`), never raised."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from optimizer.explain import RULE_LABELS
from optimizer.problem import (
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
    Unit,
    persons_en,
    persons_sv,
)
from optimizer.results import InputProblem
from optimizer.rules import NOT_OVERRIDABLE


def problem(code: str, sv: str, en: str) -> InputProblem:
    return InputProblem(code, sv, en)


def household_problems(
    hh: Household, districts: Mapping[str, DistrictInfo]
) -> tuple[list[InputProblem], bool]:
    """Problems with one household, and whether matching can go on at all."""
    fatal: list[InputProblem] = []
    rid = hh.request_id
    if hh.nights <= 0:
        fatal.append(
            problem(
                "invalid_nights",
                f"Antal nätter måste vara minst 1 (ärende {rid} har {hh.nights})",
                f"Nights must be at least 1 (request {rid} has {hh.nights})",
            )
        )
    if hh.adults not in (1, 2):
        fatal.append(
            problem(
                "invalid_adults",
                f"Antal vuxna måste vara 1 eller 2 (ärende {rid} har {hh.adults})",
                f"The number of adults must be 1 or 2 (request {rid} has {hh.adults})",
            )
        )
    if hh.age < 0 or any(c.age < 0 or c.age > 17 for c in hh.children):
        fatal.append(
            problem(
                "invalid_age",
                "Åldrarna är orimliga: vuxen minst 0 år, barn 0–17 år",
                "Ages are invalid: adult at least 0, children 0–17",
            )
        )
    bad = []
    if hh.gender not in GENDERS or any(c.gender not in GENDERS for c in hh.children):
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


def usable_units(units: Iterable[Unit]) -> tuple[list[Unit], list[InputProblem]]:
    """Drop units with invalid data or a repeated id (first one wins), and say so."""
    out: list[Unit] = []
    seen: set[str] = set()
    bad: list[str] = []
    dup: list[str] = []
    kinds, sharing, substance, levels = (
        UNIT_KINDS,
        SHARING_POLICIES,
        SUBSTANCE_POLICIES,
        PROTECTION_LEVELS,
    )
    for u in units:
        uid = u.unit_id
        if uid in seen:
            dup.append(uid)
            continue
        seen.add(uid)
        if (
            u.kind not in kinds
            or u.sharing_policy not in sharing
            or u.substance_policy not in substance
            or u.protection_level not in levels
            or u.free_places < 0
            or u.max_children < 0
            or (u.free_family_rooms and min(u.free_family_rooms) <= 0)
        ):
            bad.append(uid)
            continue
        out.append(u)
    problems: list[InputProblem] = []
    if bad:
        ids = ", ".join(sorted(bad)[:10])
        problems.append(
            problem(
                "invalid_unit",
                f"{len(bad)} enheter har ogiltiga uppgifter och hoppas över: {ids}",
                f"{len(bad)} units have invalid data and are skipped: {ids}",
            )
        )
    if dup:
        ids = ", ".join(sorted(set(dup))[:10])
        problems.append(
            problem(
                "duplicate_unit",
                f"Samma enhet förekommer flera gånger (första används): {ids}",
                f"The same unit appears more than once (the first is used): {ids}",
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


def size_problem(size: int, units: Sequence[Unit]) -> InputProblem | None:
    largest = max(
        (max(u.free_places, max(u.free_family_rooms, default=0)) for u in units), default=0
    )
    if units and size > largest:
        return problem(
            "household_too_large",
            f"Hushållet ({persons_sv(size)}) är större än den största lediga kapaciteten i någon "
            f"enhet ({largest})",
            f"The household ({persons_en(size)}) is larger than the largest free capacity in any "
            f"unit ({largest})",
        )
    return None
