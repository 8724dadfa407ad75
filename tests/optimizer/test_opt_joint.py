"""Joint plan: exact against independent solvers, feasible, deterministic, explained."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from opt_factory import DISTRICTS, household, instances, plan_on_core, random_instance, unit
from opt_oracle import brute_force_optimum, capacities_ok, milp_optimum, placement_ok

from optimizer import Child, Household, JointPlanResult, Policy, Unit, plan_jointly


def _check_feasible(
    res: JointPlanResult, hhs: list[Household], units: list[Unit], policy: Policy
) -> None:
    by_id = {u.unit_id: u for u in units}
    placed = []
    for hh, a in zip(hhs, res.assignments, strict=True):
        assert a.request_id == hh.request_id
        if a.unit_id is None:
            assert a.reasons  # why not placed
            continue
        assert a.resource is not None
        assert placement_ok(hh, by_id[a.unit_id], a.resource, DISTRICTS, policy)
        placed.append((hh, by_id[a.unit_id], a.resource))
    assert capacities_ok(placed)


def _objectives(res: JointPlanResult) -> tuple[int, int]:
    placed = sum(a.weight for a in res.assignments if a.unit_id is not None)
    fit = sum(a.score or 0 for a in res.assignments if a.unit_id is not None)
    assert (placed, fit) == (res.placed.objective, res.fit.objective)
    return placed, fit


def test_three_hundred_random_instances_match_an_independent_milp() -> None:
    rng = random.Random(20250303)
    placed_any = contested = 0
    for i in range(300):
        loose = i % 5 != 4  # mostly households competing for scarce places
        hhs, units = random_instance(rng, rng.randint(2, 12), rng.randint(1, 8), loose)
        policy = Policy(exclusion_buffer=i % 3 == 0)
        res = plan_jointly(hhs, units, DISTRICTS, policy, time_limit_s=10)
        assert res.status == "OPTIMAL", i
        assert res.pruning == "exact"
        _check_feasible(res, hhs, units, policy)
        assert _objectives(res) == milp_optimum(hhs, units, DISTRICTS, policy), i
        placed_any += any(a.unit_id for a in res.assignments)
        contested += any(a.reasons[0].code == "capacity_taken" for a in res.assignments)
    assert placed_any >= 225 and contested >= 60  # the instances are not trivial


def test_tiny_instances_match_brute_force() -> None:
    rng = random.Random(7)
    for i in range(60):
        hhs, units = random_instance(rng, rng.randint(1, 4), rng.randint(1, 3), loose=True)
        policy = Policy()
        res = plan_jointly(hhs, units, DISTRICTS, policy)
        assert _objectives(res) == brute_force_optimum(hhs, units, DISTRICTS, policy), i


@pytest.mark.parametrize("phase1_max", [2, 150_000])
def test_core_and_lp_path_stays_exact_or_reports_valid_bounds(phase1_max: int) -> None:
    """Force the large-model path (CP-SAT on an LP-checked core) on small instances."""
    rng = random.Random(99)
    exact = 0
    for i in range(60):
        hhs, units = random_instance(rng, rng.randint(2, 9), rng.randint(2, 8), loose=True)
        policy = Policy()
        res = plan_on_core(hhs, units, policy, phase1_max)
        _check_feasible(res, hhs, units, policy)
        best = milp_optimum(hhs, units, DISTRICTS, policy)
        got = _objectives(res)
        assert res.placed.bound >= best[0], i  # the reported bound is valid
        assert got[0] <= best[0]
        if got[0] == best[0]:
            assert res.fit.bound >= best[1], i
        if res.status == "OPTIMAL":
            assert got == best, i
            exact += 1
    assert exact >= 30  # most are certified optimal


@settings(max_examples=60, deadline=None)
@given(instances(max_households=5, max_units=7))
def test_plan_respects_every_hard_rule_and_capacity(
    inst: tuple[list[Household], list[Unit]],
) -> None:
    hhs, units = inst
    policy = Policy(exclusion_buffer=True)
    res = plan_jointly(hhs, units, DISTRICTS, policy)
    _check_feasible(res, hhs, units, policy)


def test_same_input_gives_same_plan() -> None:
    rng = random.Random(5)
    hhs, units = random_instance(rng, 40, 30, loose=True)
    a = plan_jointly(hhs, units, DISTRICTS, time_limit_s=10)
    b = plan_jointly(hhs, units, DISTRICTS, time_limit_s=10)
    assert a.assignments == b.assignments
    assert (a.placed.objective, a.fit.objective) == (b.placed.objective, b.fit.objective)
    # Several workers: interleaved search, deterministic too (slower; small instance).
    hhs, units = random_instance(rng, 8, 8, loose=True)
    c = plan_jointly(hhs, units, DISTRICTS, time_limit_s=10, num_workers=2)
    d = plan_jointly(hhs, units, DISTRICTS, time_limit_s=10, num_workers=2)
    assert c.assignments == d.assignments
    # A deterministic-time limit makes even an interrupted search repeatable.
    hhs, units = random_instance(rng, 60, 40, loose=True)
    e = plan_jointly(hhs, units, DISTRICTS, deterministic_time_s=0.05)
    f = plan_jointly(hhs, units, DISTRICTS, deterministic_time_s=0.05)
    assert e.assignments == f.assignments


def test_higher_risk_wins_the_last_place() -> None:
    low = household("low", risk_level="low")
    high = household("high", risk_level="high")
    u = unit("u1", free_places=1, free_family_rooms=())
    res = plan_jointly([low, high], [u], DISTRICTS)
    got = {a.request_id: a for a in res.assignments}
    assert got["high"].unit_id == "u1"
    assert got["low"].unit_id is None
    assert got["low"].reasons[0].code == "capacity_taken"


def test_family_rooms_and_places_are_shared_correctly() -> None:
    fam = [household(f"f{i}", children=(Child(3, "female"),)) for i in range(3)]
    u = unit("u1", free_places=2, free_family_rooms=(2, 3))
    res = plan_jointly(fam, [u], DISTRICTS)
    used = sorted((a.resource.kind, a.resource.persons) for a in res.assignments if a.resource)
    assert used == [("family_room", 2), ("family_room", 3), ("places", 2)]


def test_unplaced_reasons_and_bad_input() -> None:
    ok = household("ok")
    no_unit = household("nope", gender="male")
    broken = household("broken", nights=0)
    twice = household("twice")
    again = household("twice", risk_level="low")
    res = plan_jointly(
        [ok, no_unit, broken, twice, again],
        [unit("u1", accepted_genders=frozenset({"female"}))],
        DISTRICTS,
    )
    by = [a for a in res.assignments]
    assert by[0].unit_id == "u1"
    assert by[1].unit_id is None and by[1].reasons[0].code == "no_feasible_unit"
    assert by[2].reasons[0].code == "invalid_request"
    # A repeated request id: no copy is matched, so no request gets two different answers.
    assert [(a.unit_id, a.reasons[0].code) for a in by[3:]] == [(None, "invalid_request")] * 2
    codes = [p.code for p in res.problems]
    assert "invalid_nights" in codes and "duplicate_request" in codes


def test_empty_inputs() -> None:
    res = plan_jointly([], [], DISTRICTS)
    assert res.assignments == () and res.status == "OPTIMAL"
    res = plan_jointly([household()], [], DISTRICTS)
    assert res.assignments[0].unit_id is None
    assert "no_units" in [p.code for p in res.problems]


@pytest.mark.parametrize("workers", [1, 2])
def test_reports_solver_figures(workers: int) -> None:
    rng = random.Random(3)
    hhs, units = random_instance(rng, 10, 12)
    res = plan_jointly(hhs, units, DISTRICTS, num_workers=workers, time_limit_s=20)
    assert res.placed.status == "OPTIMAL" and res.placed.gap == 0.0
    assert res.wall_time_s > 0 and res.num_variables >= 0
    assert res.num_pairs_feasible >= res.num_variables
