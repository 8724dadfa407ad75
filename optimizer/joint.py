"""Mode 2, joint plan: all open requests at once with CP-SAT, within the time limit.

The limit covers everything, from reading the input to the last explanation:
  0. options (every hard rule, vectorised) and, when there is time, their exact pruning;
  1. a fast feasible plan at once (`optimizer/greedy.py`), so there is always a plan;
  2. CP-SAT phase 1 maximises the weighted number of placed households (risk and waiting
     time), starting from that plan (a complete hint);
  3. CP-SAT phase 2 keeps placed weight >= the phase-1 value and maximises the fit (sum of
     soft scores), starting from the best of the plans so far.
Each phase gets a share of the time that is left; what no phase improves stays as it was.
`status` says what was reached: OPTIMAL (both levels meet valid bounds), FEASIBLE (a solver
plan, gaps against valid bounds), GREEDY (the fast plan only: the solver had no time or found
nothing), and `summary_sv`/`summary_en` say it in words with the gaps.

Model size. Variables exist only for (household, unit, resource) options that pass every hard
rule, rooms of equal capacity are one resource (exact), and `prune_exact` drops options that
provably cannot matter (see its docstring). If more than `max_core_variables` remain, CP-SAT
works on a core: the best options per household, grown by LP column generation (GLOP) until
the core LP is optimal for the full model; LP duals then give a valid bound for the full model
and reduced-cost fixing checks that nothing outside the core can beat the plan found (see
`optimizer/lp.py`). `pruning == "exact"` means that check passed (or no core was needed);
otherwise the plan is still feasible and the gaps are measured against valid bounds.
Above `max_phase1_variables` options phase 1 works on such a core too (its LP bound and the
reduced-cost check keep the level-1 answer honest): at national size (about 54,000 options)
CP-SAT on the whole model spent most of a second proving what the core proves in a tenth.
Above `max_colgen_variables` options (where column generation rarely converges in time), phase
2 first prices the capacity rows and the level-1 row by a smoothed dual search (`optimizer/
lagrange.py`): the Lagrangian value over every option is a valid fit bound for any prices, and
the prices guide two more starting plans (the phase-1 households moved off contested places,
and a plan built from the prices when it keeps the level-1 weight).
Each level's gap is against the least of its valid bounds, and `LevelStats.bound_source` says
which: "cpsat" (the search's proof), "lp" (LP / Lagrangian duals), "trivial".

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

import numpy as np

from optimizer.candidates import (
    NOT_CONSIDERED,
    NOT_COUNTED,
    IntArray,
    Options,
    as_array,
    build_options,
    placement_weight,
    prune_exact,
)
from optimizer.common import Districts, as_district_map, explain_option
from optimizer.cpsat import build_model, solve
from optimizer.explain import RULE_LABELS, plan_summary
from optimizer.greedy import SortedOptions, augment_plan, greedy_plan, improve_plan
from optimizer.lagrange import fit_bound, priced_moves, priced_plan
from optimizer.lp import column_generation, round_plan, violators
from optimizer.problem import DistrictInfo, Household, Policy, Resource, Unit
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

# Kept from the limit for writing the explanations after the last solve (per household), and
# the least time worth giving CP-SAT at all.
EXPLAIN_S_PER_HOUSEHOLD = 4e-4  # measured 1.2e-4 on an idle core; the machine may be loaded
MIN_SOLVE_S = 0.05
MIN_BUILD_S = 0.2  # options are built for at least this long, however short the limit
PRICED_S_LEFT = 0.4  # least time left for the price-guided plans (about 0.3 s at stress size)
PRUNE_S_PER_OPTION = 1.5e-6  # what exact pruning costs; skipped when the time is not there
# Up to this many options a CP-SAT solve gets the full LP relaxation (linearization level 2):
# the nation's phase 2 on its core of about 6,000 options proves the core optimal in 0.8 s where
# the default search was still 0.3 % short after 3.4 s; on the stress core of 17,000 the LP's
# cost per node made the plan worse in its second.
FULL_LP_MAX_OPTIONS = 10_000


@dataclass(frozen=True, slots=True)
class SolverSettings:
    time_limit_s: float = 10.0
    num_workers: int = 1
    seed: int = 0
    deterministic: bool = True
    deterministic_time_s: float | None = None
    max_options_per_household: int | None = None  # heuristic cap; None keeps it exact
    max_core_variables: int = 12_000  # above this, phase 2 works on an LP-checked core
    max_phase1_variables: int = 40_000  # above this, phase 1 does too
    max_colgen_variables: int = 150_000  # above this, phase 2 prices first (lagrange.py)


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
    max_phase1_variables: int = 40_000,
    max_colgen_variables: int = 150_000,
) -> JointPlanResult:
    t0 = time.perf_counter()
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
        max_colgen_variables=max_colgen_variables,
    )
    weights = [placement_weight(hh, policy) for hh in households]
    return solve_joint(households, units, districts, policy, weights, settings, t0)


class _Clock:
    def __init__(self, t0: float, limit_s: float) -> None:
        self.t0 = t0
        # 3 % of a short limit for what runs after the end (the explanations are reserved
        # separately); long limits keep 10 % back, as the steps' own deadlines are estimates.
        self.end = t0 + limit_s * (0.97 if limit_s <= 5 else 0.90)

    def left(self) -> float:
        return self.end - time.perf_counter()

    def share(self, fraction: float) -> float:
        """A perf_counter time: `fraction` of what is left from now."""
        now = time.perf_counter()
        return now + max(0.0, self.end - now) * fraction


def solve_joint(
    households: Sequence[Household],
    units: Sequence[Unit],
    districts: Districts,
    policy: Policy,
    weights: Sequence[int],
    settings: SolverSettings,
    t0: float | None = None,
) -> JointPlanResult:
    """The shared engine of the joint plan and of move-on (which passes its own weights).
    `t0`: when the caller's clock started (the limit counts from there)."""
    t0 = time.perf_counter() if t0 is None else t0
    clock = _Clock(t0, settings.time_limit_s)

    # --- data ---
    dmap, problems = usable_districts(as_district_map(districts))
    unit_list, unit_problems = usable_units(units)
    bad_policy = policy_problems(policy)
    problems += unit_problems + bad_policy
    valid = [] if bad_policy else _valid_households(households, dmap, problems)
    hhs = [households[i] for i in valid]
    w = as_array([weights[i] for i in valid])
    clock.end -= EXPLAIN_S_PER_HOUSEHOLD * len(hhs)
    opts = build_options(
        hhs,
        unit_list,
        dmap,
        policy,
        count_until=clock.share(0.3),
        stop_at=clock.share(0.6),
        order=np.lexsort((np.arange(len(hhs)), -w)).tolist() if len(hhs) else [],
        min_build_s=MIN_BUILD_S,
    )
    skipped = [vi for vi, c in enumerate(opts.failed_counts) if NOT_CONSIDERED in c]
    all_cols = np.arange(len(opts), dtype=np.int32)
    if len(opts) and len(opts) * PRUNE_S_PER_OPTION < 0.2 * clock.left():
        all_cols = prune_exact(opts, [hh.size for hh in hhs])
    heuristic = False
    if settings.max_options_per_household is not None:
        all_cols, heuristic = _cap_options(opts, all_cols, settings.max_options_per_household)
    placed_obj = w[opts.household] if len(opts) else as_array([])

    # --- a plan at once ---
    srt = SortedOptions(opts, all_cols)
    plan = greedy_plan(opts, w, all_cols, srt)
    plan = augment_plan(opts, w, plan, srt, clock.share(0.05))
    plan = improve_plan(opts, plan, all_cols, srt)
    ub1 = int(w[np.unique(opts.household[all_cols])].sum()) if len(all_cols) else 0
    # Valid upper bounds on each level, by where they come from; the gap uses the least.
    b1: dict[str, int] = {"trivial": ub1}
    s1 = _stats(_value(placed_obj, plan), b1, "GREEDY", 0.0)
    solved = False
    certified1 = False
    n_vars = 0

    # --- phase 1: weighted number placed ---
    if len(all_cols) and clock.left() > MIN_SOLVE_S:
        big1 = len(all_cols) > settings.max_phase1_variables
        # On a core (large models) the search rarely gains much placed weight; phase 2's
        # prices and bound then need the time more.
        phase_end = clock.share(0.15 if big1 else 0.4)
        cols1 = all_cols
        z1: float | None = None
        lag1: float | None = None
        d1 = np.zeros(0)
        if big1:
            core = _union(_initial_core(srt, settings.max_core_variables), plan)
            cg_end = time.perf_counter() + (phase_end - time.perf_counter()) * 0.5
            core, _duals, d1, z1, lag1 = column_generation(
                opts, core, all_cols, placed_obj, w, None, cg_end
            )
            cols1 = _union(core, plan)
        n_vars = len(cols1)
        out = _phase(opts, cols1, placed_obj, None, plan, phase_end, settings)
        if out is not None:
            sol, status, bound, wall = out
            solved = True
            if _value(placed_obj, sol) >= s1.objective:
                plan = sol
            value = _value(placed_obj, plan)
            if not big1:
                certified1 = True
                b1["cpsat"] = bound
            elif z1 is not None:
                extra = violators(all_cols, d1, z1, value, cols1)
                if len(extra) and len(extra) <= settings.max_core_variables:
                    cols1b = _union(cols1, extra)
                    out_b = _phase(opts, cols1b, placed_obj, None, plan, phase_end, settings)
                    if out_b is not None and _value(placed_obj, out_b[0]) >= value:
                        plan, status, bound, wall = out_b[0], out_b[1], out_b[2], wall + out_b[3]
                        value = _value(placed_obj, plan)
                        extra = as_array([])  # all that could beat the first plan was in it
                certified1 = len(extra) == 0
                b1["lp"] = min(math.floor(z1 + 1e-6), math.floor((lag1 or z1) + 1e-6))
                if certified1:
                    b1["cpsat"] = bound
            # else: no LP duals, nothing proves the core enough: the core's bound is not used
            s1 = _stats(value, b1, status, wall)

    if len(all_cols) and s1.objective < s1.bound and clock.left() > MIN_SOLVE_S:
        # Not proven: the LP relaxation (its Lagrangian bound over every option) is often
        # much tighter than what the search proved in its share of the time.
        core = _union(_initial_core(srt, settings.max_core_variables), plan)
        _c, _d, _dd, z, lag = column_generation(
            opts, core, all_cols, placed_obj, w, None, clock.share(0.1)
        )
        if z is not None and lag is not None:
            lp_bound = min(math.floor(z + 1e-6), math.floor(lag + 1e-6))
            b1["lp"] = min(b1.get("lp", lp_bound), lp_bound)
            s1 = _stats(s1.objective, b1, s1.status, s1.wall_time_s)

    # --- phase 2: fit, with level 1 held at the plan's placed weight ---
    level1 = s1.objective
    starts = [improve_plan(opts, plan, all_cols, srt)]
    certified2 = False
    b2: dict[str, int] = {"trivial": _trivial_fit_bound(opts, all_cols)}
    if len(all_cols) and clock.left() > MIN_SOLVE_S:
        big = len(all_cols) > settings.max_core_variables
        core2 = all_cols
        z2: float | None = None
        lag2: float | None = None
        d2 = np.zeros(0)
        if len(all_cols) > settings.max_colgen_variables:
            # Very large models (where column generation rarely converges in time): prices on
            # the capacity rows, a Lagrangian bound over every option (valid for any prices)
            # and a plan that gives contested places to who loses least elsewhere.
            fit0 = _value(opts.fit, starts[0])
            lag_fit, prices, pf, _core = fit_bound(
                opts, srt, fit0, clock.share(0.65), weights=w, level1=level1
            )
            b2["lp"] = math.floor(lag_fit + 1e-6 * max(1.0, abs(lag_fit)))
            # The phase-1 plan's households (its placed weight), moved by the prices; then a
            # plan built from the prices, if it keeps that weight. Skipped when time is short.
            moved = plan
            for _ in range(2):
                if clock.left() < PRICED_S_LEFT:
                    break
                moved = improve_plan(opts, priced_moves(pf, prices, moved), all_cols, srt)
            starts.append(moved)
            if clock.left() >= PRICED_S_LEFT:
                priced = priced_plan(pf, prices, w, plan)
                priced = augment_plan(opts, w, priced, srt, clock.share(0.02))
                priced = improve_plan(opts, priced, all_cols, srt)
                if _value(placed_obj, priced) >= level1:
                    starts.append(priced)
        if big:
            core2 = _union(_initial_core(srt, settings.max_core_variables), plan)
            core2, duals2, d2, z2, lag2 = column_generation(
                opts, core2, all_cols, opts.fit, w, level1, clock.share(0.3)
            )
            if duals2 is not None:
                rounded = round_plan(opts, w, duals2.primal, level1, srt)
                if rounded is not None:
                    starts.append(improve_plan(opts, rounded, all_cols, srt))
            if z2 is not None:
                lp2 = min(math.floor(z2 + 1e-6), math.floor((lag2 or z2) + 1e-6))
                b2["lp"] = min(b2.get("lp", lp2), lp2)
        hint2 = max(starts, key=lambda p: _value(opts.fit, p))
        cols2 = _union(core2, hint2)
        n_vars = max(n_vars, len(cols2))
        out = _phase(opts, cols2, opts.fit, (placed_obj, level1), hint2, clock.end, settings)
        plan = hint2
        if out is not None:
            sol, status, bound, wall = out
            solved = True
            if _value(opts.fit, sol) >= _value(opts.fit, plan):
                plan = sol
            fit = _value(opts.fit, plan)
            if not big:
                certified2 = True
                b2["cpsat"] = bound
            elif z2 is not None:
                extra = violators(all_cols, d2, z2, fit, cols2)
                certified2 = len(extra) == 0
                if certified2:
                    b2["cpsat"] = bound
            s2 = _stats(fit, b2, status, wall)
        else:
            s2 = _stats(_value(opts.fit, plan), b2, "GREEDY", 0.0)
    else:
        plan = starts[0]
        s2 = _stats(_value(opts.fit, plan), b2, "GREEDY", 0.0)

    # --- solution and explanations ---
    if skipped:
        # Households never considered could have been placed: the bound counts them all, and
        # the plan cannot be called optimal.
        extra_w = int(w[skipped].sum())
        s1 = _stats(
            s1.objective, {k: b + extra_w for k, b in b1.items()}, s1.status, s1.wall_time_s
        )
    if not len(opts) and not skipped:
        solved = True  # nothing to place: the empty plan is optimal
    chosen = {int(opts.household[j]): int(j) for j in plan.tolist()}
    status = _overall_status(s1, s2, solved)
    if skipped and status == "OPTIMAL":
        status = "FEASIBLE"
    assignments = _assignments(households, valid, hhs, w, opts, chosen, status == "OPTIMAL")
    exact = (certified1 and certified2) or not len(all_cols)
    summary_sv, summary_en = plan_summary(status, s1.gap, s2.gap, len(skipped))
    return JointPlanResult(
        assignments=assignments,
        status=status,
        placed=s1,
        fit=s2,
        wall_time_s=time.perf_counter() - t0,
        num_variables=n_vars,
        num_pairs_feasible=len(opts),
        pruning="heuristic" if heuristic else ("exact" if exact else "core"),
        problems=tuple(problems),
        summary_sv=summary_sv,
        summary_en=summary_en,
    )


