"""The migration chain goes up, down and up again, and agrees with the models."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import placement.models  # noqa: F401
from placement.migrate import current_revision, downgrade, head_revision, upgrade


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        )
        names = {r[0] for r in rows}
    await engine.dispose()
    return names


async def test_upgrade_downgrade_upgrade(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    assert await current_revision(empty_db_url) == head_revision(empty_db_url)
    assert {"unit", "booking", "case", "decision", "audit_entry"} <= await _tables(empty_db_url)
    downgrade(empty_db_url, "base")
    assert await current_revision(empty_db_url) is None
    assert await _tables(empty_db_url) <= {"alembic_version"}
    upgrade(empty_db_url)
    assert await current_revision(empty_db_url) == head_revision(empty_db_url)


async def test_models_and_migrations_agree(db_url: str) -> None:
    engine = create_async_engine(db_url)

    def diff(sync_conn: Any) -> list[Any]:
        ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, SQLModel.metadata))

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
    await engine.dispose()
    assert differences == []


async def test_every_table_is_in_the_metadata() -> None:
    # Singular snake_case names, UUID keys.
    for name, table in SQLModel.metadata.tables.items():
        assert name == name.lower() and " " not in name
        assert [c.name for c in table.primary_key.columns] == ["id"], name
