"""Run Alembic programmatically (the CLI, the app at start-up and the tests use this)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str) -> Config:
    import migrations

    script_location = Path(migrations.__file__).resolve().parent
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.attributes["url"] = url
    cfg.attributes["skip_logging"] = True
    return cfg


def _in_thread(fn: object, *args: object) -> None:
    # Alembic's env.py calls asyncio.run(); never do that on a running loop.
    import threading

    errors: list[BaseException] = []

    def target() -> None:
        try:
            fn(*args)  # type: ignore[operator]
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def upgrade(url: str, revision: str = "head") -> None:
    _in_thread(command.upgrade, alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    _in_thread(command.downgrade, alembic_config(url), revision)


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


async def current_revision(url: str) -> str | None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    finally:
        await engine.dispose()


def current_revision_sync(url: str) -> str | None:
    return asyncio.run(current_revision(url))


def set_app_login_password(owner_url: str, app_url: str, app_role: str) -> None:
    """Give the app's login the password in BK_APP_DATABASE_URL (run by ``migrate`` as the
    schema owner), so docker-compose and other deployments never connect the app as the
    owner or a superuser."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    password = make_url(app_url).password
    if not password:
        return
    if not app_role.replace("_", "").isalnum():
        raise ValueError("invalid database role name")

    async def run() -> None:
        engine = create_async_engine(owner_url)
        try:
            async with engine.begin() as conn:
                quoted = await conn.execute(text("SELECT quote_literal(:p)"), {"p": password})
                literal = quoted.scalar_one()
                await conn.execute(text(f"ALTER ROLE {app_role} LOGIN PASSWORD {literal}"))
        finally:
            await engine.dispose()

    asyncio.run(run())
