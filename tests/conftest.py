"""Test harness: one embedded PostgreSQL per run, a migrated template database, and a fresh
clone of it for every test that needs one (real commits, real concurrency, full isolation)."""

from __future__ import annotations

import tempfile
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from api.main import create_app
from placement.auth.service import create_user
from placement.clock import FrozenClock
from placement.config import Settings
from placement.crypto import Keyring
from placement.db import make_engine, make_sessionmaker, transaction
from placement.migrate import upgrade
from placement.models.enums import Role

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

TEMPLATE_DB = "bk_template"
TEST_PASSWORD = "correct horse battery staple"
# JSON answers are Swedish unless the client asks otherwise; the suite's API assertions read
# the English msgids, so its clients ask for English. Pages ignore this header (they follow
# ?lang and the language cookie), so page tests still see Swedish. Tests of the Swedish API
# answers drop the header.
ENGLISH = {"accept-language": "en"}
# TOTP secrets of the users that client_for enrolled, so tests can sign them in again.
TOTP_SECRETS: dict[str, str] = {}


async def sign_in(app: Any, username: str) -> httpx.AsyncClient:
    """A fresh signed-in client for a user made by client_for (password, then TOTP)."""
    c = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=ENGLISH
    )
    r = await c.post("/api/auth/login", json={"username": username, "password": TEST_PASSWORD})
    assert r.status_code == 200, r.text
    if r.json()["second_factor"] == "verify":
        # A code from the next time step: the enrolment code's step cannot be reused.
        at = app.state.clock.now() + timedelta(seconds=30)
        code = pyotp.TOTP(TOTP_SECRETS[username]).at(at)
        r = await c.post("/api/auth/totp/verify", json={"code": code})
        assert r.status_code == 204, r.text
    return c


class PgServer:
    def __init__(self) -> None:
        import pgserver

        self.dir = Path(tempfile.mkdtemp(prefix="bk-test-pg-"))
        self.server: Any = pgserver.get_server(self.dir, cleanup_mode="delete")
        self.socket_dir = self.dir

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@/{database}?host={self.socket_dir}"

    def psql(self, sql: str) -> str:
        return str(self.server.psql(sql))


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    server = PgServer()
    server.psql(f'CREATE DATABASE "{TEMPLATE_DB}";')
    upgrade(server.url(TEMPLATE_DB))
    yield server
    server.server.cleanup()


DEMO_TEMPLATE_DB = "bk_demo_template"
TEST_NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Stockholm


def make_test_settings() -> Settings:
    # Statistics computed every time: tests change data between two reports within one
    # frozen minute (the reuse itself: tests/statistics/test_report_reuse.py).
    return Settings(
        environment="test", cookie_secure=False, scheduler_enabled=False, statistics_cache_s=0
    )


