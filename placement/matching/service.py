"""Matching use cases: proposals now, the joint plan, move-on; every run stored as data.

The optimizer only proposes. Accepting a proposal makes a hold (places kept for a while);
a person with authority then decides (placement.decisions). Overriding a hard rule needs a
stated reason, which is stored with the run and must be repeated on the decision.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

import optimizer as opt
from placement.audit.service import Audited, record, record_many
from placement.auth.actor import Actor
from placement.auth.scope import elevated
from placement.cases.access import load_case
from placement.clock import Clock
from placement.config import Settings
from placement.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from placement.inventory import bookings, holds
from placement.inventory.booking_schemas import ChildSpec, HoldCreate, HoldRead
from placement.matching import inventory_cache, loader, planner_view
from placement.models import Case, Child, OptimizationRun, PlacementRequest
from placement.models.enums import AuditAction, CasePhase, RequestStatus, Role
from placement.rulebook import PLACEMENT_RULES, Overrides, policy_for

OVERRIDABLE = frozenset(PLACEMENT_RULES)
# Post-acute households are looked at for move-on over this many nights of interim housing.
MOVE_ON_NIGHTS = 90


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


async def _store_run(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    mode: str,
    inputs: dict[str, Any],
    result: Any,
    *,
    status: str,
    objective: float | None = None,
    bound: float | None = None,
    gap: float | None = None,
    wall_time_s: float | None = None,
) -> OptimizationRun:
    run = OptimizationRun(
        mode=mode,
        created_at=clock.now(),
        created_by_id=actor.user_id,
        status=status,
        objective=objective,
        best_bound=bound,
        gap=gap,
        wall_time_ms=int(wall_time_s * 1000) if wall_time_s is not None else None,
        inputs=_jsonable(inputs),
        proposals=_jsonable(asdict(result)),
    )
    session.add(run)
    await session.flush()
    return run


async def _audit_inputs(
    session: AsyncSession, clock: Clock, actor: Actor, case_ids: list[uuid.UUID], mode: str
) -> None:
    """A plan reads every case it considers (needs, risk, areas): one audit entry each."""
    reason = f"matcher input ({mode})"
    await record_many(
        session,
        clock,
        actor,
        (Audited(AuditAction.read, "case", cid, case_id=cid, reason=reason) for cid in case_ids),
    )


async def load_request(
    session: AsyncSession, clock: Clock, actor: Actor, request_id: uuid.UUID
) -> tuple[PlacementRequest, Case]:
    request = await session.get(PlacementRequest, request_id)
    if request is None:
        raise NotFound("No such request for a place.", field="request_id")
    # Scope and audit: the case must be one the actor may see (404 otherwise).
    case, _ = await load_case(
        session,
        clock,
        actor,
        request.case_id,
        action=AuditAction.read,
        entity_type="placement_request",
        entity_id=request.id,
    )
    return request, case


async def propose_for_request(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    request_id: uuid.UUID,
    *,
    limit: int = 5,
    overridden_rules: frozenset[str] = frozenset(),
    override_reason: str | None = None,
) -> tuple[opt.NowResult, OptimizationRun]:
    unknown = overridden_rules - OVERRIDABLE
    if unknown:
        raise InvalidInput(
            N_("These rules cannot be overridden: {rules}."),
            field="overridden_rules",
            params={"rules": sorted(unknown)},
        )
    if overridden_rules and not (override_reason and override_reason.strip()):
        raise InvalidInput("Give a reason for overriding a rule.", field="override_reason")
    if not 1 <= limit <= 20:
        raise InvalidInput("Ask for between 1 and 20 proposals.", field="limit")
    request, case = await load_request(session, clock, actor, request_id)
    now = clock.now()
    start = max(request.starts_at, now)
    key = str(request.id)
    household = (
        await loader.households_for_cases(
            session,
            settings,
            now,
            [
                (
                    key,
                    case,
                    start,
                    request.nights,
                    request.requested_at,
                    request.requesting_district_id,
                )
            ],
            overridden={key: overridden_rules},
        )
    )[0]
    # The inventory's fixed facts from this instance's copy at the database's version; the
    # free capacity counted for this request's period (same result as load_units + propose_now).
    inv = await inventory_cache.prepared(session)
    free = await inventory_cache.capacity(
        session, inv, start, start + timedelta(days=request.nights), now
    )
    result = await asyncio.to_thread(
        opt.propose_now_table, household, inv.inventory, free, policy_for(settings), limit
    )
    run = await _store_run(
        session,
        clock,
        actor,
        "now",
        {
            "request_id": key,
            "units": inv.inventory.n,
            "overridden_rules": sorted(overridden_rules),
            "override_reason": override_reason,
        },
        result,
        status="proposals" if result.proposals else "nothing_fits",
    )
    return result, run


async def _all_open(
    session: AsyncSession, settings: Settings, now: Any
) -> tuple[list[opt.Household], list[tuple[PlacementRequest, Case]]]:
    pairs = await loader.open_requests(session)
    items = [
        (str(r.id), c, max(r.starts_at, now), r.nights, r.requested_at, r.requesting_district_id)
        for r, c in pairs
    ]
    return await loader.households_for_cases(session, settings, now, items), pairs


async def joint_plan(
    session: AsyncSession, clock: Clock, actor: Actor, settings: Settings
) -> tuple[opt.JointPlanResult, OptimizationRun]:
    """All open requests at once. The coordinator sees case numbers and proposals only:
    the personal data needed to match is read under the system scope and never returned."""
    now = clock.now()
    async with elevated(session, clock, actor, "joint plan: all open requests"):
        households, pairs = await _all_open(session, settings, now)
        if households:
            start, end = loader.window(
                [max(r.starts_at, now) for r, _ in pairs], [r.nights for r, _ in pairs]
            )
        else:
            start, end = now, now + timedelta(days=1)
        units = await loader.load_units(session, start, end, now)
        districts = await loader.load_districts(session)
    await _audit_inputs(session, clock, actor, [c.id for _, c in pairs], "joint_plan")
    result = await asyncio.to_thread(
        opt.plan_jointly,
        households,
        units,
        districts,
        policy_for(settings),
        settings.matcher_time_limit_s,
    )
    run = await _store_run(
        session,
        clock,
        actor,
        "joint",
        {
            "requests": [str(r.id) for r, _ in pairs],
            "case_numbers": {str(r.id): c.case_number for r, c in pairs},
            "units": len(units),
            "window": [start, end],
        },
        result,
        status=result.status,
        # The level that is not yet proven comes first: a fit gap says little while the
        # placed weight itself may still improve.
        objective=float(
            result.fit.objective if result.placed.gap == 0 else result.placed.objective
        ),
        bound=float(result.fit.bound if result.placed.gap == 0 else result.placed.bound),
        gap=result.gap,
        wall_time_s=result.wall_time_s,
    )
    return result, run


async def move_on(
    session: AsyncSession, clock: Clock, actor: Actor, settings: Settings
) -> tuple[opt.MoveOnResult, OptimizationRun]:
    """Post-acute households in protected shelters → free interim housing."""
    now = clock.now()
    async with elevated(session, clock, actor, "move-on: post-acute households"):
        cases = (
            (
                await session.execute(
                    select(Case)
                    .where(col(Case.phase) == CasePhase.post_acute, col(Case.status) == "open")
                    .order_by(col(Case.case_number))
                )
            )
            .scalars()
            .all()
        )
        items = [
            (str(c.id), c, now, MOVE_ON_NIGHTS, c.opened_at, c.responsible_district_id)
            for c in cases
        ]
        households = [
            h
            for h in await loader.households_for_cases(session, settings, now, items)
            if h.current_unit_id is not None
        ]
        resources = await loader.current_resources(
            session, [uuid.UUID(h.request_id) for h in households], now
        )
        units = await loader.load_units(session, now, now + timedelta(days=MOVE_ON_NIGHTS), now)
        districts = await loader.load_districts(session)
        numbers = {str(c.id): c.case_number for c in cases}
    await _audit_inputs(
        session, clock, actor, [uuid.UUID(h.request_id) for h in households], "move_on"
    )
    result = await asyncio.to_thread(
        opt.propose_move_on,
        households,
        units,
        districts,
        policy_for(settings),
        {str(k): v for k, v in resources.items()},
        settings.matcher_time_limit_s,
    )
    run = await _store_run(
        session,
        clock,
        actor,
        "move_on",
        {"cases": [h.request_id for h in households], "case_numbers": numbers, "units": len(units)},
        result,
        status="moves" if result.moves else "no_moves",
    )
    return result, run


async def get_run(session: AsyncSession, run_id: uuid.UUID) -> OptimizationRun:
    run = await session.get(OptimizationRun, run_id)
    if run is None:
        raise NotFound("No such matcher run.", field="run_id")
    return run


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A stored run as one reader may see it (detached: changing it changes nothing)."""

    id: uuid.UUID
    mode: str
    created_at: datetime
    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    wall_time_ms: int | None
    inputs: dict[str, Any]
    proposals: dict[str, Any]


