"""Mode 3, move on: post-acute households in acute places -> free interim housing.

Every hard rule applies to the target. The moves are planned jointly (the joint-plan engine
on the eligible households and the interim units only), so two moves never take the same
interim place. First level: acute capacity freed (persons, or the capacity of a freed family
room), then the usual priority (risk, waiting); second level: fit.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from optimizer.candidates import placement_weight
from optimizer.common import Districts, as_district_map
from optimizer.joint import SolverSettings, solve_joint
from optimizer.problem import (
    ACUTE_KINDS,
    INTERIM_KINDS,
    RESOURCE_FAMILY_ROOM,
    RESOURCE_PLACES,
    Household,
    Policy,
    Resource,
    Unit,
)
from optimizer.results import InputProblem, MoveOnProposal, MoveOnResult, Reason
from optimizer.validate import problem

FREED_BED_WEIGHT = 100  # per acute bed freed; above any priority weight, so freeing comes first


def propose_move_on(
    placed_households: Sequence[Household],
    units: Sequence[Unit],
    districts: Districts,
    policy: Policy | None = None,
    current_resources: Mapping[str, Resource] | None = None,
    time_limit_s: float = 5.0,
    num_workers: int = 1,
    seed: int = 0,
) -> MoveOnResult:
    """`current_resources`: what each household occupies now (request_id -> Resource); by
    default `household.size` single places."""
    t0 = time.perf_counter()
    policy = policy or Policy()
    dmap = as_district_map(districts)
    by_id = {u.unit_id: u for u in units}
    current = current_resources or {}

    # --- who may move ---
    eligible: list[Household] = []
    not_eligible: list[tuple[str, InputProblem]] = []
    for hh in placed_households:
        why = _not_eligible(hh, by_id)
        if why is None:
            eligible.append(hh)
        else:
            not_eligible.append((hh.request_id, why))
    frees = {
        hh.request_id: current.get(hh.request_id, Resource(RESOURCE_PLACES, hh.size))
        for hh in eligible
    }

    # --- plan: interim units only, freed acute beds first ---
    targets = [u for u in units if u.kind in INTERIM_KINDS]
    weights = [
        FREED_BED_WEIGHT * frees[hh.request_id].persons + placement_weight(hh, policy)
        for hh in eligible
    ]
    settings = SolverSettings(time_limit_s=time_limit_s, num_workers=num_workers, seed=seed)
    plan = solve_joint(eligible, targets, dmap, policy, weights, settings, t0) if eligible else None

    # --- proposals ---
    moves: list[MoveOnProposal] = []
    not_moved = []
    if plan is not None:
        for hh, a in zip(eligible, plan.assignments, strict=True):
            if a.unit_id is None or a.resource is None or a.score is None:
                not_moved.append(a)
                continue
            freed = frees[hh.request_id]
            reason = _freed_reason(freed)
            moves.append(
                MoveOnProposal(
                    request_id=hh.request_id,
                    from_unit_id=hh.current_unit_id or "",
                    to_unit_id=a.unit_id,
                    resource=a.resource,
                    score=a.score,
                    frees_acute=freed,
                    reasons=(reason, *a.reasons),
                )
            )
    places = sum(m.frees_acute.persons for m in moves if m.frees_acute.kind == RESOURCE_PLACES)
    rooms = sum(1 for m in moves if m.frees_acute.kind == RESOURCE_FAMILY_ROOM)
    return MoveOnResult(
        moves=tuple(moves),
        not_moved=tuple(not_moved),
        not_eligible=tuple(not_eligible),
        freed_acute_places=places,
        freed_acute_family_rooms=rooms,
        plan=plan,
        problems=plan.problems if plan is not None else (),
    )


def _not_eligible(hh: Household, by_id: Mapping[str, Unit]) -> InputProblem | None:
    if hh.phase != "post_acute":
        return problem(
            "still_acute",
            "Hushållet är fortfarande i akutfasen",
            "The household is still in the acute phase",
        )
    unit = by_id.get(hh.current_unit_id or "")
    if unit is None:
        return problem(
            "current_unit_unknown",
            "Nuvarande boende är okänt",
            "The current unit is unknown",
        )
    if unit.kind not in ACUTE_KINDS:
        return problem(
            "not_in_acute_place",
            "Hushållet bor inte i en akut plats (skyddat boende eller vandrarhem)",
            "The household is not in an acute place (protected shelter or hostel)",
        )
    return None


def _freed_reason(freed: Resource) -> Reason:
    return Reason(
        "frees_acute",
        0,
        f"Flytten frigör {freed.text_sv} i akut boende",
        f"The move frees {freed.text_en} in acute housing",
    )