@pytest.fixture(scope="session")
def demo_template(pg: PgServer) -> dict[str, int]:
    """The demo city, seeded once per run through the services (about 25 s) into a template
    database that every test asking for ``demo`` is cloned from."""
    import asyncio

    from placement.auth.scope import system_scope
    from placement.demo.seed import seed_demo

    pg.psql(f'CREATE DATABASE "{DEMO_TEMPLATE_DB}" TEMPLATE "{TEMPLATE_DB}";')
    settings = make_test_settings()

    async def run() -> dict[str, int]:
        engine = make_engine(pg.url(DEMO_TEMPLATE_DB), app_role=settings.app_db_role)
        try:
            async with transaction(make_sessionmaker(engine)) as s:
                await system_scope(s)
                return await seed_demo(
                    s,
                    FrozenClock(TEST_NOW),
                    Keyring.parse(settings.encryption_keys),
                    settings=settings,
                )
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.fixture
def db_url(pg: PgServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database cloned from the migrated template (or, for tests that ask for the
    demo city, from the seeded demo template), dropped after the test."""
    template = TEMPLATE_DB
    if "demo" in request.fixturenames:
        request.getfixturevalue("demo_template")
        template = DEMO_TEMPLATE_DB
    name = f"t_{uuid.uuid4().hex[:16]}"
    pg.psql(f'CREATE DATABASE "{name}" TEMPLATE "{template}";')
    yield pg.url(name)
    pg.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')


@pytest.fixture
def empty_db_url(pg: PgServer) -> Iterator[str]:
    """A fresh, empty (unmigrated) database."""
    name = f"e_{uuid.uuid4().hex[:16]}"
    pg.psql(f'CREATE DATABASE "{name}";')
    yield pg.url(name)
    pg.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')


@pytest.fixture
def clock() -> FrozenClock:
    # A Tuesday at 10:00 Stockholm time (09:00 UTC): inside office hours.
    return FrozenClock(TEST_NOW)


@pytest.fixture
def settings() -> Settings:
    return make_test_settings()


@pytest.fixture
def keyring(settings: Settings) -> Keyring:
    return Keyring.parse(settings.encryption_keys)


@pytest.fixture
async def sessionmaker(db_url: str) -> AsyncIterator[Any]:
    engine = create_async_engine(db_url, poolclass=NullPool)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def session(sessionmaker: Any) -> AsyncIterator[AsyncSession]:
    """A session on the test's own database. Tests may commit."""
    async with sessionmaker() as s:
        yield s


@pytest.fixture
async def app(db_url: str, settings: Settings, clock: FrozenClock) -> AsyncIterator[Any]:
    application = create_app(settings, database_url=db_url, clock=clock, run_scheduler=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def anon_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=ENGLISH
    ) as c:
        yield c


def owner_sm(app: Any) -> Any:
    """A sessionmaker on the table owner's connection, for test set-up and inspection.

    Row-level security hides case rows from the app role unless a request scope is set;
    tests that arrange data or check what was stored use this, while HTTP requests and
    scheduler runs keep going through the app's own (non-owner) sessionmaker."""
    sm = getattr(app.state, "owner_sessionmaker", None)
    if sm is None:
        sm = make_sessionmaker(create_async_engine(app.state.database_url, poolclass=NullPool))
        app.state.owner_sessionmaker = sm
    return sm


ClientFactory = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def client_for(app: Any) -> AsyncIterator[ClientFactory]:
    """``await client_for(Role.rvt_officer, district_id=...)``: a signed-in HTTP client."""
    clients: list[httpx.AsyncClient] = []

    async def factory(
        role: Role,
        *,
        district_id: uuid.UUID | None = None,
        operator_id: uuid.UUID | None = None,
        is_team_lead: bool = False,
        username: str | None = None,
    ) -> httpx.AsyncClient:
        name = username or f"{role.value}-{uuid.uuid4().hex[:6]}"
        async with transaction(app.state.sessionmaker) as s:
            await create_user(
                s,
                username=name,
                password=TEST_PASSWORD,
                role=role,
                district_id=district_id,
                operator_id=operator_id,
                is_team_lead=is_team_lead,
            )
        transport = httpx.ASGITransport(app=app)
        c = httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=ENGLISH)
        r = await c.post("/api/auth/login", json={"username": name, "password": TEST_PASSWORD})
        assert r.status_code == 200, r.text
        if r.json()["second_factor"] == "enrol":  # roles that see case data: real TOTP step
            secret = (await c.post("/api/auth/totp/enrol")).json()["secret"]
            TOTP_SECRETS[name] = secret
            code = pyotp.TOTP(secret).at(app.state.clock.now())
            r = await c.post("/api/auth/totp/confirm", json={"code": code})
            assert r.status_code == 204, r.text
        clients.append(c)
        return c

    yield factory
    for c in clients:
        await c.aclose()


@pytest.fixture
def demo(demo_template: dict[str, int], db_url: str) -> dict[str, int]:
    """The demo city in the test's database (cloned from the seeded template; the counts
    are what seeding it created)."""
    return dict(demo_template)


__all__ = ["TEST_PASSWORD", "make_engine"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests (sync Playwright runs its own event loop) go last, after every async
    test; otherwise the async tests that follow them cannot start their loop."""
    items.sort(key=lambda item: "tests/browser/" in item.nodeid.replace("\\", "/"))
