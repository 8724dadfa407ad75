"""Hard rules and soft preferences for a flat and a household: pure functions, no database.

These always run, whether or not the optimizer's flat matcher is available, so an offer to a
household the flat does not suit is refused in any case. Codes and the size rule are the same as
in optimizer/priority_flat.py (ceil(persons / 2) <= rooms <= persons + 1); keep them in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from placement.errors import N_, Msg, fill

HOUSEHOLD_DOES_NOT_FIT = "household_does_not_fit"
EXCLUSION_AREA = "exclusion_area"
WHEELCHAIR = "wheelchair"


@dataclass(frozen=True, slots=True)
class FlatFacts:
    district_code: str
    district_name: str
    rooms: int  # Swedish count, kitchen excluded ("2 rum och kök" = 2)
    size_sqm: int
    rent_sek: int
    wheelchair_accessible: bool


@dataclass(frozen=True, slots=True)
class HouseholdFacts:
    application_id: str
    size: int
    adults: int
    children_ages: tuple[int, ...]
    avoid_codes: frozenset[str]
    needed_codes: frozenset[str]
    needs_wheelchair: bool
    max_rent_sek: int | None


@dataclass(frozen=True, slots=True)
class Failure:
    code: str
    text: str
    msg: Msg | None = None  # the text with its blanks, for the reader's language


def _failure(code: str, template: str, **params: str | int) -> Failure:
    return Failure(code, fill(template, params), Msg(template, params))


def min_rooms(size: int) -> int:
    """At most two persons per room (a parent may sleep in the living room)."""
    return -(-size // 2)


def max_rooms(size: int) -> int:
    """The agency lets by need: at most one room more than there are persons."""
    return size + 1


def failures(flat: FlatFacts, household: HouseholdFacts) -> list[Failure]:
    out: list[Failure] = []
    if flat.rooms < min_rooms(household.size):
        out.append(
            _failure(
                HOUSEHOLD_DOES_NOT_FIT,
                N_("The flat has {rooms} room(s); a household of {size} needs at least {least}."),
                rooms=flat.rooms,
                size=household.size,
                least=min_rooms(household.size),
            )
        )
    elif flat.rooms > max_rooms(household.size):
        out.append(
            _failure(
                HOUSEHOLD_DOES_NOT_FIT,
                N_("The flat has {rooms} rooms; a household of {size} is let at most {most}."),
                rooms=flat.rooms,
                size=household.size,
                most=max_rooms(household.size),
            )
        )
    if flat.district_code in household.avoid_codes:
        out.append(
            _failure(
                EXCLUSION_AREA,
                N_("The flat is in {district}, an area the household must avoid."),
                district=flat.district_name,
            )
        )
    if household.needs_wheelchair and not flat.wheelchair_accessible:
        out.append(
            _failure(
                WHEELCHAIR, N_("The household needs a wheelchair-accessible flat; this is not.")
            )
        )
    return out


def preferences(
    flat: FlatFacts, household: HouseholdFacts, neighbours: frozenset[str]
) -> tuple[int, list[str]]:
    """Points and the reasons for them: needed areas, rent within means, away from avoided."""
    score = 0
    reasons: list[str] = []
    if flat.district_code in household.needed_codes:
        score += 40
        reasons.append(f"In {flat.district_name}, an area the household needs (+40).")
    elif neighbours & household.needed_codes:
        score += 20
        reasons.append("Next to an area the household needs (+20).")
    if neighbours & household.avoid_codes:
        score -= 15
        reasons.append("Next to an area the household must avoid (-15).")
    if household.max_rent_sek is not None:
        over = flat.rent_sek - household.max_rent_sek
        if over <= 0:
            score += 20
            reasons.append("The rent is within the household's means (+20).")
        else:
            penalty = 2 * -(-over // 100)
            score -= penalty
            reasons.append(f"The rent is {over} SEK over the household's means (-{penalty}).")
    if household.needs_wheelchair and flat.wheelchair_accessible:
        reasons.append("Wheelchair accessible, as the household needs.")
    return score, reasons
