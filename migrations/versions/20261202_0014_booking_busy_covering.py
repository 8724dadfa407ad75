"""The active-bookings index covers what a capacity count reads (place, kind, hold expiry),
so counting what is busy is an index-only scan: at national size (300,000 bookings) the
heap visits of the old index took most of the time of every availability, proposal and
board query.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_booking_active_period")
    op.execute(
        "CREATE INDEX ix_booking_active_period ON booking (ends_at, starts_at) "
        "INCLUDE (place_id, kind, expires_at) WHERE status = 'active'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_booking_active_period")
    op.execute(
        "CREATE INDEX ix_booking_active_period ON booking (ends_at, starts_at) "
        "WHERE status = 'active'"
    )
