"""The scheduler's guarantees: two instances never duplicate a reminder, downtime never loses
one, escalation reaches the team lead, and e-mail carries no personal data."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.clock import FrozenClock
from placement.config import Settings
from placement.db import make_engine, make_sessionmaker, transaction
from placement.decisions import renewals
from placement.decisions.due import due_items
from placement.decisions.schemas import RenewCreate
from placement.inventory import bookings
from placement.jobs import run_all_sweeps
from placement.models import Case, Notification, Reminder
from placement.models.enums import BookingKind, ReminderKind
from tests.decisions.factories import (
    ADULT_NAME,
    PERSONAL_NUMBER,
    make_world,
    open_case,
    place,
    run_decision_sweeps,
)

STHLM = ZoneInfo("Europe/Stockholm")


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STHLM).astimezone(UTC)


async def _reminders(sm: Any) -> list[Reminder]:
    async with transaction(sm) as s:
        return list((await s.execute(select(Reminder))).scalars().all())


async def _notifications(sm: Any) -> list[Notification]:
    async with transaction(sm) as s:
        return list((await s.execute(select(Notification))).scalars().all())


async def test_two_schedulers_create_each_reminder_once(
    db_url: str, sessionmaker: Any, settings: Settings, keyring: Any
) -> None:
    world = await make_world(sessionmaker)
    night, handler = world.actor(world.night), world.actor(world.handler)
    t0 = local(2026, 6, 19, 23, 30)
    clock = FrozenClock(t0)
    case_id, children = await open_case(sessionmaker, clock, keyring, world, night)
    await place(sessionmaker, clock, settings, world, night, case_id, children)
    async with transaction(sessionmaker) as s:  # a hold that will run out
        await bookings.book(
            s,
            clock,
            handler,
            unit_id=world.shelter2.id,
            kind=BookingKind.hold,
            household_size=1,
            starts_at=t0,
            ends_at=t0 + timedelta(days=14),
            hold_minutes=30,
        )

    engines = [make_engine(db_url, pool_size=2), make_engine(db_url, pool_size=2)]
    makers = [make_sessionmaker(e) for e in engines]
    created_by_sweeps = 0
    counted = {
        "decisions.ending",
        "decisions.expired",
        "decisions.follow_ups",
        "decisions.handovers",
        "decisions.court_deadlines",
    }
    try:
        for step in (timedelta(hours=2), timedelta(days=2), timedelta(days=8), timedelta(days=5)):
            clock.advance(step)
            for _ in range(3):
                results = await asyncio.gather(
                    *(run_all_sweeps(m, clock, settings) for m in makers)
                )
                for result in results:
                    assert all(v >= 0 for k, v in result.items() if k.startswith("decisions."))
                    created_by_sweeps += sum(result[k] for k in counted)
    finally:
        for e in engines:
            await e.dispose()

    reminders = await _reminders(sessionmaker)
    kinds = sorted(r.kind.value for r in reminders)
    # After 15 days: phone and physical follow-ups, the hand-over, the court deadline
    # (approaching and lapsed), the expired hold, and the endings and expiries of the adult's
    # and the first child's decisions. The second child's immediate LPSB decision was never
    # submitted to the court: it lapsed at the court deadline on day 7, so its period ended
    # there and it has no ending of its own.
    assert kinds == sorted(
        ["follow_up_overdue"] * 2
        + ["handover_due", "court_deadline", "court_deadline", "hold_expired"]
        + ["decision_ending"] * 2
        + ["decision_expired"] * 2
    )
    assert len({r.key for r in reminders}) == len(reminders)
    # Across both schedulers and every round, each reminder was created by one run only.
    assert created_by_sweeps == sum(r.kind != ReminderKind.hold_expired for r in reminders)
    notes = await _notifications(sessionmaker)
    assert len({(n.reminder_id, n.channel, n.recipient_key) for n in notes}) == len(notes)
    # Every reminder fanned out exactly once to the district's team ...
    team = f"team:{world.district_a.id}"
    assert sorted(str(n.reminder_id) for n in notes if n.recipient_key == team) == sorted(
        str(r.id) for r in reminders if r.district_id == world.district_a.id
    )
    # ... and the escalations (decisions run out, the court deadline passed) reached the lead.
    lead = f"user:{world.lead.id}"
    escalated = {r.id for r in reminders if r.escalated}
    assert {r.kind for r in reminders if r.escalated} == {
        ReminderKind.decision_expired,
        ReminderKind.court_deadline,
    }
    assert {n.reminder_id for n in notes if n.recipient_key == lead} == escalated


async def test_missed_reminders_appear_at_restart(
    sessionmaker: Any, settings: Settings, keyring: Any
) -> None:
    world = await make_world(sessionmaker)
    night = world.actor(world.night)
    t0 = local(2026, 11, 24, 22, 0)  # Tuesday night
    clock = FrozenClock(t0)
    case_id, children = await open_case(sessionmaker, clock, keyring, world, night)
    result = await place(sessionmaker, clock, settings, world, night, case_id, children)
    assert result.handover is not None
    assert result.handover.due_at == local(2026, 11, 25, 8, 0)  # Wednesday morning

    # The scheduler runs hourly until Wednesday 07:00, then is down for a day.
    while clock.now() < local(2026, 11, 25, 7, 0):
        clock.advance(timedelta(hours=1))
        await run_all_sweeps(sessionmaker, clock, settings)
    assert await _reminders(sessionmaker) == []

    restart = local(2026, 11, 26, 7, 0)  # Thursday: the hand-over and the phone call passed
    clock.set(restart)
    await run_all_sweeps(sessionmaker, clock, settings)
    reminders = await _reminders(sessionmaker)
    assert sorted((r.kind.value, r.due_at) for r in reminders) == [
        ("follow_up_overdue", t0 + timedelta(days=1)),
        ("handover_due", local(2026, 11, 25, 8, 0)),
    ]
    assert all(r.created_at == restart for r in reminders)
    # Running again, or later, adds nothing for them.
    await run_all_sweeps(sessionmaker, clock, settings)
    clock.advance(timedelta(hours=1))
    await run_all_sweeps(sessionmaker, clock, settings)
    assert len(await _reminders(sessionmaker)) == 2


async def test_expired_decision_escalates_and_late_renewal_resolves(
    sessionmaker: Any, settings: Settings, keyring: Any
) -> None:
    world = await make_world(sessionmaker)
    handler = world.actor(world.handler)
    clock = FrozenClock(local(2026, 11, 24, 10, 0))
    case_id, _children = await open_case(sessionmaker, clock, keyring, world, handler, children=0)
    result = await place(sessionmaker, clock, settings, world, handler, case_id, [])
    assert result.handover is None  # the district's own officer decided in office hours
    decision = result.decisions[0]

    clock.set(decision.ends_at + timedelta(minutes=5))
    await run_decision_sweeps(sessionmaker, clock, settings)
    reminders = {r.kind: r for r in await _reminders(sessionmaker) if r.subject_id == decision.id}
    assert reminders[ReminderKind.decision_expired].escalated
    assert reminders[ReminderKind.decision_ending].created_at == clock.now()  # missed window
    notes = await _notifications(sessionmaker)
    expired_id = reminders[ReminderKind.decision_expired].id
    assert {n.recipient_key for n in notes if n.reminder_id == expired_id} == {
        f"user:{world.handler.id}",
        f"user:{world.lead.id}",
        f"team:{world.district_a.id}",
    }
    async with transaction(sessionmaker) as s:
        due = await due_items(s, clock, handler, within=timedelta(hours=48))
    assert due[0].kind == ReminderKind.decision_expired and due[0].overdue and due[0].escalated

    async with transaction(sessionmaker) as s:  # renewed late: continues without a gap
        renewed = await renewals.renew(s, clock, settings, handler, decision.id, RenewCreate())
    assert renewed.decisions[0].starts_at == decision.ends_at
    about_decision = [r for r in await _reminders(sessionmaker) if r.subject_id == decision.id]
    assert len(about_decision) == 2 and all(r.resolved_at is not None for r in about_decision)
    async with transaction(sessionmaker) as s:
        left = await due_items(s, clock, handler, within=timedelta(hours=1))
    assert {i.kind for i in left} == {ReminderKind.follow_up_overdue}  # nobody called yet


# --- e-mail -------------------------------------------------------------------------------


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.content
        message = BytesParser(policy=policy.default).parsebytes(
            raw if isinstance(raw, bytes) else str(raw).encode()
        )
        body = message.get_body(preferencelist=("plain",))
        text = f"{message['Subject']}\n{body.get_content() if body is not None else ''}"
        self.messages.append((list(envelope.rcpt_tos), text))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


async def test_emails_carry_only_case_number_and_link(
    sessionmaker: Any, keyring: Any, smtp_sink: tuple[Sink, int]
) -> None:
    sink, port = smtp_sink
    settings = Settings(
        environment="test",
        smtp_host="127.0.0.1",
        smtp_port=port,
        base_url="https://boendekedjan.example.invalid",
    )
    world = await make_world(sessionmaker)
    night = world.actor(world.night)
    t0 = local(2026, 11, 27, 23, 0)  # Friday night
    clock = FrozenClock(t0)
    case_id, children = await open_case(sessionmaker, clock, keyring, world, night)
    async with transaction(sessionmaker) as s:  # the district's handler is known
        case = await s.get(Case, case_id)
        assert case is not None
        case.handler_id = world.handler.id
        case_number = case.case_number
    await place(sessionmaker, clock, settings, world, night, case_id, children)

    clock.set(t0 + timedelta(days=1, hours=1))  # the phone follow-up is overdue
    await run_all_sweeps(sessionmaker, clock, settings)
    assert len(sink.messages) == 1
    recipients, text = sink.messages[0]
    assert recipients == [world.handler.email]
    assert case_number in text
    assert f"https://boendekedjan.example.invalid/cases/{case_id}" in text
    for secret in (ADULT_NAME, *ADULT_NAME.split(), PERSONAL_NUMBER, "Skydd", "Barn"):
        assert secret not in text
    assert world.shelter.name not in text and world.district_a.code not in text

    # Sent once: a second run sends nothing more, and the row is marked.
    await run_all_sweeps(sessionmaker, clock, settings)
    assert len(sink.messages) == 1
    async with transaction(sessionmaker) as s:
        unsent = await s.scalar(
            select(func.count())
            .select_from(Notification)
            .where(col(Notification.channel) == "email", col(Notification.sent_at).is_(None))
        )
    assert unsent == 0

    # Monday 08:00 the hand-over falls due: the team's inbox, and the handler by e-mail.
    clock.set(local(2026, 11, 30, 8, 0))
    await run_all_sweeps(sessionmaker, clock, settings)
    texts = [t for _, t in sink.messages]
    assert len(texts) >= 2
    assert all(ADULT_NAME not in t and PERSONAL_NUMBER not in t for t in texts)


async def test_no_email_without_smtp(sessionmaker: Any, settings: Settings, keyring: Any) -> None:
    world = await make_world(sessionmaker)
    handler: Actor = world.actor(world.handler)
    clock = FrozenClock(local(2026, 11, 24, 10, 0))
    case_id, _ = await open_case(sessionmaker, clock, keyring, world, handler, children=0)
    await place(sessionmaker, clock, settings, world, handler, case_id, [])
    clock.advance(timedelta(days=2))
    await run_all_sweeps(sessionmaker, clock, settings)
    notes = await _notifications(sessionmaker)
    assert notes and all(n.channel == "inbox" for n in notes)
