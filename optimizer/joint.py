"""Mode 2, joint plan: all open requests at once with CP-SAT.

Lexicographic objective, two CP-SAT solves:
  1. maximise the weighted number of placed households (weight: risk and waiting time);
  2. require placed weight >= the phase-1 value and maximise the fit (sum of soft scores),
     starting from the phase-1 plan (a complete hint).
When phase 1 is proven optimal, phase 2's optimum is the lexicographic optimum. A level-2 bound
is a bound among plans that keep the phase-1 placed weight.

Model size. Variables exist only for (household, unit, resource) options that pass every hard
rule, rooms of equal capacity are one resource (exact), and `prune_exact` drops options that
provably cannot matter (see its docstring). If more than `max_core_variables` remain, CP-SAT
works on a core: the best options per household, grown by LP column generation (GLOP) until
the core LP is optimal for the full model; LP duals then give a valid bound for the full model
and reduced-cost fixing checks that nothing outside the core can beat the plan found (see
`optimizer/lp.py`). `pruning == "exact"` means that check passed (or no core was needed);
otherwise the plan is still feasible and the gaps are measured against valid bounds.

Determinism: fixed seed; with one worker (the default) the search is deterministic; with
several, `interleave_search` keeps it so (much slower in OR-Tools 9.15, so not the default).
A wall-clock limit that interrupts the search can still make two runs differ; pass
`deterministic_time_s` to bound the search by deterministic time as well.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from optimizer.candidates import (
    Options,
    build_options,
    improve_plan,
    placement_weight,
    prune_exact,
)
from optimizer.common import Districts, as_district_map, explain_option
from optimizer.explain import RULE_LABELS
from optimizer.lp import column_generation, round_plan, violators
from optimizer.problem import RESOURCE_PLACES, DistrictInfo, Household, Policy, Resource, Unit
from optimizer.results import (
    InputProblem,
    JointAssignment,
    JointPlanResult,
    LevelStats,
    Reason,
)
from optimizer.validate import (
    duplicate_ids,
    household_problems,
    policy_problems,
    problem,
    usable_districts,
    usable_units,
)


@dataclass(frozen=True, slots=True)
class SolverSettings:
    time_limit_s: float = 10.0
    num_workers: int = 1
    seed: int = 0
    deterministic: bool = True
    deterministic_time_s: float | None = None
    max_options_per_household: int | None = None  # heuristic cap; None keeps it exact
    max_core_variables: int = 12_000  # above this, phase 2 works on an LP-checked core
    max_phase1_variables: int = 150_000  # above this, phase 1 does too


def plan_jointly(
    households: Sequence[Household],
    units: Sequence[Unit],
    districts: Districts,
    policy: Policy | None = None,
    time_limit_s: float = 10.0,
    num_workers: int = 1,
    seed: int = 0,
    deterministic: bool = True,
    deterministic_time_s: float | None = None,
    max_options_per_household: int | None = None,
    max_core_variables: int = 12_000,
    max_phase1_variables: int = 150_000,
) -> JointPlanResult:
    policy = policy or Policy()
    settings = SolverSettings(
        time_limit_s=time_limit_s,
        num_workers=num_workers,
        seed=seed,
        deterministic=deterministic,
        deterministic_time_s=deterministic_time_s,
        max_options_per_household=max_options_per_household,
        max_core_variables=max_core_variables,
        max_phase1_variables=max_phase1_variables,
    )
    weights = [placement_weight(hh, policy) for hh in households]
    return solve_joint(households, units, districts, policy, weights, settings)


def solve_joint(
    households: Sequence[Household],
    units: Sequence[Unit],
    districts: Districts,
    policy: Policy,
    weights: Sequence[int],
    settings: SolverSettings,
) -> JointPlanResult:
    """The shared engine of the joint plan and of move-on (which passes its own weights)."""
    t0 = time.perf_counter()
    # Keep a little of the limit for writing the explanations after the last solve.
    deadline = t0 + settings.time_limit_s * 0.97

    # --- data ---
    dmap, problems = usable_districts(as_district_map(districts))
    unit_list, unit_problems = usable_units(units)
    problems += unit_problems + policy_problems(policy)
    valid = _valid_households(households, dmap, problems) if not policy_problems(policy) else []
    hhs = [households[i] for i in valid]
    w = [weights[i] for i in valid]
    sizes = [hh.size for hh in hhs]
    opts = build_options(hhs, unit_list, dmap, policy)
    all_cols = prune_exact(opts, sizes)
    heuristic = False
    if settings.max_options_per_household is not None:
        all_cols, heuristic = _cap_options(opts, all_cols, settings.max_options_per_household)
    placed_obj = [w[h] for h in opts.household]
    # Phase 1 (placed weight) is easy for CP-SAT and runs on every option up to a generous
    # size; phase 2 (fit) is hard and uses an LP-checked core above `max_core_variables`.
    big1 = len(all_cols) > settings.max_phase1_variables
    big = len(all_cols) > settings.max_core_variables
    core = _initial_core(opts, all_cols, settings.max_core_variables) if big else all_cols

    # --- phase 1: weighted number placed ---
    sol1: list[int] | None = None
    s1 = LevelStats(0, 0, 0.0, "OPTIMAL", 0.0)
    d1: list[float] = []
    z1: float | None = None
    if big1:
        cg_deadline = t0 + settings.time_limit_s * 0.4
        core, _duals1, d1, z1 = column_generation(
            opts, core, all_cols, sizes, placed_obj, w, None, cg_deadline
        )
    n_vars = 0
    if all_cols:
        cols1 = core if big1 else all_cols
        n_vars = len(cols1)
        s1, sol1 = _phase(opts, cols1, sizes, w, None, None, settings, deadline, 0.4)
    certified1 = not big1
    if big1 and sol1 is not None and z1 is not None:
        extra = violators(all_cols, d1, z1, s1.objective, set(core))
        if extra and len(extra) <= settings.max_core_variables:
            core = sorted(set(core) | set(extra))
            s1b, sol1b = _phase(opts, core, sizes, w, None, sol1, settings, deadline, 0.5)
            if sol1b is not None and s1b.objective >= s1.objective:
                s1, sol1 = s1b, sol1b
                extra = []  # every option that could beat the first plan was in this solve
        certified1 = not extra
        bound = math.floor(z1 + 1e-6)
        if certified1:
            bound = min(bound, s1.bound)
        s1 = _with_bound(s1, max(bound, s1.objective))
    elif big1 and sol1 is not None:  # no LP duals: nothing proves the core enough
        s1 = _with_bound(s1, sum(max(w[h], 0) for h in set(opts.household)))

    # --- phase 2: fit, with level 1 held at the phase-1 value ---
    s2 = LevelStats(0, 0, 0.0, s1.status, 0.0)
    sol2 = sol1
    certified2 = not big
    if sol1 is not None:
        core2 = sorted(set(core) | set(sol1))
        # Start phase 2 from the best of: the phase-1 plan moved to better free options, and
        # (large models) the rounded LP plan when it keeps the phase-1 placed weight.
        starts = [improve_plan(opts, sizes, sol1, all_cols)]
        d2: list[float] = []
        z2: float | None = None
        if big:
            cg_deadline = time.perf_counter() + (deadline - time.perf_counter()) * 0.3
            core2, duals2, d2, z2 = column_generation(
                opts, core2, all_cols, sizes, opts.fit, w, s1.objective, cg_deadline
            )
            if duals2 is not None:
                rounded = round_plan(opts, sizes, w, duals2.primal, s1.objective, all_cols)
                if rounded is not None:
                    starts.append(improve_plan(opts, sizes, rounded, all_cols))
        hint2 = max(starts, key=lambda p: sum(opts.fit[j] for j in p))
        core2 = sorted(set(core2) | set(hint2))
        s2, sol2b = _phase(opts, core2, sizes, w, s1.objective, hint2, settings, deadline, 1.0)
        if sol2b is not None:
            sol2 = sol2b
        else:  # keep the starting plan; its fit is what it is, the bound only the trivial one
            sol2 = hint2
            fit1 = sum(opts.fit[j] for j in hint2)
            trivial = max(_trivial_fit_bound(opts, all_cols), fit1)
            s2 = LevelStats(fit1, trivial, _gap(fit1, trivial), s2.status, s2.wall_time_s)
        n_vars = max(n_vars, len(core2))
        if big and z2 is not None:
            extra = violators(all_cols, d2, z2, s2.objective, set(core2))
            certified2 = not extra
            bound = math.floor(z2 + 1e-6)
            if certified2:
                bound = min(bound, s2.bound)
            s2 = _with_bound(s2, max(bound, s2.objective))
        elif big:  # no LP duals: only the trivial bound is valid for the full model
            s2 = _with_bound(s2, max(_trivial_fit_bound(opts, all_cols), s2.objective))

    # --- solution and explanations ---
    chosen = {opts.household[j]: j for j in (sol2 or [])}
    assignments = _assignments(households, valid, hhs, w, opts, chosen, sol2 is not None)
    exact = certified1 and certified2
    status = _overall_status(s1, s2, sol2 is not None or not all_cols)
    return JointPlanResult(
        assignments=assignments,
        status=status,
        placed=s1,
        fit=s2,
        wall_time_s=time.perf_counter() - t0,
        num_variables=n_vars,
        num_pairs_feasible=len(opts.household),
        pruning="heuristic" if heuristic else ("exact" if exact else "core"),
        problems=tuple(problems),
    )


def _valid_households(
    households: Sequence[Household], dmap: dict[str, DistrictInfo], problems: list[InputProblem]
) -> list[int]:
    """Indices of the households to match. A request id that appears more than once is
    refused in every copy: placing one copy would leave a second answer for the same request."""
    valid: list[int] = []
    repeated = duplicate_ids(hh.request_id for hh in households)
    for rid in sorted(repeated):
        problems.append(
            problem(
                "duplicate_request",
                f"Ärendet {rid} förekommer flera gånger; ingen av kopiorna matchas",
                f"Request {rid} appears more than once; none of the copies is matched",
            )
        )
    for i, hh in enumerate(households):
        probs, ok = household_problems(hh, dmap)
        problems.extend(_tag(hh.request_id, p) for p in probs)
        if ok and hh.request_id not in repeated:
            valid.append(i)
    return valid


def _initial_core(opts: Options, cols: list[int], budget: int) -> list[int]:
    """The best options per household by fit, about half the budget in all; column
    generation and the reduced-cost check add what the LP says may matter."""
    by_h: dict[int, list[int]] = {}
    for j in cols:
        by_h.setdefault(opts.household[j], []).append(j)
    k = max(8, budget // (2 * max(1, len(by_h))))
    out: list[int] = []
    for js in by_h.values():
        js.sort(key=lambda j: (-opts.fit[j], j))
        out.extend(js[:k])
    out.sort()
    return out


def _phase(
    opts: Options,
    cols: list[int],
    sizes: list[int],
    w: list[int],
    level1: int | None,
    hint: list[int] | None,
    settings: SolverSettings,
    deadline: float,
    share: float,
) -> tuple[LevelStats, list[int] | None]:
    """One CP-SAT solve over the options `cols`. Phase 1 (level1 None): maximise placed
    weight. Phase 2: maximise fit subject to placed weight >= level1. Returns the chosen
    options."""
    # --- variables: one per option in cols ---
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{j}") for j in cols]
    by_h: dict[int, list[int]] = {}
    by_r: dict[int, list[int]] = {}
    for k, j in enumerate(cols):
        by_h.setdefault(opts.household[j], []).append(k)
        by_r.setdefault(opts.resource[j], []).append(k)

    # --- constraints: one resource per household, capacities ---
    for ks in by_h.values():
        if len(ks) > 1:
            model.add_at_most_one(x[k] for k in ks)
    for r, ks in by_r.items():
        info = opts.resources[r]
        if info.kind == RESOURCE_PLACES:
            demand = [sizes[opts.household[cols[k]]] for k in ks]
            if sum(demand) > info.capacity:
                model.add(
                    cp_model.LinearExpr.weighted_sum([x[k] for k in ks], demand) <= info.capacity
                )
        elif len(ks) > info.capacity:
            model.add(cp_model.LinearExpr.sum([x[k] for k in ks]) <= info.capacity)
    placed = cp_model.LinearExpr.weighted_sum(x, [w[opts.household[j]] for j in cols])

    # --- objective ---
    if level1 is None:
        model.maximize(placed)
    else:
        model.add(placed >= level1)
        model.maximize(cp_model.LinearExpr.weighted_sum(x, [opts.fit[j] for j in cols]))
    if hint is not None:
        # A complete hint (every variable 0 or 1) is taken as a first solution at once.
        on = set(hint)
        for k, j in enumerate(cols):
            model.add_hint(x[k], 1 if j in on else 0)

    # --- solve ---
    limit = max(0.05, (deadline - time.perf_counter()) * share)
    stats, values = _solve(model, settings, limit)
    if values is None:
        return stats, None
    return stats, [cols[k] for k in range(len(cols)) if values[k]]


def _trivial_fit_bound(opts: Options, cols: Sequence[int]) -> int:
    """Every household at its best option (or not placed, if all its options score below 0)."""
    best: dict[int, int] = {}
    for j in cols:
        h = opts.household[j]
        best[h] = max(best.get(h, 0), opts.fit[j])
    return sum(best.values())


def _with_bound(s: LevelStats, bound: int) -> LevelStats:
    return LevelStats(s.objective, bound, _gap(s.objective, bound), s.status, s.wall_time_s)


def _solve(
    model: cp_model.CpModel, settings: SolverSettings, limit_s: float
) -> tuple[LevelStats, list[int] | None]:
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.max_time_in_seconds = limit_s
    p.num_workers = max(1, settings.num_workers)
    p.random_seed = settings.seed
    # Light presolve: on these assignment models the default presolve (probing, symmetry,
    # repeated passes) can take most of the time limit without helping the search.
    p.cp_model_probing_level = 0
    p.symmetry_level = 0
    p.max_presolve_iterations = 1
    if settings.deterministic and settings.num_workers > 1:
        p.interleave_search = True
    if settings.deterministic_time_s is not None:
        p.max_deterministic_time = settings.deterministic_time_s
    t = time.perf_counter()
    status = solver.solve(model)
    wall = time.perf_counter() - t
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return LevelStats(0, 0, 0.0, name, wall), None
    obj = round(solver.objective_value)
    bound = round(solver.best_objective_bound)
    values = list(solver.response_proto.solution)
    return LevelStats(obj, bound, _gap(obj, bound), name, wall), values


def _gap(obj: int, bound: int) -> float:
    return abs(bound - obj) / max(1, abs(obj))


def _overall_status(s1: LevelStats, s2: LevelStats, solved: bool) -> str:
    """OPTIMAL only when both levels meet their (valid) bounds."""
    if not solved:
        return s1.status if s1.status not in ("OPTIMAL", "FEASIBLE") else "UNKNOWN"
    if s1.objective >= s1.bound and s2.objective >= s2.bound:
        return "OPTIMAL"
    return "FEASIBLE"


def _cap_options(opts: Options, keep: list[int], cap: int) -> tuple[list[int], bool]:
    """Heuristic: at most `cap` best options per household (may lose optimality)."""
    by_h: dict[int, list[int]] = {}
    for oi in keep:
        by_h.setdefault(opts.household[oi], []).append(oi)
    out: list[int] = []
    cut = False
    for ois in by_h.values():
        if len(ois) > cap:
            cut = True
            ois = sorted(ois, key=lambda oi: (-opts.fit[oi], oi))[:cap]
        out.extend(ois)
    out.sort()
    return out, cut


def _tag(request_id: str, p: InputProblem) -> InputProblem:
    return InputProblem(p.code, f"{request_id}: {p.text_sv}", f"{request_id}: {p.text_en}")


def _assignments(
    households: Sequence[Household],
    valid: list[int],
    hhs: list[Household],
    w: list[int],
    opts: Options,
    chosen: dict[int, int],
    solved: bool,
) -> tuple[JointAssignment, ...]:
    with_options = set(opts.household)
    out: dict[int, JointAssignment] = {}
    for vi, hh in enumerate(hhs):
        oi = chosen.get(vi)
        if oi is not None:
            info = opts.resources[opts.resource[oi]]
            res = Resource(info.kind, info.room_capacity or hh.size)
            ctx, sctx = opts.contexts[vi]
            score, reasons = explain_option(ctx, sctx, info.unit, res)
            out[valid[vi]] = JointAssignment(
                hh.request_id, info.unit.unit_id, res, score, w[vi], reasons
            )
        else:
            why = _why_unplaced(opts.failed_counts[vi], vi in with_options, solved)
            out[valid[vi]] = JointAssignment(hh.request_id, None, None, None, w[vi], (why,))
    for i, hh in enumerate(households):
        if i not in out:
            out[i] = JointAssignment(
                hh.request_id,
                None,
                None,
                None,
                0,
                (
                    Reason(
                        "invalid_request",
                        0,
                        "Ärendet har inte matchats: indata har fel (se problemen)",
                        "The request was not matched: the input has errors (see the problems)",
                    ),
                ),
            )
    return tuple(out[i] for i in range(len(households)))


def _why_unplaced(counts: dict[str, int], had_options: bool, solved: bool) -> Reason:
    if had_options and not solved:
        return Reason(
            "solver_no_solution",
            0,
            "Ingen plan hann tas fram inom tidsgränsen",
            "No plan was found within the time limit",
        )
    if had_options:
        return Reason(
            "capacity_taken",
            0,
            "Passande platser fanns men räckte inte: de gick till hushåll med högre prioritet "
            "(risk och väntetid) eller som bara kunde placeras där",
            "Suitable places existed but were not enough: they went to households with higher "
            "priority (risk and waiting time) or with no other option",
        )
    if not counts:
        # Obstacles are counted over every unit for every household without options, so
        # no counts means there was no unit at all to check.
        return Reason(
            "no_unit_available",
            0,
            "Det finns inga enheter att matcha mot",
            "There are no units to match against",
        )
    top = max(counts.items(), key=lambda kv: kv[1])
    ls, le = RULE_LABELS.get(top[0], (top[0], top[0]))
    return Reason(
        "no_feasible_unit",
        0,
        f"Ingen ledig enhet uppfyller alla krav; vanligaste hindret: {ls} ({top[1]} enheter)",
        f"No free unit meets every requirement; most common obstacle: {le} ({top[1]} units)",
    )
