"""A vacancy report no longer changes the inventory version. The version (0020) tells an app
instance that its cached copy of the inventory's fixed facts is stale; operators confirm
vacancy every few minutes across the country, and each report bumped the version, so every
instance rebuilt its copy of 5,000 units (and every report queued behind the version row's
lock). A unit's change bumps it now unless only its vacancy columns changed (the time of the
last report and the figures reported), which each request reads for itself.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns a vacancy report writes; a change to any other column of a unit bumps the version.
VOLATILE = ("vacancy_confirmed_at", "reported_free_places", "reported_free_family_rooms")
_MINUS = " ".join(f"- '{c}'" for c in VOLATILE)


def upgrade() -> None:
    op.execute("DROP TRIGGER unit_bumps_inventory_version ON unit")
    op.execute(
        "CREATE TRIGGER unit_bumps_inventory_version "
        "AFTER INSERT OR DELETE OR TRUNCATE ON unit "
        "FOR EACH STATEMENT EXECUTE FUNCTION bump_inventory_version()"
    )
    op.execute(
        "CREATE TRIGGER unit_update_bumps_inventory_version AFTER UPDATE ON unit FOR EACH ROW "
        f"WHEN ((to_jsonb(OLD) {_MINUS}) IS DISTINCT FROM (to_jsonb(NEW) {_MINUS})) "
        "EXECUTE FUNCTION bump_inventory_version()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER unit_update_bumps_inventory_version ON unit")
    op.execute("DROP TRIGGER unit_bumps_inventory_version ON unit")
    op.execute(
        "CREATE TRIGGER unit_bumps_inventory_version "
        "AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit "
        "FOR EACH STATEMENT EXECUTE FUNCTION bump_inventory_version()"
    )
