"""The due list as the pages group it: overdue, due today (Stockholm date), later within
the warning window; identical deadlines in one case shown once."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.cases.access import load_case
from placement.clock import Clock
from placement.config import Settings
from placement.decisions.due import due_items
from placement.decisions.schemas import DueItem
from placement.models import Case, District


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


PAGE_SIZE = 50
MAX_PAGE = 10_000
MAX_WHAT = 40


class DueQuery(BaseModel):
    """The due page's filters: a district (city-wide roles), what is due, the page."""

    model_config = ConfigDict(extra="forbid")

    district_id: uuid.UUID | None = None
    what: str = Field(default="", max_length=MAX_WHAT)
    page: int = Field(default=1, ge=1, le=MAX_PAGE)


@dataclass
class DuePage:
    groups: DueGroups  # this page's rows, grouped
    query: DueQuery
    total: int  # rows matching the filters
    page: int
    pages: int
    districts: list[tuple[uuid.UUID, str]]  # what the district filter offers (city-wide only)
    kinds: list[str]  # the kinds of thing due that the filter offers


async def due_view(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    query: DueQuery | None = None,
) -> DuePage:
    """What is due, filtered and paged (50 rows a page). Each case on the page is read once
    (audited); cases filtered out or on other pages are not."""
    query = query or DueQuery()
    hours = settings.decision_ending_warning_hours
    items = await due_items(session, clock, actor, within=timedelta(hours=hours), audit=False)
    kinds = sorted({i.what for i in items})
    if query.what:
        items = [i for i in items if i.what == query.what]
    if query.district_id is not None:
        ids = {i.case_id for i in items if i.case_id is not None}
        rows = await session.execute(
            select(Case.id).where(
                col(Case.id).in_(ids), col(Case.responsible_district_id) == query.district_id
            )
        )
        inside = set(rows.scalars())
        items = [i for i in items if i.case_id in inside]
    grouped = group_due(items, clock.now(), settings, hours)
    ordered = (
        [("overdue", r) for r in grouped.overdue]
        + [("today", r) for r in grouped.today]
        + [("later", r) for r in grouped.later]
    )
    pages = max(1, math.ceil(len(ordered) / PAGE_SIZE))
    page = min(query.page, pages)
    shown = ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    for case_id in sorted({r.item.case_id for _, r in shown if r.item.case_id is not None}):
        await load_case(session, clock, actor, case_id)  # one read (audited) per case shown
    districts: list[tuple[uuid.UUID, str]] = []
    if actor.district_id is None:
        found = await session.execute(
            select(District.id, District.name).order_by(col(District.name))
        )
        districts = [(i, n) for i, n in found.all()]
    return DuePage(
        groups=DueGroups(
            [r for g, r in shown if g == "overdue"],
            [r for g, r in shown if g == "today"],
            [r for g, r in shown if g == "later"],
            hours,
        ),
        query=query.model_copy(update={"page": page}),
        total=len(ordered),
        page=page,
        pages=pages,
        districts=districts,
        kinds=kinds,
    )