async def read_run(session: AsyncSession, actor: Actor, run_id: uuid.UUID) -> RunRecord:
    """A run as someone may read it: a single household's run ("now": its language, size
    and distances) only for roles that read cases; a plan over many households to a reader
    who may not read the cases only as ``planner_view`` projects it."""
    run = await get_run(session, run_id)
    if run.mode == "now" and not planner_view.reads_cases(actor):
        raise Forbidden(
            "A single household's matcher run is shown only to those who may read the case."
        )
    return RunRecord(
        id=run.id,
        mode=run.mode,
        created_at=run.created_at,
        status=run.status,
        objective=run.objective,
        best_bound=run.best_bound,
        gap=run.gap,
        wall_time_ms=run.wall_time_ms,
        inputs=dict(run.inputs or {}),
        proposals=planner_view.visible_proposals(actor, run.mode, run.proposals),
    )


async def accept_assignment(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    run_id: uuid.UUID,
    request_id: uuid.UUID,
) -> HoldRead:
    """Accept one assignment of a joint plan: hold its places for the request."""
    run = await get_run(session, run_id)
    if run.mode != "joint" or not run.proposals:
        raise Conflict("Only a joint plan's assignments can be accepted here.")
    raw = run.proposals.get("assignments", [])
    assignments: list[Any] = raw if isinstance(raw, list) else []
    chosen = next(
        (a for a in assignments if isinstance(a, dict) and a.get("request_id") == str(request_id)),
        None,
    )
    if chosen is None or not chosen.get("unit_id"):
        raise Conflict("The plan has no place for this request.")
    return await hold_for_request(
        session, clock, actor, settings, request_id, uuid.UUID(str(chosen["unit_id"]))
    )


