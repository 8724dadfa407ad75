"""The menu's lean count (columns only) against the full due list, over a seeded mix of
follow-ups, decisions ending and run out, hand-overs and court deadlines: the same rows, and
the same count as the one the menu computed from ``due_items`` before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from placement.clock import FrozenClock
from placement.config import Settings
from placement.db import transaction
from placement.decisions.due import due_items, due_rows
from placement.models import Place
from placement.models.enums import PlaceKind, ReminderKind
from placement.navigation import count_deadlines, due_today_count
from tests.decisions.factories import make_world, open_case, place

STHLM = ZoneInfo("Europe/Stockholm")


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STHLM).astimezone(UTC)


def old_count(items: list[Any]) -> int:
    """The menu's count as it was computed from the full due items."""
    return len(
        {
            (i.subject_id,)
            if i.case_id is None or i.kind.value == "handover_due"
            else (i.kind, i.case_id, i.due_at, i.escalated)
            for i in items
        }
    )


async def test_lean_rows_and_count_match_the_due_list(
    sessionmaker: Any, settings: Settings, keyring: Any
) -> None:
    world = await make_world(sessionmaker)
    async with transaction(sessionmaker) as s:  # room for all the households in one unit
        for n in range(2, 6):
            s.add(
                Place(
                    unit_id=world.shelter.id, label=f"F{n}", kind=PlaceKind.family_room, capacity=4
                )
            )
            s.add(Place(unit_id=world.shelter.id, label=f"P{n}", kind=PlaceKind.place, capacity=1))
    night, handler = world.actor(world.night), world.actor(world.handler)
    other = world.actor(world.other_rvt)
    clock = FrozenClock(local(2026, 11, 24, 22, 0))  # Tuesday night: hand-overs
    for children in (0, 2, 3):  # LPSB children: court deadlines, one decision each
        case_id, kids = await open_case(
            sessionmaker, clock, keyring, world, night, children=children
        )
        await place(sessionmaker, clock, settings, world, night, case_id, kids)
    clock.set(local(2026, 11, 25, 10, 0))  # office hours: the district's own placements
    for children in (0, 2):
        case_id, kids = await open_case(
            sessionmaker, clock, keyring, world, handler, children=children
        )
        await place(sessionmaker, clock, settings, world, handler, case_id, kids)

    kinds: set[ReminderKind] = set()
    for at in (
        local(2026, 11, 25, 9, 0),
        local(2026, 11, 26, 7, 0),
        local(2026, 12, 2, 12, 0),
        local(2026, 12, 9, 12, 0),  # decisions run out
        local(2027, 1, 20, 12, 0),
    ):
        clock.set(at)
        for actor in (night, handler, other):
            for within in (timedelta(hours=1), timedelta(hours=48), timedelta(days=30)):
                for mine in (False, True):
                    async with transaction(sessionmaker) as s:
                        items = await due_items(
                            s, clock, actor, within=within, mine=mine, audit=False
                        )
                        rows = await due_rows(s, clock, actor, within=within, mine=mine)
                    assert sorted(
                        (r.kind, r.escalated, r.case_id, r.subject_id, r.due_at) for r in rows
                    ) == sorted(
                        (i.kind, i.escalated, i.case_id, i.subject_id, i.due_at) for i in items
                    )
                    assert count_deadlines(rows) == old_count(items)
                    kinds |= {r.kind for r in rows}
            async with transaction(sessionmaker) as s:
                today = await due_today_count(s, clock, settings, actor)
            assert today >= 0
    # The mix covered every kind of due item, and the dedup collapsed something (several
    # children's decisions share a case and an end).
    assert kinds >= {
        ReminderKind.follow_up_overdue,
        ReminderKind.decision_ending,
        ReminderKind.decision_expired,
        ReminderKind.handover_due,
        ReminderKind.court_deadline,
    }
    clock.set(local(2026, 12, 9, 12, 0))
    async with transaction(sessionmaker) as s:
        items = await due_items(s, clock, night, within=timedelta(days=30), audit=False)
    assert old_count(items) < len(items)
