"""Input dataclasses and the shared vocabulary of the matcher.

Everything here is plain data: the adapter in `placement/matching` builds these from the
database (free capacity comes from bookings, vacancy age from the last confirmation) and the
optimizer never looks anything up by itself. The string values are the ones the database models
use; keep them in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# --- vocabulary -------------------------------------------------------------------------------

UNIT_KINDS: frozenset[str] = frozenset(
    {
        "protected_shelter",
        "on_call_flat",
        "training_flat",
        "hostel",
        "shis_interim",
        "shis_mellanbo",
        "trial_flat",
        "regional_pool_flat",
    }
)
ACUTE_KINDS: frozenset[str] = frozenset({"protected_shelter", "hostel"})
INTERIM_KINDS: frozenset[str] = frozenset(
    {
        "on_call_flat",
        "training_flat",
        "shis_interim",
        "shis_mellanbo",
        "trial_flat",
        "regional_pool_flat",
    }
)

GENDERS: frozenset[str] = frozenset({"female", "male", "non_binary"})
# A child may also be of gender not stated; such a child counts as possibly a boy.
NOT_STATED = "not_stated"
CHILD_GENDERS: frozenset[str] = GENDERS | {NOT_STATED}
POSSIBLY_BOY: frozenset[str] = frozenset({"male", NOT_STATED})
RISK_LEVELS: tuple[str, ...] = ("low", "medium", "high")
REQUIRED_PROTECTION: dict[str, int] = {"low": 1, "medium": 2, "high": 3}
PROTECTION_LEVELS: frozenset[int] = frozenset({1, 2, 3})

SUBSTANCE_POLICIES: frozenset[str] = frozenset(
    {"active_use_accepted", "no_active_use", "drug_free"}
)
SUBSTANCE_USES: frozenset[str] = frozenset({"none", "active", "wants_drug_free"})
SHARING_POLICIES: frozenset[str] = frozenset({"own_district", "city_wide", "regional_pool", "open"})
PHASES: frozenset[str] = frozenset({"acute", "post_acute"})

# Hard rule codes, in the order they are shown. Stable strings: counts and the UI use them.
RULE_CODES: tuple[str, ...] = (
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
    "no_capacity_period",
    "household_does_not_fit",
)

# Resource kinds a placement can use inside a unit.
RESOURCE_PLACES = "places"
RESOURCE_FAMILY_ROOM = "family_room"


# --- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Child:
    age: int
    gender: str


@dataclass(frozen=True, slots=True)
class DistrictInfo:
    """A district administration or a neighbouring municipality, as a point on the map."""

    district_id: str
    name: str
    municipality: str
    pool: str | None
    lat: float
    lon: float
    neighbours: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit with its free capacity for the requested period (computed by the adapter)."""

    unit_id: str
    name: str
    kind: str
    district_id: str
    owner_district_id: str | None = None  # None: the unit's own district owns it
    sharing_policy: str = "city_wide"
    protection_level: int = 1
    accepted_genders: frozenset[str] = frozenset({"female"})
    min_age: int | None = 18
    max_age: int | None = None
    accepts_children: bool = False
    max_children: int = 0
    max_child_age: int | None = None
    max_boy_age: int | None = None
    substance_policy: str = "no_active_use"
    staffed_24_7: bool = False
    secret_address: bool = False
    wheelchair_accessible: bool = False
    honour_competence: bool = False
    languages: frozenset[str] = frozenset({"sv"})
    pets_allowed: bool = False
    nightly_cost: int = 0
    vacancy_age_hours: float | None = None  # None: free capacity never confirmed
    ivo_permit_required: bool = False
    ivo_permit_valid_until: date | None = None
    free_places: int = 0
    free_family_rooms: tuple[int, ...] = ()

    @property
    def owner(self) -> str:
        return self.owner_district_id if self.owner_district_id is not None else self.district_id


@dataclass(frozen=True, slots=True)
class Household:
    """One open request. `gender` and `age` describe the adult the request is about."""

    request_id: str
    requesting_district_id: str
    gender: str
    age: int
    start: date
    adults: int = 1
    children: tuple[Child, ...] = ()
    risk_level: str = "medium"
    substance_use: str = "none"
    needs_wheelchair: bool = False
    honour_context: bool = False
    languages: frozenset[str] = frozenset()
    has_pets: bool = False
    exclusion_district_ids: frozenset[str] = frozenset()
    preferred_district_ids: frozenset[str] = frozenset()
    phase: str = "acute"
    waiting_hours: float = 0.0
    current_unit_id: str | None = None
    nights: int = 14
    overridden_rules: frozenset[str] = frozenset()

    @property
    def size(self) -> int:
        return self.adults + len(self.children)


