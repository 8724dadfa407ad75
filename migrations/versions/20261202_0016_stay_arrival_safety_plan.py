"""The household's stay as the shelter records it: arrival (or that it did not come) and the
safety plan at move-in and at move-out, by date. Keyed by the booking group; no name,
personal identity number or address. Row-level security like the referral: the system,
Socialjouren, the responsible district's RVT and the unit's own operator (who may write it).
Nothing to backfill: no arrival or safety plan was recorded before.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "boendekedjan_app"

STAY_POLICY = """
CREATE POLICY stay_scope ON stay
USING (
    bk_role() IN ('system', 'socialjour')
    OR (bk_role() = 'rvt_officer' AND EXISTS (
        SELECT 1 FROM "case" c WHERE c.id = stay.case_id
          AND c.responsible_district_id = bk_district()))
    OR (bk_role() = 'operator' AND operator_id = bk_operator())
)
"""


def upgrade() -> None:
    op.create_table(
        "stay",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("unit_id", sa.Uuid(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("operator_id", sa.Uuid(), sa.ForeignKey("operator.id"), nullable=False),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("did_not_come_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("safety_plan_in_on", sa.Date(), nullable=True),
        sa.Column("safety_plan_out_on", sa.Date(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint("arrived_at IS NULL OR did_not_come_at IS NULL", name="arrived_or_not"),
    )
    op.create_index("ix_stay_group_id", "stay", ["group_id"], unique=True)
    op.create_index("ix_stay_case_id", "stay", ["case_id"])
    op.create_index("ix_stay_operator_id", "stay", ["operator_id"])
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON stay TO {APP_ROLE}")
    op.execute("ALTER TABLE stay ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE stay FORCE ROW LEVEL SECURITY")
    op.execute(STAY_POLICY)


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS stay_scope ON stay")
    op.drop_table("stay")
