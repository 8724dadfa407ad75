"""The joint plan's CP-SAT model, written straight into the model proto from arrays.

One 0/1 variable per option in `cols`; at most one option per household; per resource the
options' demand (persons for single places, 1 for a family room) within its capacity. Building
through the proto's repeated fields (`extend` with whole lists) costs a few milliseconds for
100,000 variables, where one Python call per variable and term (`new_bool_var`, `add_hint`,
`weighted_sum`) costs about a second: at national size that second is a fifth of the limit.

The objective is maximised the way `CpModel.maximize` does it: negated coefficients and a
scaling factor of -1, so `objective_value` and `best_objective_bound` are the maximised values.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

IntArray = npt.NDArray[np.signedinteger[Any]]


@dataclass(frozen=True, slots=True)
class SolveOutcome:
    status: str  # CP-SAT status name
    objective: int
    bound: int
    wall_time_s: float
    chosen: IntArray | None  # positions in `cols` set to 1; None without a solution


def _groups(keys: IntArray) -> tuple[IntArray, list[int], list[int]]:
    """Positions sorted by key, and the start and end of each key's run."""
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    if len(sk) == 0:
        return order, [], []
    starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
    ends = np.r_[starts[1:], len(sk)]
    return order, starts.tolist(), ends.tolist()


def build_model(
    hh: IntArray,
    res: IntArray,
    need: IntArray,
    capacity: IntArray,
    objective: IntArray,
    at_least: tuple[IntArray, int] | None,
    hint: npt.NDArray[np.bool_] | None,
) -> cp_model.CpModel:
    """`hh`, `res`, `need`, `objective`: per variable. `capacity`: per resource index.
    `at_least`: (coefficients, right-hand side) of one extra row sum >= rhs. `hint`: a complete
    starting solution (one bool per variable)."""
    model = cp_model.CpModel()
    p = model.proto
    n = len(hh)
    if n == 0:
        return model
    var = p.variables.add()
    var.domain.extend([0, 1])
    if n > 1:
        p.variables.extend([var] * (n - 1))
    order, starts, ends = _groups(hh)
    for s, e in zip(starts, ends, strict=True):
        if e - s > 1:
            p.constraints.add().at_most_one.literals.extend(order[s:e].tolist())
    order, starts, ends = _groups(res)
    for s, e in zip(starts, ends, strict=True):
        idx = order[s:e]
        demand = need[idx]
        cap = int(capacity[int(res[idx[0]])])
        if int(demand.sum()) > cap:
            lin = p.constraints.add().linear
            lin.vars.extend(idx.tolist())
            lin.coeffs.extend(demand.tolist())
            lin.domain.extend([0, cap])
    if at_least is not None:
        coefs, rhs = at_least
        lin = p.constraints.add().linear
        lin.vars.extend(range(n))
        lin.coeffs.extend(coefs.tolist())
        lin.domain.extend([int(rhs), max(int(rhs), int(coefs.sum()))])
    p.objective.vars.extend(range(n))
    p.objective.coeffs.extend((-objective).tolist())
    p.objective.scaling_factor = -1.0
    if hint is not None:
        p.solution_hint.vars.extend(range(n))
        p.solution_hint.values.extend(hint.astype(np.int64).tolist())
    return model


def solve(
    model: cp_model.CpModel,
    limit_s: float,
    num_workers: int,
    seed: int,
    deterministic: bool,
    deterministic_time_s: float | None,
    full_lp: bool = False,
) -> SolveOutcome:
    """`full_lp`: give the search the LP relaxation of every constraint (linearization level
    2), which on a model of a few thousand options closes the gap in a fraction of the time and
    on tens of thousands costs more than it gains."""
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.max_time_in_seconds = max(0.01, limit_s)
    p.num_workers = max(1, num_workers)
    p.random_seed = seed
    # Light presolve: on these assignment models the default presolve (probing, symmetry,
    # repeated passes) can take most of the time limit without helping the search.
    p.cp_model_probing_level = 0
    p.symmetry_level = 0
    p.max_presolve_iterations = 1
    if full_lp:
        p.linearization_level = 2
    if deterministic and num_workers > 1:
        p.interleave_search = True
    if deterministic_time_s is not None:
        p.max_deterministic_time = deterministic_time_s
    t = time.perf_counter()
    status = solver.solve(model)
    wall = time.perf_counter() - t
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return SolveOutcome(name, 0, 0, wall, None)
    values = np.asarray(solver.response_proto.solution, dtype=np.int64)
    return SolveOutcome(
        name,
        round(solver.objective_value),
        round(solver.best_objective_bound),
        wall,
        np.flatnonzero(values),
    )
