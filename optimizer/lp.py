"""LP duals for large joint plans: column generation, a valid bound, reduced-cost fixing.

When the exactly-pruned model is still too large for CP-SAT to solve well in the time limit,
CP-SAT works on a *core* of the options (the best few per household, plus what pricing adds).
This module makes that safe, by weak duality:

For any u_h >= 0 (household rows), v_R >= 0 (resource rows) and mu >= 0 (the row
"placed weight >= P1" of phase 2), every feasible plan x of the FULL model satisfies

    c.x <= Z + sum_j min(d_j, 0) x_j,   Z = sum u_h + sum v_R cap_R - mu P1 + sum_j max(d_j, 0),
    d_j = c_j - u_h(j) - a_j v_R(j) + mu w_h(j)     (a_j: persons for places, 1 for a room)

summed over all options j of the full model. So Z bounds the full optimum, and a plan that uses
option j is worth at most Z + d_j. With an incumbent of integer value I, an option with
Z + d_j < I + 1 cannot be in a strictly better plan: if every option outside the core passes
that test and CP-SAT proved the core optimal, the core optimum is the full optimum.
The duals come from GLOP on the core LP; we clamp them to >= 0, so the bound stays valid even if
the LP is not solved exactly, it is only less tight.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from optimizer.candidates import Options
from optimizer.problem import RESOURCE_PLACES

EPS = 1e-6


@dataclass(frozen=True, slots=True)
class Duals:
    u: dict[int, float]  # household index -> dual
    v: dict[int, float]  # resource index -> dual
    mu: float
    primal: dict[int, float]  # option -> LP value (options of the core only)


def lp_duals(
    opts: Options,
    cols: Sequence[int],
    sizes: Sequence[int],
    obj: Sequence[int],
    level1: tuple[Sequence[int], int] | None,
) -> Duals | None:
    """Solve the LP relaxation restricted to `cols` with GLOP; None if it fails."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    inf = solver.infinity()
    xs = [solver.NumVar(0.0, 1.0, "") for _ in cols]
    hrow: dict[int, pywraplp.Constraint] = {}
    rrow: dict[int, pywraplp.Constraint] = {}
    lrow = solver.Constraint(float(level1[1]), inf) if level1 is not None else None
    objective = solver.Objective()
    for x, j in zip(xs, cols, strict=True):
        h = opts.household[j]
        r = opts.resource[j]
        row = hrow.get(h)
        if row is None:
            row = hrow[h] = solver.Constraint(-inf, 1.0)
        row.SetCoefficient(x, 1.0)
        info = opts.resources[r]
        rr = rrow.get(r)
        if rr is None:
            rr = rrow[r] = solver.Constraint(-inf, float(info.capacity))
        rr.SetCoefficient(x, float(sizes[h] if info.kind == RESOURCE_PLACES else 1))
        if lrow is not None and level1 is not None:
            lrow.SetCoefficient(x, float(level1[0][h]))
        objective.SetCoefficient(x, float(obj[j]))
    objective.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return Duals(
        u={h: max(0.0, c.dual_value()) for h, c in hrow.items()},
        v={r: max(0.0, c.dual_value()) for r, c in rrow.items()},
        mu=max(0.0, -lrow.dual_value()) if lrow is not None else 0.0,
        primal={j: x.solution_value() for x, j in zip(xs, cols, strict=True)},
    )


def reduced_costs(
    opts: Options,
    cols: Sequence[int],
    sizes: Sequence[int],
    obj: Sequence[int],
    weights: Sequence[int],
    duals: Duals,
) -> list[float]:
    u, v, mu = duals.u, duals.v, duals.mu
    out: list[float] = []
    res = opts.resources
    for j in cols:
        h = opts.household[j]
        r = opts.resource[j]
        a = sizes[h] if res[r].kind == RESOURCE_PLACES else 1
        out.append(obj[j] - u.get(h, 0.0) - a * v.get(r, 0.0) + mu * weights[h])
    return out


