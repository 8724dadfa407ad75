"""What stands in the way of a plain status step now, beyond the status machine itself: the
review needs a certificate, approval needs the priority criterion assessed as met by the
agency (``criterion``) and every eligibility check met or set aside, a watch after the
committee needs the appeal approved and the criterion assessed as met too (the committee
route is held to it like approval), and a watch again after an accepted offer needs the
landlord's refusal of the household as tenant. ``change_status`` refuses with the first of
these and the views list them all, so a menu offers only what can be done and says what is
missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.errors import N_, Conflict
from placement.models import Certificate, FlatOffer, PriorityAppeal, PriorityApplication
from placement.models.enums import LandlordAnswer, OfferResponse, PriorityStatus
from placement.priority import criterion, eligibility

S = PriorityStatus

NO_CERTIFICATE = "no_certificate"
CHECKS_UNMET = "checks_unmet"
APPEAL_NOT_APPROVED = "appeal_not_approved"
CRITERION_NOT_ASSESSED = criterion.NOT_ASSESSED
CRITERION_NOT_MET = criterion.NOT_MET
COMMITTEE_CRITERION_NOT_ASSESSED = "committee_criterion_not_assessed"
COMMITTEE_CRITERION_NOT_MET = "committee_criterion_not_met"
LANDLORD_NOT_REFUSED = "landlord_not_refused"

MESSAGES = {
    NO_CERTIFICATE: N_(
        "There is no certificate from social services yet. Request one before the review can start."
    ),
    CHECKS_UNMET: N_(
        "The application cannot be approved; these checks are not met: {checks}. "
        "Set a check aside with a reason, or reject the application."
    ),
    APPEAL_NOT_APPROVED: N_(
        "The committee did not approve the appeal; the application can only be closed."
    ),
    CRITERION_NOT_ASSESSED: N_(
        "The application cannot be approved: the criterion of strong medical or social needs "
        "or extremely urgent circumstances has not been assessed yet. Assess it, with a "
        "reason, first."
    ),
    CRITERION_NOT_MET: N_(
        "The application cannot be approved: the criterion of strong medical or social needs "
        "or extremely urgent circumstances was assessed as not met. Assess it again if new "
        "facts show it is met, or reject the application."
    ),
    COMMITTEE_CRITERION_NOT_ASSESSED: N_(
        "The watch cannot start after the committee's decision: the criterion of strong "
        "medical or social needs or extremely urgent circumstances has not been assessed yet. "
        "Assess it, with a reason (the committee's decision can be it), first."
    ),
    COMMITTEE_CRITERION_NOT_MET: N_(
        "The watch cannot start after the committee's decision: the criterion of strong "
        "medical or social needs or extremely urgent circumstances is assessed as not met. "
        "If the committee found it met, record a new assessment with that as the reason."
    ),
    LANDLORD_NOT_REFUSED: N_(
        "The household accepted the offer. The watch starts again only if the landlord "
        "refuses the household as tenant: record the landlord's answer first."
    ),
}
COMMITTEE_CRITERION = {
    CRITERION_NOT_ASSESSED: COMMITTEE_CRITERION_NOT_ASSESSED,
    CRITERION_NOT_MET: COMMITTEE_CRITERION_NOT_MET,
}


@dataclass(frozen=True, slots=True)
class Blocker:
    code: str  # one of the codes above
    checks: tuple[str, ...] = ()  # for CHECKS_UNMET: the check codes not met

    def error(self) -> Conflict:
        labels = [eligibility.LABELS[c] for c in self.checks]
        return Conflict(MESSAGES[self.code], field="to_status", params={"checks": labels})


async def blockers(
    session: AsyncSession, app: PriorityApplication, target: PriorityStatus, today: date
) -> list[Blocker]:
    """Everything that keeps ``target`` from being reached from the status now (none: it can)."""
    found: list[Blocker] = []
    if target == S.under_review:
        certificate = await session.scalar(
            select(col(Certificate.id)).where(col(Certificate.application_id) == app.id)
        )
        if certificate is None:
            found.append(Blocker(NO_CERTIFICATE))
    if target == S.approved:
        # The facts first (they may be fixed or set aside), then the agency's own judgement.
        unmet = await eligibility.unmet_checks(session, app, today)
        if unmet:
            found.append(Blocker(CHECKS_UNMET, tuple(c.code for c in unmet)))
        missing = (await criterion.standing(session, app.id)).missing
        if missing is not None:
            found.append(Blocker(missing))
    if app.status == S.decided_by_committee and target == S.watch_active:
        outcome = await session.scalar(
            select(col(PriorityAppeal.outcome))
            .where(col(PriorityAppeal.application_id) == app.id)
            .order_by(col(PriorityAppeal.filed_at).desc())
            .limit(1)
        )
        if outcome != "approved":
            found.append(Blocker(APPEAL_NOT_APPROVED))
        # The committee route skips approval, not the agency's assessment of the criterion.
        missing = (await criterion.standing(session, app.id)).missing
        if missing is not None:
            found.append(Blocker(COMMITTEE_CRITERION[missing]))
    refused_back = app.status == S.offer_accepted and target == S.watch_active
    if refused_back and await landlord_refusal(session, app) is None:
        found.append(Blocker(LANDLORD_NOT_REFUSED))
    return found


async def landlord_refusal(session: AsyncSession, app: PriorityApplication) -> FlatOffer | None:
    """The accepted offer whose landlord refused the household as tenant (the latest offer),
    or None: what lets an application with an accepted offer go back to the watch."""
    offer = await session.scalar(
        select(FlatOffer)
        .where(col(FlatOffer.application_id) == app.id)
        .order_by(col(FlatOffer.offered_at).desc(), col(FlatOffer.id))
        .limit(1)
    )
    if (
        offer is None
        or offer.response != OfferResponse.accepted
        or offer.landlord_answer != LandlordAnswer.refused
    ):
        return None
    return offer


async def blocker(
    session: AsyncSession, app: PriorityApplication, target: PriorityStatus, today: date
) -> Blocker | None:
    """The first reason ``target`` cannot be reached from the application's status now."""
    found = await blockers(session, app, target, today)
    return found[0] if found else None
