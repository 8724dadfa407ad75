"""Where each household lives now: the unit of the latest live decision and where the chain
of decisions ends (renewals included), or the decision that ran out unrenewed. Small
look-ups for the desk and case views; they never audit (the reads around them do)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.decisions.common import effective_end
from placement.models import Child, Decision, Unit
from placement.models.enums import DecisionStatus, UnitKind

LIVE = (DecisionStatus.active, DecisionStatus.superseded, DecisionStatus.lapsed)


@dataclass
class Placement:
    decision_id: uuid.UUID  # the latest active adult decision: what renew/move/end act on
    unit_name: str | None
    unit_kind: UnitKind
    ends_at: datetime  # where the chain of decisions ends (renewals included)
    expired: bool = False  # the decision ran out without being renewed or ended


async def current_placements(
    session: AsyncSession, case_ids: list[uuid.UUID], now: datetime
) -> dict[uuid.UUID, Placement]:
    """Per case: the unit the adult lives in now (or next) and where the decisions end; or,
    when the last decision ran out without renewal or ending, that decision (expired)."""
    if not case_ids:
        return {}
    rows = (
        await session.execute(
            select(Decision, Unit.name)
            .outerjoin(Unit, col(Unit.id) == col(Decision.unit_id))
            .where(
                col(Decision.case_id).in_(case_ids),
                col(Decision.child_id).is_(None),
                col(Decision.status).in_(LIVE),
            )
            .order_by(col(Decision.starts_at))
        )
    ).all()
    by_case: dict[uuid.UUID, list[tuple[Decision, str | None]]] = {}
    run_out: dict[uuid.UUID, tuple[Decision, str | None]] = {}
    for decision, name in rows:
        if decision.status == DecisionStatus.lapsed and decision.lapsed_at != decision.ends_at:
            continue  # a child's LPSB decision that lapsed: shown in the decision list
        if decision.status != DecisionStatus.lapsed and effective_end(decision) > now:
            by_case.setdefault(decision.case_id, []).append((decision, name))
        elif decision.status in (DecisionStatus.active, DecisionStatus.lapsed) and (
            decision.ended_at is None
        ):
            # Ran out unrenewed: the household lives on in the place without a valid
            # decision (the latest start wins).
            run_out[decision.case_id] = (decision, name)
    out: dict[uuid.UUID, Placement] = {}
    for case_id, (last, last_unit) in run_out.items():
        if case_id not in by_case:
            out[case_id] = Placement(last.id, last_unit, last.measure, last.ends_at, True)
    for case_id, chain in by_case.items():
        started = [pair for pair in chain if pair[0].starts_at <= now]
        current, current_unit = started[-1] if started else chain[0]
        active = [d for d, _ in chain if d.status == DecisionStatus.active]
        target = max(active, key=lambda d: d.ends_at) if active else current
        out[case_id] = Placement(
            decision_id=target.id,
            unit_name=current_unit,
            unit_kind=current.measure,
            ends_at=max(effective_end(d) for d, _ in chain),
        )
    return out


async def children_counts(session: AsyncSession, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not case_ids:
        return {}
    rows = await session.execute(
        select(Child.case_id, func.count())
        .where(col(Child.case_id).in_(case_ids))
        .group_by(col(Child.case_id))
    )
    return {case_id: int(n) for case_id, n in rows.all()}
