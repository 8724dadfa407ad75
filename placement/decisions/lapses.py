"""Paperwork lapses; occupancy does not.

Two things make a decision stop being valid without anyone ending it:

- its period runs out unrenewed. The household still lives in the place, so the place stays
  occupied: the booking is carried forward ``settings.lapsed_hold_days`` at a time until
  the officer renews, moves or ends the placement, and the case is "living without a valid
  decision" on every due list (the ``decision_expired`` reminder, escalated);
- an immediate LPSB decision is not submitted to the administrative court by its deadline.
  It lapses at the deadline; the child's stay needs a new decision.

``keep_occupied`` runs in the scheduler's sweep and, for one unit, inside the booking core
before free places are counted, so no path can book a family's room in the minutes between
the lapse and the next sweep.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Exists
from sqlmodel import col, select

from placement.models import Booking, Case, Decision
from placement.models.enums import (
    BookingKind,
    BookingStatus,
    CaseStatus,
    DecisionStatus,
    LegalBasis,
)

DEFAULT_HOLD_DAYS = 7


def _has_successor() -> Exists:
    later = Decision.__table__.alias("later")  # type: ignore[attr-defined]
    return exists().where(
        later.c.renews_decision_id == col(Decision.id),
        later.c.status != DecisionStatus.cancelled.value,
    )


async def lapse_run_out(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """Active decisions past their end with nothing after them become ``lapsed``."""
    stmt = (
        update(Decision)
        .where(
            col(Decision.status) == DecisionStatus.active,
            col(Decision.ends_at) <= now,
            col(Decision.ended_at).is_(None),
            ~_has_successor(),
        )
        .values(status=DecisionStatus.lapsed, lapsed_at=col(Decision.ends_at))
        .returning(col(Decision.id))
    )
    return list((await session.execute(stmt)).scalars().all())


async def lapse_unsubmitted_lpsb(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """Immediate LPSB decisions not submitted to the court by the deadline lapse at it: the
    one in force is flagged lapsed with its period ended there; a renewal of it not yet
    begun never takes effect (the court clock is the original decision's)."""
    rows = (
        (
            await session.execute(
                select(Decision)
                .where(
                    col(Decision.legal_basis) == LegalBasis.lpsb_immediate,
                    col(Decision.status).in_((DecisionStatus.active, DecisionStatus.superseded)),
                    col(Decision.court_submitted_at).is_(None),
                    col(Decision.court_submission_due_at).is_not(None),
                    col(Decision.court_submission_due_at) <= now,
                )
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    changed = []
    for d in rows:
        due = d.court_submission_due_at
        assert due is not None  # noqa: S101 - filtered above
        end_now = min(d.ends_at, d.ended_at) if d.ended_at else d.ends_at
        if end_now <= due:
            continue  # over before the deadline (a renewal took over, or it ended)
        end_decision(d, due)
        changed.append(d.id)
    if changed:
        await session.flush()
    return changed


def end_decision(d: Decision, at: datetime) -> None:
    """A decision stops at ``at`` without an ending: lapsed if it had begun, else it never
    takes effect."""
    if d.starts_at >= at:
        d.status = DecisionStatus.cancelled
        return
    d.status = DecisionStatus.lapsed
    d.lapsed_at = at
    d.ended_at = at if at < d.ends_at else None


async def keep_occupied(
    session: AsyncSession,
    now: datetime,
    *,
    hold_days: int = DEFAULT_HOLD_DAYS,
    unit_id: uuid.UUID | None = None,
) -> int:
    """Carry forward the placement bookings of households living on after their decision
    ran out: an open case, an active booking ending within a day, and a decision on it that
    has lapsed (or is about to be marked so) with no ending recorded."""
    lapsed_on_group = exists().where(
        col(Decision.booking_group_id) == col(Booking.group_id),
        col(Decision.ended_at).is_(None),
        or_(
            ran_out_sql(),
            and_(col(Decision.status) == DecisionStatus.active, col(Decision.ends_at) <= now),
        ),
    )
    ongoing_on_group = exists().where(
        col(Decision.booking_group_id) == col(Booking.group_id),
        col(Decision.status) == DecisionStatus.active,
        col(Decision.ends_at) > now,
    )
    open_case = exists().where(
        col(Case.id) == col(Booking.case_id), col(Case.status) == CaseStatus.open
    )
    stmt = select(Booking).where(
        col(Booking.kind) == BookingKind.placement,
        col(Booking.status) == BookingStatus.active,
        col(Booking.ends_at) <= now + timedelta(days=1),
        lapsed_on_group,
        ~ongoing_on_group,
        open_case,
    )
    if unit_id is not None:
        stmt = stmt.where(col(Booking.unit_id) == unit_id)
    rows = (await session.execute(stmt.order_by(col(Booking.id)).with_for_update())).scalars()
    until = now + timedelta(days=hold_days)
    n = 0
    for b in list(rows):
        if b.ends_at >= until:
            continue
        try:
            async with session.begin_nested():
                b.ends_at = until
                await session.flush()
            n += 1
        except DBAPIError:
            # The place was booked for someone else after the run-out (before this sweep
            # existed, or while the app was down): the case stays on the due list as
            # living without a decision, and the double occupancy shows there.
            await session.refresh(b)
    return n


def ran_out_sql() -> ColumnElement[bool]:
    """``ran_out`` as a SQL condition on Decision."""
    return and_(
        col(Decision.status) == DecisionStatus.lapsed,
        col(Decision.lapsed_at) == col(Decision.ends_at),
    )


def active_or_ran_out_sql() -> ColumnElement[bool]:
    """Still the household's placement decision: in force, or run out with the family
    living on (what renewals, endings and the due lists act on)."""
    return or_(col(Decision.status) == DecisionStatus.active, ran_out_sql())


def ran_out(decision: Decision) -> bool:
    """Lapsed because its period ran out unrenewed (not an LPSB decision left unsubmitted)."""
    return decision.status == DecisionStatus.lapsed and decision.lapsed_at == decision.ends_at
