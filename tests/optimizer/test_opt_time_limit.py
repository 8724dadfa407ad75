"""The joint plan and move-on keep to their time limit with a plan: a fast plan first, the
solver improves it with the time left, and the status says which of the two was reached.

Behaviour only: timings are measured by benchmarks/bench_scale.py, not asserted here."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from opt_factory import DISTRICTS, household, random_instance, unit
from opt_oracle import capacities_ok, placement_ok

from optimizer import JointPlanResult, Policy, plan_jointly, propose_move_on

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_optimizer import make_districts, make_households, make_units


def _honest(res: JointPlanResult) -> None:
    placed = [a for a in res.assignments if a.unit_id is not None]
    assert res.placed.objective == sum(a.weight for a in placed)
    assert res.fit.objective == sum(a.score or 0 for a in placed)
    assert res.placed.bound >= res.placed.objective and res.fit.bound >= res.fit.objective
    assert res.status in {"OPTIMAL", "FEASIBLE", "GREEDY"}
    if res.status == "OPTIMAL":
        assert res.placed.gap == 0 and res.fit.gap == 0
        assert res.summary_en.startswith("Optimal plan")
    elif res.status == "FEASIBLE":
        assert res.summary_en.startswith("Feasible plan from the solver")
    else:
        assert res.summary_en.startswith("Fast (greedy) plan only")
        assert res.placed.status == "GREEDY"
    assert f"{res.placed.gap * 100:.1f} %" in res.summary_en or res.status == "OPTIMAL"


def test_stress_instance_with_one_second_has_a_plan_and_honest_status() -> None:
    rng = random.Random(7)
    districts = make_districts(rng, 130, 5)
    units = make_units(rng, 10_000, districts)
    households = make_households(rng, 2_000, districts)
    policy = Policy()
    res = plan_jointly(households, units, districts, policy, time_limit_s=1.0)
    placed = [(hh, a) for hh, a in zip(households, res.assignments, strict=True) if a.unit_id]
    assert len(placed) > 1_000  # a real plan, not a token one
    _honest(res)
    by_id = {u.unit_id: u for u in units}
    assert capacities_ok([(hh, by_id[a.unit_id], a.resource) for hh, a in placed])
    for hh, a in placed[:200]:
        assert a.resource is not None
        assert placement_ok(hh, by_id[a.unit_id], a.resource, districts, policy)
    reasons = {a.reasons[0].code for a in res.assignments if a.unit_id is None}
    assert "solver_no_solution" not in reasons


def test_no_time_for_the_solver_still_gives_the_greedy_plan_and_says_so() -> None:
    rng = random.Random(11)
    hhs, units = random_instance(rng, 40, 30, loose=True)
    res = plan_jointly(hhs, units, DISTRICTS, time_limit_s=1e-6)
    assert res.status == "GREEDY"
    assert any(a.unit_id for a in res.assignments)
    _honest(res)
    assert "solver had no time" in res.summary_en and "lösaren hann inte" in res.summary_sv
    full = plan_jointly(hhs, units, DISTRICTS, time_limit_s=10)
    assert full.status == "OPTIMAL"
    _honest(full)
    assert full.placed.objective >= res.placed.objective


def test_not_proven_plan_does_not_claim_priority_for_the_unplaced() -> None:
    hhs = [household(f"h{i}", risk_level="low") for i in range(3)]
    res = plan_jointly(
        hhs, [unit("u1", free_places=1, free_family_rooms=())], DISTRICTS, time_limit_s=1e-6
    )
    unplaced = [a for a in res.assignments if a.unit_id is None]
    assert res.status == "GREEDY" and len(unplaced) == 2
    assert all("not proven to be the best" in a.reasons[0].text_en for a in unplaced)


def test_move_on_keeps_its_limit_with_a_plan() -> None:
    shelter = unit("s1", kind="protected_shelter", free_places=0, free_family_rooms=())
    flats = [
        unit(f"f{i}", kind="shis_mellanbo", free_places=1, free_family_rooms=()) for i in range(30)
    ]
    hhs = [household(f"h{i}", phase="post_acute", current_unit_id="s1") for i in range(40)]
    res = propose_move_on(hhs, [shelter, *flats], DISTRICTS, time_limit_s=1e-6)
    assert len(res.moves) == 30 and res.plan is not None
    assert res.plan.status == "GREEDY"
    res = propose_move_on(hhs, [shelter, *flats], DISTRICTS, time_limit_s=5)
    assert len(res.moves) == 30 and res.plan is not None and res.plan.status == "OPTIMAL"
