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
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from optimizer.candidates import IntArray, Options, as_array, take
from optimizer.greedy import SortedOptions

EPS = 1e-6
LP_S_PER_COLUMN = 2e-5  # GLOP round on the core, built through pywraplp (measured, unloaded)
PRICE_S_PER_OPTION = 1.5e-7  # reduced costs and bounds over every option, per round
FloatArray = np.ndarray


@dataclass(frozen=True, slots=True)
class Duals:
    u: FloatArray  # per household index
    v: FloatArray  # per resource index
    mu: float
    primal: dict[int, float]  # option -> LP value (options of the core only)


def lp_duals(
    opts: Options,
    cols: IntArray,
    obj: IntArray,
    level1: tuple[IntArray, int] | None,
    n_households: int,
) -> Duals | None:
    """Solve the LP relaxation restricted to `cols` with GLOP; None if it fails."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    inf = solver.infinity()
    cl = cols.tolist()
    hs = opts.household[cols].tolist()
    rs = opts.resource[cols].tolist()
    need = opts.need[cols].tolist()
    cs = obj[cols].tolist()
    ws = level1[0][opts.household[cols]].tolist() if level1 is not None else []
    xs = [solver.NumVar(0.0, 1.0, "") for _ in cl]
    hrow: dict[int, pywraplp.Constraint] = {}
    rrow: dict[int, pywraplp.Constraint] = {}
    lrow = solver.Constraint(float(level1[1]), inf) if level1 is not None else None
    objective = solver.Objective()
    cap = opts.capacity
    for k, x in enumerate(xs):
        h = hs[k]
        r = rs[k]
        row = hrow.get(h)
        if row is None:
            row = hrow[h] = solver.Constraint(-inf, 1.0)
        row.SetCoefficient(x, 1.0)
        rr = rrow.get(r)
        if rr is None:
            rr = rrow[r] = solver.Constraint(-inf, float(cap[r]))
        rr.SetCoefficient(x, float(need[k]))
        if lrow is not None:
            lrow.SetCoefficient(x, float(ws[k]))
        objective.SetCoefficient(x, float(cs[k]))
    objective.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    u = np.zeros(n_households)
    v = np.zeros(len(opts.resources))
    for h, c in hrow.items():
        u[h] = max(0.0, c.dual_value())
    for r, c in rrow.items():
        v[r] = max(0.0, c.dual_value())
    return Duals(
        u=u,
        v=v,
        mu=max(0.0, -lrow.dual_value()) if lrow is not None else 0.0,
        primal={j: x.solution_value() for x, j in zip(xs, cl, strict=True)},
    )


def reduced_costs(
    opts: Options, cols: IntArray, obj: IntArray, weights: IntArray, duals: Duals
) -> FloatArray:
    h = take(opts.household, cols)
    d = duals.u[h]
    np.subtract(take(obj, cols), d, out=d)
    d -= take(opts.need, cols) * duals.v[take(opts.resource, cols)]
    if duals.mu:
        d += duals.mu * weights[h]
    return d


def dual_bound(opts: Options, d_all: FloatArray, duals: Duals, level1_rhs: int | None) -> float:
    """Z above, over every option of the full model (d_all in the same order)."""
    z = float(duals.u.sum()) + float((duals.v * opts.capacity).sum())
    if level1_rhs is not None:
        z -= duals.mu * level1_rhs
    return z + float(d_all[d_all > 0].sum())


def lagrangian_bound(
    opts: Options,
    cols: IntArray,
    obj: IntArray,
    weights: IntArray,
    duals: Duals,
    level1_rhs: int | None,
) -> float:
    """A bound at least as tight as Z for the same v and mu: with the resource rows and the
    level-1 row moved into the objective, each household alone takes its best option (or
    none), so  sum_R v_R cap_R - mu P1 + sum_h max(0, max_j (c_j - a_j v_R + mu w_h))  bounds
    every plan of the full model (weak duality); Z is this with a worse choice of u."""
    h = take(opts.household, cols)
    gain = take(opts.need, cols) * duals.v[take(opts.resource, cols)]
    np.subtract(take(obj, cols), gain, out=gain)
    if duals.mu:
        gain += duals.mu * weights[h]
    best = np.zeros(len(duals.u))
    np.maximum.at(best, h, gain)
    z = float((duals.v * opts.capacity).sum()) + float(best.sum())
    if level1_rhs is not None:
        z -= duals.mu * level1_rhs
    return z


def column_generation(
    opts: Options,
    core: IntArray,
    all_cols: IntArray,
    obj: IntArray,
    weights: IntArray,
    level1_rhs: int | None,
    deadline: float,
    rounds: int = 12,
    per_household: int = 5,
) -> tuple[IntArray, Duals | None, FloatArray, float | None, float | None]:
    """Grow the core until its LP is optimal for the full model (no option with a positive
    reduced cost left), adding the best few options per household each round. Stops before a
    round that would end after the deadline. Returns the core and the duals, reduced costs (of
    `all_cols`) and bound Z of the round with the smallest Z (every round's Z is a valid bound;
    the reduced-cost check needs Z), and the tightest Lagrangian bound of all rounds."""
    in_core = np.zeros(len(opts), dtype=bool)
    in_core[core] = True
    best: tuple[Duals, FloatArray, float] | None = None
    last: Duals | None = None
    level1 = (weights, level1_rhs) if level1_rhs is not None else None
    n_h = len(opts.failed_counts)
    # A guess until the first round is measured.
    round_s = len(core) * LP_S_PER_COLUMN + len(all_cols) * PRICE_S_PER_OPTION
    bound: float | None = None
    for _ in range(rounds):
        t = time.perf_counter()
        if t + round_s > deadline:
            break
        duals = lp_duals(opts, core, obj, level1, n_h)
        if duals is None:
            break
        last = duals
        d_all = reduced_costs(opts, all_cols, obj, weights, duals)
        z = dual_bound(opts, d_all, duals, level1_rhs)
        if best is None or z < best[2]:
            best = (duals, d_all, z)
        tight = lagrangian_bound(opts, all_cols, obj, weights, duals, level1_rhs)
        bound = tight if bound is None else min(bound, tight)
        cand = (d_all > EPS) & ~in_core[all_cols]
        round_s = time.perf_counter() - t
        if not cand.any():
            break
        js = all_cols[cand]
        dj = d_all[cand]
        hj = opts.household[js]
        # The best `per_household` candidates of each household: sort by household, then by
        # decreasing reduced cost, and keep the first few of each run.
        order = np.lexsort((js, -dj, hj))
        hs = hj[order]
        first = np.r_[0, np.flatnonzero(hs[1:] != hs[:-1]) + 1]
        rank = np.arange(len(hs)) - np.repeat(first, np.diff(np.r_[first, len(hs)]))
        in_core[js[order[rank < per_household]]] = True
        core = np.flatnonzero(in_core)
    if best is None or last is None or bound is None:
        return core, None, np.zeros(0), None, None
    # The bound and reduced costs of the tightest round; the LP values of the last round
    # (the most complete core), which `round_plan` turns into a starting plan.
    chosen = Duals(best[0].u, best[0].v, best[0].mu, last.primal)
    return core, chosen, best[1], best[2], bound


def violators(
    all_cols: IntArray, d_all: FloatArray, z: float, incumbent: int, core: IntArray
) -> IntArray:
    """Options outside the core that could still be in a plan better than the incumbent."""
    limit = incumbent + 1 - EPS * max(1.0, abs(z))
    could = np.flatnonzero(z + d_all >= limit)
    js = all_cols[could]
    return js[~np.isin(js, core)]


def round_plan(
    opts: Options,
    weights: IntArray,
    primal: dict[int, float],
    level1_rhs: int,
    srt: SortedOptions,
) -> IntArray | None:
    """A plan from the LP values: options by decreasing LP value (then fit), each taken if its
    household is still free and its resource still has room; then households left out, heaviest
    first, take their best option (of `srt`) that still has room. None if it places less
    weight than `level1_rhs` (phase 2 must keep the phase-1 level)."""
    room = opts.capacity.copy()
    fit = opts.fit
    taken = np.zeros(len(srt.start) - 1, dtype=bool)
    plan: list[int] = []
    order = sorted(
        (j for j, val in primal.items() if val > 1e-6),
        key=lambda j: (-primal[j], -int(fit[j]), j),
    )
    for j in order:
        h = int(opts.household[j])
        r = int(opts.resource[j])
        if not taken[h] and opts.need[j] <= room[r]:
            room[r] -= opts.need[j]
            taken[h] = True
            plan.append(j)
    counts = np.diff(np.asarray(srt.start))
    rest = np.flatnonzero(~taken & (counts > 0))
    for h in rest[np.lexsort((rest, -weights[rest]))].tolist():
        a, b = srt.start[h], srt.start[h + 1]
        need = srt.need(a, b)
        ok = np.flatnonzero(room[srt.res(a, b)] >= need)
        if len(ok):
            j = int(srt.cols[a + int(ok[0])])
            room[opts.resource[j]] -= need[int(ok[0])]
            taken[h] = True
            plan.append(j)
    placed = int(weights[taken].sum())
    return as_array(sorted(plan)) if placed >= level1_rhs else None
