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
from placement.errors import N_, Conflict, Forbidden, InvalidInput
from placement.models import PriorityStatusChange
from placement.models.enums import AuditAction, PriorityStatus
from placement.priority.access import Scoped, Side, audit

S = PriorityStatus

LABELS: dict[PriorityStatus, str] = {
    S.draft: N_("draft"),
    S.certificate_requested: N_("certificate requested"),
    S.submitted: N_("submitted"),
    S.under_review: N_("under review"),
    S.approved: N_("approved"),
    S.rejected: N_("rejected"),
    S.appealed: N_("appealed"),
    S.decided_by_committee: N_("decided by the committee"),
    S.watch_active: N_("watch active"),
    S.flat_offered: N_("flat offered"),
    S.offer_accepted: N_("offer accepted"),
    S.offer_declined: N_("offer declined"),
    S.contract_signed: N_("contract signed"),
    S.closed: N_("closed"),
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
    Via.status: N_("change the status"),
    Via.certificate: N_("attach a certificate"),
    Via.certificate_request: N_("request a certificate"),
    Via.appeal: N_("file an appeal"),
    Via.committee: N_("record the committee's decision"),
    Via.offer: N_("offer a flat from the flat's page"),
    Via.response: N_("record the household's answer to the offer"),
    Via.contract: N_("record the signed contract on the accepted offer"),
}

SOCIAL = frozenset({Side.social})
AGENCY = frozenset({Side.agency})
BOTH = SOCIAL | AGENCY


@dataclass(frozen=True, slots=True)
class SystemReason:
    """A history reason the system writes: a catalog message id (``N_``) and its blanks."""

    message: str
    params: dict[str, str]

    def english(self) -> str:
        return self.message.format(**self.params)


# What the system writes in the history about its own steps.
FLAT_OFFERED = N_("Flat {reference} offered.")
CONTRACT_SIGNED = N_("Contract for flat {reference} signed on {date}.")
APPEALED = N_("Appeal to the committee meeting on {date}.")
COMMITTEE_APPROVED = N_("The committee approved the appeal: {reason}")
COMMITTEE_REJECTED = N_("The committee rejected the appeal: {reason}")
CERTIFICATE_ATTACHED = N_("Certificate attached.")


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
    # The landlord refused the household as tenant (steps.blockers): back to the watch.
    (S.offer_accepted, S.watch_active): Step(AGENCY),
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
    return N_("the housing agency") if sides == AGENCY else N_("the case's handler")


def check(
    current: PriorityStatus,
    target: PriorityStatus,
    side: Side,
    via: Via,
    reason: str | None,
) -> Step:
    """The step from ``current`` to ``target``, or a refusal that says what is possible."""
    if current == target:
        raise Conflict(
            N_("The application is already {status}."),
            field="to_status",
            params={"status": LABELS[target]},
        )
    step = TRANSITIONS.get((current, target))
    if step is None:
        options = [LABELS[s] for s in next_statuses(current, side)] or [N_("nothing")]
        raise Conflict(
            N_(
                "An application that is {current} cannot become {target}: "
                "that would skip a step. From {current} you can make it: {options}."
            ),
            field="to_status",
            params={"current": LABELS[current], "target": LABELS[target], "options": options},
        )
    if side not in step.sides:
        raise Forbidden(
            N_("Only {who} can make an application {target}."),
            params={"who": _side_name(step.sides), "target": LABELS[target]},
        )
    if step.via != via:
        raise Conflict(
            N_("To make the application {target}, {how}."),
            field="to_status",
            params={"target": LABELS[target], "how": HOW[step.via]},
        )
    if step.needs_reason and not (reason and reason.strip()):
        raise InvalidInput(
            N_("Give a reason for making the application {target}."),
            field="reason",
            params={"target": LABELS[target]},
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
    system_reason: SystemReason | None = None,
) -> PriorityStatusChange:
    """Check and take one step; record it in the history and the audit log. Flushes.

    ``reason`` is what a person typed; ``system_reason`` is what the system writes about
    its own step (a catalog message, shown in each reader's language)."""
    application = scoped.application
    current = application.status
    check(current, target, scoped.side, via, system_reason.english() if system_reason else reason)
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
        reason=system_reason.message if system_reason else (reason.strip() if reason else None),
        reason_params=dict(system_reason.params) if system_reason else None,
    )
    application.status = target
    application.updated_at = now
    session.add(change)
    await session.flush()
    await audit(session, clock, actor, scoped, AuditAction.update, f"status {current} -> {target}")
    return change
