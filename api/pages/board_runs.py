"""The board's matcher runs as view-models, and accepting a move-on proposal (page helpers).

A run is read back from its stored ``OptimizationRun`` (inputs and proposals as JSON), so a
plan can be reviewed after the redirect and by another coordinator. The coordinator sees
case numbers, unit names and reasons only; the household details the matcher used are never
returned to the page.

No module-level ``router``: this is not a page.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

import optimizer as opt
from placement.auth.actor import Actor
from placement.clock import Clock
from placement.errors import Forbidden, NotFound
from placement.matching.service import RunRecord, read_run
from placement.matching.still_free import Verdict, Wanted, judge
from placement.models import Booking, Unit
from placement.models.enums import BookingKind, BookingStatus


@dataclass(frozen=True)
class Text:
    """Words in both languages; the template picks by ``locale``."""

    sv: str
    en: str


@dataclass
class AssignmentView:
    key: str  # the request id (joint plan) or the case id (move-on): the accept target
    case_number: str
    unit_name: str | None = None
    from_unit_name: str | None = None
    resource: Text | None = None
    frees: Text | None = None
    score: int | None = None
    reasons: list[Text] = field(default_factory=list)
    held_until: datetime | None = None
    placed: bool = False
    wanted: Wanted | None = None  # what the proposal takes, to judge it against now
    verdict: str = Verdict.free.value  # still_free.Verdict: free, taken, shared


@dataclass
class RunView:
    id: uuid.UUID
    mode: str  # "joint" or "move_on"
    created_at: datetime
    status: str  # the solver's status name (OPTIMAL, FEASIBLE, ...) or "" when none ran
    gap: float | None
    wall_time_ms: int | None
    total: int  # requests (joint) or eligible households (move-on) looked at
    proposals: list[AssignmentView] = field(default_factory=list)
    not_placed: list[AssignmentView] = field(default_factory=list)
    not_eligible: list[AssignmentView] = field(default_factory=list)
    problems: list[Text] = field(default_factory=list)
    freed_places: int = 0
    freed_family_rooms: int = 0

    @property
    def gap_percent(self) -> str | None:
        return None if self.gap is None else f"{self.gap * 100:.1f}"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _reasons(raw: Any) -> list[Text]:
    """The reasons in words; the places used are shown beside the unit already."""
    return [
        Text(str(r.get("text_sv", "")), str(r.get("text_en", "")))
        for r in _list(raw)
        if isinstance(r, dict) and r.get("code") != "resource"
    ]


def _wanted(unit_id: Any, raw: Any) -> Wanted | None:
    data = _dict(raw)
    try:
        return Wanted(
            uuid.UUID(str(unit_id)),
            str(data.get("kind", "places")),
            int(data.get("persons", 1)),
        )
    except ValueError:
        return None


async def check_proposals(session: AsyncSession, clock: Clock, *runs: RunView | None) -> None:
    """Mark each open proposal of the runs shown as still free, taken since the plan was
    made, or shared with another open proposal (the joint plan against the move-on plan)."""
    open_items = [
        a
        for run in runs
        if run is not None
        for a in run.proposals
        if a.wanted is not None and a.held_until is None and not a.placed
    ]
    verdicts = await judge(session, clock.now(), [a.wanted for a in open_items if a.wanted])
    for item, verdict in zip(open_items, verdicts, strict=True):
        item.verdict = verdict.value


def _resource(raw: Any) -> Text | None:
    data = _dict(raw)
    if not data:
        return None
    res = opt.Resource(kind=str(data.get("kind", "places")), persons=int(data.get("persons", 1)))
    return Text(res.text_sv, res.text_en)


async def _unit_names(session: AsyncSession, ids: set[str]) -> dict[str, str]:
    uuids = []
    for i in ids:
        try:
            uuids.append(uuid.UUID(i))
        except ValueError:
            continue
    if not uuids:
        return {}
    rows = (await session.execute(select(Unit.id, Unit.name).where(col(Unit.id).in_(uuids)))).all()
    return {str(uid): name for uid, name in rows}


async def _holds_by(
    session: AsyncSession,
    now: datetime,
    *,
    request_ids: Sequence[str] = (),
    case_ids: Sequence[str] = (),
) -> list[Booking]:
    """Active holds (not run out) and placements made for these requests or cases."""
    cond: list[ColumnElement[bool]] = []
    if request_ids:
        cond.append(col(Booking.request_id).in_([uuid.UUID(i) for i in request_ids]))
    if case_ids:
        cond.append(col(Booking.case_id).in_([uuid.UUID(i) for i in case_ids]))
    if not cond:
        return []
    stmt = select(Booking).where(
        or_(*cond),
        col(Booking.status) == BookingStatus.active,
        col(Booking.kind).in_([BookingKind.hold, BookingKind.placement]),
        (col(Booking.kind) != BookingKind.hold) | (col(Booking.expires_at) > now),
    )
    return list((await session.execute(stmt)).scalars().all())


def _ids(values: list[str]) -> list[str]:
    out = []
    for v in values:
        try:
            uuid.UUID(v)
        except ValueError:
            continue
        out.append(v)
    return out


def _tagged(problems: Any, numbers: dict[str, str]) -> list[Text]:
    """Input problems name the request by id: show its case number instead."""
    out = []
    for p in _list(problems):
        if not isinstance(p, dict):
            continue
        sv, en = str(p.get("text_sv", "")), str(p.get("text_en", ""))
        for key, number in numbers.items():
            sv, en = sv.replace(key, number), en.replace(key, number)
        out.append(Text(sv, en))
    return out


async def joint_view(session: AsyncSession, clock: Clock, run: RunRecord) -> RunView:
    proposals = _dict(run.proposals)
    numbers = {str(k): str(v) for k, v in _dict(_dict(run.inputs).get("case_numbers")).items()}
    assignments = [a for a in _list(proposals.get("assignments")) if isinstance(a, dict)]
    names = await _unit_names(session, {str(a["unit_id"]) for a in assignments if a.get("unit_id")})
    keys = _ids([str(a.get("request_id", "")) for a in assignments])
    held: dict[str, Booking] = {}
    for b in await _holds_by(session, clock.now(), request_ids=keys):
        held[str(b.request_id)] = b
    view = RunView(
        id=run.id,
        mode=run.mode,
        created_at=run.created_at,
        status=str(proposals.get("status", run.status)),
        gap=run.gap,
        wall_time_ms=run.wall_time_ms,
        total=len(assignments),
        problems=_tagged(proposals.get("problems"), numbers),
    )
    for a in assignments:
        key = str(a.get("request_id", ""))
        item = AssignmentView(
            key=key,
            case_number=numbers.get(key, "–"),
            reasons=_reasons(a.get("reasons")),
        )
        if a.get("unit_id"):
            item.unit_name = names.get(str(a["unit_id"]), "–")
            item.resource = _resource(a.get("resource"))
            item.wanted = _wanted(a["unit_id"], a.get("resource"))
            item.score = a.get("score")
            booking = held.get(key)
            if booking is not None:
                item.placed = booking.kind == BookingKind.placement
                item.held_until = booking.expires_at
            view.proposals.append(item)
        else:
            view.not_placed.append(item)
    return view


async def move_on_view(session: AsyncSession, clock: Clock, run: RunRecord) -> RunView:
    proposals = _dict(run.proposals)
    numbers = {str(k): str(v) for k, v in _dict(_dict(run.inputs).get("case_numbers")).items()}
    moves = [m for m in _list(proposals.get("moves")) if isinstance(m, dict)]
    plan = _dict(proposals.get("plan"))
    names = await _unit_names(
        session,
        {str(m.get("to_unit_id")) for m in moves} | {str(m.get("from_unit_id")) for m in moves},
    )
    keys = _ids([str(m.get("request_id", "")) for m in moves])
    held: dict[tuple[str, str], Booking] = {}
    for b in await _holds_by(session, clock.now(), case_ids=keys):
        if b.kind == BookingKind.hold:
            held[(str(b.case_id), str(b.unit_id))] = b
    not_moved = [a for a in _list(proposals.get("not_moved")) if isinstance(a, dict)]
    view = RunView(
        id=run.id,
        mode=run.mode,
        created_at=run.created_at,
        status=str(plan.get("status", "")),
        gap=_dict(plan.get("fit")).get("gap") if plan else None,
        wall_time_ms=int(float(plan["wall_time_s"]) * 1000) if plan.get("wall_time_s") else None,
        total=len(moves) + len(not_moved),
        problems=_tagged(proposals.get("problems"), numbers),
        freed_places=int(proposals.get("freed_acute_places") or 0),
        freed_family_rooms=int(proposals.get("freed_acute_family_rooms") or 0),
    )
    for m in moves:
        key = str(m.get("request_id", ""))
        booking = held.get((key, str(m.get("to_unit_id"))))
        view.proposals.append(
            AssignmentView(
                key=key,
                case_number=numbers.get(key, "–"),
                unit_name=names.get(str(m.get("to_unit_id")), "–"),
                from_unit_name=names.get(str(m.get("from_unit_id")), "–"),
                resource=_resource(m.get("resource")),
                frees=_resource(m.get("frees_acute")),
                score=m.get("score"),
                reasons=_reasons(m.get("reasons")),
                held_until=booking.expires_at if booking else None,
                wanted=_wanted(m.get("to_unit_id"), m.get("resource")),
            )
        )
    for a in not_moved:
        key = str(a.get("request_id", ""))
        view.not_placed.append(
            AssignmentView(
                key=key, case_number=numbers.get(key, "–"), reasons=_reasons(a.get("reasons"))
            )
        )
    for pair in _list(proposals.get("not_eligible")):
        if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[1], dict):
            key = str(pair[0])
            view.not_eligible.append(
                AssignmentView(
                    key=key, case_number=numbers.get(key, "–"), reasons=_reasons([pair[1]])
                )
            )
    return view


async def load_run_view(
    session: AsyncSession, clock: Clock, actor: Actor, raw_id: str | None, mode: str
) -> RunView | None:
    """The run named in the page's address, if it is one of this mode (else nothing), as
    this reader may see it (``planner_view``: the plan, not the files)."""
    if not raw_id:
        return None
    try:
        run = await read_run(session, actor, uuid.UUID(raw_id))
    except (ValueError, NotFound, Forbidden):
        return None
    if run.mode != mode:
        return None
    return await (joint_view if mode == "joint" else move_on_view)(session, clock, run)
