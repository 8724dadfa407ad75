"""The landlord's approval of the tenant before an offer becomes a contract: asked, approved
or refused with a reason; and a note on a follow-up marked done. Offers already under contract are backfilled as approved (the lease
could not have been signed otherwise); every other offer starts as not asked.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ANSWERS = ("not_asked", "asked", "approved", "refused")


def upgrade() -> None:
    op.add_column(
        "flat_offer",
        sa.Column(
            "landlord_answer",
            sa.Enum(
                *ANSWERS,
                name="landlordanswer",
                native_enum=False,
                length=40,
                create_constraint=True,
            ),
            nullable=False,
            server_default="not_asked",
        ),
    )
    op.add_column(
        "flat_offer", sa.Column("landlord_asked_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "flat_offer", sa.Column("landlord_answered_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("flat_offer", sa.Column("landlord_reason", sa.Text(), nullable=True))
    # A follow-up marked done keeps a short note of what it found (none for the old ones).
    op.add_column("follow_up", sa.Column("note", sa.Text(), nullable=True))
    op.execute(
        "UPDATE flat_offer SET landlord_answer = 'approved', "
        "landlord_asked_at = coalesce(responded_at, offered_at), "
        "landlord_answered_at = coalesce(responded_at, offered_at) "
        "WHERE contract_signed_on IS NOT NULL"
    )
    op.alter_column("flat_offer", "landlord_answer", server_default=None)
    op.create_check_constraint(
        op.f("ck_flat_offer_landlord_refusal_reason"),
        "flat_offer",
        "landlord_answer <> 'refused' OR landlord_reason IS NOT NULL",
    )


def downgrade() -> None:
    op.drop_column("follow_up", "note")
    op.drop_constraint(op.f("ck_flat_offer_landlord_refusal_reason"), "flat_offer", type_="check")
    for name in ("landlord_reason", "landlord_answered_at", "landlord_asked_at", "landlord_answer"):
        op.drop_column("flat_offer", name)
