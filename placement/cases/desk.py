"""The day desk's view-model: the actor's cases (an RVT officer's district, Socialjouren's
whole city) with filters (district, status, what is due, risk, kind of unit), a sort order
and pages of 50, and what is due among the cases the filters keep. One call per page, scoped
by ``case_scope`` and audited here: each case shown (on this page of the listing or in the
due section) is one read."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.cases import risk as risk_book
from placement.cases.access import audit_cases, case_scope, require_case_role
from placement.cases.placements import Placement, children_counts, current_placements
from placement.cases.schemas import CaseSummary
from placement.cases.service import _summary
from placement.clock import Clock
from placement.config import Settings
from placement.decisions.due import due_items
from placement.decisions.due_view import DueGroups, group_due
from placement.decisions.schemas import DueItem
from placement.models import Case, District, Person
from placement.models.enums import CaseStatus, RiskLevel, UnitKind

PAGE_SIZE = 50
Sort = Literal["urgency", "number", "opened", "ends"]
DueFilter = Literal["", "overdue", "today", "soon", "nothing"]
StatusFilter = Literal["open", "closed", "all"]
RiskFilter = Literal["", "low", "medium", "high", "none"]
KindFilter = UnitKind | Literal["", "none"]
MAX_PAGE = 10_000


class DeskQuery(BaseModel):
    """What the officer asked for (the desk's filter form; every field optional)."""

    model_config = ConfigDict(extra="forbid")

    district_id: uuid.UUID | None = None
    status: StatusFilter = "open"
    due: DueFilter = ""
    risk: RiskFilter = ""
    kind: KindFilter = ""
    sort: Sort = "urgency"
    page: int = Field(default=1, ge=1, le=MAX_PAGE)


@dataclass
class DeskCase:
    summary: CaseSummary
    placement: Placement | None
    children: int
    next_due: DueItem | None


@dataclass
class DeskView:
    district_name: str | None  # the officer's own district (None: city-wide)
    districts: list[tuple[uuid.UUID, str]]  # what the district filter offers (city-wide only)
    query: DeskQuery
    cases: list[DeskCase]  # this page
    total: int  # cases matching the filters
    page: int
    pages: int
    due: DueGroups

    @property
    def first(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return min(self.page * PAGE_SIZE, self.total)


async def _districts(session: AsyncSession) -> list[tuple[uuid.UUID, str]]:
    rows = await session.execute(select(District.id, District.name).order_by(col(District.name)))
    return [(i, n) for i, n in rows.all()]


def _due_matches(want: DueFilter, due: DueItem | None, now: datetime, zone: ZoneInfo) -> bool:
    if want == "":
        return True
    if want == "nothing":
        return due is None
    if due is None:
        return False
    if want == "overdue":
        return due.overdue
    if want == "today":
        return due.overdue or due.due_at.astimezone(zone).date() == now.astimezone(zone).date()
    return True  # "soon": anything due within the warning window


async def desk_view(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    query: DeskQuery | None = None,
) -> DeskView:
    require_case_role(actor)
    query = query or DeskQuery()
    now = clock.now()
    zone = ZoneInfo(settings.timezone)
    hours = settings.decision_ending_warning_hours
    latest_risk = risk_book.current_level_subquery()
    stmt = (
        select(Case, Person, latest_risk)
        .join(Person, col(Person.id) == col(Case.person_id))
        .where(case_scope(actor))
    )
    if query.status != "all":
        stmt = stmt.where(col(Case.status) == CaseStatus(query.status))
    if query.district_id is not None:
        stmt = stmt.where(col(Case.responsible_district_id) == query.district_id)
    rows = (await session.execute(stmt)).all()
    by_id = {case.id: (case, person) for case, person, _ in rows}
    summaries = [_summary(c, p, None if r is None else RiskLevel(r)) for c, p, r in rows]
    items = await due_items(session, clock, actor, within=timedelta(hours=hours), audit=False)
    placements = await current_placements(session, list(by_id), now)
    first_due: dict[uuid.UUID, DueItem] = {}
    for item in items:  # most urgent first
        if item.case_id is not None and item.case_id not in first_due:
            first_due[item.case_id] = item

    def keep(s: CaseSummary) -> bool:
        if query.risk == "none" and s.current_risk_level is not None:
            return False
        if query.risk not in ("", "none") and (
            s.current_risk_level is None or s.current_risk_level.value != query.risk
        ):
            return False
        placement = placements.get(s.id)
        if query.kind == "none" and placement is not None:
            return False
        if query.kind not in ("", "none") and (
            placement is None or placement.unit_kind != query.kind
        ):
            return False
        return _due_matches(query.due, first_due.get(s.id), now, zone)

    chosen = [s for s in summaries if keep(s)]
    far = datetime.max.replace(tzinfo=now.tzinfo)

    def urgency(s: CaseSummary) -> tuple[int, datetime, datetime, str]:
        due, placement = first_due.get(s.id), placements.get(s.id)
        rank = 2 if due is None else (0 if due.overdue else 1)
        return (
            rank,
            due.due_at if due else far,
            placement.ends_at if placement else far,
            s.case_number,
        )

    if query.sort == "number":
        chosen.sort(key=lambda s: s.case_number)
    elif query.sort == "opened":
        chosen.sort(key=lambda s: (s.opened_at, s.case_number), reverse=True)
    elif query.sort == "ends":
        chosen.sort(
            key=lambda s: (
                placements[s.id].ends_at if s.id in placements else far,
                s.case_number,
            )
        )
    else:
        chosen.sort(key=urgency)
    pages = max(1, math.ceil(len(chosen) / PAGE_SIZE))
    page = min(query.page, pages)
    shown = chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ids = [s.id for s in shown]
    counts = await children_counts(session, ids)
    # The due section honours the same filters: the items of the cases that match them (on
    # any page), and of those only what the "what is due" filter asks for.
    matching = {s.id for s in chosen}
    due_shown = [
        i for i in items if i.case_id in matching and _due_matches(query.due, i, now, zone)
    ]
    # Each case shown is read once: this page's cases and the due section's.
    seen = set(ids) | {i.case_id for i in due_shown if i.case_id is not None}
    await audit_cases(session, clock, actor, (by_id[i] for i in sorted(seen)))
    own = None
    if actor.district_id is not None:
        district = await session.get(District, actor.district_id)
        own = None if district is None else district.name
    return DeskView(
        district_name=own,
        districts=[] if actor.district_id is not None else await _districts(session),
        query=query.model_copy(update={"page": page}),
        cases=[
            DeskCase(s, placements.get(s.id), counts.get(s.id, 0), first_due.get(s.id))
            for s in shown
        ],
        total=len(chosen),
        page=page,
        pages=pages,
        due=group_due(due_shown, now, settings, hours),
    )
