"""The joint plan at city, nation, stress and huge size, each in its own process.

    .venv/bin/python benchmarks/bench_scale.py [--sizes city,nation,stress,huge]

Per size two child processes, so peak memories do not mix: one runs `plan_jointly` under the
production limit (5 s; 30 s for huge) and reports wall time, peak RSS (ru_maxrss of that
process, instance included, and the RSS before the call), households placed, status and both
gaps; the other builds the same options and solves the LP relaxations with HiGHS (scipy): level
1 (placed weight) and level 2 (fit, with placed weight >= the plan's), reporting their times and
bounds. The LP bounds are an independent check of the gaps the plan reports. Then a table,
ratios, and whether each target of issue 16 is met.

The instances are the synthetic ones of bench_optimizer.py (fixed seeds). Timings depend on the
machine's load: the script prints the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


@dataclass(frozen=True)
class Size:
    name: str
    households: int
    units: int
    municipalities: int
    seed: int
    limit_s: float


SIZES = {
    s.name: s
    for s in (
        Size("city", 50, 300, 3, 21, 5.0),
        Size("nation", 500, 3_000, 40, 7, 5.0),
        Size("stress", 2_000, 10_000, 130, 7, 5.0),
        Size("huge", 5_000, 30_000, 300, 7, 30.0),
    )
}
MEMORY_LIMIT_MB = 1536
LP_TIME_LIMIT_S = 120.0  # per HiGHS solve; at huge size the full LP has millions of columns
LP_MEMORY_LIMIT_GB = 8  # address-space cap of the LP process (the machine is shared)


def _instance(size: Size) -> tuple[list[Any], list[Any], list[Any]]:
    from bench_optimizer import make_districts, make_households, make_units

    rng = random.Random(size.seed)
    districts = make_districts(rng, size.municipalities, 5)
    units = make_units(rng, size.units, districts)
    households = make_households(rng, size.households, districts)
    return households, units, districts


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_plan(size: Size) -> dict[str, Any]:
    from optimizer import Policy, plan_jointly

    households, units, districts = _instance(size)
    before = _rss_mb()
    t = time.perf_counter()
    res = plan_jointly(households, units, districts, Policy(), time_limit_s=size.limit_s)
    wall = time.perf_counter() - t
    return {
        "wall_s": wall,
        "peak_mb": _rss_mb(),
        "before_mb": before,
        "placed": sum(1 for a in res.assignments if a.unit_id is not None),
        "status": res.status,
        "placed_obj": res.placed.objective,
        "placed_bound": res.placed.bound,
        "placed_gap": res.placed.gap,
        "fit_obj": res.fit.objective,
        "fit_bound": res.fit.bound,
        "fit_gap": res.fit.gap,
        "placed_src": res.placed.bound_source,
        "fit_src": res.fit.bound_source,
        "options": res.num_pairs_feasible,
        "variables": res.num_variables,
        "pruning": res.pruning,
        "summary": res.summary_en,
    }


def run_lp(size: Size, level1: int) -> dict[str, Any]:
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, vstack

    from optimizer import Policy
    from optimizer.candidates import build_options, placement_weight
    from optimizer.common import as_district_map

    cap = LP_MEMORY_LIMIT_GB * 2**30
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    households, units, districts = _instance(size)
    policy = Policy()
    t = time.perf_counter()
    opts = build_options(households, units, as_district_map(districts), policy)
    t_build = time.perf_counter() - t
    n, n_h, n_r = len(opts), len(households), len(opts.resources)
    w = np.array([placement_weight(hh, policy) for hh in households], dtype=np.float64)
    cols = np.arange(n)
    a = coo_matrix(
        (
            np.concatenate([np.ones(n), opts.need.astype(np.float64)]),
            (np.concatenate([opts.household, n_h + opts.resource]), np.concatenate([cols, cols])),
        ),
        shape=(n_h + n_r, n),
    ).tocsr()
    b = np.concatenate([np.ones(n_h), opts.capacity.astype(np.float64)])
    wx = w[opts.household]
    t = time.perf_counter()
    limits = {"time_limit": LP_TIME_LIMIT_S}
    lp1 = linprog(-wx, A_ub=a, b_ub=b, bounds=(0, 1), method="highs", options=limits)
    t_lp1 = time.perf_counter() - t
    row = coo_matrix(-wx.reshape(1, -1))
    t = time.perf_counter()
    lp2 = linprog(
        -opts.fit.astype(np.float64),
        A_ub=vstack([a, row]).tocsr(),
        b_ub=np.concatenate([b, [-float(level1)]]),
        bounds=(0, 1),
        method="highs",
        options=limits,
    )
    t_lp2 = time.perf_counter() - t
    return {
        "build_s": t_build,
        "lp1_s": t_lp1,
        "lp1_bound": -lp1.fun if lp1.status == 0 else None,
        "lp2_s": t_lp2,
        "lp2_bound": -lp2.fun if lp2.status == 0 else None,
        "peak_mb": _rss_mb(),
        "options": n,
    }


def _child(kind: str, name: str, level1: int = 0) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", kind, "--size", name, "--level1", str(level1)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603  (own script)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.2f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="city,nation,stress,huge")
    parser.add_argument("--child", choices=["plan", "lp"])
    parser.add_argument("--size")
    parser.add_argument("--level1", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        size = SIZES[args.size]
        out = run_plan(size) if args.child == "plan" else run_lp(size, args.level1)
        print(json.dumps(out))
        return

    names = [n for n in args.sizes.split(",") if n]
    load0 = os.getloadavg()
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
        f"{load0[0]:.1f} / {load0[1]:.1f} / {load0[2]:.1f} at start; CP-SAT 1 worker; one "
        "process per size and measurement"
    )
    rows: list[tuple[Size, dict[str, Any], dict[str, Any]]] = []
    for name in names:
        size = SIZES[name]
        plan = _child("plan", name)
        lp = _child("lp", name, int(plan.get("placed_obj", 0)))
        rows.append((size, plan, lp))
        print(f"  {name}: done", flush=True)

    head = (
        f"{'size':<7} {'h x u':>13} {'limit':>5} {'wall':>6} {'peak MB':>8} {'placed':>11} "
        f"{'status':<8} {'gap L1':>8} {'gap L2':>8} {'vs bound':>12} | "
        f"{'build':>6} {'LP1':>6} {'LP2':>6} "
        f"{'LP1 bound':>10} {'LP2 bound':>10}"
    )
    print()
    print(head)
    print("-" * len(head))
    for size, p, lp in rows:
        if "error" in p:
            print(f"{size.name:<7} plan failed: {p['error']}")
            continue
        lp1 = lp.get("lp1_bound")
        lp2 = lp.get("lp2_bound")
        print(
            f"{size.name:<7} {size.households:>5} x {size.units:<6} {size.limit_s:>4.0f}s "
            f"{p['wall_s']:>5.2f}s {p['peak_mb']:>8.0f} {p['placed']:>5}/{size.households:<5} "
            f"{p['status']:<8} {_pct(p['placed_gap']):>8} {_pct(p['fit_gap']):>8} "
            f"{p['placed_src'] + '/' + p['fit_src']:>12} | "
            f"{lp.get('build_s', float('nan')):>5.2f}s {lp.get('lp1_s', float('nan')):>5.2f}s "
            f"{lp.get('lp2_s', float('nan')):>5.2f}s "
            f"{lp1 if lp1 is None else round(lp1, 1)!s:>10} "
            f"{lp2 if lp2 is None else round(lp2, 1)!s:>10}"
        )

    print()
    print("ratios (plan / LP relaxation; LP time = building the options + solving LP1):")
    for size, p, lp in rows:
        if "error" in p or "error" in lp:
            print(f"  {size.name}: {'LP failed: ' + lp.get('error', '') if 'error' in lp else ''}")
            continue
        relax = lp["build_s"] + lp["lp1_s"]
        lp1, lp2 = lp["lp1_bound"], lp["lp2_bound"]
        lp_gap1 = (lp1 - p["placed_obj"]) / max(1, p["placed_obj"]) if lp1 is not None else None
        lp_gap2 = (lp2 - p["fit_obj"]) / max(1, p["fit_obj"]) if lp2 is not None else None
        print(
            f"  {size.name:<7} wall x{p['wall_s'] / relax:.2f} of the relaxation "
            f"({relax:.2f} s); placed weight {p['placed_obj']} = x"
            f"{p['placed_obj'] / lp1 if lp1 else float('nan'):.4f} of the LP1 bound "
            f"(gap to LP1 {_pct(lp_gap1)}); fit {p['fit_obj']} = x"
            f"{p['fit_obj'] / lp2 if lp2 else float('nan'):.4f} of the LP2 bound (gap to LP2 "
            f"{_pct(lp_gap2)}); plan's own bounds {p['placed_bound']} / {p['fit_bound']}; "
            f"{p['options']} options, {p['variables']} CP-SAT variables, RSS before the call "
            f"{p['before_mb']:.0f} MB"
        )

    print()
    print("targets (gap = the larger of the two levels' gaps the plan reports):")
    by = {s.name: (s, p, lp) for s, p, lp in rows}

    def say(ok: bool, text: str) -> None:
        print(f"  [{'met' if ok else 'NOT met'}] {text}")

    for size, p, _lp in rows:
        if "error" in p:
            say(False, f"{size.name}: a plan within {size.limit_s * 1.1:.1f} s (the plan failed)")
            continue
        ok = p["placed"] > 0 and p["wall_s"] <= size.limit_s * 1.1
        say(
            ok,
            f"{size.name}: a plan within limit + 10 % ({p['wall_s']:.2f} s <= "
            f"{size.limit_s * 1.1:.1f} s, {p['placed']} placed, {p['status']})",
        )
    if "nation" in by and "error" not in by["nation"][1] and "error" not in by["nation"][2]:
        _s, p, lp = by["nation"]
        gap = max(p["placed_gap"], p["fit_gap"])
        relax = lp["build_s"] + lp["lp1_s"]
        say(
            gap <= 0.01 and p["wall_s"] <= 5.0 * 1.1, f"nation: gap <= 1 % within 5 s ({_pct(gap)})"
        )
        say(
            p["wall_s"] <= 5 * relax,
            f"nation: within 5x the relaxation's time ({p['wall_s']:.2f} s vs 5 x {relax:.2f} s)",
        )
    if "stress" in by and "error" not in by["stress"][1]:
        p = by["stress"][1]
        gap = max(p["placed_gap"], p["fit_gap"])
        say(
            gap <= 0.02 and p["wall_s"] <= 5.0 * 1.1,
            f"stress: gap <= 2 % within 5 s "
            f"({_pct(gap)}; placed level {_pct(p['placed_gap'])}, fit level {_pct(p['fit_gap'])})",
        )
    if "huge" in by and "error" not in by["huge"][1]:
        p = by["huge"][1]
        say(
            p["placed"] > 0 and p["wall_s"] <= 30.0 and p["peak_mb"] < MEMORY_LIMIT_MB,
            f"huge: a plan within 30 s under 1.5 GB ({p['wall_s']:.2f} s, peak "
            f"{p['peak_mb']:.0f} MB)",
        )
    load1 = os.getloadavg()
    print(f"load average {load1[0]:.1f} / {load1[1]:.1f} / {load1[2]:.1f} at the end")


if __name__ == "__main__":
    main()
