"""The national dataset as rows in memory (no database): geography, inventory, people, a year
of placements with their decisions, holds, follow-ups, reminders and hand-overs.

Everything is synthetic and drawn from one ``random.Random(seed)``: the same seed and scale
give the same rows (only the AES-GCM nonces of the encrypted fields differ, as they must).
``benchmarks/national_data.py`` writes the rows with COPY; the database's CHECK constraints
and the booking and decision no-overlap triggers check them on the way in.

The invariants the domain keeps, kept here by construction:
- a place has at most one active booking at a time, and every placement of a place is over
  before the next one starts (a cursor per place);
- a household fits its places (a family room at least the household's size, a single place
  one person), and a unit's accepted genders and children;
- every placement booking group has one decision per person of the household (the adult and
  each child), on the unit, with the unit's kind as measure and the booking's period; a
  person's decisions never overlap; past ones are ended, current ones active;
- an open case is placed now, waiting with an open placement request, or between steps;
  a closed case's placements are all over before it closed.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from placement.crypto import Keyring

Row = dict[str, Any]

SIZES = {
    "districts": 300,
    "units": 5000,
    "cases": 30000,
    "open_cases": 5000,
    "bookings": 300000,
}
# Three cities split into district administrations; every other district is a municipality.
CITIES = (("Storstad", 14), ("Hamnstad", 10), ("Lärdomsstad", 6))
RVC = ("innerstaden", "sydost", "vast", "sydvast")
UNIT_KINDS = (  # kind, share of units, acute
    ("protected_shelter", 0.16, True),
    ("hostel", 0.05, True),
    ("on_call_flat", 0.18, False),
    ("training_flat", 0.09, False),
    ("shis_interim", 0.25, False),
    ("shis_mellanbo", 0.10, False),
    ("trial_flat", 0.09, False),
    ("regional_pool_flat", 0.08, False),
)
OWN_DISTRICT = frozenset({"on_call_flat", "training_flat", "trial_flat"})
FIRST = ("Aino", "Berit", "Cecilia", "Dalia", "Elin", "Farah", "Greta", "Hodan", "Ida", "Jasmin")
LAST = ("Exempelsson", "Demodotter", "Fiktivsson", "Påhittad", "Testberg", "Provlund")
STREETS = ("Demogatan", "Fiktivvägen", "Påhittade gränd", "Exempelallén", "Övningsstigen")
CASE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
HOLDS_PER_PLACEMENT = 4  # Socialjouren holds a few places and releases all but one


def scaled(name: str, scale: float) -> int:
    minimum = {"districts": 12, "units": 60, "cases": 240, "open_cases": 50, "bookings": 2000}
    return max(minimum[name], round(SIZES[name] * scale))


@dataclass
class Dataset:
    rows: dict[str, list[Row]] = field(default_factory=dict)
    # For the benchmarks: user names per role, the TOTP secret of each user (load test).
    users_by_role: dict[str, list[str]] = field(default_factory=dict)

    def add(self, table: str, row: Row) -> Row:
        self.rows.setdefault(table, []).append(row)
        return row


@dataclass
class PlaceSlot:
    id: uuid.UUID
    unit: Row
    kind: str
    capacity: int
    free_from: datetime  # the end of its last placement


class Builder:
    def __init__(self, seed: int, scale: float, now: datetime, keyring: Keyring, pw: str) -> None:
        self.rng = random.Random(seed)
        self.scale = scale
        self.now = now.astimezone(UTC)
        self.start = self.now - timedelta(days=365)
        self.keyring = keyring
        self.password_hash = pw
        self.data = Dataset()
        self.districts: list[Row] = []
        self.officers: dict[uuid.UUID, uuid.UUID] = {}  # district id -> an RVT officer
        self.socialjour: list[uuid.UUID] = []
        self.slots_acute: dict[str, list[PlaceSlot]] = {}  # pool -> places
        self.slots_flat: dict[str, list[PlaceSlot]] = {}
        self.slots_own: dict[uuid.UUID, list[PlaceSlot]] = {}  # owner district -> places
        self.case_numbers: set[str] = set()

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, lo: datetime, hi: datetime) -> datetime:
        span = max(0.0, (hi - lo).total_seconds())
        return (lo + timedelta(seconds=self.rng.uniform(0, span))).replace(microsecond=0)

    # -- geography, operators, inventory, users ---------------------------------------------

    def geography(self) -> None:
        n = scaled("districts", self.scale)
        pools = max(3, round(n / 14))
        city_sizes = [max(2, round(size * n / 300)) for _, size in CITIES]
        specs: list[tuple[str, str, str, str | None]] = []  # code, name, municipality, kind
        for (city, _), size in zip(CITIES, city_sizes, strict=True):
            for j in range(size):
                specs.append((f"{city.lower()}-{j + 1:02d}", f"{city} område {j + 1}", city, "d"))
        for i in range(n - len(specs)):
            specs.append((f"kommun-{i + 1:03d}", f"Kommun {i + 1}", f"Kommun {i + 1}", None))
        for i, (code, name, municipality, kind) in enumerate(specs):
            self.districts.append(
                self.data.add(
                    "district",
                    {
                        "id": self.uid(),
                        "code": code,
                        "name": name,
                        "kind": "district_administration" if kind else "municipality",
                        "municipality": municipality,
                        "pool": f"region-{i % pools + 1:02d}",
                        "rvc_region": RVC[i % 4] if municipality == CITIES[0][0] else None,
                        "lat": round(55.3 + 13.5 * (i / n) + self.rng.uniform(-0.2, 0.2), 4),
                        "lon": round(12.0 + 11.5 * ((i * 7) % n) / n, 4),
                        "neighbour_codes": [],
                        "decision_days": None,
                        "rvt_can_grant_mellanbo": i % 17 != 5,
                        "grant_roles": "{}",
                    },
                )
            )
        by_pool: dict[str, list[Row]] = {}
        for d in self.districts:
            by_pool.setdefault(d["pool"], []).append(d)
        for members in by_pool.values():
            for j, d in enumerate(members):
                near = {members[(j - 1) % len(members)]["code"]}
                near.add(members[(j + 1) % len(members)]["code"])
                d["neighbour_codes"] = sorted(c for c in near if c != d["code"])

    def operators(self) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = {"municipal": [], "civil_society": [], "private": []}
        municipalities = sorted({d["municipality"] for d in self.districts})
        for m in municipalities:
            out["municipal"].append(self._operator(f"{m} socialtjänst", "municipal"))
        for i in range(max(4, round(120 * self.scale))):
            out["civil_society"].append(self._operator(f"Föreningen Jour {i + 1}", "civil_society"))
        for i in range(max(2, round(40 * self.scale))):
            out["private"].append(self._operator(f"Omsorg {i + 1} AB", "private"))
        out["housing_foundation"] = [self._operator("Bostadsstiftelsen", "housing_foundation")]
        out["regional"] = [
            self._operator(f"Boendekedjan {p}", "regional")
            for p in sorted({d["pool"] for d in self.districts})
        ]
        return out

    def _operator(self, name: str, kind: str) -> Row:
        return self.data.add(
            "operator",
            {"id": self.uid(), "name": name, "kind": kind, "phone": None, "retired_at": None},
        )

    def inventory(self, operators: dict[str, list[Row]]) -> None:
        n_units = scaled("units", self.scale)
        municipal = {op["name"].removesuffix(" socialtjänst"): op for op in operators["municipal"]}
        regional = {op["name"].removeprefix("Boendekedjan "): op for op in operators["regional"]}
        today = self.now.date()
        counter = 0
        for kind, share, acute in UNIT_KINDS:
            for _ in range(max(4, round(n_units * share))):
                counter += 1
                district = self.rng.choice(self.districts)
                self._unit(kind, acute, counter, district, operators, municipal, regional, today)

    def _unit(
        self,
        kind: str,
        acute: bool,
        number: int,
        district: Row,
        operators: dict[str, list[Row]],
        municipal: dict[str, Row],
        regional: dict[str, Row],
        today: date,
    ) -> None:
        rng = self.rng
        shelter = kind == "protected_shelter"
        if shelter:
            operator = rng.choice(
                operators["civil_society"] * 2
                + operators["private"]
                + [municipal[district["municipality"]]]
            )
        elif kind == "hostel":
            operator = rng.choice(operators["private"])
        elif kind.startswith("shis"):
            operator = operators["housing_foundation"][0]
        elif kind == "regional_pool_flat":
            operator = regional[district["pool"]]
        else:
            operator = municipal[district["municipality"]]
        women_only = shelter and rng.random() < 0.85
        singles = rng.randint(2, 10) if acute else 0
        rooms = (
            [rng.randint(3, 5) for _ in range(rng.randint(0, 4))] if acute else [rng.randint(2, 6)]
        )
        children = 4 if rooms else 0
        private_shelter = shelter and operator["kind"] == "private"
        sharing = (
            "own_district"
            if kind in OWN_DISTRICT
            else "regional_pool"
            if kind == "regional_pool_flat"
            else "open"
            if acute and operator["kind"] != "municipal"
            else "city_wide"
        )
        unit = self.data.add(
            "unit",
            {
                "id": self.uid(),
                "operator_id": operator["id"],
                "name": f"{kind.replace('_', ' ').capitalize()} {number}",
                "kind": kind,
                "district_id": district["id"],
                "owner_district_id": district["id"]
                if sharing in ("own_district", "regional_pool")
                else None,
                "sharing_policy": sharing,
                "protection_level": 3 if shelter else 2 if kind == "on_call_flat" else 1,
                "staffed_24_7": shelter and rng.random() < 0.6,
                "secret_address": shelter or kind == "on_call_flat",
                "address_ciphertext": self.keyring.encrypt(
                    f"{rng.choice(STREETS)} {rng.randint(1, 120)}", associated="unit_address"
                ),
                "accepted_genders": ["female"] if women_only else ["female", "male", "non_binary"],
                "min_age": 18,
                "max_age": None,
                "accepts_children": children > 0,
                "max_children": children,
                "max_child_age": None,
                "max_boy_age": None,
                "substance_policy": rng.choice(
                    ["no_active_use", "no_active_use", "active_use_accepted", "drug_free"]
                ),
                "wheelchair_accessible": rng.random() < 0.2,
                "honour_competence": shelter and rng.random() < 0.4,
                "languages": ["sv", "en", *rng.sample(["ar", "so", "fa", "ti", "pl"], 2)],
                "pets_allowed": rng.random() < 0.1,
                "nightly_cost_sek": rng.randint(300, 3400) if acute else rng.randint(250, 700),
                "ivo_permit_required": private_shelter,
                "ivo_permit_valid_until": today + timedelta(days=rng.randint(20, 700))
                if private_shelter
                else None,
                "activity_code": "1213" if shelter else None,
                "vacancy_confirmed_at": self.now - timedelta(hours=rng.choice([1, 2, 3, 5, 8, 30])),
                "reported_free_places": None,
                "reported_free_family_rooms": None,
                "updated_at": None,
                "retired_at": None,
            },
        )
        labels = [(f"P{i + 1}", "place", 1) for i in range(singles)]
        labels += [(f"F{i + 1}", "family_room", c) for i, c in enumerate(rooms)]
        for label, place_kind, capacity in labels:
            place = self.data.add(
                "place",
                {
                    "id": self.uid(),
                    "unit_id": unit["id"],
                    "label": label,
                    "kind": place_kind,
                    "capacity": capacity,
                    "retired_at": None,
                },
            )
            slot = PlaceSlot(place["id"], unit, place_kind, capacity, self.start)
            if kind in OWN_DISTRICT:
                self.slots_own.setdefault(district["id"], []).append(slot)
            elif acute:
                self.slots_acute.setdefault(district["pool"], []).append(slot)
            else:
                self.slots_flat.setdefault(district["pool"], []).append(slot)
        free = sum(1 for _, k, _ in labels if k == "place")
        for week in range(4):
            self.data.add(
                "vacancy_report",
                {
                    "id": self.uid(),
                    "unit_id": unit["id"],
                    "reported_at": unit["vacancy_confirmed_at"] - timedelta(days=7 * week),
                    "reported_by_id": None,
                    "free_places": rng.randint(0, free),
                    "free_family_rooms": rng.randint(0, len(rooms)),
                    "note": None,
                },
            )

    def users(self, operators: dict[str, list[Row]]) -> None:
        def user(username: str, display: str, role: str, **extra: Any) -> uuid.UUID:
            row = self.data.add(
                "user_account",
                {
                    "id": self.uid(),
                    "username": username,
                    "display_name": display,
                    "password_hash": self.password_hash,
                    "role": role,
                    "district_id": extra.get("district_id"),
                    "operator_id": extra.get("operator_id"),
                    "is_team_lead": extra.get("lead", False),
                    "email": None,
                    "totp_secret_ciphertext": None,
                    "totp_enabled": False,
                    "totp_last_step": None,
                    "is_active": True,
                    "failed_logins": 0,
                    "locked_until": None,
                    "security_stamp": self.uid(),
                    "calendar_token_hash": None,
                },
            )
            self.data.users_by_role.setdefault(role, []).append(username)
            return row["id"]  # type: ignore[no-any-return]

        for d in self.districts:
            self.officers[d["id"]] = user(
                f"rvt.{d['code']}", f"Handläggare {d['name']}", "rvt_officer", district_id=d["id"]
            )
            user(
                f"rvt.{d['code']}.lead",
                f"Teamledare {d['name']}",
                "rvt_officer",
                district_id=d["id"],
                lead=True,
            )
        for i in range(max(3, round(20 * self.scale))):
            self.socialjour.append(
                user(f"socialjour.{i + 1}", f"Socialjouren {i + 1}", "socialjour")
            )
        for i in range(max(2, round(10 * self.scale))):
            user(f"formedling.{i + 1}", f"Förtursenheten {i + 1}", "housing_agency")
        for role, prefix, count in (
            ("coordinator", "samordnare", 5),
            ("auditor", "granskare", 5),
            ("admin", "admin", 2),
        ):
            for i in range(count):
                user(f"{prefix}.{i + 1}", f"{prefix.capitalize()} {i + 1}", role)
        units_by_operator: set[uuid.UUID] = {u["operator_id"] for u in self.data.rows["unit"]}
        for kind in ("civil_society", "private", "municipal", "housing_foundation", "regional"):
            for i, op in enumerate(operators[kind]):
                if op["id"] in units_by_operator:
                    user(f"operator.{kind}.{i + 1}", op["name"], "operator", operator_id=op["id"])

    # -- cases and a year of placements -----------------------------------------------------

    def case_number(self, opened: datetime) -> str:
        while True:
            suffix = "".join(self.rng.choice(CASE_ALPHABET) for _ in range(6))
            number = f"RV-{opened.year}-{suffix}"
            if number not in self.case_numbers:
                self.case_numbers.add(number)
                return number

    def cases(self) -> None:
        n_cases = scaled("cases", self.scale)
        n_open = min(scaled("open_cases", self.scale), n_cases // 2)
        target_bookings = scaled("bookings", self.scale)
        # Each placement brings itself, a confirmed hold and a few released ones
        # (about 1.13 placements a case).
        self.holds_per_placement = max(1, round(target_bookings / (n_cases * 1.13)) - 2)
        opened_all = sorted(
            [
                (self.at(self.start, self.now - timedelta(days=40)), False)
                for _ in range(n_cases - n_open)
            ]
            + [
                (self.at(self.now - timedelta(days=150), self.now - timedelta(hours=2)), True)
                for _ in range(n_open)
            ]
        )
        for opened, is_open in opened_all:
            self._case(opened, is_open)

    def _case(self, opened: datetime, is_open: bool) -> None:
        rng = self.rng
        district = rng.choice(self.districts)
        gender = rng.choices(["female", "male", "non_binary"], [85, 13, 2])[0]
        n_children = rng.choices([0, 1, 2, 3], [55, 20, 15, 10])[0]
        adults = 2 if n_children and rng.random() < 0.05 else 1
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        person = self.data.add(
            "person",
            {
                "id": self.uid(),
                "name_ciphertext": self.keyring.encrypt(name, associated="person_name"),
                "personal_number_ciphertext": None,  # never generated: could be a real one
                "contact_ciphertext": self.keyring.encrypt(
                    f"070-{rng.randint(0, 9999999):07d}", associated="person_contact"
                ),
                "gender": gender,
                "birth_year": opened.year - rng.randint(18, 70),
                "protected_identity": rng.choices(
                    ["none", "confidentiality_marking", "protected_registration"], [85, 12, 3]
                )[0],
                "scope_district_id": district["id"],
            },
        )
        handler = self.officers[district["id"]]
        case = self.data.add(
            "case",
            {
                "id": self.uid(),
                "case_number": self.case_number(opened),
                "person_id": person["id"],
                "responsible_district_id": district["id"],
                "handler_id": handler,
                "status": "open",
                "phase": "acute",
                "adults": adults,
                "substance_use": rng.choices(["none", "active", "wants_drug_free"], [80, 12, 8])[0],
                "needs_wheelchair": rng.random() < 0.03,
                "honour_context": rng.random() < 0.1,
                "languages": ["sv"]
                if rng.random() < 0.7
                else ["sv", rng.choice(["ar", "so", "fa"])],
                "has_pets": False,
                "preferred_district_codes": [],
                "opened_at": opened,
                "closed_at": None,
                "outcome": None,
                "secure_permanent_housing": None,
                "created_by_id": handler,
            },
        )
        children = [
            self.data.add(
                "child",
                {
                    "id": self.uid(),
                    "case_id": case["id"],
                    "pseudonym": f"Barn {i + 1}",
                    "person_id": None,
                    "gender": rng.choice(["female", "male"]),
                    "birth_date": opened.date() - timedelta(days=rng.randint(200, 16 * 365)),
                    "school_district_id": None,
                    "schooling_started_on": None,
                },
            )
            for i in range(n_children)
        ]
        self.data.add(
            "risk_assessment",
            {
                "id": self.uid(),
                "case_id": case["id"],
                "instrument": rng.choice(["freda", "patriark"]),
                "level": rng.choice(["low", "medium", "high", "high"]),
                "assessed_at": opened + timedelta(hours=2),
                "assessed_by_id": handler,
                "superseded_at": None,
                "superseded_by_id": None,
                "superseded_reason": None,
            },
        )
        excluded = {district["id"]}
        if district["neighbour_codes"]:
            code = district["neighbour_codes"][0]
            near = next(d for d in self.districts if d["code"] == code)
            excluded.add(near["id"])
            self.data.add(
                "exclusion_area",
                {
                    "id": self.uid(),
                    "case_id": case["id"],
                    "district_id": near["id"],
                    "kind": "perpetrator_home",
                },
            )
        household = adults + n_children
        steps = self._steps(opened, is_open)
        last_end = opened
        placed_now = False
        for step, (kind_group, desired, nights, live) in enumerate(steps):
            placed = self._placement(
                case,
                district,
                children,
                gender,
                household,
                excluded,
                kind_group,
                max(desired, last_end),
                nights,
                live,
                is_open,
            )
            if placed is None:
                continue
            last_end = placed
            placed_now = placed_now or live
            if step == 0 and kind_group == "acute":
                case["phase"] = "acute"
            else:
                case["phase"] = "post_acute"
        if is_open and not placed_now and rng.random() < 0.6:
            request = self.data.add(
                "placement_request",
                self._request(
                    case, district, self.now - timedelta(hours=rng.randint(1, 30)), "open"
                ),
            )
            if rng.random() < 0.2:
                self._live_hold(
                    case, district, request, household, gender, excluded, bool(children)
                )
        if not is_open:
            case["status"] = "closed"
            case["closed_at"] = min(self.now - timedelta(hours=1), last_end + timedelta(days=1))
            outcome = rng.choice(
                [
                    "shis_interim",
                    "trial_flat",
                    "back_home",
                    "other_municipality",
                    "second_hand_lease",
                    "unknown",
                ]
            )
            case["outcome"] = outcome
            case["secure_permanent_housing"] = outcome in (
                "shis_interim",
                "trial_flat",
                "second_hand_lease",
            )

    def _steps(self, opened: datetime, is_open: bool) -> list[tuple[str, datetime, int, bool]]:
        """(kind group, desired start, nights, runs over now) for each step of the chain."""
        rng = self.rng
        shelter_nights = rng.randint(5, 45)
        if not is_open:
            steps = [("acute", opened, shelter_nights, False)]
            if rng.random() < 0.45:
                steps.append(
                    ("flat", opened + timedelta(days=shelter_nights), rng.randint(20, 120), False)
                )
            return steps
        roll = rng.random()
        if roll < 0.15:  # waiting for a place (an open request)
            return []
        if roll < 0.55:  # in a shelter now
            start = max(opened, self.now - timedelta(days=rng.randint(1, 40)))
            return [("acute", start, rng.randint(2, 60), True)]
        first = min(shelter_nights, max(1, (self.now - opened).days - 2))
        return [
            ("acute", opened, first, False),
            ("flat", opened + timedelta(days=first), 0, True),
        ]

    def _pick(
        self,
        pool: list[PlaceSlot],
        household: int,
        gender: str,
        excluded: set[uuid.UUID],
        children: bool,
        latest: datetime,
    ) -> PlaceSlot | None:
        best: PlaceSlot | None = None
        for _ in range(14):
            slot = self.rng.choice(pool)
            unit = slot.unit
            if (
                (slot.capacity < household or (household > 1 and slot.kind == "place"))
                or gender not in unit["accepted_genders"]
                or (children and not unit["accepts_children"])
                or unit["district_id"] in excluded
                or slot.free_from > latest
            ):
                continue
            if best is None or slot.free_from < best.free_from:
                best = slot
        return best

    def _placement(
        self,
        case: Row,
        district: Row,
        children: list[Row],
        gender: str,
        household: int,
        excluded: set[uuid.UUID],
        kind_group: str,
        desired: datetime,
        nights: int,
        live: bool,
        is_open: bool,
    ) -> datetime | None:
        """Book one step; return when it ends (or None when no place was found)."""
        rng = self.rng
        if kind_group == "acute":
            pool = self.slots_acute.get(district["pool"], [])
        else:
            own = self.slots_own.get(district["id"], [])
            pool = own if own and rng.random() < 0.4 else self.slots_flat.get(district["pool"], [])
        if not pool:
            return None
        # A live placement started before now; a past one must be over before the case closed.
        latest = self.now - timedelta(hours=2) if live else self.now - timedelta(days=nights + 2)
        slot = self._pick(
            pool,
            household,
            gender,
            excluded,
            bool(children),
            min(desired, latest) if live else latest,
        )
        if slot is None:
            return None
        starts = max(desired, slot.free_from + timedelta(hours=rng.randint(2, 48))).replace(
            microsecond=0
        )
        if live:
            starts = min(starts, self.now - timedelta(hours=1))
            if starts < slot.free_from:
                return None
            planned_end = self.now + timedelta(days=rng.randint(3, 90))
            actual_end = None
        else:
            planned_end = starts + timedelta(days=max(1, nights) + rng.choice([0, 0, 7, 14]))
            actual_end = starts + timedelta(days=max(1, nights))
            if actual_end >= self.now - timedelta(hours=2):
                return None
        ends = actual_end or planned_end
        unit = slot.unit
        slot.free_from = ends
        decider = (
            rng.choice(self.socialjour)
            if kind_group == "acute" and rng.random() < 0.5
            else self.officers[district["id"]]
        )
        decided_role = "socialjour" if decider in self.socialjour else "rvt_officer"
        decided_at = starts - timedelta(minutes=rng.randint(20, 300))
        request = self.data.add(
            "placement_request",
            self._request(
                case,
                district,
                decided_at - timedelta(hours=1),
                "placed",
                nights=min(365, max(1, (planned_end - starts).days)),
            ),
        )
        group = self.uid()
        # The holds Socialjouren made while looking: one confirmed (became the placement),
        # the others released or run out.
        self._booking(
            slot,
            unit,
            "hold",
            "confirmed",
            group,
            case,
            request,
            starts,
            planned_end,
            created=decided_at - timedelta(minutes=30),
            expires=decided_at + timedelta(minutes=60),
            closed=decided_at,
        )
        for _ in range(self.holds_per_placement):
            other = (
                rng.choice(self.slots_acute.get(district["pool"]) or [slot])
                if kind_group == "acute"
                else rng.choice(pool)
            )
            status = "released" if rng.random() < 0.7 else "expired"
            created = decided_at - timedelta(minutes=rng.randint(31, 240))
            self._booking(
                other,
                other.unit,
                "hold",
                status,
                self.uid(),
                case,
                request,
                starts,
                planned_end,
                created=created,
                expires=created + timedelta(minutes=60),
                closed=created + timedelta(minutes=rng.randint(5, 60)),
            )
        status = "active" if live else "ended"
        self._booking(
            slot,
            unit,
            "placement",
            status,
            group,
            case,
            request,
            starts,
            ends,
            created=decided_at,
            expires=None,
            closed=None if live else ends,
        )
        people: list[tuple[uuid.UUID | None, str, str]] = [(None, "sol", "not_applicable")]
        people += [(c["id"], "sol_guardian_consent", "both_guardians") for c in children]
        for child_id, basis, consent in people:
            decision = self.data.add(
                "decision",
                self._decision(
                    case,
                    unit,
                    group,
                    child_id,
                    basis,
                    consent,
                    starts,
                    planned_end,
                    actual_end,
                    decided_at,
                    decider,
                    decided_role,
                ),
            )
            if child_id is None:
                self._follow_ups(case, decision, starts)
                self._reminder_for(case, district, decision, planned_end, actual_end)
                if decided_role == "socialjour":
                    self._handover(case, district, decision, decided_at, decider)
        return ends

    def _live_hold(
        self,
        case: Row,
        district: Row,
        request: Row,
        household: int,
        gender: str,
        excluded: set[uuid.UUID],
        children: bool,
    ) -> None:
        """Socialjouren holding a place for a waiting household right now (some run out)."""
        pool = self.slots_acute.get(district["pool"], [])
        slot = self._pick(pool, household, gender, excluded, children, self.now) if pool else None
        if slot is None:
            return
        created = self.now - timedelta(minutes=self.rng.randint(5, 120))
        starts = request["starts_at"]
        ends = starts + timedelta(days=request["nights"])
        if starts < slot.free_from:
            return
        request["status"] = "held"
        slot.free_from = ends
        self._booking(
            slot,
            slot.unit,
            "hold",
            "active",
            self.uid(),
            case,
            request,
            starts,
            ends,
            created=created,
            expires=created + timedelta(minutes=90),
            closed=None,
        )

    def _request(
        self, case: Row, district: Row, at: datetime, status: str, nights: int = 14
    ) -> Row:
        return {
            "id": self.uid(),
            "case_id": case["id"],
            "requesting_district_id": district["id"],
            "status": status,
            "starts_at": at + timedelta(hours=1),
            "nights": nights,
            "requested_at": at,
            "created_by_id": case["handler_id"],
        }

    def _booking(
        self,
        slot: PlaceSlot,
        unit: Row,
        kind: str,
        status: str,
        group: uuid.UUID,
        case: Row,
        request: Row,
        starts: datetime,
        ends: datetime,
        *,
        created: datetime,
        expires: datetime | None,
        closed: datetime | None,
    ) -> None:
        self.data.add(
            "booking",
            {
                "id": self.uid(),
                "place_id": slot.id,
                "unit_id": unit["id"],
                "kind": kind,
                "status": status,
                "group_id": group,
                "case_id": case["id"],
                "request_id": request["id"],
                "starts_at": starts,
                "ends_at": ends,
                "expires_at": expires,
                "extension_count": 0,
                "block_reason": None,
                "overridden_rules": [],
                "override_reason": None,
                "created_by_id": case["handler_id"],
                "created_at": created,
                "closed_at": closed,
            },
        )

    def _decision(
        self,
        case: Row,
        unit: Row,
        group: uuid.UUID,
        child_id: uuid.UUID | None,
        basis: str,
        consent: str,
        starts: datetime,
        planned_end: datetime,
        actual_end: datetime | None,
        decided_at: datetime,
        decider: uuid.UUID,
        role: str,
    ) -> Row:
        local_hour = (decided_at + timedelta(hours=1)).hour
        return {
            "id": self.uid(),
            "case_id": case["id"],
            "child_id": child_id,
            "unit_id": unit["id"],
            "booking_group_id": group,
            "measure": unit["kind"],
            "legal_basis": basis,
            "consent_status": consent,
            "status": "active" if actual_end is None else "ended",
            "starts_at": starts,
            "ends_at": planned_end,
            "decided_at": decided_at,
            "decided_by_id": decider,
            "decided_role": role,
            "outside_office_hours": not 8 <= local_hour < 17 or decided_at.weekday() >= 5,
            "reason": None,
            "renews_decision_id": None,
            "court_submission_due_at": None,
            "court_submitted_at": None,
            "court_outcome": None,
            "court_decided_at": None,
            "lapsed_at": None,
            "assessment_note": None,
            "ended_at": actual_end,
            "outcome": None,
            "secure_permanent_housing": None,
            "overridden_rules": [],
            "override_reason": None,
            "optimization_run_id": None,
        }

    def _follow_ups(self, case: Row, decision: Row, starts: datetime) -> None:
        for kind, days in (("phone", 1), ("physical", 7)):
            due = starts + timedelta(days=days)
            done = (
                due - timedelta(hours=self.rng.randint(1, 20))
                if due < self.now - timedelta(days=1) or self.rng.random() < 0.5
                else None
            )
            self.data.add(
                "follow_up",
                {
                    "id": self.uid(),
                    "case_id": case["id"],
                    "decision_id": decision["id"],
                    "kind": kind,
                    "due_at": due,
                    "done_at": done
                    if done is None or done > starts
                    else starts + timedelta(hours=1),
                    "done_by_id": case["handler_id"] if done else None,
                },
            )

    def _reminder_for(
        self,
        case: Row,
        district: Row,
        decision: Row,
        planned_end: datetime,
        actual_end: datetime | None,
    ) -> None:
        warned = planned_end - timedelta(days=3)
        if warned > self.now:
            return
        reminder = self.data.add(
            "reminder",
            {
                "id": self.uid(),
                "key": f"decision_ending:{decision['id']}:{planned_end.isoformat()}",
                "kind": "decision_ending",
                "case_id": case["id"],
                "subject_id": decision["id"],
                "district_id": district["id"],
                "user_id": case["handler_id"],
                "due_at": planned_end,
                "created_at": warned,
                "escalated": False,
                "resolved_at": actual_end
                if actual_end is not None and actual_end > warned
                else None,
            },
        )
        self.data.add(
            "notification",
            {
                "id": self.uid(),
                "reminder_id": reminder["id"],
                "channel": "inbox",
                "recipient_key": f"team:{district['id']}",
                "user_id": None,
                "district_id": district["id"],
                "case_number": case["case_number"],
                "kind": "decision_ending",
                "created_at": warned,
                "read_at": reminder["resolved_at"],
                "sent_at": None,
            },
        )

    def _handover(
        self, case: Row, district: Row, decision: Row, at: datetime, by: uuid.UUID
    ) -> None:
        due = at + timedelta(days=1)
        self.data.add(
            "handover",
            {
                "id": self.uid(),
                "case_id": case["id"],
                "decision_id": decision["id"],
                "to_district_id": district["id"],
                "created_by_id": by,
                "created_at": at,
                "due_at": due,
                "acknowledged_at": due - timedelta(hours=3) if due < self.now else None,
                "acknowledged_by_id": case["handler_id"] if due < self.now else None,
            },
        )

    def priority(self) -> None:
        first = date(self.now.year, self.now.month, 1)
        for i in range(1, 7):
            month = (first.month - 1 + i) % 12 + 1
            year = first.year + (first.month - 1 + i) // 12
            meets = date(year, month, 12)
            self.data.add(
                "priority_committee_meeting",
                {"id": self.uid(), "meets_on": meets, "papers_due_on": meets - timedelta(days=7)},
            )
        post_acute = [
            c
            for c in self.data.rows["case"]
            if c["status"] == "open" and c["phase"] == "post_acute"
        ]
        statuses = [
            "draft",
            "submitted",
            "under_review",
            "approved",
            "watch_active",
            "certificate_requested",
        ]
        for i, case in enumerate(post_acute[: max(6, len(post_acute) // 5)]):
            created = case["opened_at"] + timedelta(days=3)
            status = statuses[i % len(statuses)]
            app = self.data.add(
                "priority_application",
                {
                    "id": self.uid(),
                    "case_id": case["id"],
                    "status": status,
                    "adults": case["adults"],
                    "children_ages": [],
                    "avoid_district_codes": [],
                    "needed_district_codes": [],
                    "needs_wheelchair": False,
                    "max_rent_sek": None,
                    "debt_obstacle": False,
                    "debt_note_ciphertext": None,
                    "consent_to_share": True,
                    "registered_in_city_since": date(self.now.year - 3, 1, 15),
                    "able_to_live_independently": None,
                    "no_other_solution": None,
                    "eligibility_overrides": [],
                    "eligibility_override_reason": None,
                    "created_by_id": case["handler_id"],
                    "created_at": created,
                    "updated_at": None,
                },
            )
            if status != "draft":
                self.data.add(
                    "priority_status_change",
                    {
                        "id": self.uid(),
                        "application_id": app["id"],
                        "seq": 1,
                        "from_status": "draft",
                        "to_status": status,
                        "changed_by_id": case["handler_id"],
                        "changed_role": "rvt_officer",
                        "changed_at": created + timedelta(hours=1),
                        "reason": None,
                    },
                )


def build(seed: int, scale: float, now: datetime, keyring: Keyring, password_hash: str) -> Dataset:
    b = Builder(seed, scale, now, keyring, password_hash)
    b.geography()
    operators = b.operators()
    b.inventory(operators)
    b.users(operators)
    b.cases()
    b.priority()
    return b.data
