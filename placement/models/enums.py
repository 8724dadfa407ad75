"""Domain vocabulary. String values are the ones the optimizer and the API use."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class DistrictKind(StrEnum):
    district_administration = "district_administration"
    municipality = "municipality"


class RvcRegion(StrEnum):
    innerstaden = "innerstaden"
    sydost = "sydost"
    vast = "vast"
    sydvast = "sydvast"


class OperatorKind(StrEnum):
    municipal = "municipal"
    civil_society = "civil_society"
    private = "private"
    regional = "regional"
    housing_foundation = "housing_foundation"


class UnitKind(StrEnum):
    protected_shelter = "protected_shelter"
    on_call_flat = "on_call_flat"
    training_flat = "training_flat"
    hostel = "hostel"
    shis_interim = "shis_interim"
    shis_mellanbo = "shis_mellanbo"
    trial_flat = "trial_flat"
    regional_pool_flat = "regional_pool_flat"


ACUTE_KINDS = frozenset({UnitKind.protected_shelter, UnitKind.hostel})


class ProtectionLevel(IntEnum):
    basic = 1
    enhanced = 2
    high = 3


class SharingPolicy(StrEnum):
    own_district = "own_district"
    city_wide = "city_wide"
    regional_pool = "regional_pool"
    open = "open"


class SubstancePolicy(StrEnum):
    active_use_accepted = "active_use_accepted"
    no_active_use = "no_active_use"
    drug_free = "drug_free"


class SubstanceUse(StrEnum):
    none = "none"
    active = "active"
    wants_drug_free = "wants_drug_free"


class Gender(StrEnum):
    female = "female"
    male = "male"
    non_binary = "non_binary"
    # A child whose gender the officer did not give (the night form asks, but may be left
    # so); never an adult's (the units' gender rules need it). The matcher counts such a child
    # as possibly a boy for the units' age limits for boys.
    not_stated = "not_stated"


class PlaceKind(StrEnum):
    place = "place"
    family_room = "family_room"


class BookingKind(StrEnum):
    hold = "hold"
    placement = "placement"
    block = "block"


class BookingStatus(StrEnum):
    active = "active"
    released = "released"
    expired = "expired"
    confirmed = "confirmed"
    ended = "ended"
    cancelled = "cancelled"


class ProtectedIdentity(StrEnum):
    none = "none"
    confidentiality_marking = "confidentiality_marking"
    protected_registration = "protected_registration"
    fictitious_identity = "fictitious_identity"


class CaseStatus(StrEnum):
    open = "open"
    closed = "closed"


class CasePhase(StrEnum):
    acute = "acute"
    post_acute = "post_acute"


class RiskInstrument(StrEnum):
    freda = "freda"
    patriark = "patriark"
    other = "other"
    # "Not yet assessed, treat as high": lets a household be placed at night before the
    # assessment is made, always at level high (placement.cases.risk).
    not_assessed = "not_assessed"


class RiskLevel(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class ExclusionKind(StrEnum):
    perpetrator_home = "perpetrator_home"
    perpetrator_work = "perpetrator_work"
    extended_family = "extended_family"
    other = "other"


class RequestStatus(StrEnum):
    open = "open"
    held = "held"
    placed = "placed"
    withdrawn = "withdrawn"


class LegalBasis(StrEnum):
    """Adult: sol. Child: sol_guardian_consent, lpsb_court_application or lpsb_immediate."""

    sol = "sol"
    sol_guardian_consent = "sol_guardian_consent"
    lpsb_court_application = "lpsb_court_application"
    lpsb_immediate = "lpsb_immediate"


class ConsentStatus(StrEnum):
    not_applicable = "not_applicable"
    both_guardians = "both_guardians"
    one_guardian = "one_guardian"
    none = "none"


class DecisionStatus(StrEnum):
    active = "active"
    ended = "ended"
    superseded = "superseded"
    cancelled = "cancelled"
    # Ran out without renewal, or an immediate LPSB decision not submitted to the court in
    # time: no longer a valid decision, though the household may still live in the place.
    lapsed = "lapsed"


class CourtOutcome(StrEnum):
    confirmed = "confirmed"
    not_confirmed = "not_confirmed"


class Role(StrEnum):
    rvt_officer = "rvt_officer"
    socialjour = "socialjour"
    housing_agency = "housing_agency"
    operator = "operator"
    coordinator = "coordinator"
    auditor = "auditor"
    admin = "admin"


class Outcome(StrEnum):
    shis_interim = "shis_interim"
    shis_mellanbo = "shis_mellanbo"
    on_call_flat = "on_call_flat"
    training_flat = "training_flat"
    trial_flat = "trial_flat"
    second_hand_lease = "second_hand_lease"
    lodger_contract = "lodger_contract"
    flat_via_priority = "flat_via_priority"
    other_municipality = "other_municipality"
    back_home = "back_home"
    unknown = "unknown"


# Secure permanent housing: a contract of at least six months (shared/domain.md).
SECURE_PERMANENT_OUTCOMES = frozenset(
    {
        Outcome.shis_interim,
        Outcome.trial_flat,
        Outcome.second_hand_lease,
        Outcome.lodger_contract,
        Outcome.flat_via_priority,
    }
)


# The kinds of next home that come with a housing contract: with a contract of at least six
# months they are secure permanent housing (Bryt upp 2024, footnote 4; see
# ``placement.decisions.outcomes``).
HOUSING_CONTRACT_OUTCOMES = frozenset(
    {
        Outcome.second_hand_lease,
        Outcome.shis_interim,
        Outcome.shis_mellanbo,
        Outcome.trial_flat,
        Outcome.lodger_contract,
        Outcome.flat_via_priority,
    }
)
SECURE_CONTRACT_MONTHS = 6


class StayEnd(StrEnum):
    """How a stay ended: completed as planned, or broken off (by the household or the unit)."""

    completed = "completed"
    broken_off = "broken_off"


class SchoolingKind(StrEnum):
    school = "school"
    preschool = "preschool"
    larteamet = "larteamet"  # Lärteamet: teachers for children living in shelters


class MellanboStatus(StrEnum):
    """A referral to SHIS mellanbo (statistics), not a shelter referral (ReferralStatus)."""

    referred = "referred"
    granted = "granted"
    declined = "declined"


class FollowUpKind(StrEnum):
    phone = "phone"
    physical = "physical"


class ReminderKind(StrEnum):
    decision_ending = "decision_ending"
    decision_expired = "decision_expired"
    follow_up_overdue = "follow_up_overdue"
    handover_due = "handover_due"
    court_deadline = "court_deadline"
    hold_expired = "hold_expired"
    certificate_requested = "certificate_requested"
    committee_papers_due = "committee_papers_due"
    ivo_permit_expiring = "ivo_permit_expiring"


class PriorityStatus(StrEnum):
    draft = "draft"
    certificate_requested = "certificate_requested"
    submitted = "submitted"
    under_review = "under_review"
    approved = "approved"
    rejected = "rejected"
    appealed = "appealed"
    decided_by_committee = "decided_by_committee"
    watch_active = "watch_active"
    flat_offered = "flat_offered"
    offer_accepted = "offer_accepted"
    offer_declined = "offer_declined"
    contract_signed = "contract_signed"
    closed = "closed"


class OfferResponse(StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"


class LandlordAnswer(StrEnum):
    """The landlord's approval of the household as tenant, needed before a contract."""

    not_asked = "not_asked"
    asked = "asked"
    approved = "approved"
    refused = "refused"


class AuditAction(StrEnum):
    read = "read"
    create = "create"
    update = "update"
    delete = "delete"
    reveal = "reveal"
    export = "export"
    login = "login"
    logout = "logout"


class ReferralStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    confirmed_by_phone = "confirmed_by_phone"  # the officer agreed the place with the unit
    withdrawn = "withdrawn"  # the hold was released or lapsed before an answer


class DeclineReason(StrEnum):
    full = "full"
    needs_unmet = "needs_unmet"
    risk = "risk"
    other = "other"
