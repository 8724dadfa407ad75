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


class SortedOptions:
    """The options of `cols` sorted by household, then best fit first (ties: lower index);
    household h's options are positions start[h]..start[h+1]. Sort once, use for every plan."""

    def __init__(self, opts: Options, cols: IntArray) -> None:
        h = opts.household[cols]
        fit = opts.fit[cols]
        span = int(fit.max() - fit.min()) + 1 if len(cols) else 1
        # One integer key (household, then decreasing fit); the stable sort keeps the index
        # order among ties, as `cols` is increasing.
        key = h * span + (int(fit.max()) if len(cols) else 0) - fit
        order = np.argsort(key, kind="stable")
        self.cols = cols[order]
        self.res = opts.resource[self.cols]
        self.need = opts.need[self.cols]
        self.neg_fit = -opts.fit[self.cols]
        n_h = len(opts.failed_counts)
        start = np.searchsorted(h[order], np.arange(n_h + 1))
        self.start = start.tolist()
        counts = np.diff(start)
        # Rank of each option within its household (0: the best fit).
        self.rank = np.arange(len(cols), dtype=np.int64) - np.repeat(start[:-1], counts)

    def top(self, k: int) -> IntArray:
        """The `k` best options by fit of every household, in increasing index order."""
        return np.sort(self.cols[self.rank < k])


def greedy_plan(
    opts: Options, weights: IntArray, cols: IntArray, srt: SortedOptions | None = None
) -> IntArray:
    if len(cols) == 0:
        return as_array([])
    srt = srt or SortedOptions(opts, cols)
    start = srt.start
    n_h = len(start) - 1
    counts = np.diff(np.asarray(start))
    order = np.lexsort((np.arange(n_h), counts, -weights))
    room = opts.capacity.copy()
    chosen: list[int] = []
    for h in order[counts[order] > 0].tolist():
        a, b = start[h], start[h + 1]
        res = srt.res[a:b]
        ok = np.flatnonzero(room[res] >= srt.need[a:b])
        if len(ok):
            k = a + int(ok[0])
            room[srt.res[k]] -= srt.need[k]
            chosen.append(int(srt.cols[k]))
    chosen.sort()
    return as_array(chosen)


def improve_plan(
    opts: Options,
    plan: IntArray,
    cols: IntArray,
    srt: SortedOptions | None = None,
    passes: int = 3,
) -> IntArray:
    """Hill-climb on fit within `cols` (the options of `plan` are always allowed)."""
    if len(plan) == 0 or len(cols) == 0:
        return plan
    srt = srt or SortedOptions(opts, cols)
    room = opts.capacity.copy()
    np.subtract.at(room, opts.resource[plan], opts.need[plan])
    current = dict(zip(opts.household[plan].tolist(), plan.tolist(), strict=True))
    fit = opts.fit
    for _ in range(passes):
        moved = False
        for h in sorted(current):
            j0 = current[h]
            a, e = srt.start[h], srt.start[h + 1]
            # Options of h with a strictly better fit than the current one come first.
            b = a + int(np.searchsorted(srt.neg_fit[a:e], -fit[j0], side="left"))
            if b == a:
                continue
            ok = np.flatnonzero(room[srt.res[a:b]] >= srt.need[a:b])
            if len(ok):
                k = a + int(ok[0])
                room[srt.res[k]] -= srt.need[k]
                room[opts.resource[j0]] += opts.need[j0]
                current[h] = int(srt.cols[k])
                moved = True
        if not moved:
            break
    return as_array(sorted(current.values()))
