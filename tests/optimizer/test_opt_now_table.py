"""The fast "now" over a prepared inventory (numpy columns, one `NowInventory` for many
requests) gives exactly the reference `propose_now`'s result: the same proposals, scores,
reasons, excluded counts per rule, near misses, messages, next steps and problems, on random
inventories (full ones, unknown districts, invalid and repeated units included)."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from opt_factory import DISTRICTS, random_household, random_unit

from optimizer import Capacity, NowInventory, Policy, Unit, propose_now, propose_now_table


def capacity(rng: random.Random, units: list[Unit], full: float) -> Capacity:
    places, rooms, ages = [], [], []
    for _ in units:
        empty = rng.random() < full
        places.append(0 if empty else rng.randint(0, 4))
        rooms.append(
            ()
            if empty
            else tuple(sorted((rng.randint(1, 5) for _ in range(rng.randint(0, 3))), reverse=True))
        )
        ages.append(rng.choice((None, 0.0, 1.5, 30.0, 100.0, 1e9)))
    return Capacity(places, rooms, ages)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(0, 60),
    st.sampled_from((0.0, 0.5, 0.95, 1.0)),
    st.booleans(),
    st.integers(1, 8),
)
def test_fast_now_equals_the_reference(
    seed: int, n_units: int, full: float, buffer: bool, limit: int
) -> None:
    rng = random.Random(seed)
    units = [random_unit(rng, i) for i in range(n_units)]
    if n_units > 2 and rng.random() < 0.3:
        units[0] = replace(units[0], district_id="nowhere")
        units[1] = replace(units[1], owner_district_id="elsewhere", sharing_policy="city_wide")
    if n_units > 3 and rng.random() < 0.1:  # invalid or repeated units: the reference's own path
        units[2] = rng.choice((replace(units[2], protection_level=9), replace(units[3])))
    policy = Policy(exclusion_buffer=buffer)
    inv = NowInventory(units, DISTRICTS)
    for i in range(6):  # one inventory, many requests with their own capacity
        cap = capacity(rng, units, full)
        hh = random_household(rng, i)
        if i == 0:
            hh = replace(hh, requesting_district_id="atlantis")
        if i == 1:
            hh = replace(hh, adults=rng.randint(1, 6))
        concrete = [
            replace(
                u,
                free_places=cap.free_places[k],
                free_family_rooms=cap.free_family_rooms[k],
                vacancy_age_hours=cap.vacancy_age_hours[k],
            )
            for k, u in enumerate(units)
        ]
        want = propose_now(hh, concrete, DISTRICTS, policy, limit)
        got = propose_now_table(hh, inv, cap, policy, limit)
        assert got == want
        assert list(got.excluded_counts) == list(want.excluded_counts)


def test_a_negative_vacancy_age_goes_through_the_reference() -> None:
    rng = random.Random(7)
    units = [random_unit(rng, i) for i in range(10)]
    inv = NowInventory(units, DISTRICTS)
    cap = capacity(rng, units, 0.0)
    cap = Capacity(cap.free_places, cap.free_family_rooms, [-1.0, *cap.vacancy_age_hours[1:]])
    hh = random_household(rng, 0)
    concrete = [
        replace(
            u,
            free_places=cap.free_places[k],
            free_family_rooms=cap.free_family_rooms[k],
            vacancy_age_hours=cap.vacancy_age_hours[k],
        )
        for k, u in enumerate(units)
    ]
    got = propose_now_table(hh, inv, cap)
    assert got == propose_now(hh, concrete, DISTRICTS)
    assert any(p.code == "invalid_unit" for p in got.problems)
