"""The priority criterion itself: strong medical or social needs or extremely urgent
circumstances (starka medicinska eller sociala behov eller ytterst trängande omständigheter,
Stockholm city audit 2024). Unlike the eligibility checks, it is the housing agency's own
assessment, so it is never set aside: the agency records it as met or not met with a reason,
may assess it again while it reviews the application (the latest assessment counts, the
earlier ones are kept), and the application can be approved, or watched after the committee's
decision, only once it is assessed as met (``steps.blockers``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.clock import Clock
from placement.errors import N_, Conflict, Forbidden, InvalidInput
from placement.models.enums import AuditAction, PriorityStatus, Role
from placement.models.priority import PriorityCriterionAssessment
from placement.priority.access import Scoped, Side, audit

CODE = "priority_need"
LABEL = N_("Strong medical or social needs or extremely urgent circumstances")
# The agency assesses while it reviews the application, not after deciding; and after the
# committee's decision, before the watch starts (the committee route needs it too).
ASSESS_STATUSES = frozenset(
    {PriorityStatus.submitted, PriorityStatus.under_review, PriorityStatus.decided_by_committee}
)
REASON_MAX = 2000

NOT_ASSESSED = "criterion_not_assessed"
NOT_MET = "criterion_not_met"


@dataclass(frozen=True, slots=True)
class Standing:
    """Where the criterion stands: not assessed, or the latest assessment."""

    latest: PriorityCriterionAssessment | None

    @property
    def met(self) -> bool:
        return self.latest is not None and self.latest.met

    @property
    def missing(self) -> str | None:
        """Why it does not allow approval (NOT_ASSESSED, NOT_MET), None when it is met."""
        if self.latest is None:
            return NOT_ASSESSED
        return None if self.latest.met else NOT_MET


async def latest(
    session: AsyncSession, application_id: uuid.UUID
) -> PriorityCriterionAssessment | None:
    return await session.scalar(
        select(PriorityCriterionAssessment)
        .where(col(PriorityCriterionAssessment.application_id) == application_id)
        .order_by(col(PriorityCriterionAssessment.seq).desc())
        .limit(1)
    )


async def standing(session: AsyncSession, application_id: uuid.UUID) -> Standing:
    return Standing(await latest(session, application_id))


def new_assessment(
    application_id: uuid.UUID,
    met: bool,
    reason: str | None,
    *,
    by_id: uuid.UUID | None,
    role: Role,
    at: datetime,
    seq: int = 1,
) -> PriorityCriterionAssessment:
    """One assessment row, its reason required (also used by the demo seeding). ``seq``
    numbers an application's assessments; the caller holds the application's row lock."""
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(
            N_("Give the reason for the assessment: what in the application shows it."),
            field="reason",
        )
    if len(text) > REASON_MAX:
        raise InvalidInput(N_("Write at most 2000 characters."), field="reason")
    return PriorityCriterionAssessment(
        application_id=application_id,
        seq=seq,
        met=met,
        reason=text,
        assessed_by_id=by_id,
        assessed_role=role,
        assessed_at=at,
    )


async def assess(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    scoped: Scoped,
    met: bool,
    reason: str | None,
) -> PriorityCriterionAssessment:
    """The agency records the criterion as met or not met, with a reason. Flushes; audited."""
    if scoped.side != Side.agency:
        raise Forbidden(N_("Only the housing agency can assess the priority criterion."))
    application = scoped.application
    if application.status not in ASSESS_STATUSES:
        raise Conflict(
            N_(
                "The priority criterion can be assessed only while the application is "
                "submitted or under review, or after the committee's decision."
            ),
            field="met",
        )
    now = clock.now()
    before = await latest(session, application.id)
    row = new_assessment(
        application.id,
        met,
        reason,
        by_id=actor.user_id,
        role=actor.role,
        at=now,
        seq=before.seq + 1 if before else 1,
    )
    session.add(row)
    application.updated_at = now
    await session.flush()
    outcome = "met" if met else "not met"
    await audit(session, clock, actor, scoped, AuditAction.update, f"criterion {outcome}")
    return row
