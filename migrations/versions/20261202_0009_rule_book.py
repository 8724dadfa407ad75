"""One rule book: risk assessments in force until superseded, lapsed decisions, per-child
assessment notes and the court's answer, who may grant what, and the override audit.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSTRUMENTS = ("freda", "patriark", "other", "not_assessed")
OLD_INSTRUMENTS = ("freda", "patriark", "other")
STATUSES = ("active", "ended", "superseded", "cancelled", "lapsed")
OLD_STATUSES = ("active", "ended", "superseded", "cancelled")


def _check(table: str, column: str, name: str, values: Sequence[str]) -> None:
    op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS ck_{table}_{name}")
    op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
    listed = ", ".join(f"'{v}'" for v in values)
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_{name} CHECK ({column} IN ({listed}))")


def upgrade() -> None:
    _check("risk_assessment", "instrument", "riskinstrument", INSTRUMENTS)
    _check("decision", "status", "decisionstatus", STATUSES)
    op.add_column(
        "risk_assessment", sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("risk_assessment", sa.Column("superseded_by_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_risk_assessment_superseded_by_id_user_account"),
        "risk_assessment",
        "user_account",
        ["superseded_by_id"],
        ["id"],
    )
    op.add_column("risk_assessment", sa.Column("superseded_reason", sa.Text(), nullable=True))
    # "Not yet assessed" always counts as high.
    op.execute(
        "ALTER TABLE risk_assessment ADD CONSTRAINT ck_risk_assessment_not_assessed_is_high "
        "CHECK (instrument <> 'not_assessed' OR level = 'high')"
    )
    op.execute(
        "ALTER TABLE risk_assessment ADD CONSTRAINT ck_risk_assessment_superseded_with_reason "
        "CHECK (superseded_at IS NULL OR superseded_reason IS NOT NULL)"
    )
    op.add_column(
        "decision",
        sa.Column(
            "court_outcome",
            sa.Enum(
                "confirmed",
                "not_confirmed",
                name="courtoutcome",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=True,
        ),
    )
    op.add_column(
        "decision", sa.Column("court_decided_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("decision", sa.Column("lapsed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("decision", sa.Column("assessment_note", sa.Text(), nullable=True))
    # An override always has its reason, whatever code writes the decision.
    op.execute(
        "ALTER TABLE decision ADD CONSTRAINT ck_decision_override_has_reason CHECK "
        "(cardinality(overridden_rules) = 0 OR coalesce(btrim(override_reason), '') <> '')"
    )
    op.add_column(
        "booking",
        sa.Column(
            "overridden_rules",
            sa.dialects.postgresql.ARRAY(sa.String(64)),
            nullable=False,
            server_default="{}",
        ),
    )
    op.add_column("booking", sa.Column("override_reason", sa.Text(), nullable=True))
    # Who may grant a unit kind in a district: {unit_kind: [role, ...]}; absent: the
    # deciding roles (RVT officer and Socialjouren).
    op.add_column(
        "district",
        sa.Column(
            "grant_roles", sa.dialects.postgresql.JSONB(), nullable=False, server_default="{}"
        ),
    )
    op.execute(
        "UPDATE district SET grant_roles = '{\"shis_mellanbo\": [\"socialjour\"]}'::jsonb "
        "WHERE NOT rvt_can_grant_mellanbo"
    )
    # Demo and older data may carry overrides without reasons: give them an honest one.
    op.execute(
        "UPDATE decision SET override_reason = 'Recorded before reasons were required.' "
        "WHERE cardinality(overridden_rules) > 0 AND coalesce(btrim(override_reason), '') = ''"
    )


def downgrade() -> None:
    op.drop_column("district", "grant_roles")
    op.drop_column("booking", "override_reason")
    op.drop_column("booking", "overridden_rules")
    op.execute("ALTER TABLE decision DROP CONSTRAINT ck_decision_override_has_reason")
    for col in ("assessment_note", "lapsed_at", "court_decided_at", "court_outcome"):
        op.drop_column("decision", col)
    for name in ("superseded_with_reason", "not_assessed_is_high"):
        op.execute(f"ALTER TABLE risk_assessment DROP CONSTRAINT ck_risk_assessment_{name}")
    for col in ("superseded_reason", "superseded_by_id", "superseded_at"):
        op.drop_column("risk_assessment", col)
    op.execute("UPDATE decision SET status = 'ended' WHERE status = 'lapsed'")
    op.execute("DELETE FROM risk_assessment WHERE instrument = 'not_assessed'")
    _check("decision", "status", "decisionstatus", OLD_STATUSES)
    _check("risk_assessment", "instrument", "riskinstrument", OLD_INSTRUMENTS)
