"""The priority history's system reasons in the reader's language: a reason the system wrote
is a catalog message id with its blanks (``reason_params``), not English text. The steps
already recorded are rewritten where their English matches one of those messages.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (pattern over the stored English, the message id, the blanks in the pattern's groups)
PATTERNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (r"^Flat (\S+) offered\.$", "Flat {reference} offered.", ("reference",)),
    (
        r"^Contract for flat (\S+) signed on (\d{4}-\d{2}-\d{2})\.$",
        "Contract for flat {reference} signed on {date}.",
        ("reference", "date"),
    ),
    (
        r"^Appeal to the committee meeting on (\d{4}-\d{2}-\d{2})\.$",
        "Appeal to the committee meeting on {date}.",
        ("date",),
    ),
    (
        r"^The committee approved the appeal: (.*)$",
        "The committee approved the appeal: {reason}",
        ("reason",),
    ),
    (
        r"^The committee rejected the appeal: (.*)$",
        "The committee rejected the appeal: {reason}",
        ("reason",),
    ),
    (r"^Certificate attached\.$", "Certificate attached.", ()),
)


def upgrade() -> None:
    op.add_column("priority_status_change", sa.Column("reason_params", JSONB, nullable=True))
    for pattern, message, names in PATTERNS:
        blanks = ", ".join(f"'{n}', m[{i + 1}]" for i, n in enumerate(names))
        op.execute(
            sa.text(
                f"""
                UPDATE priority_status_change AS c
                SET reason = :message, reason_params = jsonb_build_object({blanks})
                FROM (
                    SELECT id, regexp_match(reason, :pattern) AS m
                    FROM priority_status_change
                    WHERE reason ~ :pattern AND reason_params IS NULL
                ) AS found
                WHERE c.id = found.id
                """
            ).bindparams(message=message, pattern=pattern)
        )


def downgrade() -> None:
    for _pattern, message, names in PATTERNS:
        text = "reason"
        for n in names:
            text = f"replace({text}, '{{{n}}}', reason_params->>'{n}')"
        op.execute(
            sa.text(
                f"UPDATE priority_status_change SET reason = {text} "
                "WHERE reason = :message AND reason_params IS NOT NULL"
            ).bindparams(message=message)
        )
    op.drop_column("priority_status_change", "reason_params")