@dataclass(frozen=True, slots=True)
class PolicyWeights:
    """Integer weights of the soft preferences (points) and of the joint plan's priorities."""

    # Soft preferences (points added to or taken from a proposal's score).
    exclusion_distance_per_km: int = 2  # per km away from the nearest area to avoid
    exclusion_distance_cap_km: int = 30  # no more points beyond this distance
    preferred_max: int = 40  # bonus in a preferred district, falling with distance
    preferred_per_km: int = 2  # bonus lost per km from the nearest preferred district
    language_match: int = 20
    cost_per_100_sek: int = 1  # penalty per started 100 SEK nightly cost
    stale_vacancy: int = 15  # penalty when the free capacity is old or never confirmed
    acute_place_for_post_acute: int = 30  # post-acute household in an acute unit
    interim_for_post_acute: int = 10  # post-acute household in interim housing
    continuity: int = 25  # already lives in this unit
    active_use_unit_for_non_user: int = 10  # no substance use, unit accepts active use
    pets_not_allowed: int = 20  # household has pets, unit does not allow them
    family_room_spare_bed: int = 3  # per unused bed in a family room (keeps rooms for families)
    # Joint plan: weight of placing a household (first objective level).
    placed_low: int = 10
    placed_medium: int = 20
    placed_high: int = 40
    placed_per_waiting_day: int = 2
    placed_waiting_days_cap: int = 14


@dataclass(frozen=True, slots=True)
class Policy:
    weights: PolicyWeights = field(default_factory=PolicyWeights)
    exclusion_buffer: bool = False  # also keep away from districts next to the avoided ones
    stale_after_hours: float = 24.0
    safe_distance_km: float = 5.0  # closeness to preferred districts counts only beyond this


def persons_sv(n: int) -> str:
    """ "1 person", "3 personer": the count with the word in the right number."""
    return f"{n} person" if n == 1 else f"{n} personer"


def persons_en(n: int) -> str:
    return f"{n} person" if n == 1 else f"{n} persons"


@dataclass(frozen=True, slots=True)
class Resource:
    """What a placement takes in the unit: `persons` single places, or one family room."""

    kind: str  # RESOURCE_PLACES or RESOURCE_FAMILY_ROOM
    persons: int  # places taken, or the family room's capacity

    @property
    def text_sv(self) -> str:
        if self.kind == RESOURCE_FAMILY_ROOM:
            return f"ett familjerum för {persons_sv(self.persons)}"
        return f"{self.persons} platser" if self.persons != 1 else "1 plats"

    @property
    def text_en(self) -> str:
        if self.kind == RESOURCE_FAMILY_ROOM:
            return f"one family room for {persons_en(self.persons)}"
        return f"{self.persons} places" if self.persons != 1 else "1 place"


# --- housing agency (priority flat) inputs ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Flat:
    """A flat the housing agency has put a watch on."""

    flat_id: str
    district_id: str
    rooms: int  # Swedish count: rooms excluding the kitchen ("2 rum och kök" = 2)
    size_sqm: float
    rent: int  # SEK per month
    wheelchair_accessible: bool = False
    landlord: str = ""


@dataclass(frozen=True, slots=True)
class Applicant:
    """A priority application as the housing agency sees it (no shelter data)."""

    application_id: str
    household_size: int
    adults: int = 1
    children_ages: tuple[int, ...] = ()
    avoid_district_ids: frozenset[str] = frozenset()
    needed_district_ids: frozenset[str] = frozenset()
    needs_wheelchair: bool = False
    max_rent: int | None = None


@dataclass(frozen=True, slots=True)
class FlatWeights:
    exclusion_buffer: bool = False
    exclusion_distance_per_km: int = 2
    exclusion_distance_cap_km: int = 30
    needed_max: int = 40
    needed_per_km: int = 2
    rent_within_means: int = 20
    rent_over_means_per_100_sek: int = 2
    safe_distance_km: float = 5.0
