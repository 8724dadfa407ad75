"""The due list as the pages group it: overdue, due today (Stockholm date), later within
the warning window; identical deadlines in one case shown once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from placement.auth.actor import Actor
from placement.clock import Clock
from placement.config import Settings
from placement.decisions.due import due_items
from placement.decisions.schemas import DueItem


@dataclass
class DueRow:
    """One line of the due list: identical items (the same deadline of the same kind in the
    same case, e.g. the decisions of the adult and each child) are shown once."""

    item: DueItem
    count: int = 1


@dataclass
class DueGroups:
    overdue: list[DueRow]
    today: list[DueRow]
    later: list[DueRow]
    hours: int

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.later)

    def lists(self, handover_id: uuid.UUID) -> bool:
        rows = self.overdue + self.today + self.later
        return any(r.item.subject_id == handover_id for r in rows)


def _rows(items: list[DueItem]) -> list[DueRow]:
    rows: dict[tuple[object, ...], DueRow] = {}
    for item in items:
        key: tuple[object, ...] = (item.kind, item.case_id, item.due_at, item.escalated)
        if item.case_id is None or item.kind.value == "handover_due":
            key = (item.subject_id,)
        if key in rows:
            rows[key].count += 1
        else:
            rows[key] = DueRow(item)
    return list(rows.values())


def group_due(items: list[DueItem], now: datetime, settings: Settings, hours: int) -> DueGroups:
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    zone = ZoneInfo(settings.timezone)
    rows = _rows(items)
    overdue = [r for r in rows if r.item.overdue]
    upcoming = [r for r in rows if not r.item.overdue]
    today_rows = [r for r in upcoming if r.item.due_at.astimezone(zone).date() == today]
    later = [r for r in upcoming if r.item.due_at.astimezone(zone).date() != today]
    return DueGroups(overdue, today_rows, later, hours)


async def due_view(
    session: AsyncSession, clock: Clock, settings: Settings, actor: Actor
) -> DueGroups:
    """The full due list (each case in it audited once, by the service)."""
    hours = settings.decision_ending_warning_hours
    items = await due_items(session, clock, actor, within=timedelta(hours=hours))
    return group_due(items, clock.now(), settings, hours)