def _value(obj: IntArray, plan: IntArray) -> int:
    return int(obj[plan].sum()) if len(plan) else 0


def _union(a: IntArray, b: IntArray) -> IntArray:
    return np.union1d(a, b).astype(np.int32)


def _stats(objective: int, bounds: dict[str, int], status: str, wall: float) -> LevelStats:
    """The level with the least of its valid bounds (never below the plan's own value), and
    which bound that is: "cpsat" (proved by the search), "lp" (LP / Lagrangian duals over every
    option), "trivial" (every household placed, or at its best option)."""
    source = min(sorted(bounds), key=lambda k: bounds[k])
    bound = max(bounds[source], objective)
    return LevelStats(objective, bound, _gap(objective, bound), status, wall, source)


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


def _initial_core(srt: SortedOptions, budget: int) -> IntArray:
    """The best options per household by fit, about half the budget in all; column
    generation and the reduced-cost check add what the LP says may matter."""
    n_h = sum(1 for a, b in zip(srt.start, srt.start[1:], strict=False) if b > a)
    return srt.top(max(8, budget // (2 * max(1, n_h))))


def _phase(
    opts: Options,
    cols: IntArray,
    objective: IntArray,
    level1: tuple[IntArray, int] | None,
    hint: IntArray,
    phase_end: float,
    settings: SolverSettings,
) -> tuple[IntArray, str, int, float] | None:
    """One CP-SAT solve over the options `cols`, started from `hint` (options, all in cols).
    Phase 1 (level1 None): maximise `objective` (the placed weight). Phase 2: maximise the fit
    subject to placed weight >= level1. Returns (chosen options, status, bound, seconds), or
    None without a solution or without time."""
    t = time.perf_counter()
    model = build_model(
        opts.household[cols],
        opts.resource[cols],
        opts.need[cols],
        opts.capacity,
        objective[cols],
        (level1[0][cols], level1[1]) if level1 is not None else None,
        np.isin(cols, hint, assume_unique=True),
    )
    limit = phase_end - time.perf_counter()
    if limit < MIN_SOLVE_S / 2:
        return None
    out = solve(
        model,
        limit,
        settings.num_workers,
        settings.seed,
        settings.deterministic,
        settings.deterministic_time_s,
        full_lp=len(cols) <= FULL_LP_MAX_OPTIONS,
    )
    if out.chosen is None:
        return None
    return cols[out.chosen], out.status, out.bound, time.perf_counter() - t


def _trivial_fit_bound(opts: Options, cols: IntArray) -> int:
    """Every household at its best option (or not placed, if all its options score below 0)."""
    if len(cols) == 0:
        return 0
    best = np.zeros(len(opts.failed_counts), dtype=np.int64)
    np.maximum.at(best, opts.household[cols], opts.fit[cols])
    return int(best.sum())


def _gap(obj: int, bound: int) -> float:
    return abs(bound - obj) / max(1, abs(obj))


def _overall_status(s1: LevelStats, s2: LevelStats, solved: bool) -> str:
    """OPTIMAL only when both levels meet their (valid) bounds; GREEDY when no solver plan."""
    if s1.objective >= s1.bound and s2.objective >= s2.bound:
        return "OPTIMAL"
    return "FEASIBLE" if solved else "GREEDY"


def _cap_options(opts: Options, keep: IntArray, cap: int) -> tuple[IntArray, bool]:
    """Heuristic: at most `cap` best options per household (may lose optimality)."""
    out = SortedOptions(opts, keep).top(cap)
    return out, len(out) < len(keep)


def _tag(request_id: str, p: InputProblem) -> InputProblem:
    return InputProblem(p.code, f"{request_id}: {p.text_sv}", f"{request_id}: {p.text_en}")


def _assignments(
    households: Sequence[Household],
    valid: list[int],
    hhs: list[Household],
    w: IntArray,
    opts: Options,
    chosen: dict[int, int],
    proven: bool,
) -> tuple[JointAssignment, ...]:
    with_options = set(opts.household.tolist())
    out: dict[int, JointAssignment] = {}
    for vi, hh in enumerate(hhs):
        oi = chosen.get(vi)
        if oi is not None:
            info = opts.resources[int(opts.resource[oi])]
            res = Resource(info.kind, info.room_capacity or hh.size)
            ctx, sctx = opts.contexts[vi], opts.score_context(vi)
            score, reasons = explain_option(ctx, sctx, info.unit, res)
            out[valid[vi]] = JointAssignment(
                hh.request_id, info.unit.unit_id, res, score, int(w[vi]), reasons
            )
        else:
            why = _why_unplaced(opts.failed_counts[vi], vi in with_options, proven)
            out[valid[vi]] = JointAssignment(hh.request_id, None, None, None, int(w[vi]), (why,))
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


def _why_unplaced(counts: dict[str, int], had_options: bool, proven: bool) -> Reason:
    if had_options and proven:
        return Reason(
            "capacity_taken",
            0,
            "Passande platser fanns men räckte inte: de gick till hushåll med högre prioritet "
            "(risk och väntetid) eller som bara kunde placeras där",
            "Suitable places existed but were not enough: they went to households with higher "
            "priority (risk and waiting time) or with no other option",
        )
    if had_options:
        return Reason(
            "capacity_taken",
            0,
            "Passande platser fanns men gick i den här planen till andra hushåll; planen är "
            "inte bevisat bäst (se dess status)",
            "Suitable places existed but went to other households in this plan; the plan is "
            "not proven to be the best (see its status)",
        )
    if NOT_CONSIDERED in counts:
        return Reason(
            "not_considered",
            0,
            "Ärendet hann inte prövas inom tidsgränsen: kör planen igen eller med längre tid",
            "The request could not be considered within the time limit: run the plan again or "
            "with more time",
        )
    if NOT_COUNTED in counts:
        return Reason(
            "no_feasible_unit",
            0,
            "Ingen ledig enhet uppfyller alla krav (hindren hann inte räknas inom tidsgränsen)",
            "No free unit meets every requirement (the obstacles could not be counted within "
            "the time limit)",
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
