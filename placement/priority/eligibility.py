"""Eligibility for priority, shown check by check (never a hidden yes/no).

- two_year_registration: registered in the city without interruption for at least two years,
  judged against the recorded registration date and today's date (the clock, never the wall).
- independent_living: able to live independently in a rented flat (the handler's assessment).
- no_other_solution: there is no other way to solve the housing need (the handler's assessment).

A failed or unanswered check can be set aside only by the housing agency, with a reason; the
override is kept with who, when and why, and the check is still shown as failed beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.clock import Clock
from placement.errors import N_, Conflict, Forbidden, InvalidInput
from placement.models import PriorityApplication
from placement.models.enums import AuditAction, PriorityStatus
from placement.models.priority import PriorityEligibilityOverride
from placement.priority.access import Scoped, Side, audit

TWO_YEAR = "two_year_registration"
INDEPENDENT = "independent_living"
NO_OTHER = "no_other_solution"
CHECKS: tuple[str, ...] = (TWO_YEAR, INDEPENDENT, NO_OTHER)
LABELS: dict[str, str] = {
    TWO_YEAR: N_("Registered in the city without interruption for at least two years"),
    INDEPENDENT: N_("Able to live independently in a rented flat"),
    NO_OTHER: N_("No other way to solve the housing need"),
}
# The agency may set checks aside while it reviews the application, not after deciding.
OVERRIDE_STATUSES = frozenset({PriorityStatus.submitted, PriorityStatus.under_review})

Result = Literal["passed", "failed", "unknown"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    code: str
    label: str
    result: Result
    detail: str

    @property
    def passed(self) -> bool:
        return self.result == "passed"


def two_years_after(since: date) -> date:
    """The first day on which someone registered on ``since`` has two full years."""
    try:
        return since.replace(year=since.year + 2)
    except ValueError:  # registered on 29 February
        return date(since.year + 2, 3, 1)


def two_year_rule(registered_since: date | None, today: date) -> CheckResult:
    label = LABELS[TWO_YEAR]
    if registered_since is None:
        return CheckResult(TWO_YEAR, label, "unknown", "No registration date is recorded.")
    if registered_since > today:
        return CheckResult(
            TWO_YEAR, label, "failed", "The recorded registration date is in the future."
        )
    reached = two_years_after(registered_since)
    if reached <= today:
        return CheckResult(
            TWO_YEAR,
            label,
            "passed",
            f"Registered since {registered_since.isoformat()}: two years were reached on "
            f"{reached.isoformat()}.",
        )
    return CheckResult(
        TWO_YEAR,
        label,
        "failed",
        f"Registered since {registered_since.isoformat()}: two years are reached only on "
        f"{reached.isoformat()}.",
    )


def _assessment(code: str, value: bool | None) -> CheckResult:
    if value is None:
        return CheckResult(code, LABELS[code], "unknown", "The handler has not answered yet.")
    if value:
        return CheckResult(code, LABELS[code], "passed", "Confirmed by the handler.")
    return CheckResult(code, LABELS[code], "failed", "The handler answered no.")


def evaluate(application: PriorityApplication, today: date) -> list[CheckResult]:
    return [
        two_year_rule(application.registered_in_city_since, today),
        _assessment(INDEPENDENT, application.able_to_live_independently),
        _assessment(NO_OTHER, application.no_other_solution),
    ]


async def overrides_of(
    session: AsyncSession, application_id: object
) -> dict[str, PriorityEligibilityOverride]:
    rows = (
        await session.execute(
            select(PriorityEligibilityOverride).where(
                col(PriorityEligibilityOverride.application_id) == application_id
            )
        )
    ).scalars()
    return {o.check_code: o for o in rows}


async def unmet_checks(
    session: AsyncSession, application: PriorityApplication, today: date
) -> list[CheckResult]:
    """Checks that neither pass nor have been set aside by the agency."""
    overridden = await overrides_of(session, application.id)
    return [c for c in evaluate(application, today) if not c.passed and c.code not in overridden]


async def override(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    scoped: Scoped,
    check_code: str,
    reason: str,
    today: date,
) -> PriorityEligibilityOverride:
    if scoped.side != Side.agency:
        raise Forbidden("Only the housing agency can set an eligibility check aside.")
    if check_code not in CHECKS:
        raise InvalidInput("There is no such eligibility check.", field="check")
    if not reason.strip():
        raise InvalidInput("Give the reason for setting the check aside.", field="reason")
    application = scoped.application
    if application.status not in OVERRIDE_STATUSES:
        raise Conflict(
            "Eligibility checks can be set aside only while the application is submitted or "
            "under review.",
            field="check",
        )
    result = next(c for c in evaluate(application, today) if c.code == check_code)
    if result.passed:
        raise Conflict("This check passes; there is nothing to set aside.", field="check")
    existing = await overrides_of(session, application.id)
    if check_code in existing:
        raise Conflict("This check has already been set aside.", field="check")
    now = clock.now()
    row = PriorityEligibilityOverride(
        application_id=application.id,
        check_code=check_code,
        reason=reason.strip(),
        overridden_by_id=actor.user_id,
        overridden_role=actor.role,
        overridden_at=now,
    )
    session.add(row)
    # Kept in step for readers of the application row (statistics, exports).
    application.eligibility_overrides = sorted({*application.eligibility_overrides, check_code})
    application.eligibility_override_reason = reason.strip()
    application.updated_at = now
    await session.flush()
    await audit(session, clock, actor, scoped, AuditAction.update, f"override {check_code}")
    return row
