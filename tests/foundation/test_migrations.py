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


async def test_0017_backfills_the_criterion_as_met_once_approved(
    demo: dict[str, int], db_url: str
) -> None:
    """Applications approved or beyond (by status now, or by an approval in the history) get one
    backfilled assessment "met"; the others (draft, rejected, ...) are left to the agency."""
    downgrade(db_url, "0015")
    engine = create_async_engine(db_url)
    async with engine.begin() as conn:
        rows = (
            await conn.execute(text("SELECT id, status FROM priority_application ORDER BY status"))
        ).all()
        by_status = {status: app_id for app_id, status in rows}
        assert {"approved", "watch_active", "submitted", "under_review"} <= set(by_status)
        agency = await conn.scalar(
            text("SELECT id FROM user_account WHERE username = 'formedling'")
        )
        # Closed after an approval (history says so), and rejected (never approved).
        closed, rejected = by_status["submitted"], by_status["under_review"]
        await conn.execute(
            text("UPDATE priority_application SET status = 'closed' WHERE id = :i"), {"i": closed}
        )
        await conn.execute(
            text("UPDATE priority_application SET status = 'rejected' WHERE id = :i"),
            {"i": rejected},
        )
        await conn.execute(
            text(
                "INSERT INTO priority_status_change (id, application_id, seq, from_status, "
                "to_status, changed_by_id, changed_role, changed_at) VALUES (gen_random_uuid(), "
                ":i, 7, 'under_review', 'approved', :u, 'housing_agency', "
                "'2026-10-01 08:00+00')"
            ),
            {"i": closed, "u": agency},
        )
    upgrade(db_url)
    async with engine.connect() as conn:
        got = {
            r.application_id: r
            for r in await conn.execute(
                text(
                    "SELECT application_id, seq, met, reason, backfilled, assessed_by_id, "
                    "assessed_role, assessed_at FROM priority_criterion_assessment"
                )
            )
        }
    await engine.dispose()
    backfilled = {by_status["approved"], by_status["watch_active"], closed}
    assert set(got) == backfilled
    assert all(r.met and r.backfilled and r.reason is None and r.seq == 1 for r in got.values())
    assert got[closed].assessed_by_id == agency
    assert got[closed].assessed_at.isoformat().startswith("2026-10-01T08:00")
    assert got[by_status["approved"]].assessed_role == "housing_agency"
