"""A unit's on-duty phone number, guarded like its street address (the app role may write
the column but not read it; bk_unit_contact_phone() returns it only to RVT, Socialjouren and
the system scope), the hours it answers, and the opaque referral a hold sends to the unit's
operator (case number and household facts only, never a name, a personal identity number
or an address), kept under row-level security: Socialjouren, the responsible district's RVT
and the unit's own operator.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "boendekedjan_app"

READ_PHONE = """
CREATE OR REPLACE FUNCTION bk_unit_contact_phone(unit_id uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT CASE WHEN bk_role() IN ('system', 'rvt_officer', 'socialjour')
                THEN u.contact_phone_ciphertext END
    FROM unit u WHERE u.id = unit_id
$$
"""

REFERRAL_POLICY = """
CREATE POLICY referral_scope ON referral
USING (
    bk_role() IN ('system', 'socialjour')
    OR (bk_role() = 'rvt_officer' AND EXISTS (
        SELECT 1 FROM "case" c WHERE c.id = referral.case_id
          AND c.responsible_district_id = bk_district()))
    OR (bk_role() = 'operator' AND operator_id = bk_operator())
)
"""

STATUSES = ("pending", "accepted", "declined", "confirmed_by_phone", "withdrawn")
REASONS = ("full", "needs_unmet", "risk", "other")


def _listed(values: Sequence[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def upgrade() -> None:
    op.add_column("unit", sa.Column("contact_phone_ciphertext", sa.Text(), nullable=True))
    op.add_column("unit", sa.Column("contact_hours", sa.String(length=80), nullable=True))
    # The hours are readable like the other columns; the number only through the function.
    op.execute(f"GRANT SELECT (contact_hours) ON unit TO {APP_ROLE}")
    op.execute(READ_PHONE)
    op.execute("REVOKE ALL ON FUNCTION bk_unit_contact_phone(uuid) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION bk_unit_contact_phone(uuid) TO {APP_ROLE}")

    # An operator's lower report than the computed figure: the difference is held as
    # external occupancy (blocks of free places) until the next report; a higher report is
    # flagged for the coordinator, not applied.
    op.add_column(
        "booking",
        sa.Column("external_occupancy", sa.Boolean(), nullable=False, server_default="false"),
    )
    op.add_column(
        "vacancy_report",
        sa.Column("above_computed", sa.Boolean(), nullable=False, server_default="false"),
    )
    # Why a hold was extended (once), from the hold page.
    op.add_column("booking", sa.Column("extension_reason", sa.String(length=300), nullable=True))

    op.create_table(
        "referral",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("request_id", sa.Uuid(), sa.ForeignKey("placement_request.id"), nullable=True),
        sa.Column("unit_id", sa.Uuid(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("operator_id", sa.Uuid(), sa.ForeignKey("operator.id"), nullable=False),
        sa.Column("case_number", sa.String(length=32), nullable=False),
        sa.Column("adults", sa.Integer(), nullable=False),
        sa.Column("children_ages", ARRAY(sa.Integer()), nullable=False, server_default="{}"),
        sa.Column("substance_use", sa.String(length=40), nullable=False),
        sa.Column("needs_wheelchair", sa.Boolean(), nullable=False),
        sa.Column("languages", ARRAY(sa.String(64)), nullable=False, server_default="{}"),
        sa.Column("has_pets", sa.Boolean(), nullable=False),
        sa.Column("honour_context", sa.Boolean(), nullable=False),
        sa.Column("risk_level", sa.String(length=40), nullable=True),
        sa.Column("expected_arrival_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("callback_phone", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False, server_default="pending"),
        sa.Column("decline_reason", sa.String(length=40), nullable=True),
        sa.Column("decline_text", sa.String(length=300), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Uuid(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint(f"status IN ({_listed(STATUSES)})", name="status"),
        sa.CheckConstraint(
            f"decline_reason IS NULL OR decline_reason IN ({_listed(REASONS)})",
            name="decline_reason",
        ),
        sa.CheckConstraint(
            "(status = 'declined') = (decline_reason IS NOT NULL)",
            name="declined_has_reason",
        ),
        sa.CheckConstraint(
            "decline_reason IS DISTINCT FROM 'other' OR decline_text IS NOT NULL",
            name="other_has_text",
        ),
    )
    op.create_index("ix_referral_group_id", "referral", ["group_id"], unique=True)
    op.create_index("ix_referral_case_id", "referral", ["case_id"])
    op.create_index("ix_referral_unit_id", "referral", ["unit_id"])
    op.create_index("ix_referral_operator_status", "referral", ["operator_id", "status"])
    op.create_index("ix_referral_request_id", "referral", ["request_id"])
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON referral TO {APP_ROLE}")
    op.execute("ALTER TABLE referral ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE referral FORCE ROW LEVEL SECURITY")
    op.execute(REFERRAL_POLICY)


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS referral_scope ON referral")
    op.drop_table("referral")
    op.drop_column("booking", "extension_reason")
    op.drop_column("vacancy_report", "above_computed")
    op.drop_column("booking", "external_occupancy")
    op.execute("DROP FUNCTION IF EXISTS bk_unit_contact_phone(uuid)")
    op.drop_column("unit", "contact_hours")
    op.drop_column("unit", "contact_phone_ciphertext")
