"""Housing-queue priority workflow (issue 8)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
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


def upgrade() -> None:
    # Eligibility overrides: one row per set-aside check, with who, when and why.
    op.create_table(
        "priority_eligibility_override",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("check_code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("overridden_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "overridden_role",
            sa.Enum(*ROLES, name="role", native_enum=False, create_constraint=True, length=40),
            nullable=False,
        ),
        sa.Column("overridden_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["priority_application.id"],
            name=op.f("fk_priority_eligibility_override_application_id_priority_application"),
        ),
        sa.ForeignKeyConstraint(
            ["overridden_by_id"],
            ["user_account.id"],
            name=op.f("fk_priority_eligibility_override_overridden_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_eligibility_override")),
        sa.UniqueConstraint(
            "application_id", "check_code", name=op.f("uq_priority_eligibility_override_check")
        ),
    )
    op.create_index(
        op.f("ix_priority_eligibility_override_application_id"),
        "priority_eligibility_override",
        ["application_id"],
        unique=False,
    )
    op.add_column("priority_appeal", sa.Column("grounds", sa.Text(), nullable=True))
    op.add_column(
        "priority_status_change",
        sa.Column("seq", sa.Integer(), server_default="0", nullable=False),
    )
    # Number existing history rows in time order, then keep the numbers unique.
    op.execute(
        """
        UPDATE priority_status_change AS c SET seq = n.seq
        FROM (
            SELECT id, row_number() OVER (
                PARTITION BY application_id ORDER BY changed_at, id
            ) AS seq
            FROM priority_status_change
        ) AS n
        WHERE n.id = c.id
        """
    )
    op.create_unique_constraint(
        op.f("uq_priority_status_change_seq"), "priority_status_change", ["application_id", "seq"]
    )
    op.create_check_constraint(
        op.f("ck_priority_committee_meeting_papers_before_meeting"),
        "priority_committee_meeting",
        "papers_due_on <= meets_on",
    )
    # Guards behind the service checks, for concurrent requests.
    op.create_index(
        "uq_priority_application_open_case",
        "priority_application",
        ["case_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'closed'"),
    )
    op.create_index(
        "uq_priority_appeal_pending",
        "priority_appeal",
        ["application_id"],
        unique=True,
        postgresql_where=sa.text("outcome IS NULL"),
    )
    op.create_index(
        "uq_flat_offer_open",
        "flat_offer",
        ["flat_id"],
        unique=True,
        postgresql_where=sa.text("response IN ('pending', 'accepted')"),
    )


def downgrade() -> None:
    op.drop_index("uq_flat_offer_open", table_name="flat_offer")
    op.drop_index("uq_priority_appeal_pending", table_name="priority_appeal")
    op.drop_index("uq_priority_application_open_case", table_name="priority_application")
    op.drop_constraint(
        op.f("ck_priority_committee_meeting_papers_before_meeting"),
        "priority_committee_meeting",
        type_="check",
    )
    op.drop_constraint(
        op.f("uq_priority_status_change_seq"), "priority_status_change", type_="unique"
    )
    op.drop_column("priority_status_change", "seq")
    op.drop_column("priority_appeal", "grounds")
    op.drop_index(
        op.f("ix_priority_eligibility_override_application_id"),
        table_name="priority_eligibility_override",
    )
    op.drop_table("priority_eligibility_override")
