"""Pure matching for Boendekedjan: frozen dataclasses in, explained proposals out.

No database, web, settings or clock: the adapter in `placement/matching` builds the inputs.
"""

from optimizer.explain import RULE_LABELS
from optimizer.joint import plan_jointly
from optimizer.move_on import propose_move_on
from optimizer.now import propose_now
from optimizer.now_table import Capacity, NowInventory, propose_now_table
from optimizer.priority_flat import match_priority_flat
from optimizer.problem import (
    ACUTE_KINDS,
    INTERIM_KINDS,
    RULE_CODES,
    UNIT_KINDS,
    Applicant,
    Child,
    DistrictInfo,
    Flat,
    FlatWeights,
    Household,
    Policy,
    PolicyWeights,
    Resource,
    Unit,
)
from optimizer.results import (
    FlatMatch,
    InputProblem,
    JointAssignment,
    JointPlanResult,
    LevelStats,
    MoveOnProposal,
    MoveOnResult,
    NearMiss,
    NextStep,
    NowResult,
    Proposal,
    Reason,
)
from optimizer.scoring import PREFERENCE_CODES

__all__ = [
    "ACUTE_KINDS",
    "INTERIM_KINDS",
    "PREFERENCE_CODES",
    "RULE_CODES",
    "RULE_LABELS",
    "UNIT_KINDS",
    "Applicant",
    "Capacity",
    "Child",
    "DistrictInfo",
    "Flat",
    "FlatMatch",
    "FlatWeights",
    "Household",
    "InputProblem",
    "JointAssignment",
    "JointPlanResult",
    "LevelStats",
    "MoveOnProposal",
    "MoveOnResult",
    "NearMiss",
    "NextStep",
    "NowInventory",
    "NowResult",
    "Policy",
    "PolicyWeights",
    "Proposal",
    "Reason",
    "Resource",
    "Unit",
    "match_priority_flat",
    "plan_jointly",
    "propose_move_on",
    "propose_now",
    "propose_now_table",
]
