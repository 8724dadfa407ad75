"""What stands in the way of a plain status step now, beyond the status machine itself: the
review needs a certificate, approval needs the priority criterion assessed as met by the
agency (``criterion``) and every eligibility check met or set aside, and a watch after the
committee needs the appeal approved. ``change_status`` refuses with the first of these and the
views list them all, so a menu offers only what can be done and says what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.errors import N_, Conflict
from placement.models import Certificate, PriorityAppeal, PriorityApplication
from placement.models.enums import PriorityStatus
from placement.priority import criterion, eligibility

S = PriorityStatus

NO_CERTIFICATE = "no_certificate"
CHECKS_UNMET = "checks_unmet"
APPEAL_NOT_APPROVED = "appeal_not_approved"
CRITERION_NOT_ASSESSED = criterion.NOT_ASSESSED
CRITERION_NOT_MET = criterion.NOT_MET

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
    return found


async def blocker(
    session: AsyncSession, app: PriorityApplication, target: PriorityStatus, today: date
) -> Blocker | None:
    """The first reason ``target`` cannot be reached from the application's status now."""
    found = await blockers(session, app, target, today)
    return found[0] if found else None
