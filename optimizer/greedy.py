"""Fast feasible plans for the joint plan: the plan that exists before CP-SAT starts.

`greedy_plan`: households by decreasing priority weight (then fewer options first), each takes
its best-fitting option whose resource still has room. `improve_plan`: hill-climb on fit, moving
a placed household to a better option that still has room (the same households stay placed,
so the placed weight does not change). Both run in milliseconds at national size; the result
is always feasible, so the joint plan has a plan even when the solver gets no time at all.
"""

from __future__ import annotations

import numpy as np

from optimizer.candidates import IntArray, Options, as_array


def _by_household(opts: Options, cols: IntArray) -> dict[int, list[int]]:
    """Options of `cols` per household, best fit first (ties: lower index)."""
    if len(cols) == 0:
        return {}
    h = opts.household[cols]
    order = np.lexsort((cols, -opts.fit[cols], h))
    sc = cols[order].tolist()
    sh = h[order].tolist()
    out: dict[int, list[int]] = {}
    for j, hi in zip(sc, sh, strict=True):
        lst = out.get(hi)
        if lst is None:
            out[hi] = [j]
        else:
            lst.append(j)
    return out


def greedy_plan(opts: Options, weights: IntArray, cols: IntArray) -> IntArray:
    by_h = _by_household(opts, cols)
    room = opts.capacity.tolist()
    res = opts.resource.tolist() if len(by_h) else []
    need = opts.need.tolist() if len(by_h) else []
    w = weights.tolist()
    chosen: list[int] = []
    for hi in sorted(by_h, key=lambda h: (-w[h], len(by_h[h]), h)):
        for j in by_h[hi]:
            r = res[j]
            if room[r] >= need[j]:
                room[r] -= need[j]
                chosen.append(j)
                break
    chosen.sort()
    return as_array(chosen)


def improve_plan(opts: Options, plan: IntArray, cols: IntArray, passes: int = 3) -> IntArray:
    """Hill-climb on fit within `cols` (the options of `plan` are always allowed)."""
    if len(plan) == 0:
        return plan
    room = opts.capacity.tolist()
    res = opts.resource.tolist()
    need = opts.need.tolist()
    fit = opts.fit.tolist()
    hh = opts.household.tolist()
    current: dict[int, int] = {}
    for j in plan.tolist():
        room[res[j]] -= need[j]
        current[hh[j]] = j
    by_h = _by_household(opts, cols)
    better: dict[int, list[int]] = {}
    for h, j0 in current.items():
        own = by_h.get(h, [])
        ups = [j for j in own if fit[j] > fit[j0]]
        if ups:
            better[h] = ups
    for _ in range(passes):
        moved = False
        for h in sorted(better):
            j0 = current[h]
            for j in better[h]:
                if fit[j] <= fit[j0]:
                    break
                r = res[j]
                if room[r] >= need[j]:
                    room[r] -= need[j]
                    room[res[j0]] += need[j0]
                    current[h] = j
                    moved = True
                    break
        if not moved:
            break
    return as_array(sorted(current.values()))
