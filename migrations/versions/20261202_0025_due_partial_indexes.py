"""Partial indexes for the due list's follow-ups, decisions and hand-overs: what is still open
(a follow-up not done, a decision active or lapsed, a hand-over not acknowledged) by its due
time. The plain due-time indexes do not help there: almost every row's time has passed, so
on the national dataset the planner read the whole table (follow_up: 67 681 of 67 830 rows
removed by the filter; handover: 13 597 of 13 603; decision: 5 288 active rows read to keep
none).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_follow_up_open_due",
        "follow_up",
        ["due_at"],
        postgresql_where=sa.text("done_at IS NULL"),
    )
    op.create_index(
        "ix_handover_open_due",
        "handover",
        ["due_at"],
        postgresql_where=sa.text("acknowledged_at IS NULL"),
    )
    op.create_index(
        "ix_decision_current_ends",
        "decision",
        ["ends_at"],
        postgresql_where=sa.text("status IN ('active', 'lapsed')"),
    )


def downgrade() -> None:
    op.drop_index("ix_decision_current_ends", table_name="decision")
    op.drop_index("ix_handover_open_due", table_name="handover")
    op.drop_index("ix_follow_up_open_due", table_name="follow_up")
