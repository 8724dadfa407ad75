"""One rule book: every path that places, keeps or moves a household asks here.

The hard rules themselves are the matcher's (``optimizer.rules``): the same functions judge a
proposal, a hold, a direct grant, a move, a renewal, an accepted joint-plan or move-on
proposal, an imported placement and the demo's seeding. This module only builds the
household and the unit the way the matcher sees them, from the database, for the period in
question, and enforces the answer:

- a broken rule refuses the step, naming every broken rule, unless the step lists exactly
  those rules as overridden with a reason, by a role that may override (a setting);
- capacity (a full unit, a household that does not fit) is never overridable and is left to
  the booking core, which counts places under a lock with the database's overlap trigger
  behind it;
- a household with no risk assessment in force cannot be placed (record one, or "not yet
  assessed, treat as high");
- who may grant a unit kind is set per district (``District.grant_roles``).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

import optimizer as opt
from optimizer.rules import NOT_OVERRIDABLE, RULES, make_context
from placement.cases import risk
from placement.config import Settings
from placement.errors import N_, Forbidden, InvalidInput
from placement.matching import loader
from placement.models import Case, District, Unit
from placement.models.enums import Role

# The rules the rule book judges; capacity is the booking core's.
PLACEMENT_RULES: tuple[str, ...] = tuple(c for c in opt.RULE_CODES if c not in NOT_OVERRIDABLE)
DECIDING_ROLES: tuple[str, ...] = (Role.rvt_officer.value, Role.socialjour.value)

BROKEN = N_("The unit breaks these rules for this household: {rules}.")
BROKEN_HINT = N_("Choose another unit, or override exactly these rules with a recorded reason.")
NOT_BROKEN = N_(
    "These rules are not broken by this unit, so there is nothing to override: {rules}."
)
NO_REASON = N_("Give the reason for overriding a rule.")
UNKNOWN_RULE = N_("Unknown rule to override: {rules}.")
MAY_NOT_OVERRIDE = N_(
    "Your role may not override placement rules. Ask an RVT officer or Socialjouren."
)
MAY_NOT_GRANT = N_("In this district this kind of unit is not granted by your role.")


class RuleBreach(InvalidInput):
    """A placement refused by the rule book. ``rules`` are the codes; the message template
    takes ``{rules}`` as a list of rule names in the reader's language."""

    def __init__(self, template: str, rules: Sequence[str], *, hint: str | None = None) -> None:
        names = ", ".join(opt.RULE_LABELS.get(r, (r, r))[1] for r in rules)
        text = template.format(rules=names) + (f" {hint}" if hint else "")
        super().__init__(text, field="overridden_rules")
        self.template = template
        self.rules = tuple(rules)
        self.hint = hint

    def translated(self, tr: Callable[[str], str], sv: bool) -> str:
        """The message in the reader's language (``tr`` translates the templates)."""
        names = ", ".join(opt.RULE_LABELS.get(r, (r, r))[0 if sv else 1] for r in self.rules)
        text = str(tr(self.template)).format(rules=names)
        return text + (f" {tr(self.hint)}" if self.hint else "")


@dataclass(frozen=True, slots=True)
class Overrides:
    rules: tuple[str, ...] = ()
    reason: str | None = None


def policy_for(settings: Settings) -> opt.Policy:
    return opt.Policy(
        exclusion_buffer=settings.exclusion_buffer,
        stale_after_hours=float(settings.vacancy_stale_hours),
    )


def nights_between(starts_at: datetime, ends_at: datetime) -> int:
    return max(1, math.ceil((ends_at - starts_at) / timedelta(days=1)))


async def breaches(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    *,
    case: Case,
    unit: Unit,
    starts_at: datetime,
    ends_at: datetime,
    requesting_district_id: uuid.UUID | None = None,
) -> list[str]:
    """Every hard rule (capacity aside) this unit breaks for the case's household over the
    period, judged with today's risk and needs. Refuses a household with no assessment."""
    if await risk.current_level(session, case.id) is None:
        raise InvalidInput(risk.NOT_ASSESSED, field="risk_assessment")
    requesting = requesting_district_id or case.responsible_district_id
    item = (str(case.id), case, starts_at, nights_between(starts_at, ends_at), now, requesting)
    (household,) = await loader.households_for_cases(session, settings, now, [item])
    districts = await loader.load_districts(session)
    ctx = make_context(household, districts, policy_for(settings))
    # Capacity is not judged here: give the unit room for the household.
    candidate = loader.opt_unit(unit, now, household.size, ())
    return [code for code in PLACEMENT_RULES if RULES[code](ctx, candidate) is not None]


def may_override(role: Role, settings: Settings) -> bool:
    return role.value in settings.override_roles


def enforce(broken: Sequence[str], overrides: Overrides, role: Role, settings: Settings) -> None:
    """Pass only if every broken rule, and nothing else, is overridden with a reason."""
    given = tuple(dict.fromkeys(overrides.rules))
    unknown = [r for r in given if r not in PLACEMENT_RULES]
    if unknown:
        raise RuleBreach(UNKNOWN_RULE, unknown)
    missing = [r for r in broken if r not in given]
    if missing:
        raise RuleBreach(BROKEN, broken, hint=BROKEN_HINT)
    extra = [r for r in given if r not in broken]
    if extra:
        raise RuleBreach(NOT_BROKEN, extra)
    if given:
        if not (overrides.reason and overrides.reason.strip()):
            raise InvalidInput(NO_REASON, field="override_reason")
        if not may_override(role, settings):
            raise Forbidden(MAY_NOT_OVERRIDE, field="overridden_rules")


def may_grant(district: District | None, unit_kind: str, role: Role) -> bool:
    allowed = DECIDING_ROLES
    if district is not None:
        configured = (district.grant_roles or {}).get(unit_kind)
        if configured is not None:
            allowed = tuple(str(r) for r in configured)
        elif unit_kind == "shis_mellanbo" and not district.rvt_can_grant_mellanbo:
            allowed = (Role.socialjour.value,)
    return role.value in allowed


async def check_grant_permission(session: AsyncSession, case: Case, unit: Unit, role: Role) -> None:
    district = await session.get(District, case.responsible_district_id)
    if not may_grant(district, unit.kind.value, role):
        raise Forbidden(MAY_NOT_GRANT, field="unit_id")


async def check_placement(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    role: Role,
    *,
    case: Case,
    unit: Unit,
    starts_at: datetime,
    ends_at: datetime,
    overrides: Overrides,
    requesting_district_id: uuid.UUID | None = None,
    grant: bool = True,
) -> list[str]:
    """The whole gate: who may grant, every hard rule, the overrides. Returns the rules
    overridden (exactly the broken ones)."""
    if grant:
        await check_grant_permission(session, case, unit, role)
    broken = await breaches(
        session,
        settings,
        now,
        case=case,
        unit=unit,
        starts_at=starts_at,
        ends_at=ends_at,
        requesting_district_id=requesting_district_id,
    )
    enforce(broken, overrides, role, settings)
    return broken
