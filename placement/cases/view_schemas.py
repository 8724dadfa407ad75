"""The JSON shapes of the case, desk and due views: built from the domain's view-models
(``case_view``, ``desk``, ``due_view``) field by field, so the JSON API offers exactly what
the pages show. Identities are never part of them (a reveal is its own request)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel

from placement.cases.case_view import CaseView
from placement.cases.desk import PAGE_SIZE as DESK_PAGE_SIZE
from placement.cases.desk import DeskQuery, DeskView
from placement.cases.placements import Placement
from placement.cases.referrals import ReferralRead
from placement.cases.schemas import CaseRead, CaseSummary
from placement.decisions.common import follow_up_read, handover_read
from placement.decisions.due_view import PAGE_SIZE as DUE_PAGE_SIZE
from placement.decisions.due_view import DueGroups, DuePage, DueQuery, DueRow
from placement.decisions.schemas import DecisionRead, DueItem, FollowUpRead, HandoverRead
from placement.inventory.booking_schemas import AvailableUnit
from placement.models.enums import UnitKind
from placement.referrals.stays import CaseStay


class PlacementRead(BaseModel):
    decision_id: uuid.UUID
    unit_name: str | None
    unit_kind: UnitKind
    ends_at: datetime
    expired: bool


def placement_read(p: Placement | None) -> PlacementRead | None:
    if p is None:
        return None
    return PlacementRead(
        decision_id=p.decision_id,
        unit_name=p.unit_name,
        unit_kind=p.unit_kind,
        ends_at=p.ends_at,
        expired=p.expired,
    )


class DistrictChoice(BaseModel):
    id: uuid.UUID
    name: str


# --- the case view -----------------------------------------------------------------------


class AreaRead(BaseModel):
    district_name: str
    kind: str


class DecisionRowRead(BaseModel):
    decision: DecisionRead
    person: str | None  # None: the adult; else the child's pseudonym
    unit_name: str | None
    court_pending: bool
    ran_out: bool


class RenewalScopeRead(BaseModel):
    persons: list[str]  # "" for the adult, else the child's pseudonym
    unit_name: str | None
    starts_at: datetime
    ends_at: datetime
    new_decision: bool


class StayRead(BaseModel):
    unit_name: str
    arrived_at: datetime | None
    did_not_come_at: datetime | None
    safety_plan_in_on: date | None
    safety_plan_out_on: date | None


def stay_read(s: CaseStay | None) -> StayRead | None:
    if s is None:
        return None
    return StayRead(
        unit_name=s.unit_name,
        arrived_at=s.arrived_at,
        did_not_come_at=s.did_not_come_at,
        safety_plan_in_on=s.safety_plan_in_on,
        safety_plan_out_on=s.safety_plan_out_on,
    )


class CaseViewRead(BaseModel):
    case: CaseRead
    adult_age: int
    district_name: str | None
    areas: list[AreaRead]
    decisions: list[DecisionRowRead]
    follow_ups: list[FollowUpRead]
    handovers: list[HandoverRead]
    placement: PlacementRead | None
    renew_until: datetime | None
    can_renew: bool
    end_default: date
    decision_days: int
    candidates: list[AvailableUnit]  # where the household may move now
    today: date
    referrals: list[ReferralRead]
    renewal: RenewalScopeRead | None
    arrival: StayRead | None

    @classmethod
    def of(cls, v: CaseView) -> CaseViewRead:
        return cls(
            case=v.case,
            adult_age=v.adult_age,
            district_name=v.district_name,
            areas=[AreaRead(district_name=n, kind=k) for n, k in v.areas],
            decisions=[
                DecisionRowRead(
                    decision=r.decision,
                    person=r.person,
                    unit_name=r.unit_name,
                    court_pending=r.court_pending,
                    ran_out=r.ran_out,
                )
                for r in v.decisions
            ],
            follow_ups=[follow_up_read(f) for f in v.follow_ups],
            handovers=[handover_read(h, v.case.case_number) for h in v.handovers],
            placement=placement_read(v.placement),
            renew_until=v.renew_until,
            can_renew=v.can_renew,
            end_default=v.end_default,
            decision_days=v.decision_days,
            candidates=v.candidates,
            today=v.today,
            referrals=v.referrals,
            renewal=None
            if v.renewal is None
            else RenewalScopeRead(
                persons=v.renewal.persons,
                unit_name=v.renewal.unit_name,
                starts_at=v.renewal.starts_at,
                ends_at=v.renewal.ends_at,
                new_decision=v.renewal.new_decision,
            ),
            arrival=stay_read(v.arrival),
        )


# --- what is due -------------------------------------------------------------------------


class DueRowRead(BaseModel):
    item: DueItem
    count: int  # identical items (the adult's and each child's decision) shown once


class DueGroupsRead(BaseModel):
    overdue: list[DueRowRead]
    today: list[DueRowRead]
    later: list[DueRowRead]
    hours: int  # the warning window

    @classmethod
    def of(cls, g: DueGroups) -> DueGroupsRead:
        def rows(group: list[DueRow]) -> list[DueRowRead]:
            return [DueRowRead(item=r.item, count=r.count) for r in group]

        return cls(
            overdue=rows(g.overdue),
            today=rows(g.today),
            later=rows(g.later),
            hours=g.hours,
        )


class DuePageRead(BaseModel):
    groups: DueGroupsRead  # this page's rows, grouped
    query: DueQuery
    total: int
    page: int
    pages: int
    page_size: int
    districts: list[DistrictChoice]
    kinds: list[str]

    @classmethod
    def of(cls, v: DuePage) -> DuePageRead:
        return cls(
            groups=DueGroupsRead.of(v.groups),
            query=v.query,
            total=v.total,
            page=v.page,
            pages=v.pages,
            page_size=DUE_PAGE_SIZE,
            districts=[DistrictChoice(id=i, name=n) for i, n in v.districts],
            kinds=v.kinds,
        )


# --- the desk ----------------------------------------------------------------------------


class DeskCaseRead(BaseModel):
    summary: CaseSummary
    placement: PlacementRead | None
    children: int
    next_due: DueItem | None


class DeskViewRead(BaseModel):
    district_name: str | None
    districts: list[DistrictChoice]
    query: DeskQuery
    cases: list[DeskCaseRead]  # this page
    total: int
    page: int
    pages: int
    page_size: int
    due: DueGroupsRead

    @classmethod
    def of(cls, v: DeskView) -> DeskViewRead:
        return cls(
            district_name=v.district_name,
            districts=[DistrictChoice(id=i, name=n) for i, n in v.districts],
            query=v.query,
            cases=[
                DeskCaseRead(
                    summary=c.summary,
                    placement=placement_read(c.placement),
                    children=c.children,
                    next_due=c.next_due,
                )
                for c in v.cases
            ],
            total=v.total,
            page=v.page,
            pages=v.pages,
            page_size=DESK_PAGE_SIZE,
            due=DueGroupsRead.of(v.due),
        )
