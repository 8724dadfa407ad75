"""Move-on and the housing agency's priority-flat ranking."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from opt_factory import DISTRICTS, household, unit
from opt_oracle import capacities_ok, placement_ok

from optimizer import (
    Applicant,
    Child,
    Flat,
    FlatWeights,
    Policy,
    Resource,
    match_priority_flat,
    propose_move_on,
)


def test_move_on_proposes_interim_and_counts_freed_acute_places() -> None:
    shelter = unit("s1", kind="protected_shelter", free_places=0, free_family_rooms=())
    flat = unit("f1", kind="shis_mellanbo", free_places=0, free_family_rooms=(3,))
    other_acute = unit("s2", kind="hostel", free_places=5)
    fam = household("a", phase="post_acute", current_unit_id="s1", children=(Child(6, "male"),))
    single = household("b", phase="post_acute", current_unit_id="s1")
    acute = household("c", phase="acute", current_unit_id="s1")
    res = propose_move_on(
        [fam, single, acute],
        [shelter, flat, other_acute],
        DISTRICTS,
        current_resources={"a": Resource("family_room", 3)},
    )
    # One flat, two candidates: the family frees a 3-person family room, the single 1 place.
    assert [(m.request_id, m.to_unit_id) for m in res.moves] == [("a", "f1")]
    move = res.moves[0]
    assert move.from_unit_id == "s1"
    assert move.frees_acute == Resource("family_room", 3)
    assert move.reasons[0].code == "frees_acute"
    assert "frigör" in move.reasons[0].text_sv
    assert res.freed_acute_family_rooms == 1 and res.freed_acute_places == 0
    assert [a.request_id for a in res.not_moved] == ["b"]
    assert [(rid, p.code) for rid, p in res.not_eligible] == [("c", "still_acute")]
    assert all(m.to_unit_id != "s2" for m in res.moves)  # never into another acute place


def test_move_on_targets_obey_hard_rules() -> None:
    shelter = unit("s1", kind="protected_shelter", free_places=0, free_family_rooms=())
    bad = unit("f1", kind="trial_flat", district_id="ens")  # in the area to avoid
    res = propose_move_on(
        [household("a", phase="post_acute", current_unit_id="s1")], [shelter, bad], DISTRICTS
    )
    assert res.moves == ()
    assert res.not_moved[0].reasons[0].code == "no_feasible_unit"


def test_move_on_not_eligible_reasons() -> None:
    flat = unit("f1", kind="training_flat")
    hhs = [
        household("x", phase="post_acute", current_unit_id=None),
        household("y", phase="post_acute", current_unit_id="f1"),
    ]
    res = propose_move_on(hhs, [flat], DISTRICTS)
    assert [p.code for _rid, p in res.not_eligible] == [
        "current_unit_unknown",
        "not_in_acute_place",
    ]
    assert res.plan is None and res.moves == ()


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4), st.integers(0, 2**16))
def test_move_on_never_double_books(n_hh: int, n_flats: int, seed: int) -> None:
    import random

    rng = random.Random(seed)
    shelter = unit("s1", kind="protected_shelter", free_places=0, free_family_rooms=())
    flats = [
        unit(
            f"f{i}",
            kind=rng.choice(["shis_interim", "on_call_flat", "trial_flat"]),
            district_id=rng.choice(["bro", "lul", "vas", "ens"]),
            free_places=rng.randint(0, 2),
            free_family_rooms=tuple(rng.randint(2, 4) for _ in range(rng.randint(0, 1))),
        )
        for i in range(n_flats)
    ]
    hhs = [
        household(
            f"h{i}",
            phase="post_acute",
            current_unit_id="s1",
            children=tuple(Child(3, "female") for _ in range(rng.randint(0, 2))),
        )
        for i in range(n_hh)
    ]
    res = propose_move_on(hhs, [shelter, *flats], DISTRICTS)
    by_id = {u.unit_id: u for u in flats}
    by_req = {h.request_id: h for h in hhs}
    placed = []
    for m in res.moves:
        u = by_id[m.to_unit_id]
        assert placement_ok(by_req[m.request_id], u, m.resource, DISTRICTS, Policy())
        placed.append((by_req[m.request_id], u, m.resource))
    assert capacities_ok(placed)


# --- priority flat ---------------------------------------------------------------------------


def _flat(**kw: object) -> Flat:
    base = {"flat_id": "L1", "district_id": "bro", "rooms": 2, "size_sqm": 55.0, "rent": 7000}
    base.update(kw)
    return Flat(**base)  # type: ignore[arg-type]


def test_priority_flat_ranks_and_explains() -> None:
    a = Applicant("A", 2, 1, (4,), frozenset({"ens"}), frozenset({"bro"}), False, 9000)
    b = Applicant("B", 2, 1, (4,), frozenset({"kun"}), frozenset(), False, 6000)
    c = Applicant("C", 1, 1, (), frozenset({"bro"}), frozenset(), False, None)  # avoid bro
    d = Applicant("D", 6, 2, (1, 2, 3, 4), frozenset(), frozenset(), False, None)  # too many
    e = Applicant("E", 1, 1, (), frozenset(), frozenset(), True, None)  # wheelchair
    res = match_priority_flat(_flat(), [e, d, c, b, a], DISTRICTS)
    assert [(m.application_id, m.rank) for m in res if m.eligible] == [("A", 1), ("B", 2)]
    assert res[0].score is not None and res[1].score is not None and res[0].score > res[1].score
    codes = {r.code for r in res[0].reasons}
    assert {"exclusion_distance", "needed_area", "rent_within_means"} <= codes
    assert "rent_over_means" in {r.code for r in res[1].reasons}
    failed = {m.application_id: m.failed_rules for m in res if not m.eligible}
    assert failed == {
        "C": ("exclusion_area",),
        "D": ("household_does_not_fit",),
        "E": ("wheelchair",),
    }
    assert all(r.text_sv and r.text_en for m in res for r in m.reasons)


def test_priority_flat_size_rule_and_buffer() -> None:
    for persons, rooms, ok in [
        (1, 1, True),
        (1, 2, True),
        (1, 3, False),
        (4, 2, True),
        (5, 2, False),
    ]:
        app = Applicant("A", persons, 1, tuple(range(persons - 1)))
        res = match_priority_flat(_flat(rooms=rooms), [app], DISTRICTS)
        assert res[0].eligible is ok, (persons, rooms)
    app = Applicant("A", 1, 1, (), frozenset({"kun"}))
    assert match_priority_flat(_flat(), [app], DISTRICTS)[0].eligible
    res = match_priority_flat(_flat(), [app], DISTRICTS, FlatWeights(exclusion_buffer=True))
    assert res[0].failed_rules == ("exclusion_buffer",)
    bad = Applicant("Z", 0, 1)
    assert match_priority_flat(_flat(), [bad], DISTRICTS)[0].failed_rules == (
        "invalid_application",
    )


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 6),
    st.sampled_from(["sod", "ens", "kun", "bro", "vas", "lul"]),
    st.booleans(),
    st.booleans(),
    st.lists(
        st.tuples(
            st.integers(1, 7),
            st.frozensets(st.sampled_from(["sod", "ens", "kun", "bro", "vas"]), max_size=2),
            st.booleans(),
            st.one_of(st.none(), st.integers(3000, 12000)),
        ),
        max_size=8,
    ),
)
def test_priority_flat_eligible_applicants_meet_every_hard_rule(
    rooms: int,
    district: str,
    accessible: bool,
    buffer: bool,
    raw: list[tuple[int, frozenset[str], bool, int | None]],
) -> None:
    flat = _flat(rooms=rooms, district_id=district, wheelchair_accessible=accessible)
    apps = [
        Applicant(f"A{i}", n, 1, tuple(range(n - 1)), avoid, frozenset({"vas"}), wheel, rent)
        for i, (n, avoid, wheel, rent) in enumerate(raw)
    ]
    res = match_priority_flat(flat, apps, DISTRICTS, FlatWeights(exclusion_buffer=buffer))
    neighbours = {d.district_id: d.neighbours for d in DISTRICTS}
    by_id = {a.application_id: a for a in apps}
    for m in res:
        a = by_id[m.application_id]
        near = {d for e in a.avoid_district_ids for d in neighbours[e]} | {
            d for d, ns in neighbours.items() if ns & a.avoid_district_ids
        }
        ok = (
            (a.household_size + 1) // 2 <= rooms <= a.household_size + 1
            and district not in a.avoid_district_ids
            and not (buffer and district in near - a.avoid_district_ids)
            and (accessible or not a.needs_wheelchair)
        )
        assert m.eligible is ok
    ranked = [m for m in res if m.eligible]
    assert [m.rank for m in ranked] == list(range(1, len(ranked) + 1))
    scores = [m.score or 0 for m in ranked]
    assert scores == sorted(scores, reverse=True)
