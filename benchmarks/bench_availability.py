"""Benchmark of the availability query on a large inventory (fixed seed).

    python benchmarks/bench_availability.py [--units 5000] [--bookings 50000] [--runs 200]

Starts its own embedded PostgreSQL in a temporary directory, applies the migrations, generates
districts, operators, units with places and family rooms, and historical bookings (mostly
ended placements, expired and released holds, old blocks, plus the current occupancy), then
runs ``placement.inventory.availability.find_available`` with varied households, periods,
districts and filters. Prints p50 and p95 (target: p95 under 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from placement.auth.actor import Actor  # noqa: E402
from placement.clock import FrozenClock  # noqa: E402
from placement.config import Settings  # noqa: E402
from placement.db import make_sessionmaker  # noqa: E402
from placement.inventory.availability import find_available  # noqa: E402
from placement.inventory.booking_schemas import AvailabilityQuery, ChildSpec  # noqa: E402
from placement.migrate import upgrade  # noqa: E402
from placement.models import Booking, District, Operator, Place, Unit  # noqa: E402
from placement.models.enums import (  # noqa: E402
    BookingKind,
    BookingStatus,
    DistrictKind,
    Gender,
    OperatorKind,
    PlaceKind,
    Role,
    SharingPolicy,
    SubstancePolicy,
    SubstanceUse,
    UnitKind,
)

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
LANGS = ("sv", "en", "ar", "so", "fa", "ti", "pl", "es", "ku", "tr")
KINDS = (
    (UnitKind.protected_shelter, 30),
    (UnitKind.hostel, 8),
    (UnitKind.on_call_flat, 10),
    (UnitKind.training_flat, 10),
    (UnitKind.shis_interim, 15),
    (UnitKind.shis_mellanbo, 5),
    (UnitKind.trial_flat, 10),
    (UnitKind.regional_pool_flat, 12),
)
FLAT_KINDS = {k for k, _ in KINDS} - {UnitKind.protected_shelter, UnitKind.hostel}


def pick_kind(rng: random.Random) -> UnitKind:
    return rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]


def make_data(
    rng: random.Random, n_units: int, n_bookings: int
) -> tuple[list[dict[str, Any]], ...]:
    districts = []
    for m in range(14):
        municipality = "Stockholm" if m == 0 else f"Kommun {m}"
        pool = f"pool{m % 3}" if m else None
        for d in range(14 if m == 0 else 3):
            districts.append(
                {
                    "id": uuid.uuid4(),
                    "code": f"m{m}d{d}",
                    "name": f"Distrikt {m}-{d}",
                    "kind": DistrictKind.district_administration
                    if m == 0
                    else DistrictKind.municipality,
                    "municipality": municipality,
                    "pool": pool,
                    "lat": 59.3,
                    "lon": 18.0,
                    "neighbour_codes": [],
                }
            )
    operators = [
        {
            "id": uuid.uuid4(),
            "name": f"Operator {i}",
            "kind": rng.choice(list(OperatorKind)),
            "created_at": NOW,
        }
        for i in range(300)
    ]
    units, places = [], []
    for i in range(n_units):
        kind = pick_kind(rng)
        op = rng.choice(operators)
        district = rng.choice(districts)
        flat = kind in FLAT_KINDS
        children = rng.random() < 0.5
        ivo = kind == UnitKind.protected_shelter and op["kind"] == OperatorKind.private
        unit_id = uuid.uuid4()
        units.append(
            {
                "id": unit_id,
                "operator_id": op["id"],
                "name": f"Enhet {i}",
                "kind": kind,
                "district_id": district["id"],
                "owner_district_id": None,
                "sharing_policy": SharingPolicy.regional_pool
                if kind == UnitKind.regional_pool_flat and district["pool"]
                else rng.choice(
                    [SharingPolicy.own_district, SharingPolicy.city_wide, SharingPolicy.open]
                ),
                "protection_level": rng.choice([1, 2, 3]) if not flat else 1,
                "staffed_24_7": not flat and rng.random() < 0.5,
                "secret_address": not flat,
                "accepted_genders": rng.choice(
                    [["female"], ["female"], ["male"], ["female", "male", "non_binary"]]
                ),
                "min_age": rng.choice([18, 18, 16]),
                "max_age": rng.choice([None, None, 25]),
                "accepts_children": children,
                "max_children": rng.randint(1, 5) if children else 0,
                "max_child_age": rng.choice([None, 17]) if children else None,
                "max_boy_age": rng.choice([None, 12, 15]) if children else None,
                "substance_policy": rng.choice(list(SubstancePolicy)),
                "wheelchair_accessible": rng.random() < 0.2,
                "honour_competence": rng.random() < 0.3,
                "languages": rng.sample(LANGS, rng.randint(1, 4)),
                "pets_allowed": rng.random() < 0.15,
                "nightly_cost_sek": rng.randint(500, 3500),
                "ivo_permit_required": ivo,
                "ivo_permit_valid_until": (NOW.date() + timedelta(days=rng.randint(-30, 700)))
                if ivo and rng.random() < 0.95
                else None,
                "vacancy_confirmed_at": NOW - timedelta(hours=rng.choice([1, 3, 6, 10, 20, 50])),
                "created_at": NOW - timedelta(days=1200),
            }
        )
        singles = rng.randint(0, 1) if flat else rng.randint(1, 10)
        rooms = (
            [rng.randint(2, 5)]
            if flat and (children or not singles)
            else [rng.randint(2, 5) for _ in range(rng.randint(0, 4) if children else 0)]
        )
        if not singles and not rooms:
            singles = 1
        for k in range(singles):
            places.append(
                {
                    "id": uuid.uuid4(),
                    "unit_id": unit_id,
                    "label": f"P{k + 1}",
                    "kind": PlaceKind.place,
                    "capacity": 1,
                }
            )
        for k, cap in enumerate(rooms):
            places.append(
                {
                    "id": uuid.uuid4(),
                    "unit_id": unit_id,
                    "label": f"F{k + 1}",
                    "kind": PlaceKind.family_room,
                    "capacity": cap,
                }
            )

    bookings = []
    # Current occupancy: about 40 % of places taken now or soon, some holds and blocks.
    for p in places:
        r = rng.random()
        if r < 0.4:
            start = NOW - timedelta(days=rng.randint(0, 60))
            kind, status, expires = BookingKind.placement, BookingStatus.active, None
            end = NOW + timedelta(days=rng.randint(1, 60))
            if r < 0.03:
                kind, end = BookingKind.hold, start + timedelta(days=14)
                start = NOW - timedelta(minutes=rng.randint(0, 200))
                end = start + timedelta(days=14)
                expires = start + timedelta(minutes=90)
            elif r < 0.06:
                kind = BookingKind.block
            bookings.append(_booking(p, kind, status, start, end, expires))
    # History: ended placements, expired or released holds, old blocks, over three years.
    current = len(bookings)
    while len(bookings) < current + n_bookings:
        p = rng.choice(places)
        start = NOW - timedelta(days=rng.randint(70, 1100), hours=rng.randint(0, 23))
        end = start + timedelta(days=rng.randint(1, 60))
        kind, status = rng.choices(
            [
                (BookingKind.placement, BookingStatus.ended),
                (BookingKind.hold, BookingStatus.expired),
                (BookingKind.hold, BookingStatus.released),
                (BookingKind.hold, BookingStatus.confirmed),
                (BookingKind.block, BookingStatus.released),
                (BookingKind.placement, BookingStatus.cancelled),
            ],
            weights=[60, 12, 8, 10, 5, 5],
        )[0]
        expires = start + timedelta(minutes=90) if kind == BookingKind.hold else None
        bookings.append(_booking(p, kind, status, start, end, expires))
    return districts, operators, units, places, bookings


def _booking(
    p: dict[str, Any],
    kind: BookingKind,
    status: BookingStatus,
    start: datetime,
    end: datetime,
    expires: datetime | None,
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "place_id": p["id"],
        "unit_id": p["unit_id"],
        "kind": kind,
        "status": status,
        "group_id": uuid.uuid4(),
        "starts_at": start,
        "ends_at": end,
        "expires_at": expires,
        "extension_count": 0,
        "created_at": start,
        "closed_at": end if status != BookingStatus.active else None,
    }


def make_queries(
    rng: random.Random, districts: list[dict[str, Any]], n: int
) -> list[AvailabilityQuery]:
    queries = []
    for _ in range(n):
        n_children = rng.choice([0, 0, 0, 1, 2, 3])
        queries.append(
            AvailabilityQuery(
                adults=rng.choice([1, 1, 1, 2]),
                children=[
                    ChildSpec(age=rng.randint(0, 17), gender=rng.choice(list(Gender)[:2]))
                    for _ in range(n_children)
                ],
                starts_at=NOW + timedelta(hours=rng.randint(0, 14 * 24)),
                nights=rng.choice([1, 3, 7, 14, 14, 30]),
                requesting_district_id=rng.choice(districts)["id"],
                min_protection_level=rng.choice([None, None, 2, 3]),
                needs_wheelchair=rng.random() < 0.1,
                substance_use=rng.choice([None, None, *SubstanceUse]),
                honour_context=rng.random() < 0.15,
                gender=rng.choice([None, Gender.female, Gender.female, Gender.male]),
                age=rng.choice([None, 19, 30, 45]),
                languages=rng.choice([[], [], ["ar"], ["so", "ti"]]),
                has_pets=rng.random() < 0.05,
                kinds=rng.choice(
                    [
                        [],
                        [],
                        [UnitKind.protected_shelter],
                        [UnitKind.shis_interim, UnitKind.shis_mellanbo],
                    ]
                ),
                include_stale=rng.random() < 0.8,
            )
        )
    return queries


async def load(url: str, data: tuple[list[dict[str, Any]], ...]) -> None:
    districts, operators, units, places, bookings = data
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        for model, rows in (
            (District, districts),
            (Operator, operators),
            (Unit, units),
            (Place, places),
        ):
            for i in range(0, len(rows), 2000):
                await conn.execute(insert(model), rows[i : i + 2000])
        for i in range(0, len(bookings), 2000):
            await conn.execute(insert(Booking), bookings[i : i + 2000])
    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE"))
    await engine.dispose()


async def measure(url: str, queries: list[AvailabilityQuery]) -> tuple[list[float], list[int]]:
    engine = create_async_engine(url, pool_size=2)
    sm = make_sessionmaker(engine)
    clock = FrozenClock(NOW)
    settings = Settings(environment="test", scheduler_enabled=False)
    actor = Actor(user_id=None, username="bench", role=Role.socialjour)
    times, sizes = [], []
    async with sm() as session:
        for q in queries[:10]:  # warm-up: connections, imports
            await find_available(session, clock, settings, actor, q)
    for q in queries:
        async with sm() as session:  # one session per query, as per request
            t0 = time.perf_counter()
            result = await find_available(session, clock, settings, actor, q)
            times.append((time.perf_counter() - t0) * 1000)
            sizes.append(result.total)
    await engine.dispose()
    return times, sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--bookings", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    import pgserver  # type: ignore[import-untyped]

    tmp = Path(tempfile.mkdtemp(prefix="bk-bench-pg-"))
    server: Any = pgserver.get_server(tmp, cleanup_mode="delete")
    try:
        server.psql('CREATE DATABASE "bench";')
        url = f"postgresql+asyncpg://postgres@/bench?host={tmp}"
        t0 = time.perf_counter()
        upgrade(url)
        rng = random.Random(args.seed)
        data = make_data(rng, args.units, args.bookings)
        asyncio.run(load(url, data))
        districts, _, units, places, bookings = data
        active = sum(1 for b in bookings if b["status"] == BookingStatus.active)
        print(
            f"data: {len(units)} units, {len(places)} places, {len(bookings) - active} "
            f"historical bookings plus {active} current (placements, holds, blocks), "
            f"{len(districts)} districts; "
            f"built in {time.perf_counter() - t0:.1f} s"
        )
        queries = make_queries(rng, districts, args.runs)
        # The generated rows (several hundred thousand Python objects) would make the garbage
        # collector pause inside the timed calls; a server process does not hold them.
        del data, units, places, bookings
        gc.collect()
        times, sizes = asyncio.run(measure(url, queries))
        q = statistics.quantiles(times, n=100)
        print(
            f"availability over {len(times)} queries: p50 {statistics.median(times):.1f} ms, "
            f"p95 {q[94]:.1f} ms, max {max(times):.1f} ms; "
            f"units offered per answer: median {statistics.median(sizes):.0f}, max {max(sizes)}"
        )
        print("target p95 < 50 ms:", "met" if q[94] < 50 else "NOT met")
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
