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
# Each instance's clock is the system clock plus an offset the test writes to a file, so
# the test can move a day forward in both processes at once (test code only).
INSTANCE = """
import sys, uvicorn
from datetime import UTC, datetime, timedelta
from pathlib import Path
from api.main import create_app
from placement.config import Settings
db_url, port, offset_file = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])

class OffsetClock:
    def now(self):
        text = offset_file.read_text().strip() if offset_file.exists() else ""
        return datetime.now(UTC) + timedelta(seconds=float(text or 0))

settings = Settings(environment="test", cookie_secure=False, scheduler_enabled=True,
                    scheduler_interval_s=1)
app = create_app(settings, database_url=db_url, clock=OffsetClock(), run_scheduler=True)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""
N_HOLDS = 100


@pytest.fixture
def offset_file(tmp_path: Path) -> Path:
    path = tmp_path / "clock-offset"
    path.write_text("0")
    return path


@pytest.fixture
def instances(db_url: str, offset_file: Path) -> Iterator[list[str]]:
    procs, urls, logs = [], [], []
    for i in range(2):
        port = free_port()
        logs.append((offset_file.parent / f"instance{i}.log").open("w"))
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", INSTANCE, db_url, str(port), str(offset_file)],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=logs[-1],  # a file: a pipe nobody reads could fill and block it
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
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    errors = [f.name for f in logs]
                    raise RuntimeError(f"an instance did not start; see {errors}")
                time.sleep(0.2)
        yield urls
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
        for f in logs:
            f.close()


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


async def _placed(sm: Any, settings: Any, length: timedelta) -> Any:
    """A household placed now (real clock) by an RVT officer, its decision ending after
    ``length``."""
    world = await make_world(sm)
    actor = world.actor(world.handler)
    clock = SystemClock()
    keyring = Keyring.parse(settings.encryption_keys)
    case_id, _children = await open_case(sm, clock, keyring, world, actor, children=0)
    async with transaction(sm) as s:
        return await decisions.grant_placement(
            s,
            clock,
            settings,
            actor,
            case_id,
            GrantCreate(unit_id=world.shelter.id, ends_at=clock.now() + length),
        )


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
        placed = await _placed(sm, settings, timedelta(hours=3))
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


async def test_a_day_of_reminders_across_two_instances(
    db_url: str, instances: list[str], offset_file: Path
) -> None:
    """Both schedulers sweep every second while the test moves both clocks through eight
    days: every reminder that falls due (the warning before the end, the phone and the
    physical follow-up, the end passing unrenewed) is created exactly once."""
    engine = create_async_engine(db_url)
    sm = make_sessionmaker(engine)
    settings = make_test_settings()
    try:
        placed = await _placed(sm, settings, timedelta(days=3))
        subjects = {placed.decisions[0].id, *(f.id for f in placed.follow_ups)}
        for days in (1.5, 4, 8):
            await asyncio.to_thread(offset_file.write_text, str(days * 86400))
            await asyncio.sleep(4)  # several sweeps on both instances at this time
        async with transaction(sm) as s:
            rows = (
                (await s.execute(select(Reminder).where(col(Reminder.subject_id).in_(subjects))))
                .scalars()
                .all()
            )
        kinds = sorted(r.kind.value for r in rows)
        assert kinds == sorted(
            ["decision_ending", "decision_expired", "follow_up_overdue", "follow_up_overdue"]
        ), kinds
        assert len({r.key for r in rows}) == len(rows)
    finally:
        await engine.dispose()