def dual_bound(
    opts: Options,
    d_all: Sequence[float],
    duals: Duals,
    level1_rhs: int | None,
) -> float:
    """Z above, over every option of the full model (d_all in the same order)."""
    z = sum(duals.u.values())
    z += sum(val * opts.resources[r].capacity for r, val in duals.v.items())
    if level1_rhs is not None:
        z -= duals.mu * level1_rhs
    z += sum(d for d in d_all if d > 0)
    return z


def column_generation(
    opts: Options,
    core: list[int],
    all_cols: Sequence[int],
    sizes: Sequence[int],
    obj: Sequence[int],
    weights: Sequence[int],
    level1_rhs: int | None,
    deadline: float,
    rounds: int = 12,
    per_household: int = 5,
) -> tuple[list[int], Duals | None, list[float], float | None]:
    """Grow the core until its LP is optimal for the full model (no option with a positive
    reduced cost left), adding the best few options per household each round. Stops early at
    the deadline. Returns the core and the duals, reduced costs (of `all_cols`) and bound Z of
    the round with the smallest Z: every round's Z is a valid bound."""
    in_core = set(core)
    best: tuple[Duals, list[float], float] | None = None
    last: Duals | None = None
    level1 = (weights, level1_rhs) if level1_rhs is not None else None
    for _ in range(rounds):
        duals = lp_duals(opts, core, sizes, obj, level1)
        if duals is None:
            break
        last = duals
        d_all = reduced_costs(opts, all_cols, sizes, obj, weights, duals)
        z = dual_bound(opts, d_all, duals, level1_rhs)
        if best is None or z < best[2]:
            best = (duals, d_all, z)
        add: dict[int, list[tuple[float, int]]] = {}
        for d, j in zip(d_all, all_cols, strict=True):
            if d > EPS and j not in in_core:
                add.setdefault(opts.household[j], []).append((d, j))
        if not add or time.perf_counter() > deadline:
            break
        for cand in add.values():
            cand.sort(reverse=True)
            in_core.update(j for _d, j in cand[:per_household])
        core = sorted(in_core)
    if best is None or last is None:
        return core, None, [], None
    # The bound and reduced costs of the tightest round; the LP values of the last round
    # (the most complete core), which `round_plan` turns into a starting plan.
    chosen = Duals(best[0].u, best[0].v, best[0].mu, last.primal)
    return core, chosen, best[1], best[2]


def violators(
    all_cols: Sequence[int],
    d_all: Sequence[float],
    z: float,
    incumbent: int,
    core: set[int],
) -> list[int]:
    """Options outside the core that could still be in a plan better than the incumbent."""
    limit = incumbent + 1 - EPS * max(1.0, abs(z))
    return [j for d, j in zip(d_all, all_cols, strict=True) if j not in core and z + d >= limit]


def round_plan(
    opts: Options,
    sizes: Sequence[int],
    weights: Sequence[int],
    primal: dict[int, float],
    level1_rhs: int,
    all_cols: Sequence[int],
) -> list[int] | None:
    """A plan from the LP values: options by decreasing LP value (then fit), each taken if its
    household is still free and its resource still has room; then households left out, heaviest
    first, take their best option that still has room. None if it places less weight than
    `level1_rhs` (phase 2 must keep the phase-1 level)."""
    room: dict[int, int] = {}
    taken: set[int] = set()
    plan: list[int] = []
    order = sorted(
        (j for j, val in primal.items() if val > 1e-6),
        key=lambda j: (-primal[j], -opts.fit[j], j),
    )

    def take(j: int) -> bool:
        h = opts.household[j]
        r = opts.resource[j]
        info = opts.resources[r]
        need = sizes[h] if info.kind == RESOURCE_PLACES else 1
        left = room.get(r, info.capacity)
        if need > left:
            return False
        room[r] = left - need
        taken.add(h)
        plan.append(j)
        return True

    for j in order:
        if opts.household[j] not in taken:
            take(j)
    rest: dict[int, list[int]] = {}
    for j in all_cols:
        h = opts.household[j]
        if h not in taken:
            rest.setdefault(h, []).append(j)
    for h in sorted(rest, key=lambda h: (-weights[h], h)):
        for j in sorted(rest[h], key=lambda j: (-opts.fit[j], j)):
            if take(j):
                break
    placed = sum(weights[h] for h in taken)
    return plan if placed >= level1_rhs else None
