"""Night intake: an adult's unknown age is no birth year (not a guessed one), and a child's
gender may be "not stated" (the night form asks plainly and stores no guess).

Revision ID: 0022
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENDERS = ("female", "male", "non_binary", "not_stated")
OLD_GENDERS = ("female", "male", "non_binary")


def _check(table: str, values: Sequence[str]) -> None:
    op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS ck_{table}_gender")
    op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS gender")
    listed = ", ".join(f"'{v}'" for v in values)
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_gender CHECK (gender IN ({listed}))")


def upgrade() -> None:
    _check("person", GENDERS)
    _check("child", GENDERS)
    op.alter_column("person", "birth_year", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # The old schema knew no "unknown": back to the guess the night form used to store.
    op.execute(
        "UPDATE person SET birth_year = EXTRACT(YEAR FROM created_at)::int - 30 "
        "WHERE birth_year IS NULL"
    )
    op.alter_column("person", "birth_year", existing_type=sa.Integer(), nullable=False)
    op.execute("UPDATE child SET gender = 'non_binary' WHERE gender = 'not_stated'")
    op.execute("UPDATE person SET gender = 'non_binary' WHERE gender = 'not_stated'")
    _check("person", OLD_GENDERS)
    _check("child", OLD_GENDERS)
