"""Shelter street addresses guarded in the database: the app role may write the address
column but not read it; bk_unit_address() returns it only to RVT, Socialjouren and the
system scope (row-level security's scope settings). A later migration that adds a column to
``unit`` must grant SELECT on it to the app role.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "boendekedjan_app"

READ_FUNCTION = """
CREATE OR REPLACE FUNCTION bk_unit_address(unit_id uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT CASE WHEN bk_role() IN ('system', 'rvt_officer', 'socialjour')
                THEN u.address_ciphertext END
    FROM unit u WHERE u.id = unit_id
$$
"""

HAS_FUNCTION = """
CREATE OR REPLACE FUNCTION bk_unit_has_address(unit_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT u.address_ciphertext IS NOT NULL FROM unit u WHERE u.id = unit_id
$$
"""

GRANT_READABLE_COLUMNS = f"""
DO $$
DECLARE cols text;
BEGIN
    SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) INTO cols
    FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name = 'unit'
      AND column_name <> 'address_ciphertext';
    EXECUTE format('GRANT SELECT (%s) ON unit TO {APP_ROLE}', cols);
END $$
"""


def upgrade() -> None:
    op.execute(f"REVOKE SELECT ON unit FROM {APP_ROLE}")
    op.execute(GRANT_READABLE_COLUMNS)
    op.execute(READ_FUNCTION)
    op.execute("REVOKE ALL ON FUNCTION bk_unit_address(uuid) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION bk_unit_address(uuid) TO {APP_ROLE}")
    op.execute(HAS_FUNCTION)
    op.execute("REVOKE ALL ON FUNCTION bk_unit_has_address(uuid) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION bk_unit_has_address(uuid) TO {APP_ROLE}")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS bk_unit_has_address(uuid)")
    op.execute("DROP FUNCTION IF EXISTS bk_unit_address(uuid)")
    op.execute(f"REVOKE SELECT ON unit FROM {APP_ROLE}")
    op.execute(f"GRANT SELECT ON unit TO {APP_ROLE}")
