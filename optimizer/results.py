"""Result dataclasses: what every mode hands back to the adapter and, in words, to people."""

from __future__ import annotations

from dataclasses import dataclass, field

from optimizer.problem import Resource


@dataclass(frozen=True, slots=True)
class Reason:
    """One line of explanation. `points` is what it added to the score (0: information)."""

    code: str
    points: int
    text_sv: str
    text_en: str


@dataclass(frozen=True, slots=True)
class NextStep:
    code: str
    text_sv: str
    text_en: str


@dataclass(frozen=True, slots=True)
class InputProblem:
    """Something wrong or contradictory in the input. The call still returns normally."""

    code: str
    text_sv: str
    text_en: str


@dataclass(frozen=True, slots=True)
class Proposal:
    unit_id: str
    unit_name: str
    score: int
    resource: Resource
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A unit that breaks few hard rules, and exactly which ones (codes and words)."""

    unit_id: str
    unit_name: str
    failed_rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class NowResult:
    request_id: str
    proposals: tuple[Proposal, ...]
    eligible_count: int  # units passing every hard rule (proposals are the top `limit`)
    excluded_counts: dict[str, int]  # rule code -> units failing it (a unit counts per rule)
    excluded_units: int  # units failing at least one rule
    near_misses: tuple[NearMiss, ...]
    message_sv: str | None = None  # set when nothing fits
    message_en: str | None = None
    next_steps: tuple[NextStep, ...] = ()
    problems: tuple[InputProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class JointAssignment:
    request_id: str
    unit_id: str | None  # None: not placed
    resource: Resource | None
    score: int | None
    weight: int  # the household's priority weight in the first objective level
    reasons: tuple[Reason, ...]  # why this unit, or why not placed


@dataclass(frozen=True, slots=True)
class LevelStats:
    """One level of the lexicographic objective."""

    objective: int
    bound: int
    gap: float  # |bound - objective| / max(1, |objective|)
    status: str  # CP-SAT status name of that phase
    wall_time_s: float
    # Which valid bound `bound` is: "cpsat" (proved by the search over every option that can
    # matter), "lp" (LP relaxation / Lagrangian duals over every option), "trivial" (every
    # household placed, or each at its best option).
    bound_source: str = "trivial"


@dataclass(frozen=True, slots=True)
class JointPlanResult:
    assignments: tuple[JointAssignment, ...]  # in input order
    status: str  # OPTIMAL (both levels proven), FEASIBLE (solver plan), GREEDY (fast plan only)
    placed: LevelStats  # level 1: weighted number of placed households
    fit: LevelStats  # level 2: sum of soft scores, given level 1
    wall_time_s: float  # everything: model building and both solves
    num_variables: int  # CP-SAT variables in the larger of the two solves
    num_pairs_feasible: int  # (household, unit, resource) options passing every hard rule
    # "exact": no option that could matter was left out; "core": CP-SAT saw an LP-chosen core
    # and the check that nothing outside it can do better did not pass (the plan is feasible,
    # bounds and gaps are valid for the full model); "heuristic": max_options_per_household
    # cut options (bounds are then only for the cut model).
    pruning: str
    problems: tuple[InputProblem, ...] = ()
    # What was reached, in words: optimal, a solver plan with its gaps, or the fast plan only.
    summary_sv: str = ""
    summary_en: str = ""

    @property
    def gap(self) -> float:
        """The gap that matters first: placed weight while it is not proven, else the fit."""
        return self.placed.gap if self.placed.gap > 0 else self.fit.gap


@dataclass(frozen=True, slots=True)
class MoveOnProposal:
    request_id: str
    from_unit_id: str
    to_unit_id: str
    resource: Resource
    score: int
    frees_acute: Resource  # what the move frees in the acute unit
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class MoveOnResult:
    moves: tuple[MoveOnProposal, ...]
    not_moved: tuple[JointAssignment, ...]  # eligible households without a move, with reasons
    not_eligible: tuple[tuple[str, InputProblem], ...]  # (request_id, why not considered)
    freed_acute_places: int  # single places freed in acute units
    freed_acute_family_rooms: int
    plan: JointPlanResult | None
    problems: tuple[InputProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class FlatMatch:
    application_id: str
    eligible: bool
    rank: int | None  # 1 = best; None when not eligible
    score: int | None
    failed_rules: tuple[str, ...]
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
