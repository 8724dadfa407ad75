"""The fit level's Lagrangian bound and the price-guided plans (optimizer/lagrange.py)."""

from __future__ import annotations

import random

import numpy as np
from opt_factory import DISTRICTS, plan_on_core, random_instance
from opt_oracle import milp_optimum

from optimizer import Policy
from optimizer.candidates import as_array, build_options, placement_weight
from optimizer.common import as_district_map
from optimizer.greedy import SortedOptions, greedy_plan
from optimizer.joint import _stats, _trivial_fit_bound
from optimizer.lagrange import PricedFit, fit_bound, priced_moves, priced_plan


def _setup(seed: int) -> tuple:  # type: ignore[type-arg]
    rng = random.Random(seed)
    hhs, units = random_instance(rng, rng.randint(2, 9), rng.randint(2, 8), loose=True)
    policy = Policy()
    opts = build_options(hhs, units, as_district_map(DISTRICTS), policy)
    w = as_array([placement_weight(h, policy) for h in hhs])
    cols = np.arange(len(opts), dtype=np.int32)
    return hhs, units, policy, opts, w, cols, SortedOptions(opts, cols)


def _feasible(opts, plan) -> bool:  # type: ignore[no-untyped-def]
    used = np.zeros(len(opts.capacity), dtype=np.int64)
    np.add.at(used, opts.resource[plan], opts.need[plan])
    households = opts.household[plan]
    return bool((used <= opts.capacity).all()) and len(set(households.tolist())) == len(plan)


def test_bound_is_valid_for_any_prices_and_the_search_tightens_it() -> None:
    tighter = 0
    for seed in range(60):
        hhs, units, policy, opts, w, cols, srt = _setup(seed)
        if not len(opts):
            continue
        best_placed, best_fit = milp_optimum(hhs, units, DISTRICTS, policy)
        pf = PricedFit(opts, srt)
        pf1 = PricedFit(opts, srt, w, best_placed)  # with a price on "placed >= optimum"
        rng = np.random.default_rng(seed)
        for _ in range(5):  # weak duality: any prices >= 0 bound the fit
            v = rng.uniform(0, 30, len(opts.capacity))
            assert pf.value(v)[0] >= best_fit - 1e-6, seed
            assert pf1.value(np.r_[v, rng.uniform(0, 3)])[0] >= best_fit - 1e-6, seed
        lag1, _, _, _ = fit_bound(opts, srt, 0, 1e18, weights=w, level1=best_placed)
        assert lag1 >= best_fit - 1e-6, seed
        plan = greedy_plan(opts, w, cols, srt)
        lag, prices, _, _ = fit_bound(opts, srt, int(opts.fit[plan].sum()), 1e18)
        assert lag >= best_fit - 1e-6, seed
        assert lag <= _trivial_fit_bound(opts, cols) + 1e-6  # v = 0 is the trivial bound
        tighter += lag < _trivial_fit_bound(opts, cols) - 0.5
        assert (prices >= 0).all()
    assert tighter >= 5  # the instances are contested enough for prices to matter


def test_priced_plans_are_feasible_and_moves_keep_the_placed_households() -> None:
    for seed in range(60):
        _hhs, _units, _policy, opts, w, cols, srt = _setup(seed)
        if not len(opts):
            continue
        plan = greedy_plan(opts, w, cols, srt)
        _, prices, pf, _ = fit_bound(opts, srt, int(opts.fit[plan].sum()), 1e18)
        moved = priced_moves(pf, prices, plan)
        assert _feasible(opts, moved), seed
        assert sorted(opts.household[moved].tolist()) == sorted(opts.household[plan].tolist())
        assert _feasible(opts, priced_plan(pf, prices, w, plan)), seed


def test_gap_is_measured_against_the_least_valid_bound() -> None:
    """On the core path the fit bound is the least of the valid ones, and says which."""
    rng = random.Random(99)
    for i in range(60):
        hhs, units = random_instance(rng, rng.randint(2, 9), rng.randint(2, 8), loose=True)
        policy = Policy()
        res = plan_on_core(hhs, units, policy)
        opts = build_options(hhs, units, as_district_map(DISTRICTS), policy)
        trivial = _trivial_fit_bound(opts, np.arange(len(opts), dtype=np.int32))
        best = milp_optimum(hhs, units, DISTRICTS, policy)
        assert res.fit.bound_source in {"cpsat", "lp", "trivial"}
        assert res.fit.bound <= max(trivial, res.fit.objective), i
        if res.placed.objective == best[0]:
            assert res.fit.bound >= best[1], i
        assert res.fit.gap == abs(res.fit.bound - res.fit.objective) / max(
            1, abs(res.fit.objective)
        )


def test_stats_take_the_least_bound_and_name_it() -> None:
    s = _stats(80, {"trivial": 100, "lp": 90, "cpsat": 95}, "FEASIBLE", 0.0)
    assert (s.bound, s.bound_source) == (90, "lp")
    assert abs(s.gap - 10 / 80) < 1e-12
    s = _stats(80, {"trivial": 100, "lp": 90, "cpsat": 85}, "FEASIBLE", 0.0)
    assert (s.bound, s.bound_source) == (85, "cpsat")
    s = _stats(80, {"trivial": 100}, "GREEDY", 0.0)
    assert (s.bound, s.bound_source) == (100, "trivial")


def test_search_comes_close_to_the_lp_bound_on_a_contested_instance() -> None:
    """The prices' search, not only their validity: on a contested synthetic instance
    (300 households, 1,500 units) the bound over every option is within 0.05 % of the LP
    relaxation's optimum (HiGHS on the whole model, no level-1 row), and never below it.
    Plain subgradient steps stopped 0.19 % above it here (and 1.5 % above on the stress
    instance's core); the smoothed search comes within 0.02 %."""
    import sys
    from pathlib import Path

    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix, vstack

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from bench_optimizer import make_districts, make_households, make_units

    rng = random.Random(7)
    districts = make_districts(rng, 20, 5)
    units = make_units(rng, 1_500, districts)
    hhs = make_households(rng, 300, districts)
    policy = Policy()
    opts = build_options(hhs, units, as_district_map(districts), policy)
    cols = np.arange(len(opts), dtype=np.int32)
    srt = SortedOptions(opts, cols)
    w = as_array([placement_weight(h, policy) for h in hhs])
    plan = greedy_plan(opts, w, cols, srt)
    lag, _, pf, _ = fit_bound(opts, srt, int(opts.fit[plan].sum()), 1e18)

    n, n_h, n_r = len(pf.fit), len(pf.seg), len(pf.cap)
    rows = vstack(
        [
            csr_matrix((np.ones(n), (pf.hpos, np.arange(n))), shape=(n_h, n)),
            csr_matrix((pf.need, (pf.res, np.arange(n))), shape=(n_r, n)),
        ]
    )
    lp = linprog(-pf.fit, A_ub=rows, b_ub=np.r_[np.ones(n_h), pf.cap], bounds=(0, 1))
    assert lp.status == 0
    z = -lp.fun
    assert lag < _trivial_fit_bound(opts, cols) * 0.99  # contested: prices matter here
    assert z - 1e-6 <= lag <= z * 1.0005, (lag, z)
