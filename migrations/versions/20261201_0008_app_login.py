"""The app connects with its own login (boendekedjan_app: not a superuser, owns nothing, no
BYPASSRLS) instead of a superuser that switches role, so RESET ROLE cannot escape row-level
security or the audit log's append-only grants. A password, if the deployment uses one, is
set by ``boendekedjan migrate`` from BK_APP_DATABASE_URL.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "boendekedjan_app"


def upgrade() -> None:
    op.execute(f"ALTER ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")


def downgrade() -> None:
    op.execute(f"ALTER ROLE {APP_ROLE} NOLOGIN")
