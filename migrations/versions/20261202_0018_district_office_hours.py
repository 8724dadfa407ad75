"""Districts' own office hours and dated exceptions (a closed "klämdag" or staff day,
shortened hours on a date); the flat-offer uniqueness no longer counts an accepted offer whose
landlord refused the tenant (the flat may then be offered to another household).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("district", sa.Column("office_hours_start", sa.Time(), nullable=True))
    op.add_column("district", sa.Column("office_hours_end", sa.Time(), nullable=True))
    op.create_check_constraint(
        op.f("ck_district_office_hours_pair"),
        "district",
        "(office_hours_start IS NULL AND office_hours_end IS NULL) OR "
        "(office_hours_start IS NOT NULL AND office_hours_end IS NOT NULL "
        "AND office_hours_start < office_hours_end)",
    )
    op.create_table(
        "district_office_day",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=True),
        sa.Column("closes", sa.Time(), nullable=True),
        sa.Column("note", sa.String(length=120), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(closed AND opens IS NULL AND closes IS NULL) OR "
            "(NOT closed AND opens IS NOT NULL AND closes IS NOT NULL AND opens < closes)",
            name=op.f("ck_district_office_day_hours_given"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_district_office_day_district_id_district")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_district_office_day_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_office_day")),
        sa.UniqueConstraint("district_id", "day", name="uq_district_office_day_day"),
    )
    op.create_index(
        op.f("ix_district_office_day_district_id"),
        "district_office_day",
        ["district_id"],
        unique=False,
    )
    op.drop_index("uq_flat_offer_open", table_name="flat_offer")
    op.create_index(
        "uq_flat_offer_open",
        "flat_offer",
        ["flat_id"],
        unique=True,
        postgresql_where=sa.text(
            "response IN ('pending', 'accepted') AND landlord_answer <> 'refused'"
        ),
    )


def downgrade() -> None:
    op.drop_index("uq_flat_offer_open", table_name="flat_offer")
    op.create_index(
        "uq_flat_offer_open",
        "flat_offer",
        ["flat_id"],
        unique=True,
        postgresql_where=sa.text("response IN ('pending', 'accepted')"),
    )
    op.drop_index(op.f("ix_district_office_day_district_id"), table_name="district_office_day")
    op.drop_table("district_office_day")
    op.drop_constraint(op.f("ck_district_office_hours_pair"), "district", type_="check")
    op.drop_column("district", "office_hours_end")
    op.drop_column("district", "office_hours_start")
