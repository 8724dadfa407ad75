"""The household's current risk: the highest level among the assessments in force.

An assessment stays in force until someone supersedes it on purpose, with a reason. A later
FREDA "low" does not cancel an earlier PATRIARK "high": both are in force and the high one
decides the protection need. "Not yet assessed, treat as high" is an assessment of its own
(instrument ``not_assessed``, always level high), so a household can be placed at night
before anyone has assessed it, and it shows as what it is.

Every reader of the current risk (the rule book, the matcher's loader, the case read and
the case list) goes through this module.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.errors import N_, Conflict, InvalidInput, NotFound
from placement.models import Case, RiskAssessment
from placement.models.enums import RiskInstrument, RiskLevel

RANK: dict[RiskLevel, int] = {RiskLevel.low: 1, RiskLevel.medium: 2, RiskLevel.high: 3}

NOT_ASSESSED = N_(
    "The household has no risk assessment in force. Record an assessment, or record "
    "'not yet assessed, treat as high', before placing."
)


def highest(levels: Sequence[RiskLevel | str]) -> RiskLevel | None:
    return max((RiskLevel(v) for v in levels), key=RANK.__getitem__, default=None)


def in_force() -> sa.ColumnElement[bool]:
    return col(RiskAssessment.superseded_at).is_(None)


async def levels_in_force(
    session: AsyncSession, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, RiskLevel]:
    """Each case's current risk level; a case with no assessment in force is absent."""
    if not case_ids:
        return {}
    rows = (
        await session.execute(
            select(RiskAssessment.case_id, RiskAssessment.level).where(
                col(RiskAssessment.case_id).in_(list(case_ids)), in_force()
            )
        )
    ).all()
    by_case: dict[uuid.UUID, list[RiskLevel]] = {}
    for case_id, level in rows:
        by_case.setdefault(case_id, []).append(RiskLevel(level))
    out: dict[uuid.UUID, RiskLevel] = {}
    for case_id, levels in by_case.items():
        top = highest(levels)
        if top is not None:
            out[case_id] = top
    return out


async def current_level(session: AsyncSession, case_id: uuid.UUID) -> RiskLevel | None:
    return (await levels_in_force(session, [case_id])).get(case_id)


def current_level_subquery() -> sa.ScalarSelect[str]:
    """The current level as a correlated subquery on Case (for lists)."""
    rank = sa.case(
        (col(RiskAssessment.level) == RiskLevel.high.value, 3),
        (col(RiskAssessment.level) == RiskLevel.medium.value, 2),
        else_=1,
    )
    return (
        select(RiskAssessment.level)
        .where(col(RiskAssessment.case_id) == col(Case.id), in_force())
        .order_by(rank.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )


def check_new(instrument: RiskInstrument, level: RiskLevel) -> None:
    if instrument == RiskInstrument.not_assessed and level != RiskLevel.high:
        raise InvalidInput("'Not yet assessed' always counts as high risk.", field="level")


def honour_without_patriark(honour_context: bool, assessments: Sequence[RiskAssessment]) -> bool:
    """An honour case should be assessed with PATRIARK: flag it when no such assessment is
    in force."""
    return honour_context and not any(
        a.instrument == RiskInstrument.patriark and a.superseded_at is None for a in assessments
    )


async def supersede(
    session: AsyncSession,
    case_id: uuid.UUID,
    assessment_id: uuid.UUID,
    *,
    reason: str,
    user_id: uuid.UUID | None,
    now: datetime,
) -> RiskAssessment:
    if not reason.strip():
        raise InvalidInput("Give the reason why the assessment no longer applies.", field="reason")
    row = await session.scalar(
        select(RiskAssessment)
        .where(col(RiskAssessment.id) == assessment_id, col(RiskAssessment.case_id) == case_id)
        .with_for_update()
    )
    if row is None:
        raise NotFound("No such risk assessment in this case.", field="assessment_id")
    if row.superseded_at is not None:
        raise Conflict("The assessment has already been superseded.", field="assessment_id")
    row.superseded_at = now
    row.superseded_by_id = user_id
    row.superseded_reason = reason.strip()
    await session.flush()
    return row


def intake_assessment(
    choice: str, honour_context: bool, instrument: str | None = None
) -> tuple[RiskInstrument, RiskLevel]:
    """What a quick intake (the night form) records: the level the officer chose with the
    instrument the officer chose (FREDA or PATRIARK); without a choice, PATRIARK in an honour
    context and FREDA otherwise; or "not yet assessed", which counts as high until someone
    assesses the household."""
    if choice == RiskInstrument.not_assessed.value:
        return RiskInstrument.not_assessed, RiskLevel.high
    level = RiskLevel(choice)
    if instrument in (RiskInstrument.freda.value, RiskInstrument.patriark.value):
        return RiskInstrument(instrument), level
    return (RiskInstrument.patriark if honour_context else RiskInstrument.freda), level
