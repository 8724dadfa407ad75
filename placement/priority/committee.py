"""The priority committee (förtursutskottet): monthly meetings as data, appeals, decisions.

An appeal goes to the next meeting whose papers are not yet due (papers_due_on is today or
later), so the agency has time to prepare the papers. Before the papers are due, both the agency
and the case's handler are reminded (see ``papers_reminders``, run by a scheduler sweep).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.audit.service import record
from placement.auth.actor import Actor
from placement.clock import Clock
from placement.config import Settings
from placement.crypto import Keyring
from placement.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from placement.models import Case, PriorityAppeal, PriorityApplication, PriorityCommitteeMeeting
from placement.models.enums import AuditAction, PriorityStatus, ReminderKind
from placement.priority import notify, workflow
from placement.priority.access import Scoped, Side, audit, load, load_many, side_of
from placement.priority.dates import local_start, local_today
from placement.priority.schemas import MeetingPapersRead, MeetingRead, PapersItem
from placement.priority.views import agency_view, appeal_read
from placement.priority.workflow import Via

MEETING_ENTITY = "priority_committee_meeting"
# Days before the papers are due that both sides are reminded. A setting may replace it.
DEFAULT_REMINDER_DAYS = 3


def papers_due(meets_on: date, settings: Settings) -> date:
    return meets_on - timedelta(days=settings.committee_papers_due_days)


def reminder_days(settings: Settings) -> int:
    return int(getattr(settings, "committee_papers_reminder_days", DEFAULT_REMINDER_DAYS))


async def _appeal_counts(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not ids:
        return {}
    rows = await session.execute(
        select(col(PriorityAppeal.meeting_id), func.count())
        .where(col(PriorityAppeal.meeting_id).in_(ids))
        .group_by(col(PriorityAppeal.meeting_id))
    )
    return {mid: int(n) for mid, n in rows.all()}


def _meeting_read(meeting: PriorityCommitteeMeeting, appeals: int) -> MeetingRead:
    return MeetingRead(
        id=meeting.id,
        meets_on=meeting.meets_on,
        papers_due_on=meeting.papers_due_on,
        appeals=appeals,
    )


async def create_meeting(
    session: AsyncSession, clock: Clock, settings: Settings, actor: Actor, meets_on: date
) -> MeetingRead:
    if side_of(actor) != Side.agency:
        raise Forbidden("Only the housing agency can add committee meetings.")
    today = local_today(clock, settings)
    if meets_on < today:
        raise InvalidInput(
            N_("The committee date {date} is in the past. Enter a coming date."),
            field="meets_on",
            params={"date": meets_on.isoformat()},
        )
    taken = await session.scalar(
        select(col(PriorityCommitteeMeeting.id)).where(
            col(PriorityCommitteeMeeting.meets_on) == meets_on
        )
    )
    if taken is not None:
        raise Conflict("The committee already meets on that date.", field="meets_on")
    meeting = PriorityCommitteeMeeting(
        meets_on=meets_on, papers_due_on=papers_due(meets_on, settings)
    )
    session.add(meeting)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:  # the same date added at the same moment by someone else
        raise Conflict("The committee already meets on that date.", field="meets_on") from exc
    await record(session, clock, actor, AuditAction.create, MEETING_ENTITY, meeting.id)
    return _meeting_read(meeting, 0)


async def list_meetings(
    session: AsyncSession, clock: Clock, settings: Settings, *, upcoming: bool = True
) -> list[MeetingRead]:
    stmt = select(PriorityCommitteeMeeting).order_by(col(PriorityCommitteeMeeting.meets_on))
    if upcoming:
        stmt = stmt.where(col(PriorityCommitteeMeeting.meets_on) >= local_today(clock, settings))
    meetings = list((await session.execute(stmt)).scalars())
    counts = await _appeal_counts(session, [m.id for m in meetings])
    return [_meeting_read(m, counts.get(m.id, 0)) for m in meetings]


async def next_meeting(session: AsyncSession, today: date) -> PriorityCommitteeMeeting | None:
    return await session.scalar(
        select(PriorityCommitteeMeeting)
        .where(col(PriorityCommitteeMeeting.papers_due_on) >= today)
        .order_by(col(PriorityCommitteeMeeting.meets_on))
        .limit(1)
    )


async def file_appeal(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    application_id: uuid.UUID,
    grounds: str,
) -> Scoped:
    """The handler appeals a rejection; it goes on the next meeting with papers still open."""
    scoped = await load(session, actor, application_id, lock=True)
    workflow.check(
        scoped.application.status, PriorityStatus.appealed, scoped.side, Via.appeal, grounds
    )
    meeting = await next_meeting(session, local_today(clock, settings))
    if meeting is None:
        raise Conflict(
            "No committee meeting is planned whose papers are still open. The housing agency "
            "must add the next meeting date before the appeal can be filed."
        )
    session.add(
        PriorityAppeal(
            application_id=scoped.application.id,
            meeting_id=meeting.id,
            filed_at=clock.now(),
            filed_by_id=actor.user_id,
            grounds=grounds.strip(),
        )
    )
    await session.flush()
    await workflow.transition(
        session,
        clock,
        actor,
        scoped,
        PriorityStatus.appealed,
        via=Via.appeal,
        system_reason=workflow.SystemReason(
            workflow.APPEALED, {"date": meeting.meets_on.isoformat()}
        ),
    )
    await notify.notify_agency(session, scoped.case, kind="priority_appeal", now=clock.now())
    return scoped


async def pending_appeal(
    session: AsyncSession, application_id: uuid.UUID
) -> tuple[PriorityAppeal, PriorityCommitteeMeeting] | None:
    row = (
        await session.execute(
            select(PriorityAppeal, PriorityCommitteeMeeting)
            .join(
                PriorityCommitteeMeeting,
                col(PriorityCommitteeMeeting.id) == col(PriorityAppeal.meeting_id),
            )
            .where(
                col(PriorityAppeal.application_id) == application_id,
                col(PriorityAppeal.outcome).is_(None),
            )
            .with_for_update(of=PriorityAppeal)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def record_decision(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    application_id: uuid.UUID,
    outcome: str,
    reason: str,
) -> Scoped:
    """The agency records what the committee decided, on or after the meeting day."""
    if outcome not in ("approved", "rejected"):
        raise InvalidInput("The committee either approves or rejects.", field="outcome")
    scoped = await load(session, actor, application_id, lock=True)
    workflow.check(
        scoped.application.status,
        PriorityStatus.decided_by_committee,
        scoped.side,
        Via.committee,
        reason,
    )
    found = await pending_appeal(session, scoped.application.id)
    if found is None:
        raise Conflict("There is no appeal waiting for the committee.")
    appeal, meeting = found
    if local_today(clock, settings) < meeting.meets_on:
        raise Conflict(
            N_("The committee meets on {date}; record its decision on or after that day."),
            field="outcome",
            params={"date": meeting.meets_on.isoformat()},
        )
    now = clock.now()
    appeal.outcome = outcome
    appeal.decided_at = now
    await session.flush()
    await workflow.transition(
        session,
        clock,
        actor,
        scoped,
        PriorityStatus.decided_by_committee,
        via=Via.committee,
        system_reason=workflow.SystemReason(
            workflow.COMMITTEE_APPROVED if outcome == "approved" else workflow.COMMITTEE_REJECTED,
            {"reason": reason.strip()},
        ),
    )
    await notify.resolve_reminders(session, ReminderKind.committee_papers_due, appeal.id, now)
    await notify.notify_handler(session, scoped.case, kind="committee_decided", now=now)
    return scoped


async def papers(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    keyring: Keyring,
    meeting_id: uuid.UUID,
) -> MeetingPapersRead:
    """The committee's papers: each appeal on the meeting with the agency's view of it."""
    if side_of(actor) != Side.agency:
        raise Forbidden("Only the housing agency prepares the committee's papers.")
    meeting = await session.get(PriorityCommitteeMeeting, meeting_id)
    if meeting is None:
        raise NotFound("No such committee meeting.", field="meeting_id")
    appeals = list(
        (
            await session.execute(
                select(PriorityAppeal)
                .where(col(PriorityAppeal.meeting_id) == meeting.id)
                .order_by(col(PriorityAppeal.filed_at))
            )
        ).scalars()
    )
    scoped = {
        s.application.id: s
        for s in await load_many(
            session, actor, application_ids=[a.application_id for a in appeals]
        )
    }
    today = local_today(clock, settings)
    items: list[PapersItem] = []
    for appeal in appeals:
        s = scoped.get(appeal.application_id)
        if s is None:
            continue
        await audit(session, clock, actor, s, AuditAction.export, "committee papers")
        items.append(
            PapersItem(
                appeal=appeal_read(appeal, meeting),
                application=await agency_view(session, keyring, s, today),
            )
        )
    return MeetingPapersRead(meeting=_meeting_read(meeting, len(appeals)), items=items)


async def papers_reminders(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    """Remind the agency and the handler of each undecided appeal whose papers are due soon.

    Idempotent: the reminders' keys are unique and inserts do nothing on conflict.
    """
    today = local_today(clock, settings)
    horizon = today + timedelta(days=reminder_days(settings))
    rows = (
        await session.execute(
            select(PriorityAppeal, PriorityCommitteeMeeting, Case)
            .join(
                PriorityCommitteeMeeting,
                col(PriorityCommitteeMeeting.id) == col(PriorityAppeal.meeting_id),
            )
            .join(
                PriorityApplication,
                col(PriorityApplication.id) == col(PriorityAppeal.application_id),
            )
            .join(Case, col(Case.id) == col(PriorityApplication.case_id))
            .where(
                col(PriorityAppeal.outcome).is_(None),
                col(PriorityCommitteeMeeting.papers_due_on) <= horizon,
                col(PriorityCommitteeMeeting.meets_on) >= today,
            )
        )
    ).all()
    created = 0
    now = clock.now()
    for appeal, meeting, case in rows:
        due_at = local_start(meeting.papers_due_on, settings)
        handler_id, new_h = await notify.ensure_reminder(
            session,
            key=f"priority-papers:{appeal.id}:handler",
            kind=ReminderKind.committee_papers_due,
            due_at=due_at,
            now=now,
            case_id=case.id,
            subject_id=appeal.id,
            district_id=case.responsible_district_id,
            user_id=case.handler_id,
        )
        await notify.notify_handler(
            session, case, kind="committee_papers_due", now=now, reminder_id=handler_id
        )
        agency_id, new_a = await notify.ensure_reminder(
            session,
            key=f"priority-papers:{appeal.id}:agency",
            kind=ReminderKind.committee_papers_due,
            due_at=due_at,
            now=now,
            case_id=case.id,
            subject_id=appeal.id,
        )
        await notify.notify_agency(
            session, case, kind="committee_papers_due", now=now, reminder_id=agency_id
        )
        created += int(new_h) + int(new_a)
    return created
