"""A Lagrangian bound on the fit level and a price-guided plan, in numpy over every option.

Phase 2 maximises the fit  sum_j c_j x_j  subject to at most one option per household, the
resources' capacities and "placed weight >= P1". Dropping the last row (mu = 0) and moving the
capacity rows into the objective with prices v_R >= 0 gives, for every feasible plan x,

    c.x <= L(v) = sum_R v_R cap_R + sum_h max(0, max_{j of h} (c_j - a_j v_R(j)))

(weak duality: the capacity terms v_R (cap_R - sum a_j x_j) are >= 0 and each household takes
at most one option). So L(v) bounds the fit optimum over the FULL option set for ANY v >= 0;
the price search only makes it tighter, never invalid. Its minimum over v equals the LP
relaxation's bound without the level-1 row, which is at least the LP bound with it.

The prices also guide a plan: households, heaviest first, take the option with the best priced
fit c_j - a_j v_R that still has room, so contested resources go to those who lose least
elsewhere. The caller checks that the plan keeps the level-1 weight.

Deterministic: no randomness, fixed step rule, numpy reductions in a fixed order; a deadline
can only stop it earlier (then the bound is less tight, still valid).
"""

from __future__ import annotations

import time

import numpy as np

from optimizer.candidates import IntArray, Options, as_array
from optimizer.greedy import SortedOptions

FloatArray = np.ndarray
SMOOTH_START = 2.0  # temperature of the smoothed dual, in fit points, at the first step
SMOOTH_END = 0.1  # and at the last


