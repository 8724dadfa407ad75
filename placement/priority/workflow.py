"""The application's status machine: which step may follow which, taken by whom and how.

Every change goes through ``transition``: it refuses a jump that skips a step, a step the other
side must take, and a step that belongs to a dedicated action (an offer is made from a flat, an
appeal is filed, ...). Each accepted change is written to the status history with who, when
and why, and to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.clock import Clock
from placement.errors import Conflict, Forbidden, InvalidInput
from placement.models import PriorityStatusChange
from placement.models.enums import AuditAction, PriorityStatus
from placement.priority.access import Scoped, Side, audit

S = PriorityStatus

LABELS: dict[PriorityStatus, str] = {
    S.draft: "draft",
    S.certificate_requested: "certificate requested",
    S.submitted: "submitted",
    S.under_review: "under review",
    S.approved: "approved",
    S.rejected: "rejected",
    S.appealed: "appealed",
    S.decided_by_committee: "decided by the committee",
    S.watch_active: "watch active",
    S.flat_offered: "flat offered",
    S.offer_accepted: "offer accepted",
    S.offer_declined: "offer declined",
    S.contract_signed: "contract signed",
    S.closed: "closed",
}

# Once here, nothing about the household may be edited any more.
LOCKED_FOR_EDITS = frozenset({S.flat_offered, S.offer_accepted, S.contract_signed, S.closed})


class Via(StrEnum):
    """The action that takes a step. Only ``status`` steps go through the plain status call."""

    status = "status"
    certificate = "certificate"  # attaching a certificate answers a certificate request
    certificate_request = "certificate_request"
    appeal = "appeal"
    committee = "committee"
    offer = "offer"
    response = "response"
    contract = "contract"


HOW: dict[Via, str] = {
    Via.status: "change the status",
    Via.certificate: "attach a certificate",
    Via.certificate_request: "request a certificate",
    Via.appeal: "file an appeal",
    Via.committee: "record the committee's decision",
    Via.offer: "offer a flat from the flat's page",
    Via.response: "record the household's answer to the offer",
    Via.contract: "record the signed contract on the accepted offer",
}

SOCIAL = frozenset({Side.social})
AGENCY = frozenset({Side.agency})
BOTH = SOCIAL | AGENCY


@dataclass(frozen=True, slots=True)
class Step:
    sides: frozenset[Side]
    via: Via = Via.status
    needs_reason: bool = False


TRANSITIONS: dict[tuple[PriorityStatus, PriorityStatus], Step] = {
    (S.draft, S.submitted): Step(SOCIAL),
    (S.submitted, S.certificate_requested): Step(AGENCY, Via.certificate_request, True),
    (S.under_review, S.certificate_requested): Step(AGENCY, Via.certificate_request, True),
    (S.certificate_requested, S.submitted): Step(SOCIAL, Via.certificate),
    (S.submitted, S.under_review): Step(AGENCY),
    (S.under_review, S.approved): Step(AGENCY),
    (S.under_review, S.rejected): Step(AGENCY, needs_reason=True),
    (S.rejected, S.appealed): Step(SOCIAL, Via.appeal, True),
    (S.appealed, S.decided_by_committee): Step(AGENCY, Via.committee, True),
    (S.approved, S.watch_active): Step(AGENCY),
    (S.decided_by_committee, S.watch_active): Step(AGENCY),
    (S.watch_active, S.flat_offered): Step(AGENCY, Via.offer),
    (S.flat_offered, S.offer_accepted): Step(BOTH, Via.response),
    (S.flat_offered, S.offer_declined): Step(BOTH, Via.response, True),
    (S.offer_declined, S.watch_active): Step(AGENCY),
    (S.offer_accepted, S.contract_signed): Step(AGENCY, Via.contract),
    (S.contract_signed, S.closed): Step(AGENCY),
}
# Withdrawing (the handler) or closing (the agency) needs a reason; never while an offer is open.
for _status in (S.draft, S.certificate_requested, S.submitted, S.under_review):
    TRANSITIONS[(_status, S.closed)] = Step(SOCIAL, needs_reason=True)
for _status in (S.approved, S.rejected, S.decided_by_committee, S.watch_active, S.offer_declined):
    TRANSITIONS[(_status, S.closed)] = Step(BOTH, needs_reason=True)


def next_statuses(current: PriorityStatus, side: Side | None = None) -> list[PriorityStatus]:
    """The steps open from ``current`` (to ``side``, when given)."""
    return [
        to
        for (frm, to), step in TRANSITIONS.items()
        if frm == current and (side is None or side in step.sides)
    ]


def _side_name(sides: frozenset[Side]) -> str:
    return "the housing agency" if sides == AGENCY else "the case's handler"


def check(
    current: PriorityStatus,
    target: PriorityStatus,
    side: Side,
    via: Via,
    reason: str | None,
) -> Step:
    """The step from ``current`` to ``target``, or a refusal that says what is possible."""
    if current == target:
        raise Conflict(f"The application is already {LABELS[target]}.", field="to_status")
    step = TRANSITIONS.get((current, target))
    if step is None:
        options = ", ".join(LABELS[s] for s in next_statuses(current, side)) or "nothing"
        raise Conflict(
            f"An application that is {LABELS[current]} cannot become {LABELS[target]}: "
            f"that would skip a step. From {LABELS[current]} you can make it: {options}.",
            field="to_status",
        )
    if side not in step.sides:
        raise Forbidden(
            f"Only {_side_name(step.sides)} can make an application {LABELS[target]}.",
        )
    if step.via != via:
        raise Conflict(
            f"To make the application {LABELS[target]}, {HOW[step.via]}.", field="to_status"
        )
    if step.needs_reason and not (reason and reason.strip()):
        raise InvalidInput(
            f"Give a reason for making the application {LABELS[target]}.", field="reason"
        )
    return step


async def transition(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    scoped: Scoped,
    target: PriorityStatus,
    *,
    via: Via = Via.status,
    reason: str | None = None,
) -> PriorityStatusChange:
    """Check and take one step; record it in the history and the audit log. Flushes."""
    application = scoped.application
    current = application.status
    check(current, target, scoped.side, via, reason)
    now = clock.now()
    last = await session.scalar(
        select(func.max(col(PriorityStatusChange.seq))).where(
            col(PriorityStatusChange.application_id) == application.id
        )
    )
    change = PriorityStatusChange(
        application_id=application.id,
        seq=(last or 0) + 1,
        from_status=current,
        to_status=target,
        changed_by_id=actor.user_id,
        changed_role=actor.role,
        changed_at=now,
        reason=reason.strip() if reason else None,
    )
    application.status = target
    application.updated_at = now
    session.add(change)
    await session.flush()
    await audit(session, clock, actor, scoped, AuditAction.update, f"status {current} -> {target}")
    return change
