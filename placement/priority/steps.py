"""What stands in the way of a plain status step now, beyond the status machine itself: the
review needs a certificate, approval needs every eligibility check met or set aside, and a
watch after the committee needs the appeal approved. ``change_status`` refuses with these
and the views list them, so a menu offers only what can be done and says what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.errors import N_, Conflict
from placement.models import Certificate, PriorityAppeal, PriorityApplication
from placement.models.enums import PriorityStatus
from placement.priority import eligibility

S = PriorityStatus

NO_CERTIFICATE = "no_certificate"
CHECKS_UNMET = "checks_unmet"
APPEAL_NOT_APPROVED = "appeal_not_approved"

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
}


@dataclass(frozen=True, slots=True)
class Blocker:
    code: str  # one of the codes above
    checks: tuple[str, ...] = ()  # for CHECKS_UNMET: the check codes not met

    def error(self) -> Conflict:
        labels = [eligibility.LABELS[c] for c in self.checks]
        return Conflict(MESSAGES[self.code], field="to_status", params={"checks": labels})


async def blocker(
    session: AsyncSession, app: PriorityApplication, target: PriorityStatus, today: date
) -> Blocker | None:
    """Why ``target`` cannot be reached from the application's status now (None: it can)."""
    if target == S.under_review:
        found = await session.scalar(
            select(col(Certificate.id)).where(col(Certificate.application_id) == app.id)
        )
        if found is None:
            return Blocker(NO_CERTIFICATE)
    if target == S.approved:
        unmet = await eligibility.unmet_checks(session, app, today)
        if unmet:
            return Blocker(CHECKS_UNMET, tuple(c.code for c in unmet))
    if app.status == S.decided_by_committee and target == S.watch_active:
        outcome = await session.scalar(
            select(col(PriorityAppeal.outcome))
            .where(col(PriorityAppeal.application_id) == app.id)
            .order_by(col(PriorityAppeal.filed_at).desc())
            .limit(1)
        )
        if outcome != "approved":
            return Blocker(APPEAL_NOT_APPROVED)
    return None
