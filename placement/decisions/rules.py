"""What a decision must satisfy before it is written: legal basis, consent and placement rules.

The matcher proposes; the decision is the last gate. A rule may be given up only on purpose:
its name in ``overridden_rules`` and a reason in ``override_reason``, both stored on the
decision (shared/domain.md: "a high-risk person never goes to a low-protection place without
an explicit, recorded override").
"""

from __future__ import annotations

from collections.abc import Sequence

from placement.decisions.schemas import ChildDecisionIn
from placement.errors import InvalidInput
from placement.models import Unit
from placement.models.enums import ConsentStatus, LegalBasis, ProtectionLevel, RiskLevel

CHILD_BASES = frozenset(
    {
        LegalBasis.sol_guardian_consent,
        LegalBasis.lpsb_court_application,
        LegalBasis.lpsb_immediate,
    }
)
LPSB_BASES = frozenset({LegalBasis.lpsb_court_application, LegalBasis.lpsb_immediate})

RULE_PROTECTION = "protection_level"
RULE_EXCLUSION = "exclusion_area"
RULE_CHILDREN = "children"
KNOWN_RULES = frozenset({RULE_PROTECTION, RULE_EXCLUSION, RULE_CHILDREN})

MIN_PROTECTION = {
    RiskLevel.high: ProtectionLevel.high,
    RiskLevel.medium: ProtectionLevel.enhanced,
    RiskLevel.low: ProtectionLevel.basic,
}


def check_child_basis(index: int, child: ChildDecisionIn) -> LegalBasis:
    """A child's decision needs its own legal basis matching the guardians' consent."""
    field = f"children.{index}.legal_basis"
    basis = child.legal_basis
    if basis is None:
        raise InvalidInput(
            "Each child needs a decision with its own legal basis: the Social Services Act "
            "with both guardians' consent, or the Act on placement of children in protected "
            "shelter (LPSB).",
            field=field,
        )
    if basis not in CHILD_BASES:
        raise InvalidInput(
            "A child's decision is made with both guardians' consent (SoL) or under LPSB.",
            field=field,
        )
    if child.consent_status == ConsentStatus.not_applicable:
        raise InvalidInput(
            "Record whether the guardians consent for each child.",
            field=f"children.{index}.consent_status",
        )
    if basis == LegalBasis.sol_guardian_consent and child.consent_status != (
        ConsentStatus.both_guardians
    ):
        raise InvalidInput(
            "Without both guardians' consent the child's placement is decided under LPSB "
            "(after an application to the administrative court, or as an immediate decision).",
            field=field,
        )
    if basis in LPSB_BASES and child.consent_status == ConsentStatus.both_guardians:
        raise InvalidInput(
            "With both guardians' consent the child's decision is made under the Social "
            "Services Act (sol_guardian_consent), not LPSB.",
            field=field,
        )
    return basis


def check_children_unique(children: Sequence[ChildDecisionIn]) -> None:
    ids = [c.child_id for c in children]
    if len(set(ids)) != len(ids):
        raise InvalidInput("A child is listed twice.", field="children")


def check_overrides(overridden: Sequence[str], reason: str | None) -> None:
    unknown = sorted(set(overridden) - KNOWN_RULES)
    if unknown:
        raise InvalidInput(
            f"Unknown rule to override: {', '.join(unknown)}.", field="overridden_rules"
        )
    if overridden and not (reason and reason.strip()):
        raise InvalidInput("Give the reason for overriding a rule.", field="override_reason")


def placement_rule_breaches(
    unit: Unit,
    *,
    risk: RiskLevel | None,
    excluded_district_ids: set[object],
    children: int,
) -> list[tuple[str, str]]:
    """(rule, explanation) for every placement rule this unit breaks for the household."""
    breaches: list[tuple[str, str]] = []
    if risk is not None and unit.protection_level < MIN_PROTECTION[risk]:
        breaches.append(
            (
                RULE_PROTECTION,
                f"The current risk level is {risk.value} and the unit's protection level is "
                f"too low for it.",
            )
        )
    if unit.district_id in excluded_district_ids:
        breaches.append(
            (RULE_EXCLUSION, "The unit lies in an area the household must be kept away from.")
        )
    if children and (not unit.accepts_children or children > unit.max_children):
        breaches.append((RULE_CHILDREN, "The unit does not take this many accompanying children."))
    return breaches


def enforce_rules(breaches: Sequence[tuple[str, str]], overridden: Sequence[str]) -> None:
    for rule, explanation in breaches:
        if rule not in overridden:
            raise InvalidInput(
                f"{explanation} Choose another unit, or override the rule '{rule}' with a "
                f"recorded reason.",
                field="overridden_rules",
            )
