"""Mode 4, housing agency: rank priority applicants for one flat.

The agency sees only the priority case (household size, areas to avoid and needed, wheelchair,
rent they can carry), never shelter data.

Size rule (hard), with Swedish room counts (rooms excluding the kitchen, "2 rum och kök" = 2):
at most two persons per room (no overcrowding: the common norm of a bedroom per couple or
two children plus a living room, loosened so that a parent can sleep in the living room) and
at most one room more than persons (the agency does not give a large flat to a small
household): ceil(persons / 2) <= rooms <= persons + 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields

from optimizer.common import Districts, as_district_map
from optimizer.geo import nearest_km, neighbours_of
from optimizer.problem import Applicant, DistrictInfo, Flat, FlatWeights
from optimizer.results import FlatMatch, Reason
from optimizer.validate import MAX_PLACES, is_number, is_whole, usable_districts

FLAT_RULES: tuple[str, ...] = (
    "invalid_flat",
    "invalid_application",
    "household_does_not_fit",
    "exclusion_area",
    "exclusion_buffer",
    "wheelchair",
)


def match_priority_flat(
    flat: Flat,
    applicants: Iterable[Applicant],
    districts: Districts,
    weights: FlatWeights | None = None,
) -> list[FlatMatch]:
    weights = weights or FlatWeights()
    dmap, _ = usable_districts(as_district_map(districts))
    if not _flat_ok(flat, weights):
        reason = _rule_reason("invalid_flat", flat, None)
        return sorted(
            (
                FlatMatch(a.application_id, False, None, None, ("invalid_flat",), (reason,))
                for a in applicants
            ),
            key=lambda m: m.application_id,
        )
    scored: list[tuple[int, str, Applicant, tuple[Reason, ...]]] = []
    ineligible: list[FlatMatch] = []
    for a in applicants:
        failed = _failed(flat, a, dmap, weights)
        if failed:
            reasons = tuple(_rule_reason(code, flat, a) for code in failed)
            ineligible.append(
                FlatMatch(a.application_id, False, None, None, tuple(failed), reasons)
            )
            continue
        score, reasons = _score(flat, a, dmap, weights)
        scored.append((-score, a.application_id, a, reasons))
    scored.sort(key=lambda s: (s[0], s[1]))
    ranked = [
        FlatMatch(app_id, True, rank, -neg, (), reasons)
        for rank, (neg, app_id, _a, reasons) in enumerate(scored, start=1)
    ]
    ineligible.sort(key=lambda m: m.application_id)
    return ranked + ineligible


def _flat_ok(flat: Flat, w: FlatWeights) -> bool:
    """The flat's and the weights' numbers are finite and in range."""
    numbers = [getattr(w, f.name) for f in fields(w) if f.name != "exclusion_buffer"]
    return (
        is_whole(flat.rooms, 1, 100)
        and is_number(flat.size_sqm, 0.0, 100_000.0)
        and is_whole(flat.rent, 0, 10_000_000)
        and all(is_number(x, 0, 1_000_000) for x in numbers)
    )


def _application_ok(a: Applicant) -> bool:
    return (
        is_whole(a.household_size, 1, MAX_PLACES)
        and is_whole(a.adults, 1, MAX_PLACES)
        and all(is_whole(c, 0, 17) for c in a.children_ages)
        and (a.max_rent is None or is_whole(a.max_rent, 0, 10_000_000))
        and a.household_size >= a.adults + len(a.children_ages)
    )


def _failed(
    flat: Flat, a: Applicant, dmap: Mapping[str, DistrictInfo], w: FlatWeights
) -> list[str]:
    n = a.household_size
    if not _application_ok(a):
        return ["invalid_application"]
    failed: list[str] = []
    if not (-(-n // 2) <= flat.rooms <= n + 1):
        failed.append("household_does_not_fit")
    if flat.district_id in a.avoid_district_ids:
        failed.append("exclusion_area")
    if w.exclusion_buffer and flat.district_id in neighbours_of(dmap, a.avoid_district_ids):
        failed.append("exclusion_buffer")
    if a.needs_wheelchair and not flat.wheelchair_accessible:
        failed.append("wheelchair")
    return failed


def _rule_reason(code: str, flat: Flat, a: Applicant | None) -> Reason:
    n = a.household_size if a is not None else 0
    texts: dict[str, tuple[str, str]] = {
        "invalid_flat": (
            "Lägenhetens eller inställningarnas uppgifter har ogiltiga tal (ändliga, inte "
            "negativa): ingen kan rangordnas",
            "The flat's or the settings' data have invalid numbers (finite, not negative): no "
            "one can be ranked",
        ),
        "invalid_application": (
            "Ansökan har orimliga uppgifter om hushållets storlek",
            "The application has invalid household-size data",
        ),
        "household_does_not_fit": (
            f"{flat.rooms} rum passar inte {n} personer (högst två per rum, högst ett rum "
            "fler än personer)",
            f"{flat.rooms} rooms do not suit {n} persons (at most two per room, at most one "
            "room more than persons)",
        ),
        "exclusion_area": (
            "Lägenheten ligger i ett område som ska undvikas",
            "The flat lies in an area to avoid",
        ),
        "exclusion_buffer": (
            "Lägenheten ligger intill ett område som ska undvikas",
            "The flat lies next to an area to avoid",
        ),
        "wheelchair": (
            "Lägenheten är inte anpassad för rullstol",
            "The flat is not wheelchair accessible",
        ),
    }
    sv, en = texts[code]
    return Reason(code, 0, sv, en)


def _score(
    flat: Flat, a: Applicant, dm: Mapping[str, DistrictInfo], w: FlatWeights
) -> tuple[int, tuple[Reason, ...]]:
    reasons: list[Reason] = []
    safe = True
    if a.avoid_district_ids:
        km = nearest_km(dm, a.avoid_district_ids).get(flat.district_id, 0.0)
        safe = km >= w.safe_distance_km
        pts = int(w.exclusion_distance_per_km * min(km, float(w.exclusion_distance_cap_km)))
        k = "under 1" if km < 1 else f"{km:.0f}"
        reasons.append(
            Reason(
                "exclusion_distance",
                pts,
                f"Ligger {k} km från de områden som ska undvikas",
                f"{k} km from the areas to avoid",
            )
        )
    needed = a.needed_district_ids - a.avoid_district_ids
    if needed:
        km_n = nearest_km(dm, needed).get(flat.district_id)
        if km_n is not None:
            pts = int(max(0.0, w.needed_max - w.needed_per_km * km_n))
            k = "under 1" if km_n < 1 else f"{km_n:.0f}"
            if pts and safe:
                reasons.append(
                    Reason(
                        "needed_area",
                        pts,
                        f"Ligger {k} km från område där hushållet behöver bo nära (skola, arbete)",
                        f"{k} km from an area the household needs to be near (school, work)",
                    )
                )
            elif pts:
                reasons.append(
                    Reason(
                        "needed_area_unsafe",
                        0,
                        "Nära behövt område men för nära de områden som ska undvikas: inga poäng",
                        "Near a needed area but too close to the areas to avoid: no points",
                    )
                )
    if a.max_rent is not None:
        if flat.rent <= a.max_rent:
            reasons.append(
                Reason(
                    "rent_within_means",
                    w.rent_within_means,
                    f"Hyran {flat.rent} kr ryms i hushållets ekonomi ({a.max_rent} kr)",
                    f"The rent SEK {flat.rent} is within the household's means (SEK {a.max_rent})",
                )
            )
        else:
            over = flat.rent - a.max_rent
            pts = -w.rent_over_means_per_100_sek * -(-over // 100)
            reasons.append(
                Reason(
                    "rent_over_means",
                    pts,
                    f"Hyran är {over} kr över vad hushållet klarar",
                    f"The rent is SEK {over} above what the household can carry",
                )
            )
    reasons.sort(key=lambda r: -abs(r.points))
    return sum(r.points for r in reasons), tuple(reasons)


def eligible_ids(matches: Sequence[FlatMatch]) -> list[str]:
    return [m.application_id for m in matches if m.eligible]
