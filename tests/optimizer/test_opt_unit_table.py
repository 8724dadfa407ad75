"""The vectorised rules and scores (UnitTable) equal the fused checker and the explained terms,
unit by unit, on random households and units (unknown districts and overrides included)."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from opt_factory import DISTRICTS, random_household, random_unit

from optimizer import Policy
from optimizer.common import as_district_map, fast_unit_score
from optimizer.geo import DistanceTable
from optimizer.rules import compile_checker, make_context
from optimizer.scoring import make_score_context, total, unit_terms
from optimizer.unit_table import UnitTable


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_vectorised_rules_and_scores_equal_the_reference(seed: int, buffer: bool) -> None:
    rng = random.Random(seed)
    dmap = as_district_map(DISTRICTS)
    units = [random_unit(rng, i) for i in range(25)]
    # Some units in a district the map does not know, some owned by one.
    units[0] = replace(units[0], district_id="nowhere")
    units[1] = replace(units[1], owner_district_id="elsewhere", sharing_policy="city_wide")
    policy = Policy(exclusion_buffer=buffer)
    table = DistanceTable(dmap)
    ut = UnitTable(units, dmap, table)
    everyone = np.arange(len(units), dtype=np.int64)
    for i in range(8):
        hh = random_household(rng, i)
        if i == 0:
            hh = replace(hh, requesting_district_id="atlantis")
        ctx = make_context(hh, dmap, policy)
        check = compile_checker(ctx)
        assert ut.check(ctx).tolist() == [check(u) for u in units]
        sctx = make_score_context(hh, dmap, policy, ctx, table)
        scores = ut.scores(ctx, policy, everyone).tolist()
        assert scores == [fast_unit_score(sctx, u) for u in units]
        assert scores == [total(unit_terms(sctx, u)) for u in units]
        # The prefilter keeps every unit that passes every rule.
        passing = {k for k, u in enumerate(units) if check(u) == 0}
        assert passing <= set(ut.prefilter(ctx).tolist())
