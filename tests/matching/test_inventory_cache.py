"""The proposals' fast path (the prepared inventory at the database's version, the busy places
counted per request, the numpy "now") gives exactly what the reference path gives (every unit
loaded with its capacity in one query, then `propose_now`) on the demo city's inventory
changed at random between requests; and a change from anywhere (another app instance, a raw
connection) is seen on the very next request, while a rolled-back change is never taken for
a committed one."""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import col, select

import optimizer as opt
from placement.auth.scope import system_scope
from placement.clock import FrozenClock
from placement.config import Settings
from placement.db import transaction
from placement.matching import inventory_cache, loader
from placement.models import Place, Unit
from placement.models.enums import SharingPolicy, UnitKind
from placement.rulebook import policy_for

sys.path.insert(0, str(Path(__file__).parents[1] / "optimizer"))
from opt_factory import random_household


async def both_paths(
    s: Any, settings: Settings, hh: opt.Household, start: Any, nights: int, now: Any
) -> tuple[opt.NowResult, opt.NowResult]:
    end = start + timedelta(days=nights)
    units = await loader.load_units(s, start, end, now)
    districts = await loader.load_districts(s)
    want = opt.propose_now(hh, units, districts, policy_for(settings), 5)
    inv = await inventory_cache.prepared(s)
    cap = await inventory_cache.capacity(s, inv, start, end, now)
    got = opt.propose_now_table(hh, inv.inventory, cap, policy_for(settings), 5)
    return got, want


async def mutate(s: Any, rng: random.Random, now: Any) -> None:
    units = (await s.execute(select(Unit).where(col(Unit.retired_at).is_(None)))).scalars().all()
    for u in rng.sample(list(units), 8):
        change = rng.randrange(5)
        if change == 0:
            u.sharing_policy = rng.choice(list(SharingPolicy))
        elif change == 1:
            u.protection_level = rng.randint(1, 3)
        elif change == 2:
            u.vacancy_confirmed_at = now - timedelta(hours=rng.choice((1, 30, 200)))
        elif change == 3:
            u.kind = rng.choice(list(UnitKind))
        else:
            u.retired_at = now
    places = (await s.execute(select(Place).where(col(Place.retired_at).is_(None)))).scalars()
    for p in rng.sample(list(places), 10):
        p.retired_at = now
    await s.flush()


async def test_fast_path_equals_the_reference_on_a_changing_inventory(
    demo: dict[str, int], sessionmaker: Any, clock: FrozenClock, settings: Settings
) -> None:
    inventory_cache.forget()
    rng = random.Random(16)
    now = clock.now()
    async with transaction(sessionmaker) as s:
        await system_scope(s)
        district_ids = list((await loader.load_districts(s)).keys())
    compared = eligible = 0
    for round_ in range(6):
        async with transaction(sessionmaker) as s:
            await system_scope(s)
            if round_:
                await mutate(s, rng, now)
        async with transaction(sessionmaker) as s:
            await system_scope(s)
            for i in range(12):
                hh = random_household(rng, i)
                hh = replace(
                    hh,
                    requesting_district_id=rng.choice(district_ids),
                    exclusion_district_ids=frozenset(rng.sample(district_ids, rng.randint(0, 2))),
                    preferred_district_ids=frozenset(rng.sample(district_ids, rng.randint(0, 2))),
                    current_unit_id=None,
                    start=now.date(),
                )
                start = now + timedelta(days=rng.randint(0, 20))
                got, want = await both_paths(s, settings, hh, start, rng.randint(1, 30), now)
                assert got == want
                compared += 1
                eligible += got.eligible_count > 0
    assert compared == 72
    assert 0 < eligible < compared  # both the proposals and the "nothing fits" explanations


async def test_a_change_from_another_connection_is_seen_next_time(
    demo: dict[str, int], sessionmaker: Any, db_url: str, clock: FrozenClock
) -> None:
    inventory_cache.forget()
    async with transaction(sessionmaker) as s:
        await system_scope(s)
        first = await inventory_cache.prepared(s)
        assert await inventory_cache.prepared(s) is first  # unchanged: the same copy
        unit_id = (await s.execute(select(Unit.id).order_by(col(Unit.id)).limit(1))).scalar_one()
    # Another instance (its own engine) retires a unit and commits.
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    other = create_async_engine(db_url, poolclass=NullPool)
    try:
        async with other.begin() as conn:
            await conn.execute(
                text("UPDATE unit SET retired_at = now() WHERE id = :id"), {"id": unit_id}
            )
        # A change rolled back takes a version that is never handed out again.
        async with other.connect() as conn:
            tx = await conn.begin()
            await conn.execute(text("UPDATE unit SET nightly_cost_sek = 123457"))
            rolled_back = (
                await conn.execute(text("SELECT version FROM inventory_version"))
            ).scalar_one()
            await tx.rollback()
    finally:
        await other.dispose()
    async with transaction(sessionmaker) as s:
        await system_scope(s)
        second = await inventory_cache.prepared(s)
        assert second.version > first.version
        assert second.version != rolled_back
        assert second.inventory.n == first.inventory.n - 1
        assert str(unit_id) not in {u.unit_id for u in second.inventory.units}
        assert all(u.nightly_cost != 123457 for u in second.inventory.units)
        # A booking does not change the inventory's fixed facts: no reload.
        assert await inventory_cache.prepared(s) is second


async def test_a_vacancy_report_keeps_the_copy_and_is_seen_at_once(
    demo: dict[str, int], sessionmaker: Any, clock: FrozenClock
) -> None:
    """Operators report vacancy every few minutes: a report leaves the version (no rebuild of
    the copy), yet the next request sees the report's time; any other change to the unit,
    even with a report in the same statement, bumps the version."""
    inventory_cache.forget()
    now = clock.now()
    async with transaction(sessionmaker) as s:
        await system_scope(s)
        first = await inventory_cache.prepared(s)
        unit_id = first.unit_ids[0]
        await s.execute(
            text(
                "UPDATE unit SET vacancy_confirmed_at = :at, reported_free_places = 2, "
                "reported_free_family_rooms = 1 WHERE id = :id"
            ),
            {"at": now - timedelta(hours=3), "id": unit_id},
        )
    async with transaction(sessionmaker) as s:
        await system_scope(s)
        assert await inventory_cache.prepared(s) is first
        cap = await inventory_cache.capacity(s, first, now, now + timedelta(days=1), now)
        assert cap.vacancy_age_hours[0] == 3.0
        await s.execute(
            text("UPDATE unit SET vacancy_confirmed_at = :at, min_age = 20 WHERE id = :id"),
            {"at": now, "id": unit_id},
        )
    async with transaction(sessionmaker) as s:
        await system_scope(s)
        second = await inventory_cache.prepared(s)
        assert second.version > first.version
        assert second.inventory.units[second.unit_ids.index(unit_id)].min_age == 20
