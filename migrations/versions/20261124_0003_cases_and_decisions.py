"""Cases, decisions, follow-ups, reminders (issue 4)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# One person (a case's adult, or one child) never holds two decisions for the same moment.
# The service checks first and explains; this is the backstop for any other code path.
DECISION_NO_OVERLAP_FUNCTION = """
CREATE OR REPLACE FUNCTION decision_no_overlap() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'cancelled' THEN
        RETURN NEW;
    END IF;
    PERFORM 1 FROM "case" WHERE id = NEW.case_id FOR UPDATE;
    IF EXISTS (
        SELECT 1 FROM decision d
        WHERE d.case_id = NEW.case_id
          AND d.child_id IS NOT DISTINCT FROM NEW.child_id
          AND d.status <> 'cancelled'
          AND d.id <> NEW.id
          AND d.starts_at < LEAST(NEW.ends_at, COALESCE(NEW.ended_at, NEW.ends_at))
          AND NEW.starts_at < LEAST(d.ends_at, COALESCE(d.ended_at, d.ends_at))
    ) THEN
        RAISE EXCEPTION 'decision periods overlap for one person in case %', NEW.case_id
            USING ERRCODE = 'exclusion_violation';
    END IF;
    RETURN NEW;
END;
$$;
"""


def upgrade() -> None:
    op.create_index(
        "ix_reminder_kind_subject_id", "reminder", ["kind", "subject_id"], unique=False
    )
    op.create_index(
        "ix_notification_recipient_key", "notification", ["recipient_key", "channel"], unique=False
    )
    op.execute(DECISION_NO_OVERLAP_FUNCTION)
    op.execute(
        "CREATE TRIGGER decision_no_overlap BEFORE INSERT OR UPDATE OF "
        "starts_at, ends_at, ended_at, status, case_id, child_id ON decision "
        "FOR EACH ROW EXECUTE FUNCTION decision_no_overlap()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS decision_no_overlap ON decision")
    op.execute("DROP FUNCTION IF EXISTS decision_no_overlap()")
    op.drop_index("ix_notification_recipient_key", table_name="notification")
    op.drop_index("ix_reminder_kind_subject_id", table_name="reminder")
