"""Every table. Import from here so that the metadata is complete (Alembic, tests)."""

from placement.models.audit import AuditEntry
from placement.models.auth import ApiToken, SignInFailure, UserAccount, UserSession
from placement.models.base import UUIDModel
from placement.models.cases import (
    Case,
    Child,
    ExclusionArea,
    MellanboReferral,
    Person,
    PlacementRequest,
    RiskAssessment,
)
from placement.models.decisions import (
    Decision,
    FollowUp,
    Handover,
    Notification,
    OptimizationRun,
    Reminder,
)
from placement.models.geography import District, DistrictOfficeDay
from placement.models.inventory import (
    Booking,
    InventoryVersion,
    Operator,
    Place,
    Unit,
    VacancyReport,
)
from placement.models.priority import (
    ApplicationMessage,
    Certificate,
    FlatOffer,
    PriorityAppeal,
    PriorityApplication,
    PriorityCommitteeMeeting,
    PriorityCriterionAssessment,
    PriorityEligibilityOverride,
    PriorityStatusChange,
    WatchedFlat,
)
from placement.models.referrals import Referral
from placement.models.stays import Stay

__all__ = [
    "ApiToken",
    "ApplicationMessage",
    "AuditEntry",
    "Booking",
    "Case",
    "Certificate",
    "Child",
    "Decision",
    "District",
    "DistrictOfficeDay",
    "ExclusionArea",
    "FlatOffer",
    "FollowUp",
    "Handover",
    "InventoryVersion",
    "MellanboReferral",
    "Notification",
    "Operator",
    "OptimizationRun",
    "Person",
    "Place",
    "PlacementRequest",
    "PriorityAppeal",
    "PriorityApplication",
    "PriorityCommitteeMeeting",
    "PriorityCriterionAssessment",
    "PriorityEligibilityOverride",
    "PriorityStatusChange",
    "Referral",
    "Reminder",
    "RiskAssessment",
    "SignInFailure",
    "Stay",
    "UUIDModel",
    "Unit",
    "UserAccount",
    "UserSession",
    "VacancyReport",
    "WatchedFlat",
]
