"""Benchmark of the pure optimizer on synthetic data (fixed seed).

    python benchmarks/bench_optimizer.py [--quick]

Prints: mode "now" p50/p95 over 5,000 units; joint plan time and gap for city (50 x 300),
nation (500 x 3,000) and stress (2,000 x 10,000, 30 s); beside each, a capacity-only
relaxation solved with OR-Tools min-cost flow, its time and its bound as ratios to CP-SAT.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from ortools.graph.python import min_cost_flow

from optimizer import (
    Child,
    DistrictInfo,
    Household,
    JointPlanResult,
    Policy,
    Unit,
    plan_jointly,
    propose_now,
)
from optimizer.candidates import build_options, placement_weight
from optimizer.common import as_district_map

START = date(2025, 3, 3)
LANGS = ("sv", "en", "ar", "so", "fa", "ti", "tr", "pl")


# --- synthetic data -------------------------------------------------------------------------


def make_districts(rng: random.Random, municipalities: int, per_mun: int) -> list[DistrictInfo]:
    """Municipalities spread over Sweden, each a cluster of districts; pools of ~7."""
    out: list[DistrictInfo] = []
    for m in range(municipalities):
        lat0, lon0 = rng.uniform(55.5, 65.5), rng.uniform(12.0, 21.0)
        pool = f"pool{m // 7}" if m % 3 != 2 else None
        ids = [f"m{m}d{d}" for d in range(per_mun)]
        for d, did in enumerate(ids):
            near = {ids[d - 1]} if d > 0 else set()
            if d + 1 < per_mun:
                near.add(ids[d + 1])
            out.append(
                DistrictInfo(
                    district_id=did,
                    name=f"Distrikt {m}-{d}",
                    municipality=f"kommun{m}",
                    pool=pool,
                    lat=lat0 + rng.uniform(-0.15, 0.15),
                    lon=lon0 + rng.uniform(-0.25, 0.25),
                    neighbours=frozenset(near),
                )
            )
    return out


KIND_WEIGHTS = (
    ("protected_shelter", 30),
    ("hostel", 8),
    ("on_call_flat", 10),
    ("training_flat", 10),
    ("shis_interim", 15),
    ("shis_mellanbo", 5),
    ("trial_flat", 10),
    ("regional_pool_flat", 12),
)


def make_units(rng: random.Random, n: int, districts: list[DistrictInfo]) -> list[Unit]:
    kinds = [k for k, _ in KIND_WEIGHTS]
    weights = [w for _, w in KIND_WEIGHTS]
    out: list[Unit] = []
    for i in range(n):
        kind = rng.choices(kinds, weights)[0]
        d = rng.choice(districts)
        shelter = kind == "protected_shelter"
        if shelter:
            sharing = rng.choices(["open", "city_wide", "own_district"], [3, 5, 2])[0]
            genders = rng.choices(
                [frozenset({"female"}), frozenset({"male"}), frozenset({"female", "non_binary"})],
                [8, 1, 1],
            )[0]
            places = rng.choices([0, 1, 2, 3, 4], [4, 3, 2, 1, 1])[0]
            rooms = tuple(
                rng.choice((3, 4, 5)) for _ in range(rng.choices([0, 1, 2], [5, 3, 2])[0])
            )
            protection = rng.choice((2, 3))
        elif kind == "hostel":
            sharing = "open"
            genders = frozenset({"female", "male", "non_binary"})
            places = rng.randint(0, 6)
            rooms = tuple(4 for _ in range(rng.randint(0, 1)))
            protection = 1
        else:
            sharing = (
                "regional_pool"
                if kind == "regional_pool_flat"
                else rng.choice(("own_district", "city_wide", "city_wide"))
            )
            genders = frozenset({"female", "male", "non_binary"})
            places = 0
            rooms = (rng.choice((2, 3, 4, 5)),) if rng.random() < 0.5 else ()
            protection = rng.choice((1, 1, 2))
        out.append(
            Unit(
                unit_id=f"u{i:05d}",
                name=f"Enhet {i}",
                kind=kind,
                district_id=d.district_id,
                owner_district_id=None,
                sharing_policy=sharing,
                protection_level=protection,
                accepted_genders=genders,
                min_age=18,
                max_age=None if rng.random() < 0.9 else 25,
                accepts_children=not shelter or rng.random() < 0.7,
                max_children=rng.choice((2, 3, 4, 6)),
                max_child_age=rng.choice((None, 17, 15)),
                max_boy_age=rng.choice((None, None, 12)) if shelter else None,
                substance_policy=rng.choices(
                    ["no_active_use", "active_use_accepted", "drug_free"], [7, 2, 1]
                )[0],
                staffed_24_7=shelter,
                secret_address=shelter,
                wheelchair_accessible=rng.random() < 0.3,
                honour_competence=shelter and rng.random() < 0.5,
                languages=frozenset({"sv", *rng.sample(LANGS, 2)}),
                pets_allowed=rng.random() < 0.2,
                nightly_cost=rng.randint(300, 3000) if shelter else rng.randint(150, 900),
                vacancy_age_hours=None if rng.random() < 0.1 else rng.uniform(0, 72),
                ivo_permit_required=shelter and rng.random() < 0.4,
                ivo_permit_valid_until=START + timedelta(days=rng.randint(-30, 700)),
                free_places=places,
                free_family_rooms=rooms,
            )
        )
    return out


def make_households(
    rng: random.Random, n: int, districts: list[DistrictInfo], prefix: str = "h"
) -> list[Household]:
    by_mun: dict[str, list[str]] = {}
    for d in districts:
        by_mun.setdefault(d.municipality, []).append(d.district_id)
    out: list[Household] = []
    for i in range(n):
        home = rng.choice(districts)
        local = by_mun[home.municipality]
        excluded = frozenset(rng.sample(local, rng.randint(1, min(2, len(local)))))
        others = [d for d in local if d not in excluded]
        kids = tuple(
            Child(rng.randint(0, 17), rng.choice(("female", "male")))
            for _ in range(rng.choices([0, 1, 2, 3], [5, 2, 2, 1])[0])
        )
        out.append(
            Household(
                request_id=f"{prefix}{i:05d}",
                requesting_district_id=home.district_id,
                gender=rng.choices(["female", "male", "non_binary"], [85, 12, 3])[0],
                age=rng.randint(18, 70),
                start=START,
                adults=1,
                children=kids,
                risk_level=rng.choices(["low", "medium", "high"], [3, 4, 3])[0],
                substance_use=rng.choices(["none", "active", "wants_drug_free"], [8, 1, 1])[0],
                needs_wheelchair=rng.random() < 0.05,
                honour_context=rng.random() < 0.15,
                languages=frozenset(rng.sample(LANGS, 1)) if rng.random() < 0.4 else frozenset(),
                has_pets=rng.random() < 0.1,
                exclusion_district_ids=excluded,
                preferred_district_ids=frozenset(rng.sample(others, 1)) if others else frozenset(),
                phase=rng.choices(["acute", "post_acute"], [7, 3])[0],
                waiting_hours=rng.uniform(0, 200),
                nights=14,
            )
        )
    return out


# --- figures ----------------------------------------------------------------------------------


def bench_now(seed: int, n_units: int, n_calls: int) -> None:
    rng = random.Random(seed)
    districts = make_districts(rng, 60, 5)
    units = make_units(rng, n_units, districts)
    households = make_households(rng, n_calls, districts)
    policy = Policy(exclusion_buffer=True)
    propose_now(households[0], units, districts, policy)  # warm up imports and caches
    times: list[float] = []
    cpu: list[float] = []
    eligible = []
    for hh in households:
        t, c = time.perf_counter(), time.process_time()
        res = propose_now(hh, units, districts, policy)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        eligible.append(res.eligible_count)

    def pct(xs: list[float], q: float) -> float:
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(len(xs) * q))] * 1000

    print(
        f"now      {n_units} units, {n_calls} calls: wall p50 {pct(times, 0.5):.1f} ms  "
        f"p95 {pct(times, 0.95):.1f} ms  max {max(times) * 1000:.1f} ms | CPU p50 "
        f"{pct(cpu, 0.5):.1f} ms  p95 {pct(cpu, 0.95):.1f} ms  (eligible units per call: "
        f"median {sorted(eligible)[len(eligible) // 2]})"
    )


def flow_relaxation(
    households: list[Household], units: list[Unit], districts: list[DistrictInfo], policy: Policy
) -> tuple[float, int, int]:
    """Capacity-only relaxation with OR-Tools min-cost flow: a household takes one "slot"
    (a unit has free places + free family rooms slots), sizes ignored. Every joint plan is a
    flow, so its placed weight bounds the joint plan's. Lexicographic via a big multiplier.
    Returns (seconds, placed-weight bound, fit of that flow)."""
    t = time.perf_counter()
    opts = build_options(households, units, as_district_map(districts), policy)
    w = [placement_weight(hh, policy) for hh in households]
    best: dict[tuple[int, str], int] = {}
    # Python ints: the option arrays are int32, and the lexicographic costs need more bits.
    for hi, ri, fit in zip(
        opts.household.tolist(), opts.resource.tolist(), opts.fit.tolist(), strict=True
    ):
        key = (hi, opts.resources[ri].unit.unit_id)
        best[key] = max(best.get(key, fit), fit)
    unit_ids = sorted({u for _h, u in best})
    uix = {u: i for i, u in enumerate(unit_ids)}
    by_id = {u.unit_id: u for u in units}
    n_h = len(households)
    src, sink = 0, 1 + n_h + len(unit_ids)
    fits = list(best.values())
    big = sum(abs(f) for f in fits) + 1
    starts, ends, caps, costs = [], [], [], []
    for hi in range(n_h):
        starts.append(src)
        ends.append(1 + hi)
        caps.append(1)
        costs.append(0)
    for (hi, uid), fit in best.items():
        starts.append(1 + hi)
        ends.append(1 + n_h + uix[uid])
        caps.append(1)
        costs.append(-(w[hi] * big + fit))
    for uid, i in uix.items():
        u = by_id[uid]
        starts.append(1 + n_h + i)
        ends.append(sink)
        caps.append(u.free_places + len(u.free_family_rooms))
        costs.append(0)
    starts.append(src)  # unplaced
    ends.append(sink)
    caps.append(n_h)
    costs.append(0)
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.array(starts), np.array(ends), np.array(caps), np.array(costs)
    )
    smcf.set_node_supply(src, n_h)
    smcf.set_node_supply(sink, -n_h)
    status = smcf.solve()
    elapsed = time.perf_counter() - t
    if status != smcf.OPTIMAL:
        return elapsed, -1, 0
    value = -smcf.optimal_cost()
    placed = round(value / big)
    return elapsed, placed, value - placed * big


def bench_joint(
    name: str,
    seed: int,
    n_households: int,
    n_units: int,
    municipalities: int,
    time_limit: float,
) -> None:
    rng = random.Random(seed)
    districts = make_districts(rng, municipalities, 5)
    units = make_units(rng, n_units, districts)
    households = make_households(rng, n_households, districts)
    policy = Policy()
    res: JointPlanResult = plan_jointly(
        households, units, districts, policy, time_limit_s=time_limit
    )
    placed_n = sum(1 for a in res.assignments if a.unit_id is not None)
    print(
        f"joint    {name:<7} {n_households} x {n_units}: {res.wall_time_s:.2f} s (limit "
        f"{time_limit:.0f} s), status {res.status}, pruning {res.pruning}, "
        f"{res.num_variables} variables of {res.num_pairs_feasible} feasible options"
    )
    print(
        f"           placed {placed_n}/{n_households}, level 1 (placed weight) "
        f"{res.placed.objective} bound {res.placed.bound} gap {res.placed.gap:.2%}; "
        f"level 2 (fit) {res.fit.objective} bound {res.fit.bound} gap {res.fit.gap:.2%}"
    )
    t_flow, flow_placed, flow_fit = flow_relaxation(households, units, districts, policy)
    ratio_t = t_flow / res.wall_time_s if res.wall_time_s else float("nan")
    ratio_b = flow_placed / res.placed.objective if res.placed.objective else float("nan")
    print(
        f"           min-cost-flow relaxation: {t_flow:.2f} s (x{ratio_t:.2f} of CP-SAT), "
        f"placed-weight bound {flow_placed} (x{ratio_b:.3f} of CP-SAT level 1; CP-SAT's own "
        f"bound x{res.placed.bound / max(1, res.placed.objective):.3f}), its fit {flow_fit} "
        f"(x{flow_fit / res.fit.objective if res.fit.objective else float('nan'):.3f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the 30 s stress case")
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.1f} at "
        "start; fixed seeds; CP-SAT 1 worker (the deterministic default)"
    )
    bench_now(seed=11, n_units=5000, n_calls=200)
    bench_joint("city", seed=21, n_households=50, n_units=300, municipalities=3, time_limit=10)
    bench_joint("nation", seed=7, n_households=500, n_units=3000, municipalities=40, time_limit=10)
    if not args.quick:
        bench_joint(
            "stress", seed=7, n_households=2000, n_units=10000, municipalities=130, time_limit=30
        )


if __name__ == "__main__":
    main()
