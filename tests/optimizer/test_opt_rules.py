"""Every hard rule: it excludes, it is counted under its code, and an override lets it through."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opt_factory import DISTRICTS, household, random_household, random_unit, unit
from opt_oracle import broken_rules

from optimizer import RULE_CODES, Child, Policy, propose_now
from optimizer.common import as_district_map, fast_resource_penalty, fast_unit_score
from optimizer.rules import (
    NOT_OVERRIDABLE,
    active_rules,
    codes_of,
    compile_checker,
    failed_rules,
    make_context,
)
from optimizer.scoring import best_option, make_score_context, total, unit_terms

# rule code -> (unit changes, household changes, policy)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any], Policy]] = {
    "protection_level": ({"protection_level": 2}, {}, Policy()),
    "exclusion_area": ({"district_id": "ens"}, {}, Policy()),
    "exclusion_buffer": ({"district_id": "sod"}, {}, Policy(exclusion_buffer=True)),
    "gender": ({"accepted_genders": frozenset({"male"})}, {}, Policy()),
    "age": ({"max_age": 30}, {}, Policy()),
    "substance_policy": ({"substance_policy": "drug_free"}, {}, Policy()),
    "wheelchair": ({"wheelchair_accessible": False}, {"needs_wheelchair": True}, Policy()),
    "honour_competence": ({"honour_competence": False}, {"honour_context": True}, Policy()),
    "children_not_accepted": (
        {"accepts_children": False},
        {"children": (Child(5, "female"),)},
        Policy(),
    ),
    "too_many_children": (
        {"max_children": 1},
        {"children": (Child(5, "female"), Child(7, "male"))},
        Policy(),
    ),
    "child_age": ({"max_boy_age": 12}, {"children": (Child(15, "male"),)}, Policy()),
    "ivo_permit": (
        {"ivo_permit_required": True, "ivo_permit_valid_until": date(2025, 1, 1)},
        {},
        Policy(),
    ),
    "sharing_policy": (
        {"sharing_policy": "own_district", "owner_district_id": "bro"},
        {},
        Policy(),
    ),
    "no_capacity_period": ({"free_places": 0, "free_family_rooms": ()}, {}, Policy()),
    "household_does_not_fit": (
        {"free_places": 2, "free_family_rooms": (2,)},
        {"children": (Child(5, "female"), Child(7, "male"))},
        Policy(),
    ),
}


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == set(RULE_CODES)


@pytest.mark.parametrize("code", RULE_CODES)
def test_rule_excludes_and_counts(code: str) -> None:
    unit_kw, hh_kw, policy = CASES[code]
    good = unit("u0")
    bad = unit("u1", **unit_kw)
    hh = household(**hh_kw)
    assert broken_rules(hh, good, DISTRICTS, policy) == set()
    assert broken_rules(hh, bad, DISTRICTS, policy) == {code}  # the oracle agrees

    res = propose_now(hh, [good, bad], DISTRICTS, policy)
    assert [p.unit_id for p in res.proposals] == ["u0"]
    assert res.excluded_counts == {code: 1}
    assert res.excluded_units == 1
    miss = res.near_misses[0]
    assert miss.unit_id == "u1"
    assert miss.failed_rules == (code,)
    assert miss.reasons[0].code == code
    assert miss.reasons[0].text_sv and miss.reasons[0].text_en


@pytest.mark.parametrize("code", RULE_CODES)
def test_override_lets_unit_through_and_says_so(code: str) -> None:
    unit_kw, hh_kw, policy = CASES[code]
    bad = unit("u1", **unit_kw)
    hh = household(overridden_rules=frozenset({code}), **hh_kw)
    res = propose_now(hh, [bad], DISTRICTS, policy)
    if code in NOT_OVERRIDABLE:  # no override can create a bed
        assert res.proposals == ()
        assert any(p.code == "override_not_possible" for p in res.problems)
        return
    assert [p.unit_id for p in res.proposals] == ["u1"]
    codes = [r.code for r in res.proposals[0].reasons]
    assert codes[0] == f"override_{code}"
    assert "åsidosatt" in res.proposals[0].reasons[0].text_sv
    assert "overridden" in res.proposals[0].reasons[0].text_en


def test_a_unit_counts_for_every_rule_it_breaks() -> None:
    bad = unit("u1", protection_level=1, district_id="ens", accepted_genders=frozenset({"male"}))
    res = propose_now(household(), [bad], DISTRICTS)
    assert res.excluded_counts == {"protection_level": 1, "exclusion_area": 1, "gender": 1}
    assert res.near_misses[0].failed_rules == ("protection_level", "exclusion_area", "gender")


def test_ivo_permit_must_cover_the_whole_stay() -> None:
    # Valid on the first night, expiring during the stay: ruled out (the permit must cover
    # the whole period); with the rule overridden it is proposed, with the expiry stated.
    u = unit("u1", ivo_permit_required=True, ivo_permit_valid_until=date(2025, 3, 8))
    res = propose_now(household(nights=14), [u], DISTRICTS)
    assert not res.proposals and res.excluded_counts.get("ivo_permit") == 1
    hh = household(nights=14, overridden_rules=frozenset({"ivo_permit"}))
    res = propose_now(hh, [u], DISTRICTS)
    codes = [r.code for r in res.proposals[0].reasons]
    assert "ivo_permit_expires" in codes
    # Valid to the last night: proposed.
    last_night = unit("u2", ivo_permit_required=True, ivo_permit_valid_until=date(2025, 3, 16))
    assert propose_now(household(nights=14), [last_night], DISTRICTS).proposals


def test_substance_none_may_use_active_use_place_with_penalty() -> None:
    u = unit("u1", substance_policy="active_use_accepted")
    res = propose_now(household(), [u], DISTRICTS)
    assert [r.code for r in res.proposals[0].reasons if r.points < 0].count("active_use_unit") == 1


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_fused_checker_equals_named_rules_and_oracle(seed: int, buffer: bool) -> None:
    rng = random.Random(seed)
    hh = random_household(rng, 0)
    u = random_unit(rng, 0)
    policy = Policy(exclusion_buffer=buffer)
    ctx = make_context(hh, as_district_map(DISTRICTS), policy)
    named = failed_rules(ctx, u, active_rules(ctx))
    fused = codes_of(compile_checker(ctx)(u))
    assert fused == named
    assert set(named) == broken_rules(hh, u, DISTRICTS, policy)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_fast_score_equals_explained_terms(seed: int) -> None:
    rng = random.Random(seed)
    hh = random_household(rng, 0)
    u = random_unit(rng, 0)
    dmap = as_district_map(DISTRICTS)
    policy = Policy()
    ctx = make_context(hh, dmap, policy)
    sctx = make_score_context(hh, dmap, policy, ctx)
    base = total(unit_terms(sctx, u))
    assert fast_unit_score(sctx, u) == base
    best = best_option(sctx, hh.size, u, base)
    if best is not None:
        penalty = fast_resource_penalty(hh.size, u, policy.weights.family_room_spare_bed)
        assert best[1] == base - penalty


def test_district_of_requester_does_not_change_scores() -> None:
    u = unit("u1", sharing_policy="city_wide", district_id="bro")
    a = propose_now(household(requesting_district_id="sod"), [u], DISTRICTS)
    b = propose_now(household(requesting_district_id="kun"), [u], DISTRICTS)
    assert a.proposals == b.proposals
    c = propose_now(replace(household(), requesting_district_id="vas"), [u], DISTRICTS)
    assert c.proposals == ()
    assert c.excluded_counts == {"sharing_policy": 1}
