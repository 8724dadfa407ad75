"""A version of the inventory (units, places, districts) that every change bumps, so that an
app instance may cache the inventory's fixed facts and know, with one cheap read, whether its
copy is still the database's (two instances share one database).

The version is drawn from a sequence: a value taken by a transaction that rolls back is never
handed out again, so a version always names one committed (or one's own) state.

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("unit", "place", "district")


def upgrade() -> None:
    op.execute("CREATE SEQUENCE inventory_version_seq")
    op.execute(
        "CREATE TABLE inventory_version (id integer PRIMARY KEY CHECK (id = 1), "
        "version bigint NOT NULL)"
    )
    op.execute("INSERT INTO inventory_version VALUES (1, nextval('inventory_version_seq'))")
    # SECURITY DEFINER: the app role needs no right to write the version row itself.
    op.execute(
        """
        CREATE FUNCTION bump_inventory_version() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
        BEGIN
            UPDATE inventory_version SET version = nextval('inventory_version_seq') WHERE id = 1;
            RETURN NULL;
        END $$
        """
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_bumps_inventory_version "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_inventory_version()"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_bumps_inventory_version ON {table}")
    op.execute("DROP FUNCTION IF EXISTS bump_inventory_version()")
    op.execute("DROP TABLE IF EXISTS inventory_version")
    op.execute("DROP SEQUENCE IF EXISTS inventory_version_seq")
