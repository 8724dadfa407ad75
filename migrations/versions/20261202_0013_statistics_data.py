"""What the effect goals need: how a stay ended and the next contract's length, a
pseudonymous link between one person's cases, the kind of a child's schooling, and referrals
to SHIS mellanbo as records of their own (with the case tables' row-level security).

Backfill: every ended stay with a recorded outcome was recorded as a completed stay (the
product had no way to say "broken off"); contract lengths and person links of old cases stay
unknown (the link needs the encryption keys, which a migration never sees).

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAY_END = ("completed", "broken_off")
SCHOOLING = ("school", "preschool", "larteamet")
REFERRAL = ("referred", "granted", "declined")


def _check(name: str, column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    return f"ALTER TABLE {{table}} ADD CONSTRAINT {name} CHECK ({column} IN ({listed}))"


def upgrade() -> None:
    for table in ("case", "decision"):
        op.add_column(table, sa.Column("stay_end", sa.String(40), nullable=True))
        op.add_column(table, sa.Column("contract_months", sa.Integer, nullable=True))
        op.execute(_check(f"ck_{table}_stayend", "stay_end", STAY_END).format(table=f'"{table}"'))
        op.execute(
            f'ALTER TABLE "{table}" ADD CONSTRAINT ck_{table}_contract_months_range '
            "CHECK (contract_months IS NULL OR contract_months BETWEEN 0 AND 1200)"
        )
        op.execute(
            f"UPDATE \"{table}\" SET stay_end = 'completed' WHERE outcome IS NOT NULL"
        )
    op.add_column("case", sa.Column("person_link", sa.String(80), nullable=True))
    op.create_index("ix_case_person_link", "case", ["person_link"])
    op.add_column(
        "case",
        sa.Column(
            "earlier_case_id",
            sa.Uuid,
            sa.ForeignKey("case.id", name="fk_case_earlier_case_id_case"),
            nullable=True,
        ),
    )
    op.add_column("child", sa.Column("schooling_kind", sa.String(40), nullable=True))
    op.execute(_check("ck_child_schoolingkind", "schooling_kind", SCHOOLING).format(table="child"))
    op.create_table(
        "mellanbo_referral",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("case_id", sa.Uuid, sa.ForeignKey("case.id"), nullable=False, index=True),
        sa.Column(
            "status",
            sa.Enum(*REFERRAL, native_enum=False, create_constraint=True, name="referralstatus",
                    length=40),
            nullable=False,
        ),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("referred_by_id", sa.Uuid, sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Uuid, sa.ForeignKey("user_account.id"), nullable=True),
    )
    op.execute("ALTER TABLE mellanbo_referral ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE mellanbo_referral FORCE ROW LEVEL SECURITY")
    op.execute(
        """
CREATE POLICY mellanbo_referral_scope ON mellanbo_referral
USING (
    bk_role() IN ('system', 'socialjour')
    OR (bk_role() = 'rvt_officer' AND EXISTS (
        SELECT 1 FROM "case" c WHERE c.id = mellanbo_referral.case_id
        AND c.responsible_district_id = bk_district()))
)
"""
    )


def downgrade() -> None:
    op.drop_table("mellanbo_referral")
    op.drop_constraint("ck_child_schoolingkind", "child")
    op.drop_column("child", "schooling_kind")
    op.drop_column("case", "earlier_case_id")
    op.drop_index("ix_case_person_link", "case")
    op.drop_column("case", "person_link")
    for table in ("case", "decision"):
        op.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT ck_{table}_contract_months_range')
        op.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT ck_{table}_stayend')
        op.drop_column(table, "contract_months")
        op.drop_column(table, "stay_end")
