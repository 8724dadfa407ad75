"""Fast feasible plans for the joint plan: the plan that exists before CP-SAT starts.

`greedy_plan`: households by decreasing priority weight (then fewer options first), each takes
its best-fitting option whose resource still has room. `improve_plan`: hill-climb on fit, moving
a placed household to a better option that still has room (the same households stay placed,
so the placed weight does not change). Both run in milliseconds at national size; the result
is always feasible, so the joint plan has a plan even when the solver gets no time at all.
"""

from __future__ import annotations

import time

import numpy as np

from optimizer.candidates import IntArray, Options, as_array, take


class SortedOptions:
    """The options of `cols` sorted by household, then best fit first (ties: lower index);
    household h's options are positions start[h]..start[h+1]. Sort once, use for every plan."""

    def __init__(self, opts: Options, cols: IntArray) -> None:
        h = take(opts.household, cols)
        fit = take(opts.fit, cols)
        span = int(fit.max()) - int(fit.min()) + 1 if len(cols) else 1
        # One integer key (household, then decreasing fit); the stable sort keeps the index
        # order among ties, as `cols` is increasing.
        key = h.astype(np.int64) * span + ((int(fit.max()) if len(cols) else 0) - fit)
        order = np.argsort(key, kind="stable")
        del key
        self.cols = cols[order].astype(np.int32)
        del order
        n_h = len(opts.failed_counts)
        sorted_h = opts.household[self.cols]
        self.start = np.searchsorted(sorted_h, np.arange(n_h + 1)).tolist()
        self.opts = opts

    def top(self, k: int) -> IntArray:
        """The `k` best options by fit of every household, in increasing index order."""
        start = np.asarray(self.start)
        counts = np.diff(start)
        # Rank of each option within its household (0: the best fit).
        rank = np.arange(len(self.cols), dtype=np.int64) - np.repeat(start[:-1], counts)
        return np.sort(self.cols[rank < k])

    def res(self, a: int, b: int) -> IntArray:
        return self.opts.resource[self.cols[a:b]]

    def need(self, a: int, b: int) -> IntArray:
        return self.opts.need[self.cols[a:b]]

    def neg_fit(self, a: int, b: int) -> IntArray:
        return -self.opts.fit[self.cols[a:b]]


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
        need = srt.need(a, b)
        ok = np.flatnonzero(room[srt.res(a, b)] >= need)
        if len(ok):
            k = int(ok[0])
            j = int(srt.cols[a + k])
            room[opts.resource[j]] -= need[k]
            chosen.append(j)
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
            b = a + int(np.searchsorted(srt.neg_fit(a, e), -fit[j0], side="left"))
            if b == a:
                continue
            need = srt.need(a, b)
            ok = np.flatnonzero(room[srt.res(a, b)] >= need)
            if len(ok):
                j = int(srt.cols[a + int(ok[0])])
                room[opts.resource[j]] -= opts.need[j]
                room[opts.resource[j0]] += opts.need[j0]
                current[h] = j
                moved = True
        if not moved:
            break
    return as_array(sorted(current.values()))


def augment_plan(
    opts: Options,
    weights: IntArray,
    plan: IntArray,
    srt: SortedOptions,
    deadline: float,
) -> IntArray:
    """Local search on the placed weight: each household left out (heaviest first) tries its
    options best fit first; where the resource is full, one household on it moves to another
    option that has room (an ejection of length one), or, failing that, a lighter household
    on it makes way (the placed weight grows by the difference). Stops at `deadline`."""
    if len(plan) == 0:
        return plan
    room = opts.capacity.copy()
    np.subtract.at(room, opts.resource[plan], opts.need[plan])
    current: dict[int, int] = dict(zip(opts.household[plan].tolist(), plan.tolist(), strict=True))
    holders: dict[int, list[int]] = {}
    for j in plan.tolist():
        holders.setdefault(int(opts.resource[j]), []).append(j)
    counts = np.diff(np.asarray(srt.start))
    left = [h for h in np.flatnonzero(counts > 0).tolist() if h not in current]
    left.sort(key=lambda h: (-int(weights[h]), h))
    res, need, hh = opts.resource, opts.need, opts.household

    def take(h: int, j: int) -> None:
        r = int(res[j])
        room[r] -= need[j]
        holders.setdefault(r, []).append(j)
        current[h] = j

    def drop(j: int) -> None:
        r = int(res[j])
        room[r] += need[j]
        holders[r].remove(j)
        del current[int(hh[j])]

    for h in left:
        if time.perf_counter() > deadline:
            break
        a, b = srt.start[h], srt.start[h + 1]
        done = False
        lightest: tuple[int, int, int] | None = None  # (weight, option of h, option evicted)
        for j in srt.cols[a:b].tolist():
            r = int(res[j])
            if room[r] >= need[j]:
                take(h, j)
                done = True
                break
            for jg in list(holders.get(r, ())):
                if room[r] + need[jg] < need[j]:
                    continue
                g = int(hh[jg])
                ga, gb = srt.start[g], srt.start[g + 1]
                alt = srt.cols[ga:gb]
                ok = np.flatnonzero((res[alt] != r) & (room[res[alt]] >= need[alt]))
                if len(ok):
                    drop(jg)
                    take(g, int(alt[int(ok[0])]))
                    take(h, j)
                    done = True
                    break
                if weights[g] < weights[h] and (lightest is None or weights[g] < lightest[0]):
                    lightest = (int(weights[g]), j, jg)
            if done:
                break
        if not done and lightest is not None:
            drop(lightest[2])
            take(h, lightest[1])
    return as_array(sorted(current.values()))
