"""Mode 1, "now": the best units for one household, with reasons, counts and next steps.

Tuned for a phone call at night: one pass over the units with precomputed district distances
and only the rules that can fail for this household; full explanations are written only for
the proposals and the nearest misses.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Sequence

from optimizer.common import (
    Districts,
    as_district_map,
    explain_option,
    fast_resource_penalty,
    fast_unit_score,
)
from optimizer.explain import (
    RULE_LABELS,
    next_step,
    nothing_fits_message,
    override_step,
    rule_reason,
)
from optimizer.problem import RULE_CODES, Household, Policy, Unit
from optimizer.results import InputProblem, NearMiss, NextStep, NowResult, Proposal
from optimizer.rules import (
    EXCLUSION_AREA,
    EXCLUSION_BUFFER,
    HOUSEHOLD_DOES_NOT_FIT,
    NEED_RULES,
    NO_CAPACITY_PERIOD,
    NOT_OVERRIDABLE,
    PROTECTION_LEVEL,
    RuleContext,
    codes_of,
    compile_checker,
    make_context,
)
from optimizer.scoring import best_option, make_score_context, total, unit_terms
from optimizer.validate import (
    household_problems,
    policy_problems,
    problem,
    size_problem,
    usable_districts,
    usable_units,
)

NEAR_MISSES = 3
# A near miss that breaks a safety rule is shown after one that breaks a practical rule.
SAFETY_RULES = frozenset({"exclusion_area", "exclusion_buffer", "protection_level"})
SAFETY_MASK = EXCLUSION_AREA | EXCLUSION_BUFFER | PROTECTION_LEVEL


def propose_now(
    household: Household,
    units: Iterable[Unit],
    districts: Districts,
    policy: Policy | None = None,
    limit: int = 5,
) -> NowResult:
    # --- data ---
    policy = policy or Policy()
    dmap, district_problems = usable_districts(as_district_map(districts))
    unit_list, problems = usable_units(units)
    hh_problems, ok = household_problems(household, dmap)
    bad_policy = policy_problems(policy)
    problems = hh_problems + bad_policy + district_problems + problems
    if not ok or bad_policy:
        return _empty(household, problems)

    ctx = make_context(household, dmap, policy)
    sctx = make_score_context(household, dmap, policy, ctx)
    check = compile_checker(ctx)
    size = ctx.size
    spare_w = policy.weights.family_room_spare_bed

    # --- one pass: hard rules for every unit, fast score for the eligible ---
    # Plain lists of ints only: no per-unit containers for the garbage collector to chase.
    elig_i: list[int] = []
    elig_neg: list[int] = []
    fail_i: list[int] = []
    fail_m: list[int] = []
    for i, u in enumerate(unit_list):
        m = check(u)
        if m:
            fail_i.append(i)
            fail_m.append(m)
            continue
        elig_i.append(i)
        elig_neg.append(fast_resource_penalty(size, u, spare_w) - fast_unit_score(sctx, u))
    per_mask = Counter(fail_m)
    counts = {}
    for bit, code in enumerate(RULE_CODES):
        n = sum(k for m, k in per_mask.items() if m >> bit & 1)
        if n:
            counts[code] = n

    # --- explanations for the few that are shown ---
    proposals: list[Proposal] = []
    top = heapq.nsmallest(
        max(limit, 0),
        range(len(elig_i)),
        key=lambda k: (elig_neg[k], unit_list[elig_i[k]].unit_id),
    )
    for k in top:
        u = unit_list[elig_i[k]]
        best = best_option(sctx, size, u, total(unit_terms(sctx, u)))
        if best is None:  # cannot happen: capacity rules passed
            continue
        score, reasons = explain_option(ctx, sctx, u, best[0])
        proposals.append(Proposal(u.unit_id, u.name, score, best[0], reasons))

    near = [
        NearMiss(u.unit_id, u.name, tuple(codes), tuple(rule_reason(c, ctx, u) for c in codes))
        for u, codes in _nearest(unit_list, fail_i, fail_m, per_mask)
    ]

    message_sv = message_en = None
    steps: tuple[NextStep, ...] = ()
    if not elig_i:
        too_large = size_problem(household.size, unit_list)
        if too_large is not None:
            problems.append(too_large)
        top_rule = max(counts.items(), key=lambda kv: kv[1])[0] if counts else None
        message_sv, message_en = nothing_fits_message(
            top_rule, counts.get(top_rule, 0) if top_rule else 0
        )
        conflicts = _need_conflicts(ctx, list(per_mask))
        problems.extend(conflicts)
        single = {m for m in per_mask if m.bit_count() == 1}
        full = [
            unit_list[i]
            for i, m in zip(fail_i, fail_m, strict=True)
            if m in (NO_CAPACITY_PERIOD, HOUSEHOLD_DOES_NOT_FIT)
        ]
        stale = any(
            u.vacancy_age_hours is None or u.vacancy_age_hours > policy.stale_after_hours
            for u in full
        )
        steps = _next_steps(ctx, single, bool(conflicts), stale)

    return NowResult(
        request_id=household.request_id,
        proposals=tuple(proposals),
        eligible_count=len(elig_i),
        excluded_counts=counts,
        excluded_units=len(fail_i),
        near_misses=tuple(near),
        message_sv=message_sv,
        message_en=message_en,
        next_steps=steps,
        problems=tuple(problems),
    )


def _empty(household: Household, problems: list[InputProblem]) -> NowResult:
    return NowResult(
        request_id=household.request_id,
        proposals=(),
        eligible_count=0,
        excluded_counts={},
        excluded_units=0,
        near_misses=(),
        message_sv="Förfrågan kan inte matchas förrän uppgifterna är rättade.",
        message_en="The request cannot be matched until the data is corrected.",
        next_steps=(),
        problems=tuple(problems),
    )


def _nearest(
    units: list[Unit], fail_i: list[int], fail_m: list[int], per_mask: Counter[int]
) -> list[tuple[Unit, list[str]]]:
    """The units breaking the fewest rules; safety rules break ties last, then unit id."""
    groups: dict[tuple[int, int], list[int]] = {}
    for m in per_mask:
        groups.setdefault((m.bit_count(), (m & SAFETY_MASK).bit_count()), []).append(m)
    out: list[tuple[Unit, list[str]]] = []
    for key in sorted(groups):
        masks = set(groups[key])
        found = [
            (units[i].unit_id, i, m) for i, m in zip(fail_i, fail_m, strict=True) if m in masks
        ]
        for _uid, i, m in heapq.nsmallest(NEAR_MISSES - len(out), found):
            out.append((units[i], codes_of(m)))
        if len(out) >= NEAR_MISSES:
            break
    return out


def _need_conflicts(ctx: RuleContext, masks: Sequence[int]) -> list[InputProblem]:
    """Needs that no unit in the inventory meets together, whatever is free and wherever.

    E.g. active substance use together with honour competence when only drug-free places
    have that competence. Checked on the distinct sets of failed need rules (few)."""
    need = set(NEED_RULES) - set(ctx.household.overridden_rules)
    sets = {frozenset(codes_of(m)) & need for m in masks}
    if not masks or frozenset() in sets:
        return []
    out: list[InputProblem] = []
    relevant = sorted({r for s in sets for r in s}, key=RULE_CODES.index)
    alone = [r for r in relevant if all(r in s for s in sets)]
    for r in alone:
        ls, le = RULE_LABELS[r]
        out.append(
            problem(
                "need_not_met_by_any_unit",
                f"Ingen enhet i registret uppfyller behovet ({ls})",
                f"No unit in the inventory meets the need ({le})",
            )
        )
    if alone:
        return out
    for i, a in enumerate(relevant):
        for b in relevant[i + 1 :]:
            if all(a in s or b in s for s in sets):
                (sa, ea), (sb, eb) = RULE_LABELS[a], RULE_LABELS[b]
                out.append(
                    problem(
                        "conflicting_needs",
                        f"Inget boende uppfyller både {sa} och {sb} för hushållet",
                        f"No place meets both {ea} and {eb} for the household",
                    )
                )
                if len(out) >= NEAR_MISSES:
                    return out
    return out


def _next_steps(
    ctx: RuleContext,
    single_masks: set[int],
    conflicting: bool,
    stale_full_units: bool,
) -> tuple[NextStep, ...]:
    single = {codes_of(m)[0] for m in single_masks}
    steps: list[NextStep] = []
    if conflicting:
        steps.append(next_step("check_needs"))
    if "sharing_policy" in single:
        steps.append(next_step("ask_owner_district"))
    if ctx.requester is not None and ctx.requester.pool is not None:
        steps.append(next_step("regional_pool"))
    if "exclusion_buffer" in single:
        steps.append(next_step("relax_exclusion_buffer"))
    if stale_full_units:
        steps.append(next_step("refresh_vacancies"))
    if "household_does_not_fit" in single:
        steps.append(next_step("split_household"))
    overridable = sorted(
        (r for r in single if r not in NOT_OVERRIDABLE and r not in SAFETY_RULES),
        key=RULE_CODES.index,
    )
    steps.extend(override_step(r) for r in overridable)
    steps.append(next_step("kompotten"))
    high = ctx.required_protection >= 3
    steps.append(next_step("hostel_not_for_high_risk" if high else "hostel_fallback"))
    return tuple(steps)
