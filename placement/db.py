"""Engine and session factories (no module-level globals) and the schema naming convention."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from placement.config import Settings
from placement.embedded_pg import start_embedded

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def normalise_url(url: str) -> str:
    """Accept postgres:// and postgresql:// URLs and use the asyncpg driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgresql+psycopg", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def resolve_database_url(settings: Settings) -> str:
    """DATABASE_URL if set, otherwise the embedded server in the data directory."""
    if settings.database_url:
        return normalise_url(settings.database_url)
    return start_embedded(settings.pgdata_dir)


def app_login_url(url: str, app_role: str) -> str:
    """The same server and database, logged in as the app's own role (no password: for the
    embedded server's local trust; a deployment with passwords sets BK_APP_DATABASE_URL)."""
    if not app_role.replace("_", "").isalnum():
        raise ValueError(f"invalid database role name {app_role!r}")
    return make_url(url).set(username=app_role, password=None).render_as_string(hide_password=False)


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    app_role: str | None = None,
    max_overflow: int = 20,
    pool_timeout_s: float = 30.0,
) -> AsyncEngine:
    """An engine. With ``app_role`` it logs in *as* that role (not a superuser, owns no
    table, no BYPASSRLS), so row-level security and the audit log's append-only grants bind
    everything it runs and RESET ROLE has nothing to return to."""
    if app_role:
        url = app_login_url(url, app_role)
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout_s,
        pool_pre_ping=True,
        future=True,
    )


def make_app_engine(url: str, settings: Settings, *, pool_size: int | None = None) -> AsyncEngine:
    """The engine the app and the scheduler use: BK_APP_DATABASE_URL if set, otherwise the
    same server logged in as ``settings.app_db_role``. Never the owner's login. The pool's
    size, overflow and wait come from the settings (``pool_size`` overrides the size)."""
    app_role: str | None = settings.app_db_role
    if settings.app_database_url:
        url, app_role = normalise_url(settings.app_database_url), None
    return make_engine(
        url,
        pool_size=pool_size or settings.db_pool_size,
        app_role=app_role,
        max_overflow=settings.db_max_overflow,
        pool_timeout_s=settings.db_pool_timeout_s,
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any error. Services only flush."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
