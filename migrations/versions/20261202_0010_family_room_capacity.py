"""A family room holds at least two: one-bed "family rooms" become single places (the same
bed, the same bookings), then a CHECK keeps it so, whatever code writes places.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE place SET kind = 'place' WHERE kind = 'family_room' AND capacity < 2")
    op.execute(
        "ALTER TABLE place ADD CONSTRAINT ck_place_family_capacity "
        "CHECK (kind <> 'family_room' OR capacity >= 2)"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE place DROP CONSTRAINT ck_place_family_capacity")
