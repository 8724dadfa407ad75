"""Two app processes, each with its own scheduler, on one PostgreSQL: the supported way to
grow past one machine. They agree: 100 concurrent holds on the last place, split across
both, give exactly one success; a session made on one is valid on the other; the sign-in
throttle counts failures from both; a reminder that falls due is created exactly once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import col, select

from api.csrf import SESSION_COOKIE
from placement.auth.service import create_user, start_session
from placement.clock import SystemClock
from placement.crypto import Keyring
from placement.db import make_sessionmaker, transaction
from placement.decisions import service as decisions
from placement.decisions.schemas import GrantCreate
from placement.models import Notification, Reminder, UserAccount
from placement.models.enums import ReminderKind, Role
from tests.conftest import make_test_settings
from tests.decisions.factories import make_world, open_case
from tests.inventory.factories import make_unit
from tests.inventory.factories import make_world as make_inventory_world
from tests.net import free_port

ROOT = Path(__file__).resolve().parents[2]
INSTANCE = """
import sys, uvicorn
from api.main import create_app
from placement.config import Settings
db_url, port = sys.argv[1], int(sys.argv[2])
settings = Settings(environment="test", cookie_secure=False, scheduler_enabled=True,
                    scheduler_interval_s=1)
app = create_app(settings, database_url=db_url, run_scheduler=True)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""
N_HOLDS = 100


@pytest.fixture
def instances(db_url: str) -> Iterator[list[str]]:
    procs, urls = [], []
    for _ in range(2):
        port = free_port()
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", INSTANCE, db_url, str(port)],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        for url in urls:
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("an instance did not start")
                time.sleep(0.2)
        yield urls
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


async def _sessions(sm: Any, district_id: uuid.UUID, n: int) -> list[str]:
    clock = SystemClock()
    tokens = []
    async with transaction(sm) as s:
        for i in range(n):
            user = UserAccount(
                username=f"inst{i}-{uuid.uuid4().hex[:4]}",
                display_name=f"Staff {i}",
                password_hash="not-used",
                role=Role.socialjour,
                district_id=district_id,
                totp_enabled=True,
            )
            s.add(user)
            await s.flush()
            tokens.append(await start_session(s, clock, user, second_factor_done=True))
    return tokens


async def test_two_instances_agree(db_url: str, instances: list[str]) -> None:
    a, b = instances
    engine = create_async_engine(db_url)
    sm = make_sessionmaker(engine)
    settings = make_test_settings()
    try:
        world = await make_inventory_world(sm)
        unit = await make_unit(sm, world, singles=1)
        tokens = await _sessions(sm, world.sodermalm, N_HOLDS)

        # A session made on one instance is valid on the other.
        for base in (a, b):
            async with httpx.AsyncClient(base_url=base, cookies={SESSION_COOKIE: tokens[0]}) as c:
                assert (await c.get("/api/auth/me")).status_code == 200

        # 100 holds for the last place at once, half on each instance: exactly one wins.
        clients = [
            httpx.AsyncClient(base_url=(a, b)[i % 2], cookies={SESSION_COOKIE: t}, timeout=60)
            for i, t in enumerate(tokens)
        ]
        try:
            responses = await asyncio.gather(
                *(
                    c.post("/api/inventory/holds", json={"unit_id": str(unit), "nights": 2})
                    for c in clients
                )
            )
        finally:
            for c in clients:
                await c.aclose()
        codes = [r.status_code for r in responses]
        assert codes.count(201) == 1 and codes.count(409) == N_HOLDS - 1, codes

        # The sign-in throttle counts failures from both instances.
        async with transaction(sm) as s:
            await create_user(
                s, username="throttled.user", password="a-long-enough-password", role=Role.auditor
            )
        for i in range(settings.login_max_failures):
            async with httpx.AsyncClient(base_url=(a, b)[i % 2]) as c:
                r = await c.post(
                    "/api/auth/login", json={"username": "throttled.user", "password": "wrong"}
                )
                assert r.status_code == 401, r.text
        for base in (a, b):
            async with httpx.AsyncClient(base_url=base) as c:
                r = await c.post(
                    "/api/auth/login",
                    json={"username": "throttled.user", "password": "a-long-enough-password"},
                )
                assert r.status_code == 429, r.text

        # A decision ending within the warning window: both schedulers sweep every second;
        # its reminder is created once and fanned out once.
        dworld = await make_world(sm)
        actor = dworld.actor(dworld.handler)
        clock = SystemClock()
        keyring = Keyring.parse(settings.encryption_keys)
        case_id, _children = await open_case(sm, clock, keyring, dworld, actor, children=0)
        async with transaction(sm) as s:
            placed = await decisions.grant_placement(
                s,
                clock,
                settings,
                actor,
                case_id,
                GrantCreate(unit_id=dworld.shelter.id, ends_at=clock.now() + timedelta(hours=3)),
            )
        decision_id = placed.decisions[0].id

        async def reminders() -> list[Reminder]:
            async with transaction(sm) as s:
                return list(
                    (
                        await s.execute(
                            select(Reminder).where(
                                col(Reminder.subject_id) == decision_id,
                                col(Reminder.kind) == ReminderKind.decision_ending,
                            )
                        )
                    )
                    .scalars()
                    .all()
                )

        for _ in range(60):  # up to 30 s for the first sweep that sees it
            if await reminders():
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(4)  # several more sweeps on both instances
        found = await reminders()
        assert len(found) == 1
        async with transaction(sm) as s:
            total = await s.scalar(
                select(func.count())
                .select_from(Notification)
                .where(col(Notification.reminder_id) == found[0].id)
            )
        # Fanned out by the instance that created it (a unique key keeps each recipient and
        # channel to one notification whoever tries).
        assert total and total >= 1
    finally:
        await engine.dispose()
