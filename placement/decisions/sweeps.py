"""The decision clock's scheduler sweeps (placement.jobs runs them; each in its own
transaction, at start-up and then every ``scheduler_interval_s``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from placement.clock import Clock
from placement.config import Settings
from placement.decisions import lapses, mailer, notifications, reminders
from placement.jobs import register_sweep


@register_sweep("decisions.lapses")
async def decisions_lapse(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    """Runs before the reminder finders so they see this run's lapses."""
    now = clock.now()
    run_out = await lapses.lapse_run_out(session, now)
    lpsb = await lapses.lapse_unsubmitted_lpsb(session, now)
    kept = await lapses.keep_occupied(session, now, hold_days=settings.lapsed_hold_days)
    return len(run_out) + len(lpsb) + kept


@register_sweep("decisions.ending")
async def decisions_ending(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    due = await reminders.due_decision_endings(session, clock.now(), settings, expired=False)
    return await reminders.create_reminders(session, clock, settings, due)


@register_sweep("decisions.expired")
async def decisions_expired(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    due = await reminders.due_decision_endings(session, clock.now(), settings, expired=True)
    return await reminders.create_reminders(session, clock, settings, due)


@register_sweep("decisions.follow_ups")
async def follow_ups_overdue(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    due = await reminders.due_follow_ups(session, clock.now())
    return await reminders.create_reminders(session, clock, settings, due)


@register_sweep("decisions.handovers")
async def handovers_due(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    due = await reminders.due_handovers(session, clock.now())
    return await reminders.create_reminders(session, clock, settings, due)


@register_sweep("decisions.court_deadlines")
async def court_deadlines(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    now = clock.now()
    due = await reminders.due_court_deadlines(session, now, settings, lapsed=False)
    due += await reminders.due_court_deadlines(session, now, settings, lapsed=True)
    return await reminders.create_reminders(session, clock, settings, due)


@register_sweep("decisions.expired_holds")
async def expired_holds(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    due = await reminders.due_expired_holds(session, clock.now())
    return await reminders.create_reminders(session, clock, settings, due)


@register_sweep("decisions.notify")
async def notify(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    return await notifications.fan_out_missing(session, clock, settings)


# Registered last so that this run's new notifications go out in the same run.
@register_sweep("decisions.email")
async def send_email(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    return await mailer.send_pending(session, clock, settings)