async def _hold_household(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    case: Case,
    unit_id: uuid.UUID,
    *,
    starts_at: Any,
    nights: int,
    requesting_district_id: uuid.UUID,
    request_id: uuid.UUID | None = None,
    overrides: Overrides | None = None,
    expected_arrival_at: datetime | None = None,
    callback_phone: str | None = None,
) -> HoldRead:
    """Hold places in a unit for the case's whole household: the adults and each child with
    the child's age on the first day. The rule book judges the hold (holds.create_hold); a
    near miss is held only with its broken rules overridden and a reason."""
    kids = (
        (await session.execute(select(Child).where(col(Child.case_id) == case.id))).scalars().all()
    )
    start_day = loader.local_date(starts_at, settings)
    spec = HoldCreate(
        unit_id=unit_id,
        adults=case.adults,
        children=[
            ChildSpec(age=loader.age_on(k.birth_date, start_day), gender=k.gender) for k in kids
        ],
        starts_at=starts_at,
        nights=nights,
        case_id=case.id,
        request_id=request_id,
        requesting_district_id=requesting_district_id,
        overridden_rules=list(overrides.rules) if overrides else [],
        override_reason=overrides.reason if overrides else None,
        expected_arrival_at=expected_arrival_at,
        callback_phone=callback_phone,
    )
    return await holds.create_hold(session, clock, settings, actor, spec)


