"""Inventory and availability (issue 3)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # What the operator said at the last vacancy confirmation.
    op.add_column("unit", sa.Column("reported_free_places", sa.Integer(), nullable=True))
    op.add_column("unit", sa.Column("reported_free_family_rooms", sa.Integer(), nullable=True))
    # A single place holds one person; only a family room holds more.
    op.create_check_constraint(
        op.f("ck_place_single_capacity"), "place", "kind <> 'place' OR capacity = 1"
    )
    # Availability scans only active bookings overlapping the asked period.
    op.create_index(
        "ix_booking_active_period",
        "booking",
        ["ends_at", "starts_at"],
        unique=False,
        postgresql_where=sa.text("status = 'active'"),
    )


def downgrade() -> None:
    op.drop_index("ix_booking_active_period", table_name="booking")
    op.drop_constraint(op.f("ck_place_single_capacity"), "place", type_="check")
    op.drop_column("unit", "reported_free_family_rooms")
    op.drop_column("unit", "reported_free_places")
