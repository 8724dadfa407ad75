"""The housing agency's assessment of the priority criterion (strong medical or social needs
or extremely urgent circumstances): met or not met, with a reason; approval needs it met.

Backfill: every application already approved or beyond (its status now, or an approval or a
watch in its history, so closed ones that had been approved count too) gets one assessment
"met", marked ``backfilled`` and without a reason: it was approved before the criterion was
recorded. Who and when come from the first approval (or watch) in the history when there is
one, else the housing agency's role at the application's last change. Rejected, appealed and
committee-decided applications that never reached a watch are not backfilled.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = (
    "rvt_officer",
    "socialjour",
    "housing_agency",
    "operator",
    "coordinator",
    "auditor",
    "admin",
)
APPROVED_OR_BEYOND = (
    "approved",
    "watch_active",
    "flat_offered",
    "offer_accepted",
    "offer_declined",
    "contract_signed",
)


def upgrade() -> None:
    op.create_table(
        "priority_criterion_assessment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("assessed_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "assessed_role",
            sa.Enum(*ROLES, name="role", native_enum=False, create_constraint=True, length=40),
            nullable=False,
        ),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("backfilled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint(
            "backfilled OR (reason IS NOT NULL AND length(btrim(reason)) > 0)",
            name=op.f("ck_priority_criterion_assessment_reason_given"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["priority_application.id"],
            name=op.f("fk_priority_criterion_assessment_application_id_priority_application"),
        ),
        sa.ForeignKeyConstraint(
            ["assessed_by_id"],
            ["user_account.id"],
            name=op.f("fk_priority_criterion_assessment_assessed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_criterion_assessment")),
        sa.UniqueConstraint(
            "application_id", "seq", name=op.f("uq_priority_criterion_assessment_seq")
        ),
    )
    op.create_index(
        op.f("ix_priority_criterion_assessment_application_id"),
        "priority_criterion_assessment",
        ["application_id"],
        unique=False,
    )
    beyond = ", ".join(f"'{s}'" for s in APPROVED_OR_BEYOND)
    op.execute(
        f"""
        INSERT INTO priority_criterion_assessment
            (id, application_id, seq, met, reason, assessed_by_id, assessed_role, assessed_at,
             backfilled)
        SELECT gen_random_uuid(), a.id, 1, true, NULL, first.changed_by_id,
               coalesce(first.changed_role, 'housing_agency'),
               coalesce(first.changed_at, a.updated_at, a.created_at), true
        FROM priority_application a
        LEFT JOIN LATERAL (
            SELECT h.changed_by_id, h.changed_role, h.changed_at
            FROM priority_status_change h
            WHERE h.application_id = a.id AND h.to_status IN ('approved', 'watch_active')
            ORDER BY h.seq
            LIMIT 1
        ) first ON true
        WHERE a.status IN ({beyond}) OR first.changed_at IS NOT NULL
        """
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_priority_criterion_assessment_application_id"),
        table_name="priority_criterion_assessment",
    )
    op.drop_table("priority_criterion_assessment")
