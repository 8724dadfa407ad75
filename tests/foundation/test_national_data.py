"""The national dataset generator (benchmarks/national_data.py) at scale 0.01: it writes through
every constraint and trigger, keeps the domain's invariants, signs in through the real
sign-in and renders the pages."""

from __future__ import annotations

from typing import Any

import httpx
import pyotp
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from benchmarks.national_data import NATIONAL_PASSWORD, generate, totp_secret
from benchmarks.national_model import build
from placement.auth.actor import Actor
from placement.auth.scope import system_scope
from placement.cases.service import NAME_AD
from placement.clock import FrozenClock
from placement.config import Settings
from placement.crypto import Keyring
from placement.db import make_sessionmaker
from placement.inventory.availability import find_available
from placement.inventory.booking_schemas import AvailabilityQuery
from placement.models.enums import Role
from tests.conftest import ENGLISH, TEST_NOW

SCALE = 0.01


async def _scalar(url: str, sql: str) -> Any:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT set_config('bk.role', 'system', false)"))
            return (await conn.execute(text(sql))).scalar()
    finally:
        await engine.dispose()


async def test_counts_and_invariants(db_url: str, keyring: Keyring) -> None:
    counts = await generate(db_url, seed=3, scale=SCALE, now=TEST_NOW, keyring=keyring)
    assert counts["district"] == 12
    assert counts["unit"] >= 60
    assert counts["case"] == 300
    assert counts["booking"] >= 2000
    for table in ("district", "unit", "place", "case", "booking", "decision", "follow_up"):
        assert await _scalar(db_url, f'SELECT count(*) FROM "{table}"') == counts[table]
    assert await _scalar(db_url, "SELECT count(*) FROM \"case\" WHERE status = 'open'") == 50
    # Every role has users.
    roles = await _scalar(db_url, "SELECT count(DISTINCT role) FROM user_account")
    assert roles == len(Role)
    # No place holds two active bookings at one moment (the trigger's rule, checked again).
    overlaps = await _scalar(
        db_url,
        "SELECT count(*) FROM booking a JOIN booking b ON a.place_id = b.place_id "
        "AND a.id < b.id AND a.status = 'active' AND b.status = 'active' "
        "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at",
    )
    assert overlaps == 0
    # A household fits its place: a family room at least its size, a single place one person.
    misfits = await _scalar(
        db_url,
        "SELECT count(*) FROM booking b JOIN place p ON p.id = b.place_id "
        "JOIN \"case\" c ON c.id = b.case_id WHERE b.kind = 'placement' "
        "AND p.capacity < c.adults + (SELECT count(*) FROM child ch WHERE ch.case_id = c.id)",
    )
    assert misfits == 0
    # Every placement has one decision per person, on its unit, with its period.
    unmatched = await _scalar(
        db_url,
        'SELECT count(*) FROM booking b JOIN "case" c ON c.id = b.case_id '
        "WHERE b.kind = 'placement' AND (SELECT count(*) FROM decision d "
        "WHERE d.booking_group_id = b.group_id AND d.unit_id = b.unit_id "
        "AND d.starts_at = b.starts_at) "
        "<> 1 + (SELECT count(*) FROM child ch WHERE ch.case_id = c.id)",
    )
    assert unmatched == 0
    live = await _scalar(
        db_url,
        "SELECT count(*) FROM booking b JOIN decision d ON d.booking_group_id = b.group_id "
        "WHERE b.kind = 'placement' AND b.status = 'active' AND d.status <> 'active'",
    )
    assert live == 0
    # A closed case has nothing active.
    closed_active = await _scalar(
        db_url,
        'SELECT count(*) FROM decision d JOIN "case" c ON c.id = d.case_id '
        "WHERE c.status = 'closed' AND d.status = 'active'",
    )
    assert closed_active == 0
    # Names are encrypted as the services encrypt them.
    stored = await _scalar(db_url, "SELECT name_ciphertext FROM person LIMIT 1")
    assert " " in keyring.decrypt(stored, associated=NAME_AD)


async def test_availability_never_negative(db_url: str, keyring: Keyring) -> None:
    await generate(db_url, seed=4, scale=SCALE, now=TEST_NOW, keyring=keyring)
    engine = create_async_engine(db_url, poolclass=NullPool)
    try:
        async with make_sessionmaker(engine)() as session:
            await system_scope(session)
            actor = Actor(user_id=None, username="bench", role=Role.coordinator)
            result = await find_available(
                session,
                FrozenClock(TEST_NOW),
                Settings(environment="test"),
                actor,
                AvailabilityQuery(nights=7, limit=1000),
            )
    finally:
        await engine.dispose()
    assert result.units
    for unit in result.units:
        assert 0 <= unit.free_places <= unit.places
        assert all(size >= 2 for size in unit.free_family_rooms)
    # Some places are taken now: the data is not an empty inventory.
    assert any(
        u.free_places < u.places or len(u.free_family_rooms) < len(u.family_rooms)
        for u in result.units
    )


def test_deterministic_with_the_seed(keyring: Keyring) -> None:
    def plain(seed: int) -> dict[str, list[Any]]:
        data = build(seed, SCALE, TEST_NOW, keyring, "hash")
        return {
            table: [{k: v for k, v in r.items() if not k.endswith("ciphertext")} for r in rows]
            for table, rows in data.rows.items()
        }

    assert plain(7) == plain(7)
    assert plain(7)["case"] != plain(8)["case"]


async def test_officer_signs_in_and_the_desk_renders(
    app: Any, db_url: str, keyring: Keyring
) -> None:
    await generate(db_url, seed=5, scale=SCALE, now=TEST_NOW, keyring=keyring)
    username = await _scalar(
        db_url,
        'SELECT u.username FROM user_account u JOIN "case" c ON c.handler_id = u.id '
        "WHERE c.status = 'open' GROUP BY u.username ORDER BY count(*) DESC, u.username LIMIT 1",
    )
    number = await _scalar(
        db_url,
        'SELECT c.case_number FROM "case" c JOIN user_account u ON u.id = c.handler_id '
        f"WHERE u.username = '{username}' AND c.status = 'open' ORDER BY c.opened_at LIMIT 1",
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=ENGLISH
    ) as client:
        r = await client.post(
            "/api/auth/login", json={"username": username, "password": NATIONAL_PASSWORD}
        )
        assert r.status_code == 200, r.text
        assert r.json()["second_factor"] == "verify"
        code = pyotp.TOTP(totp_secret(5, username)).at(TEST_NOW)
        r = await client.post("/api/auth/totp/verify", json={"code": code})
        assert r.status_code == 204, r.text
        page = await client.get("/desk")
        assert page.status_code == 200
        assert number in page.text
