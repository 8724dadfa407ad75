"""Row-level security, tested with plain SQL as the app role: no service layer involved."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from placement.db import make_engine

APP_ROLE = "boendekedjan_app"


async def _scoped(conn: AsyncConnection, role: str, district: str = "") -> None:
    await conn.execute(
        text("SELECT set_config('bk.role', :r, true), set_config('bk.district_id', :d, true)"),
        {"r": role, "d": district},
    )


async def _district_ids(db_url: str) -> tuple[str, str]:
    engine = make_engine(db_url)
    async with engine.begin() as conn:
        await _scoped(conn, "system")
        rows = (
            await conn.execute(
                text(
                    'SELECT responsible_district_id::text, count(*) FROM "case" '
                    "GROUP BY 1 ORDER BY 2 DESC LIMIT 2"
                )
            )
        ).all()
    await engine.dispose()
    return rows[0][0], rows[1][0]


async def test_rvt_sees_only_own_district_without_the_service_layer(
    db_url: str, demo: dict[str, int]
) -> None:
    mine, other = await _district_ids(db_url)
    engine = make_engine(db_url, app_role=APP_ROLE)
    async with engine.begin() as conn:
        assert (await conn.execute(text("SELECT current_user"))).scalar() == APP_ROLE
        await _scoped(conn, "rvt_officer", mine)
        q = 'SELECT count(*) FROM "case" WHERE responsible_district_id = CAST(:d AS uuid)'
        assert (await conn.execute(text(q), {"d": other})).scalar() == 0
        assert (await conn.execute(text(q), {"d": mine})).scalar() > 0
        for table in ("decision", "child", "risk_assessment", "exclusion_area"):
            leaked = (
                await conn.execute(
                    text(
                        f'SELECT count(*) FROM {table} t JOIN "case" c ON c.id = t.case_id '
                        "WHERE c.responsible_district_id <> CAST(:d AS uuid)"
                    ),
                    {"d": mine},
                )
            ).scalar()
            assert leaked == 0, table
            foreign = (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar()
            assert foreign is not None
        persons = (await conn.execute(text("SELECT count(*) FROM person"))).scalar()
        own_cases = (await conn.execute(text('SELECT count(*) FROM "case"'))).scalar()
        assert persons == own_cases  # adults of own cases only (demo children have no person)
    await engine.dispose()


async def test_no_scope_sees_nothing_and_socialjour_sees_all(
    db_url: str, demo: dict[str, int]
) -> None:
    engine = make_engine(db_url, app_role=APP_ROLE)
    async with engine.begin() as conn:
        assert (await conn.execute(text('SELECT count(*) FROM "case"'))).scalar() == 0
        assert (await conn.execute(text("SELECT count(*) FROM decision"))).scalar() == 0
    async with engine.begin() as conn:
        await _scoped(conn, "socialjour")
        assert (await conn.execute(text('SELECT count(*) FROM "case"'))).scalar() == demo["cases"]
    async with engine.begin() as conn:
        await _scoped(conn, "coordinator")
        assert (await conn.execute(text('SELECT count(*) FROM "case"'))).scalar() == 0
    await engine.dispose()


async def test_rvt_cannot_write_a_case_into_another_district(
    db_url: str, demo: dict[str, int]
) -> None:
    mine, other = await _district_ids(db_url)
    engine = make_engine(db_url, app_role=APP_ROLE)
    with pytest.raises(DBAPIError, match="row-level security"):
        async with engine.begin() as conn:
            await _scoped(conn, "rvt_officer", mine)
            await conn.execute(
                text(
                    'UPDATE "case" SET responsible_district_id = CAST(:o AS uuid) '
                    "WHERE responsible_district_id = CAST(:m AS uuid)"
                ),
                {"o": other, "m": mine},
            )
    await engine.dispose()


async def test_audit_log_is_append_only_for_the_app_role(app: Any) -> None:
    engine = make_engine(app.state.database_url, app_role=APP_ROLE)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO audit_entry (id, at, action, entity_type, protected_identity, "
                "flagged_for_review) "
                "VALUES (gen_random_uuid(), now(), 'read', 'case', false, false)"
            )
        )
    for statement in (
        "UPDATE audit_entry SET reason = 'x'",
        "DELETE FROM audit_entry",
        "TRUNCATE audit_entry",
    ):
        with pytest.raises(DBAPIError, match="permission denied"):
            async with engine.begin() as conn:
                await conn.execute(text(statement))
    async with engine.begin() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM audit_entry"))).scalar() == 1
    await engine.dispose()


async def test_shelter_addresses_are_guarded_by_the_database(
    db_url: str, demo: dict[str, int]
) -> None:
    engine = make_engine(db_url, app_role=APP_ROLE)
    with pytest.raises(DBAPIError, match="permission denied"):
        async with engine.begin() as conn:
            await _scoped(conn, "rvt_officer")
            await conn.execute(text("SELECT address_ciphertext FROM unit LIMIT 1"))
    for role, visible in (
        ("coordinator", False),
        ("housing_agency", False),
        ("operator", False),
        ("", False),
        ("rvt_officer", True),
        ("socialjour", True),
    ):
        async with engine.begin() as conn:
            await _scoped(conn, role)
            values = (await conn.execute(text("SELECT bk_unit_address(id) FROM unit"))).scalars()
            assert any(v is not None for v in values) is visible, role
            has = await conn.execute(text("SELECT bool_and(bk_unit_has_address(id)) FROM unit"))
            assert has.scalar() is True  # everyone may know that an address is on file
    await engine.dispose()
