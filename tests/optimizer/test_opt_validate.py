"""Input validation (finite numbers in range, repeated ids) and explanations that stay true."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pytest
from opt_factory import DISTRICTS, household, unit

from optimizer import (
    Applicant,
    Child,
    Flat,
    Policy,
    PolicyWeights,
    match_priority_flat,
    plan_jointly,
    propose_move_on,
    propose_now,
)

BAD_NUMBERS = [math.nan, math.inf, -math.inf, -1]


def _codes(problems: Any) -> list[str]:
    return [p.code for p in problems]


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_bad_waiting_time_is_refused_with_a_reason(value: float) -> None:
    bad = household("bad", waiting_hours=value)
    good = household("good", waiting_hours=5.0)
    res = plan_jointly([bad, good], [unit("u1")], DISTRICTS, time_limit_s=5)
    got = {a.request_id: a for a in res.assignments}
    assert got["bad"].unit_id is None and got["bad"].reasons[0].code == "invalid_request"
    assert got["good"].unit_id == "u1"
    (p,) = [p for p in res.problems if p.code == "invalid_waiting_time"]
    assert "bad" in p.text_en and "finite" in p.text_en and "ändligt" in p.text_sv
    now = propose_now(bad, [unit("u1")], DISTRICTS)
    assert now.proposals == () and _codes(now.problems)[0] == "invalid_waiting_time"


@pytest.mark.parametrize("value", BAD_NUMBERS)
@pytest.mark.parametrize("field", ["age", "nights", "adults"])
def test_bad_household_numbers_are_refused(field: str, value: float) -> None:
    res = propose_now(household(**{field: value}), [unit()], DISTRICTS)
    assert res.proposals == ()
    assert _codes(res.problems)[0] in {"invalid_age", "invalid_nights", "invalid_adults"}
    plan = plan_jointly([household(**{field: value})], [unit()], DISTRICTS, time_limit_s=5)
    assert plan.assignments[0].unit_id is None


def test_bad_child_age_is_refused() -> None:
    res = propose_now(household(children=(Child(math.nan, "male"),)), [unit()], DISTRICTS)  # type: ignore[arg-type]
    assert res.proposals == () and _codes(res.problems) == ["invalid_age"]


@pytest.mark.parametrize("value", BAD_NUMBERS)
@pytest.mark.parametrize(
    "field",
    [
        "free_places",
        "max_children",
        "nightly_cost",
        "vacancy_age_hours",
        "min_age",
        "max_age",
        "max_child_age",
        "protection_level",
    ],
)
def test_bad_unit_numbers_skip_the_unit_and_say_which_field(field: str, value: float) -> None:
    bad = unit("bad", **{field: value})
    res = propose_now(household(), [bad, unit("good")], DISTRICTS)
    assert [p.unit_id for p in res.proposals] == ["good"]
    (p,) = [p for p in res.problems if p.code == "invalid_unit"]
    assert "bad" in p.text_en and field in p.text_en
    plan = plan_jointly([household()], [bad], DISTRICTS, time_limit_s=5)
    assert plan.assignments[0].unit_id is None
    assert "invalid_unit" in _codes(plan.problems)


@pytest.mark.parametrize("rooms", [(math.nan,), (math.inf,), (-2,), (0,)])
def test_bad_family_rooms_are_refused(rooms: tuple[float, ...]) -> None:
    res = propose_now(household(), [unit("bad", free_family_rooms=rooms)], DISTRICTS)  # type: ignore[arg-type]
    assert res.proposals == () and "invalid_unit" in _codes(res.problems)


@pytest.mark.parametrize("value", [math.nan, math.inf, 91.0])
def test_bad_district_coordinates_count_as_unknown(value: float) -> None:
    districts = [replace(d, lat=value) if d.district_id == "ens" else d for d in DISTRICTS]
    res = propose_now(household(), [unit("u1", district_id="sod")], districts)
    assert "invalid_district" in _codes(res.problems)
    assert len(res.proposals) == 1  # the distance to the unknown area is simply not counted
    plan = plan_jointly([household()], [unit("u1", district_id="sod")], districts)
    assert plan.assignments[0].unit_id == "u1" and "invalid_district" in _codes(plan.problems)


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_bad_policy_numbers_refuse_the_call(value: float) -> None:
    for policy in (
        Policy(stale_after_hours=value),
        Policy(safe_distance_km=value),
        Policy(weights=PolicyWeights(language_match=value)),  # type: ignore[arg-type]
    ):
        res = propose_now(household(), [unit()], DISTRICTS, policy)
        assert res.proposals == () and "invalid_policy" in _codes(res.problems)
        plan = plan_jointly([household()], [unit()], DISTRICTS, policy, time_limit_s=5)
        assert plan.assignments[0].unit_id is None and "invalid_policy" in _codes(plan.problems)


def test_move_on_refuses_a_nan_waiting_time() -> None:
    shelter = unit("s1", kind="protected_shelter", free_places=0, free_family_rooms=())
    flat = unit("f1", kind="shis_mellanbo")
    bad = household("a", phase="post_acute", current_unit_id="s1", waiting_hours=math.nan)
    res = propose_move_on([bad], [shelter, flat], DISTRICTS, time_limit_s=5)
    assert res.moves == () and "invalid_waiting_time" in _codes(res.problems)


@pytest.mark.parametrize("value", [math.nan, math.inf, -100])
def test_priority_flat_refuses_bad_numbers(value: float) -> None:
    flat = Flat("f1", "sod", rooms=2, size_sqm=55.0, rent=8000)
    good = Applicant("a1", household_size=2)
    res = match_priority_flat(replace(flat, rent=value), [good], DISTRICTS)  # type: ignore[arg-type]
    assert [(m.eligible, m.failed_rules) for m in res] == [(False, ("invalid_flat",))]
    bad = Applicant("a2", household_size=2, max_rent=value)  # type: ignore[arg-type]
    res = match_priority_flat(flat, [good, bad], DISTRICTS)
    got = {m.application_id: m for m in res}
    assert got["a1"].eligible and got["a2"].failed_rules == ("invalid_application",)


def test_repeated_unit_id_uses_no_copy() -> None:
    hh = household()
    res = plan_jointly([hh], [unit("u1", free_places=0), unit("u1", free_places=4)], DISTRICTS)
    assert res.assignments[0].unit_id is None
    (p,) = [p for p in res.problems if p.code == "duplicate_unit"]
    assert "u1" in p.text_en


# --- explanations that stay true ------------------------------------------------------------


def test_six_hundred_households_no_unit_accepts_all_get_their_true_reason() -> None:
    units = [unit(f"u{i}", accepted_genders=frozenset({"female"})) for i in range(20)]
    men = [household(f"m{i:03d}", gender="male") for i in range(600)]
    res = plan_jointly(men, units, DISTRICTS, time_limit_s=10)
    assert len(res.assignments) == 600
    for a in res.assignments:
        assert a.unit_id is None
        (why,) = a.reasons
        assert why.code == "no_feasible_unit", a.request_id
        assert why.text_en.endswith("most common obstacle: gender (20 units)"), a.request_id
        assert "kön (20 enheter)" in why.text_sv


def test_every_unit_full_tells_a_single_person_nothing_is_free() -> None:
    full = [unit(f"u{i}", free_places=0, free_family_rooms=()) for i in range(3)]
    res = propose_now(household(), full, DISTRICTS)
    codes = _codes(res.problems)
    assert "nothing_free" in codes and "household_too_large" not in codes
    (p,) = [p for p in res.problems if p.code == "nothing_free"]
    assert p.text_en == "No unit has anything free for the period"
    assert res.excluded_counts["no_capacity_period"] == 3
    plan = plan_jointly([household()], full, DISTRICTS)
    (why,) = plan.assignments[0].reasons
    assert why.code == "no_feasible_unit" and "full for the period (3 units)" in why.text_en


def test_too_large_only_when_true() -> None:
    big = household(adults=2, children=tuple(Child(i, "female") for i in range(5)))
    res = propose_now(big, [unit(free_places=3, free_family_rooms=(4,), max_children=9)], DISTRICTS)
    (p,) = [p for p in res.problems if p.code == "household_too_large"]
    assert "(7 persons)" in p.text_en and "(4)" in p.text_en
    res = propose_now(household(), [unit(free_places=3, free_family_rooms=())], DISTRICTS)
    assert "household_too_large" not in _codes(res.problems)


def test_every_language_has_a_name_in_both_languages() -> None:
    """A reason never reads a bare code such as "am" (Amharic) when CLDR knows the name."""
    from optimizer.explain import language_name

    assert (language_name("am", 0), language_name("am", 1)) == ("amhariska", "Amharic")
    assert language_name("prs", 0) == "dari" and language_name("sv", 1) == "Swedish"
    assert language_name("qq", 0) == "qq"  # unknown: the code, not an invention


def test_the_language_table_is_what_cldr_says() -> None:
    """``optimizer/language_names.py`` is generated (the optimizer does not import babel):
    it names every language intake accepts, as ``scripts/gen_language_names.py`` writes it."""
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("gen", root / "scripts/gen_language_names.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert (root / "optimizer/language_names.py").read_text(encoding="utf-8") == gen.render()