class PricedFit:
    """The options of `srt` as flat arrays in household order, for repeated pricing.

    Prices y: one per resource, then (with `level1`, the row "placed weight >= P1" of phase
    2, `weights` per household) one more, mu >= 0, on that row."""

    def __init__(
        self,
        opts: Options,
        srt: SortedOptions,
        weights: IntArray | None = None,
        level1: int | None = None,
    ) -> None:
        self.opts = opts
        self.srt = srt
        cols = srt.cols
        self.res = opts.resource[cols]
        self.need = opts.need[cols].astype(np.float64)
        self.fit = opts.fit[cols].astype(np.float64)
        start = np.asarray(srt.start)
        counts = np.diff(start)
        self.nonempty = np.flatnonzero(counts > 0)
        self.seg = start[:-1][self.nonempty]  # first position of each household with options
        self.hpos = np.repeat(np.arange(len(self.nonempty)), counts[self.nonempty])
        self.cap = opts.capacity.astype(np.float64)
        self.level1 = level1 if weights is not None else None
        self.hw = (
            weights[self.nonempty].astype(np.float64)
            if weights is not None and level1 is not None
            else np.zeros(len(self.nonempty))
        )
        self.dim = len(self.cap) + (1 if self.level1 is not None else 0)

    def value(self, y: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        """L(y), each household's best priced fit (>= 0) and the priced fit of every option."""
        n_r = len(self.cap)
        v = y[:n_r]
        gain = self.fit - self.need * v[self.res]
        const = float(v @ self.cap)
        if self.level1 is not None and y[n_r] > 0:
            mu = float(y[n_r])
            gain += (mu * self.hw)[self.hpos]
            const -= mu * self.level1
        if len(gain) == 0:
            return const, np.zeros(0), gain
        best = np.maximum(np.maximum.reduceat(gain, self.seg), 0.0)
        return const + float(best.sum()), best, gain

    def smooth_gradient(self, y: FloatArray, tau: float) -> FloatArray:
        """The gradient of L's entropy smoothing at temperature `tau` (an upper envelope of L
        that tends to it as tau -> 0): each household takes option j with probability
        proportional to exp(gain_j / tau), and none with exp(0)."""
        n_r = len(self.cap)
        _, best, gain = self.value(y)
        if len(gain) == 0:
            return self.subgradient(best, gain)
        e = np.exp((gain - best[self.hpos]) / tau)
        z = np.add.reduceat(e, self.seg) + np.exp(-best / tau)
        p = e / z[self.hpos]
        used = np.bincount(self.res, weights=self.need * p, minlength=n_r)
        g = self.cap - used
        if self.level1 is not None:
            placed = np.add.reduceat(p, self.seg)
            g = np.r_[g, float(self.hw @ placed) - self.level1]
        return g

    def subgradient(self, best: FloatArray, gain: FloatArray) -> FloatArray:
        """dL/dv_R = cap_R - what the households' best options take from R (first best each);
        dL/dmu = the weight those options place - P1."""
        top = np.flatnonzero((gain >= best[self.hpos]) & (best[self.hpos] > 0))
        _, first = np.unique(self.hpos[top], return_index=True)
        top = top[first]
        used = np.bincount(self.res[top], weights=self.need[top], minlength=len(self.cap))
        g = self.cap - used
        if self.level1 is not None:
            g = np.r_[g, float(self.hw[self.hpos[top]].sum()) - self.level1]
        return g


def lagrangian_fit_bound(
    pf: PricedFit,
    lower: float,
    deadline: float,
    max_iter: int = 200,
    v0: FloatArray | None = None,
    lam: float = 0.5,
) -> tuple[float, FloatArray]:
    """Minimise L(v) from v0 (default 0) by projected Adam steps (step size `lam`) on its
    entropy smoothing, whose temperature falls from 2 to 0.1 fit points over `max_iter` steps:
    each household takes each option (or none) with softmax probabilities, so the gradient is
    the capacity left by expected use. Plain subgradient steps zig-zag on the kinks of L and
    stopped about 1.5 % above the core's LP bound at stress size; these come within 0.1 %.
    Every fifth step L itself is evaluated (the exact, valid bound at those prices); returns the
    smallest L seen and its prices. `lower` (a known plan's fit) ends the search once L meets it."""
    y = np.zeros(pf.dim) if v0 is None else v0.copy()
    best_l, _, _ = pf.value(y)
    best_y = y.copy()
    m1 = np.zeros(pf.dim)
    m2 = np.zeros(pf.dim)
    round_s = 0.0
    for k in range(max_iter):
        t = time.perf_counter()
        if t + round_s > deadline:
            break
        tau = SMOOTH_START * (SMOOTH_END / SMOOTH_START) ** (k / max(1, max_iter - 1))
        g = pf.smooth_gradient(y, tau)
        m1 = 0.9 * m1 + 0.1 * g
        m2 = 0.999 * m2 + 0.001 * g * g
        step = (m1 / (1 - 0.9 ** (k + 1))) / (np.sqrt(m2 / (1 - 0.999 ** (k + 1))) + 1e-8)
        y = np.maximum(0.0, y - lam * step)
        if k % 5 == 4 or k == max_iter - 1:
            cur, _, _ = pf.value(y)
            if cur < best_l - 1e-9:
                best_l, best_y = cur, y.copy()
            if best_l - lower < 1e-6 * max(1.0, abs(lower)):
                break
        round_s = time.perf_counter() - t
    return best_l, best_y


def fit_bound(
    opts: Options,
    srt: SortedOptions,
    lower: float,
    deadline: float,
    per_household: int = 40,
    rounds: int = 4,
    iters: int = 300,
    weights: IntArray | None = None,
    level1: int | None = None,
) -> tuple[float, FloatArray, PricedFit, IntArray]:
    """L(v) over EVERY option of `srt` (a valid bound on the fit), with prices found on a
    core: the best `per_household` options by fit, then, each round, every option whose
    priced fit beats its household's best in the core (what makes the full L exceed the
    core's) joins it. With `weights` and `level1` the bound is for plans that place at least
    that weight (a price on that row too). Returns the smallest full L seen, its prices, and
    the full pricing, and the last core."""
    full = PricedFit(opts, srt, weights, level1)
    v = np.zeros(full.dim)
    t = time.perf_counter()
    best_l, _, _ = full.value(v)
    best_v = v
    core = srt.top(per_household)
    # A round's price steps stop at the deadline themselves; a round is started while
    # there is time for a few of them and the pricing of every option that ends it.
    margin = 3 * (time.perf_counter() - t)
    for _ in range(rounds):
        if time.perf_counter() + margin > deadline:
            break
        pc = PricedFit(opts, SortedOptions(opts, core), weights, level1)
        _, v = lagrangian_fit_bound(pc, lower, deadline, iters, v)
        lf, _, gain = full.value(v)
        if lf < best_l:
            best_l, best_v = lf, v
        _, core_best, _ = pc.value(v)
        hbest = np.zeros(len(srt.start) - 1)
        hbest[pc.nonempty] = core_best
        viol = gain > hbest[full.nonempty][full.hpos] + 1e-9
        if not viol.any():
            break
        core = np.union1d(core, srt.cols[viol]).astype(np.int32)
    return best_l, best_v, full, core


def priced_plan(
    pf: PricedFit,
    v: FloatArray,
    weights: IntArray,
    first: IntArray | None = None,
) -> IntArray:
    """Households (those of `first` before the rest, each group heaviest first, then fewer
    options first, then by index) take the option with the best priced fit that still has room."""
    opts, srt = pf.opts, pf.srt
    gain = pf.fit - pf.need * v[pf.res]
    room = opts.capacity.copy()
    hs = pf.nonempty
    lead = np.zeros(len(srt.start) - 1, dtype=bool)
    if first is not None and len(first):
        lead[opts.household[first]] = True
    counts = np.diff(np.asarray(srt.start))[hs]
    order = hs[np.lexsort((hs, counts, -weights[hs], ~lead[hs]))]
    chosen: list[int] = []
    for h in order.tolist():
        a, b = srt.start[h], srt.start[h + 1]
        r = pf.res[a:b]
        need = opts.need[srt.cols[a:b]]
        ok = np.flatnonzero(room[r] >= need)
        if len(ok):
            k = int(ok[int(np.argmax(gain[a:b][ok]))])
            room[r[k]] -= need[k]
            chosen.append(int(srt.cols[a + k]))
    chosen.sort()
    return as_array(chosen)


def priced_moves(pf: PricedFit, v: FloatArray, plan: IntArray, passes: int = 2) -> IntArray:
    """The same households as `plan` (so the same placed weight), each moved to the option
    with the best priced fit that has room, if that beats its current one: households leave
    contested resources for ones with room to spare, and a fit hill-climb afterwards can use
    what they freed."""
    if len(plan) == 0:
        return plan
    opts, srt = pf.opts, pf.srt
    fit, need, res = opts.fit, opts.need, opts.resource
    room = opts.capacity.copy()
    np.subtract.at(room, opts.resource[plan], opts.need[plan])
    current = dict(zip(opts.household[plan].tolist(), plan.tolist(), strict=True))
    for _ in range(passes):
        moved = False
        for h in sorted(current):
            j0 = current[h]
            a, b = srt.start[h], srt.start[h + 1]
            js = srt.cols[a:b]
            r = opts.resource[js]
            ok = np.flatnonzero((room[r] >= opts.need[js]) & (js != j0))
            if not len(ok):
                continue
            gain = fit[js[ok]] - need[js[ok]] * v[r[ok]]
            k = int(np.argmax(gain))
            j = int(js[ok[k]])
            if gain[k] > fit[j0] - need[j0] * v[res[j0]] + 1e-9:
                room[opts.resource[j]] -= opts.need[j]
                room[opts.resource[j0]] += opts.need[j0]
                current[h] = j
                moved = True
        if not moved:
            break
    return as_array(sorted(current.values()))
