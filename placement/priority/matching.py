"""Adapter to the optimizer's priority-flat matcher, with the local rules as a floor.

The optimizer (``optimizer.match_priority_flat(flat, applicants, districts, weights)``) ranks
approved households for one flat. When it is not installed, or fails, the local rules rank
instead (``matcher == "rules"``). Either way the local hard rules (placement.priority.rules)
are applied on top, so a household the flat does not suit is never proposed.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from placement.errors import N_
from placement.priority import rules
from placement.priority.rules import Failure, FlatFacts, HouseholdFacts

log = logging.getLogger(__name__)

RULE_TEXTS: dict[str, str] = {
    "invalid_application": N_("The application's household details do not add up."),
    rules.HOUSEHOLD_DOES_NOT_FIT: N_("The flat's size does not suit the household."),
    rules.EXCLUSION_AREA: N_("The flat is in an area the household must avoid."),
    "exclusion_buffer": N_("The flat is next to an area the household must avoid."),
    rules.WHEELCHAIR: N_("The household needs a wheelchair-accessible flat."),
    "rent": N_("The rent is more than the household can pay."),
}


@dataclass(frozen=True, slots=True)
class DistrictFacts:
    code: str
    name: str
    municipality: str
    pool: str | None
    lat: float
    lon: float
    neighbours: frozenset[str]


@dataclass(frozen=True, slots=True)
class Match:
    application_id: str
    eligible: bool
    rank: int | None
    score: int | None
    failed: tuple[Failure, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Raw:
    score: int
    failed: tuple[Failure, ...]
    reasons: tuple[str, ...]


def _optimizer_fn() -> Callable[..., Any] | None:
    try:
        import optimizer
    except ImportError:  # pragma: no cover - the optimizer ships with the application
        return None
    fn = getattr(optimizer, "match_priority_flat", None)
    if fn is None:
        try:
            module = importlib.import_module("optimizer.priority_flat")
        except ImportError:
            return None
        fn = getattr(module, "match_priority_flat", None)
    return fn if callable(fn) else None


def _by_optimizer(
    fn: Callable[..., Any],
    flat: FlatFacts,
    households: Sequence[HouseholdFacts],
    districts: Sequence[DistrictFacts],
    exclusion_buffer: bool,
) -> dict[str, _Raw]:
    import optimizer

    o_flat = optimizer.Flat(
        flat_id="flat",
        district_id=flat.district_code,
        rooms=flat.rooms,
        size_sqm=float(flat.size_sqm),
        rent=flat.rent_sek,
        wheelchair_accessible=flat.wheelchair_accessible,
    )
    applicants = tuple(
        optimizer.Applicant(
            application_id=h.application_id,
            household_size=h.size,
            adults=h.adults,
            children_ages=h.children_ages,
            avoid_district_ids=h.avoid_codes,
            needed_district_ids=h.needed_codes,
            needs_wheelchair=h.needs_wheelchair,
            max_rent=h.max_rent_sek,
        )
        for h in households
    )
    infos = tuple(
        optimizer.DistrictInfo(
            district_id=d.code,
            name=d.name,
            municipality=d.municipality,
            pool=d.pool,
            lat=d.lat,
            lon=d.lon,
            neighbours=d.neighbours,
        )
        for d in districts
    )
    weights = optimizer.FlatWeights(exclusion_buffer=exclusion_buffer)
    result = fn(o_flat, applicants, {d.district_id: d for d in infos}, weights)
    matches = getattr(result, "matches", result)
    out: dict[str, _Raw] = {}
    for m in matches:
        texts = {str(r.code): str(r.text_en) for r in m.reasons}
        codes = tuple(str(c) for c in m.failed_rules)
        out[str(m.application_id)] = _Raw(
            score=int(m.score or 0),
            failed=tuple(Failure(c, texts.get(c) or RULE_TEXTS.get(c, c)) for c in codes),
            reasons=tuple(str(r.text_en) for r in m.reasons if str(r.code) not in codes),
        )
    return out


def match(
    flat: FlatFacts,
    households: Sequence[HouseholdFacts],
    districts: Sequence[DistrictFacts],
    *,
    exclusion_buffer: bool = False,
) -> tuple[list[Match], str]:
    """Every household with its verdict for the flat; eligible ones ranked, best first."""
    by_code = {d.code: d for d in districts}
    flat_district = by_code.get(flat.district_code)
    neighbours = flat_district.neighbours if flat_district else frozenset()
    optimized: dict[str, _Raw] | None = None
    fn = _optimizer_fn()
    if fn is not None and households:
        try:
            optimized = _by_optimizer(fn, flat, households, districts, exclusion_buffer)
        except Exception as exc:  # an unknown shape must not stop the agency's work
            log.error(
                "the optimizer's flat matcher failed (%s); ranking by the local rules",
                type(exc).__name__,
            )
            optimized = None
    raws: dict[str, _Raw] = {}
    for h in households:
        local_failed = rules.failures(flat, h)
        score, reasons = rules.preferences(flat, h, neighbours)
        opt = optimized.get(h.application_id) if optimized is not None else None
        if opt is None:
            raws[h.application_id] = _Raw(score, tuple(local_failed), tuple(reasons))
            continue
        # Local failures carry the clearer text; the optimizer's extra ones are kept too.
        seen = {f.code for f in local_failed}
        failed = tuple(local_failed) + tuple(f for f in opt.failed if f.code not in seen)
        raws[h.application_id] = _Raw(opt.score, failed, opt.reasons or tuple(reasons))
    order = sorted(
        (h.application_id for h in households if not raws[h.application_id].failed),
        key=lambda a: -raws[a].score,
    )
    ranks = {a: i + 1 for i, a in enumerate(order)}
    matches = [
        Match(
            application_id=h.application_id,
            eligible=not raws[h.application_id].failed,
            rank=ranks.get(h.application_id),
            score=raws[h.application_id].score if h.application_id in ranks else None,
            failed=raws[h.application_id].failed,
            reasons=raws[h.application_id].reasons,
        )
        for h in households
    ]
    matches.sort(key=lambda m: (m.rank is None, m.rank or 0))
    return matches, "optimizer" if optimized is not None else "rules"
