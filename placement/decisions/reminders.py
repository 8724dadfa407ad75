"""Reminders: what has fallen due, found by looking at the whole database state.

Each finder returns every item that is due *now* and has no reminder yet, regardless of when
the last sweep ran, so whatever fell due while the app was down appears at the next start.
Each reminder has a unique key ``<kind>:<subject id>:<due time in UTC>``; rows are written
with ``INSERT ... ON CONFLICT (key) DO NOTHING RETURNING``, so two schedulers racing each
other create every reminder once, and only the one that created it fans it out.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from placement.calendar import OfficeHours, local, warning_at
from placement.clock import Clock
from placement.config import Settings
from placement.decisions.followups import follow_up_still_needed
from placement.decisions.lapses import active_or_ran_out_sql
from placement.decisions.notifications import Recipients, fan_out
from placement.models import (
    Booking,
    Case,
    Decision,
    FollowUp,
    Handover,
    Reminder,
    UserAccount,
)
from placement.models.enums import (
    BookingKind,
    BookingStatus,
    CaseStatus,
    DecisionStatus,
    LegalBasis,
    ReminderKind,
)
from placement.office_hours import office_hours_for


@dataclass(frozen=True, slots=True)
class DueReminder:
    kind: ReminderKind
    prefix: str
    subject_id: uuid.UUID
    due_at: datetime
    case_id: uuid.UUID | None
    case_number: str | None
    district_id: uuid.UUID | None
    user_id: uuid.UUID | None
    escalated: bool = False
    once_per_subject: bool = False

    @property
    def key(self) -> str:
        if self.once_per_subject:
            return f"{self.prefix}:{self.subject_id}"
        return f"{self.prefix}:{self.subject_id}:{self.due_at.astimezone(UTC).isoformat()}"


def _no_reminder(kind: ReminderKind, subject: Any, due: Any, escalated: bool) -> Any:
    return ~exists().where(
        col(Reminder.kind) == kind,
        col(Reminder.subject_id) == subject,
        col(Reminder.due_at) == due,
        col(Reminder.escalated).is_(escalated),
    )


def _no_reminder_for(kind: ReminderKind, subject: Any) -> Any:
    return ~exists().where(col(Reminder.kind) == kind, col(Reminder.subject_id) == subject)


# How far ahead the finder looks before applying the working-day rule in Python (the
# longest run of non-working days in Sweden plus the warning window is well within this).
ENDING_LOOKAHEAD = timedelta(days=14)
INSERT_BATCH = 1000  # reminders per INSERT (10 parameters each)


async def due_decision_endings(
    session: AsyncSession, now: datetime, settings: Settings, *, expired: bool
) -> list[DueReminder]:
    """Decisions nobody renewed, moved or ended: within the warning window (which ends on
    the last working day before the end at the latest, ``calendar.warning_at``), or, with
    ``expired``, already past their end, the household living on without a valid decision
    (escalated to the team lead)."""
    kind = ReminderKind.decision_expired if expired else ReminderKind.decision_ending
    horizon = now if expired else now + ENDING_LOOKAHEAD
    # A decision that ran out before any sweep saw it still gets both reminders.
    status = active_or_ran_out_sql()
    rows = (
        await session.execute(
            select(
                col(Decision.id),
                col(Decision.ends_at),
                col(Case.id),
                col(Case.case_number),
                col(Case.responsible_district_id),
                col(Case.handler_id),
            )
            .join(Case, col(Case.id) == col(Decision.case_id))
            .where(
                status,
                col(Case.status) == CaseStatus.open,
                col(Decision.ends_at) <= horizon,
                _no_reminder(kind, col(Decision.id), col(Decision.ends_at), expired),
            )
        )
    ).all()
    hours = settings.decision_ending_warning_hours
    # The warning follows the responsible district's office hours and closed days.
    offices: dict[uuid.UUID | None, OfficeHours] = {}
    day = local(now, settings).date()
    out = []
    for d_id, ends, c_id, number, district, handler in rows:
        if not expired:
            if district not in offices:
                offices[district] = await office_hours_for(session, settings, district, day)
            if warning_at(ends, hours, settings, offices[district]) > now:
                continue
        out.append(
            DueReminder(kind, kind.value, d_id, ends, c_id, number, district, handler, expired)
        )
    return out


async def due_follow_ups(session: AsyncSession, now: datetime) -> list[DueReminder]:
    kind = ReminderKind.follow_up_overdue
    rows = (
        await session.execute(
            select(
                col(FollowUp.id),
                col(FollowUp.due_at),
                col(Case.id),
                col(Case.case_number),
                col(Case.responsible_district_id),
                col(Case.handler_id),
            )
            .join(Decision, col(Decision.id) == col(FollowUp.decision_id))
            .join(Case, col(Case.id) == col(FollowUp.case_id))
            .where(
                follow_up_still_needed(),
                col(Case.status) == CaseStatus.open,
                col(FollowUp.due_at) <= now,
                _no_reminder(kind, col(FollowUp.id), col(FollowUp.due_at), False),
            )
        )
    ).all()
    return [DueReminder(kind, kind.value, *row) for row in rows]


async def due_handovers(session: AsyncSession, now: datetime) -> list[DueReminder]:
    kind = ReminderKind.handover_due
    rows = (
        await session.execute(
            select(
                col(Handover.id),
                col(Handover.due_at),
                col(Case.id),
                col(Case.case_number),
                col(Handover.to_district_id),
                col(Case.handler_id),
            )
            .join(Case, col(Case.id) == col(Handover.case_id))
            .where(
                col(Handover.acknowledged_at).is_(None),
                col(Handover.due_at) <= now,
                _no_reminder(kind, col(Handover.id), col(Handover.due_at), False),
            )
        )
    ).all()
    return [DueReminder(kind, kind.value, *row) for row in rows]


async def due_court_deadlines(
    session: AsyncSession, now: datetime, settings: Settings, *, lapsed: bool
) -> list[DueReminder]:
    """Immediate LPSB decisions not yet submitted to the court: approaching, or (escalated)
    past the deadline, when the decision lapses."""
    kind = ReminderKind.court_deadline
    horizon = now if lapsed else now + timedelta(hours=settings.court_deadline_warning_hours)
    due = col(Decision.court_submission_due_at)
    rows = (
        await session.execute(
            select(
                col(Decision.id),
                col(Decision.court_submission_due_at),
                col(Case.id),
                col(Case.case_number),
                col(Case.responsible_district_id),
                col(Case.handler_id),
            )
            .join(Case, col(Case.id) == col(Decision.case_id))
            .where(
                col(Decision.legal_basis) == LegalBasis.lpsb_immediate,
                col(Decision.court_submitted_at).is_(None),
                col(Decision.status).in_(
                    (DecisionStatus.active, DecisionStatus.superseded, DecisionStatus.lapsed)
                ),
                col(Case.status) == CaseStatus.open,
                due.is_not(None),
                due <= horizon,
                _no_reminder(kind, col(Decision.id), due, lapsed),
            )
        )
    ).all()
    prefix = "court_deadline_lapsed" if lapsed else "court_deadline"
    return [
        DueReminder(kind, prefix, d_id, d_due, c_id, number, district, handler, lapsed)
        for d_id, d_due, c_id, number, district, handler in rows
        if d_due is not None
    ]


async def due_expired_holds(session: AsyncSession, now: datetime) -> list[DueReminder]:
    """Holds whose time ran out (whether or not the inventory sweep has marked them yet):
    the holder must know the place is no longer kept. One reminder per held group, keyed
    ``hold_expired:<group id>`` like the inventory's own sweep, so whichever of the two
    runs first creates it and the other finds it there."""
    kind = ReminderKind.hold_expired
    expired = or_(
        col(Booking.status) == BookingStatus.expired,
        and_(col(Booking.status) == BookingStatus.active, col(Booking.expires_at) <= now),
    )
    rows = (
        await session.execute(
            select(
                col(Booking.group_id),
                col(Booking.expires_at),
                col(Case.id),
                col(Case.case_number),
                col(UserAccount.district_id),
                col(Booking.created_by_id),
            )
            .outerjoin(Case, col(Case.id) == col(Booking.case_id))
            .outerjoin(UserAccount, col(UserAccount.id) == col(Booking.created_by_id))
            .where(
                col(Booking.kind) == BookingKind.hold,
                col(Booking.expires_at).is_not(None),
                expired,
                _no_reminder_for(kind, col(Booking.group_id)),
            )
            .order_by(col(Booking.group_id), col(Booking.expires_at))
        )
    ).all()
    out: dict[uuid.UUID, DueReminder] = {}
    for group, expires, case_id, number, district, holder in rows:
        if expires is not None and group not in out:  # one reminder per held group
            out[group] = DueReminder(
                kind,
                kind.value,
                group,
                expires,
                case_id,
                number,
                district,
                holder,
                once_per_subject=True,
            )
    return list(out.values())


async def create_reminders(
    session: AsyncSession, clock: Clock, settings: Settings, due: Sequence[DueReminder]
) -> int:
    """Insert the reminders that do not exist yet and fan out the ones this call created."""
    if not due:
        return 0
    now = clock.now()
    by_key = {d.key: d for d in due}
    # A fixed order: two schedulers inserting the same keys then wait, never deadlock.
    values = [
        {
            "id": uuid.uuid4(),
            "key": key,
            "kind": d.kind,
            "case_id": d.case_id,
            "subject_id": d.subject_id,
            "district_id": d.district_id,
            "user_id": d.user_id,
            "due_at": d.due_at,
            "created_at": now,
            "escalated": d.escalated,
        }
        for key, d in sorted(by_key.items())
    ]
    created: list[Any] = []
    # In batches: one statement may carry at most 32,767 parameters (a catch-up at national
    # size, e.g. the first sweep after an import or an outage, has tens of thousands due).
    for start in range(0, len(values), INSERT_BATCH):
        stmt = (
            insert(Reminder)
            .values(values[start : start + INSERT_BATCH])
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(col(Reminder.id), col(Reminder.key))
        )
        created.extend((await session.execute(stmt)).all())
    for reminder_id, key in created:
        d = by_key[key]
        await fan_out(
            session,
            clock,
            settings,
            Recipients(reminder_id, d.kind, d.case_number, d.user_id, d.district_id, d.escalated),
        )
    return len(created)
