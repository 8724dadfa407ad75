"""What a child's decision must satisfy: its own legal basis, consent and assessment.

The placement rules (protection, exclusion areas, needs, permits...) are the rule book's
(``placement.rulebook``), the same for every path.
"""

from __future__ import annotations

from collections.abc import Sequence

from placement.decisions.schemas import ChildDecisionIn
from placement.errors import InvalidInput
from placement.models.enums import ConsentStatus, LegalBasis, ProtectionLevel, RiskLevel

CHILD_BASES = frozenset(
    {
        LegalBasis.sol_guardian_consent,
        LegalBasis.lpsb_court_application,
        LegalBasis.lpsb_immediate,
    }
)
LPSB_BASES = frozenset({LegalBasis.lpsb_court_application, LegalBasis.lpsb_immediate})

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


def check_assessment_notes(children: Sequence[ChildDecisionIn]) -> None:
    for i, child in enumerate(children):
        if not (child.assessment_note and child.assessment_note.strip()):
            raise InvalidInput(
                "Write a short assessment of each child's needs (school or preschool, "
                "Lärteamet) in the child's decision.",
                field=f"children.{i}.assessment_note",
            )


def check_children_unique(children: Sequence[ChildDecisionIn]) -> None:
    ids = [c.child_id for c in children]
    if len(set(ids)) != len(ids):
        raise InvalidInput("A child is listed twice.", field="children")