async def hold_for_request(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    request_id: uuid.UUID,
    unit_id: uuid.UUID,
    overrides: Overrides | None = None,
    *,
    expected_arrival_at: datetime | None = None,
    callback_phone: str | None = None,
) -> HoldRead:
    """Hold places in a unit for a request's whole household (proposal accepted, or a near
    miss chosen with overrides)."""
    # The coordinator acts on the plan, not on the file: the request's household is read
    # beyond the coordinator's own scope (audited), nothing of it is returned.
    scope = (
        elevated(session, clock, actor, "joint plan: hold for a request")
        if actor.role == Role.coordinator
        else contextlib.nullcontext()
    )
    async with scope:
        request = await session.get(PlacementRequest, request_id)
        if request is None:
            raise NotFound("No such request for a place.", field="request_id")
        if request.status != RequestStatus.open:
            raise Conflict("This request is no longer waiting for a place.")
        case = await session.get(Case, request.case_id)
        if case is None:
            raise NotFound("No such request for a place.", field="request_id")
        hold = await _hold_household(
            session,
            clock,
            actor,
            settings,
            case,
            unit_id,
            starts_at=max(request.starts_at, clock.now()),
            nights=request.nights,
            requesting_district_id=request.requesting_district_id,
            request_id=request.id,
            overrides=overrides,
            expected_arrival_at=expected_arrival_at,
            callback_phone=callback_phone,
        )
        request.status = RequestStatus.held
        await session.flush()
    return hold


async def accept_move(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    run_id: uuid.UUID,
    case_id: uuid.UUID,
) -> HoldRead:
    """Accept one move-on proposal: hold the target unit for the case's whole household.

    With an open request for a place this is ``hold_for_request``; otherwise the hold is made
    from the case for the nights the move-on run looked at, the responsible district asking.
    The coordinator reads the case under the system scope (acting on the plan, not the file).
    """
    run = await get_run(session, run_id)
    raw = (run.proposals or {}).get("moves", []) if run.mode == "move_on" else []
    moves: list[Any] = raw if isinstance(raw, list) else []
    chosen = next(
        (m for m in moves if isinstance(m, dict) and m.get("request_id") == str(case_id)), None
    )
    if run.mode != "move_on":
        raise Conflict("Only a move-on run's proposals can be accepted here.")
    if chosen is None or not chosen.get("to_unit_id"):
        raise Conflict("The proposal has no move for this case.")
    unit_id = uuid.UUID(str(chosen["to_unit_id"]))
    async with elevated(session, clock, actor, "move-on: hold for a case"):
        request_id = await session.scalar(
            select(PlacementRequest.id)
            .where(
                col(PlacementRequest.case_id) == case_id,
                col(PlacementRequest.status) == RequestStatus.open,
            )
            .order_by(col(PlacementRequest.requested_at))
            .limit(1)
        )
        if request_id is not None:
            hold = await hold_for_request(session, clock, actor, settings, request_id, unit_id)
        else:
            case = await session.get(Case, case_id)
            if case is None:
                raise NotFound("No such case.", field="case_id")
            hold = await _hold_household(
                session,
                clock,
                actor,
                settings,
                case,
                unit_id,
                starts_at=clock.now(),
                nights=MOVE_ON_NIGHTS,
                requesting_district_id=case.responsible_district_id,
            )
    await record(
        session,
        clock,
        actor,
        AuditAction.create,
        "hold",
        hold.group_id,
        case_id=case_id,
        reason="move-on proposal accepted",
    )
    return hold


async def release_hold_for_request(
    session: AsyncSession, clock: Clock, actor: Actor, group_id: uuid.UUID
) -> uuid.UUID | None:
    """Release a hold; its request (if any) waits for a place again. Returns the request id."""
    rows = await bookings.group_bookings(session, group_id, lock=False)
    request_id = rows[0].request_id
    await holds.release_hold(session, clock, actor, group_id)
    if request_id is not None:
        request = await session.get(PlacementRequest, request_id)
        if request is not None and request.status == RequestStatus.held:
            request.status = RequestStatus.open
            await session.flush()
    return request_id
