"""Server-side render time of each main page with the demo city (issue 7: p95 < 150 ms).

Starts its own embedded PostgreSQL in a temporary directory, migrates, loads the demo city,
signs in one user per role (real sessions, second factor marked done) and times GET requests
through the ASGI app in-process (no network), so the figure is the server's own time.

    python benchmarks/bench_pages.py [--rounds 40]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import col, select

from api.deps import SESSION_COOKIE
from api.main import create_app
from placement.auth.scope import system_scope
from placement.auth.service import start_session
from placement.clock import SystemClock
from placement.config import Settings
from placement.crypto import Keyring
from placement.db import make_engine, make_sessionmaker, transaction
from placement.demo.seed import seed_demo
from placement.embedded_pg import start_embedded
from placement.migrate import upgrade
from placement.models import Case, PlacementRequest, UserAccount
from placement.models.enums import CaseStatus, RequestStatus


async def prepare(url: str, settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    engine = make_engine(url)
    sm = make_sessionmaker(engine)
    clock = SystemClock()
    async with transaction(sm) as s:
        await system_scope(s)
        await seed_demo(s, clock, Keyring.parse(settings.encryption_keys))
    tokens: dict[str, str] = {}
    ids: dict[str, str] = {}
    async with transaction(sm) as s:
        await system_scope(s)
        for username in (
            "socialjour",
            "rvt.sodermalm",
            "jour.ankaret",
            "samordnare",
            "formedling",
            "granskare",
        ):
            user = (
                await s.execute(select(UserAccount).where(col(UserAccount.username) == username))
            ).scalar_one()
            tokens[username] = await start_session(s, clock, user, second_factor_done=True)
        sodermalm = (
            await s.execute(
                select(UserAccount.district_id).where(col(UserAccount.username) == "rvt.sodermalm")
            )
        ).scalar_one()
        case = (
            (
                await s.execute(
                    select(Case.id).where(
                        col(Case.responsible_district_id) == sodermalm,
                        col(Case.status) == CaseStatus.open,
                    )
                )
            )
            .scalars()
            .first()
        )
        request = (
            (
                await s.execute(
                    select(PlacementRequest.id).where(
                        col(PlacementRequest.status) == RequestStatus.open
                    )
                )
            )
            .scalars()
            .first()
        )
        ids["case"] = str(case)
        ids["request"] = str(request)
    await engine.dispose()
    return tokens, ids


async def measure(app: Any, token: str, path: str, rounds: int) -> list[float]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench", cookies={SESSION_COOKIE: token}
    ) as client:
        first = await client.get(path)
        if first.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {first.status_code}")
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            r = await client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200
        return times


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main(rounds: int) -> None:
    data = Path(tempfile.mkdtemp(prefix="bk-bench-pages-"))
    url = start_embedded(data / "pg", database=f"bench_{uuid.uuid4().hex[:8]}")
    upgrade(url)
    settings = Settings(environment="test", cookie_secure=False, scheduler_enabled=False)
    tokens, ids = await prepare(url, settings)
    app = create_app(settings, database_url=url, run_scheduler=False)
    pages = [
        ("socialjour", "/night", "night: request form"),
        ("socialjour", f"/night/requests/{ids['request']}", "night: proposals (runs the matcher)"),
        ("rvt.sodermalm", "/desk", "day desk"),
        ("rvt.sodermalm", f"/cases/{ids['case']}", "case page"),
        ("jour.ankaret", "/operator", "operator page"),
        ("samordnare", "/board", "coordinator board"),
        ("formedling", "/priority", "housing agency list"),
        ("granskare", "/audit", "audit log"),
    ]
    print(f"demo city, {rounds} rounds per page after one warm-up; in-process ASGI, 2-core machine")
    print(f"{'page':40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target p95 < 150 ms")
    async with app.router.lifespan_context(app):
        for user, path, label in pages:
            try:
                times = await measure(app, tokens[user], path, rounds)
            except RuntimeError as exc:
                print(f"{label:40} skipped: {exc}")
                continue
            p95 = pct(times, 0.95)
            print(
                f"{label:40} {statistics.median(times):8.1f} {p95:8.1f} {max(times):8.1f}"
                f"  {'met' if p95 < 150 else 'MISSED'}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    asyncio.run(main(parser.parse_args().rounds))
