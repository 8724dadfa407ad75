"""Access control: a non-owner app role, forced row-level security on case data,
an append-only audit log, and TOTP replay protection.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "boendekedjan_app"

# Tables holding case data directly keyed by case_id: visible to socialjour and the system,
# to an RVT officer only for cases of the officer's own district.
CASE_CHILD_TABLES = (
    "child",
    "risk_assessment",
    "exclusion_area",
    "decision",
    "follow_up",
    "handover",
    "placement_request",
)

FUNCTIONS = """
CREATE OR REPLACE FUNCTION bk_role() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('bk.role', true), '') $$;
CREATE OR REPLACE FUNCTION bk_district() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('bk.district_id', true), '')::uuid $$;
CREATE OR REPLACE FUNCTION bk_operator() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('bk.operator_id', true), '')::uuid $$;
"""

CASE_POLICY = """
CREATE POLICY case_scope ON "case"
USING (
    bk_role() IN ('system', 'socialjour')
    OR (bk_role() = 'rvt_officer' AND responsible_district_id = bk_district())
    OR (bk_role() = 'housing_agency'
        AND EXISTS (SELECT 1 FROM priority_application p WHERE p.case_id = "case".id))
    OR (bk_role() = 'operator'
        AND EXISTS (SELECT 1 FROM booking b JOIN unit u ON u.id = b.unit_id
                    WHERE b.case_id = "case".id AND u.operator_id = bk_operator()))
)
WITH CHECK (
    bk_role() IN ('system', 'socialjour')
    OR (bk_role() = 'rvt_officer' AND responsible_district_id = bk_district())
)
"""

CHILD_POLICY = """
CREATE POLICY {table}_scope ON {table}
USING (
    bk_role() IN ('system', 'socialjour')
    OR (bk_role() = 'rvt_officer' AND EXISTS (
        SELECT 1 FROM "case" c WHERE c.id = {table}.case_id
        AND c.responsible_district_id = bk_district()))
)
"""

# A person is visible through a visible case (as the adult or as a child). Inserting is
# allowed for case roles because the person row must exist before its case row refers to it.
PERSON_POLICIES = """
CREATE POLICY person_scope ON person
USING (
    bk_role() IN ('system', 'socialjour')
    OR (bk_role() = 'rvt_officer' AND scope_district_id = bk_district())
)
"""


def _statements(sql: str) -> list[str]:
    """Split on ';' at line ends (asyncpg runs one statement per call)."""
    return [part.strip() for part in sql.split(";\n") if part.strip()]


def upgrade() -> None:
    op.add_column("user_account", sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.add_column("person", sa.Column("scope_district_id", sa.Uuid(), nullable=True))
    op.create_index(op.f("ix_person_scope_district_id"), "person", ["scope_district_id"])
    op.create_foreign_key(
        op.f("fk_person_scope_district_id_district"), "person", "district",
        ["scope_district_id"], ["id"],
    )
    op.execute(
        'UPDATE person SET scope_district_id = c.responsible_district_id FROM "case" c '
        "WHERE c.person_id = person.id"
    )
    op.execute(
        f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                CREATE ROLE {APP_ROLE} NOLOGIN;
            END IF;
        END $$;
        """
    )
    # The migrating (owner) user may switch to the app role (SET ROLE) when no separate
    # app login is configured. A superuser owner needs no membership.
    op.execute(
        f"""
        DO $$ BEGIN
            IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                EXECUTE format('GRANT {APP_ROLE} TO %I', current_user);
            END IF;
        END $$;
        """
    )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}"
    )
    op.execute(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {APP_ROLE}")
    # Append-only audit log: the app may write and read entries, never change or remove them.
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_entry FROM {APP_ROLE}")

    for statement in _statements(FUNCTIONS):
        op.execute(statement)
    op.execute('ALTER TABLE "case" ENABLE ROW LEVEL SECURITY')
    op.execute('ALTER TABLE "case" FORCE ROW LEVEL SECURITY')
    op.execute(CASE_POLICY)
    for table in CASE_CHILD_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(CHILD_POLICY.format(table=table))
    op.execute("ALTER TABLE person ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE person FORCE ROW LEVEL SECURITY")
    op.execute(PERSON_POLICIES)


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS person_scope ON person")
    op.execute("ALTER TABLE person NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE person DISABLE ROW LEVEL SECURITY")
    for table in CASE_CHILD_TABLES:
        op.execute(f"DROP POLICY IF EXISTS {table}_scope ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute('DROP POLICY IF EXISTS case_scope ON "case"')
    op.execute('ALTER TABLE "case" NO FORCE ROW LEVEL SECURITY')
    op.execute('ALTER TABLE "case" DISABLE ROW LEVEL SECURITY')
    op.execute("DROP FUNCTION IF EXISTS bk_operator()")
    op.execute("DROP FUNCTION IF EXISTS bk_district()")
    op.execute("DROP FUNCTION IF EXISTS bk_role()")
    # The role is cluster-wide (other databases may use it): revoke here, never drop.
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {APP_ROLE}"
    )
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {APP_ROLE}")
    op.drop_constraint(op.f("fk_person_scope_district_id_district"), "person", type_="foreignkey")
    op.drop_index(op.f("ix_person_scope_district_id"), table_name="person")
    op.drop_column("person", "scope_district_id")
    op.drop_column("user_account", "totp_last_step")
