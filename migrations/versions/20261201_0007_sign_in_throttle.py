"""Sign-in throttle in the database (per user name and client address, shared by every app
instance) and a wrong-code count per sign-in session.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username_key", sa.String(length=80), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failure")),
    )
    op.create_index("ix_sign_in_failure_pair", "sign_in_failure", ["username_key", "client", "at"])
    op.create_index("ix_sign_in_failure_client", "sign_in_failure", ["client", "at"])
    op.add_column(
        "user_session",
        sa.Column("failed_codes", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("user_session", "failed_codes")
    op.drop_index("ix_sign_in_failure_client", table_name="sign_in_failure")
    op.drop_index("ix_sign_in_failure_pair", table_name="sign_in_failure")
    op.drop_table("sign_in_failure")
