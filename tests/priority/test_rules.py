"""Pure parts: the status machine, the eligibility checks, the flat rules and the matcher
adapter (with the optimizer's flat matcher, whatever it answers, and without it)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

import optimizer
from placement.errors import Conflict, Forbidden, InvalidInput
from placement.jobs import SWEEPS
from placement.models import PriorityApplication
from placement.models.enums import PriorityStatus as S
from placement.priority import eligibility, matching, rules, workflow
from placement.priority.access import Side
from placement.priority.matching import DistrictFacts
from placement.priority.rules import FlatFacts, HouseholdFacts


def test_every_status_is_reachable_from_a_draft() -> None:
    reached = {S.draft}
    frontier = [S.draft]
    while frontier:
        current = frontier.pop()
        for nxt in workflow.next_statuses(current):
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == set(S)
    assert workflow.next_statuses(S.closed) == []


def test_the_status_machine_refuses_skips_wrong_sides_and_wrong_actions() -> None:
    workflow.check(S.draft, S.submitted, Side.social, workflow.Via.status, None)
    with pytest.raises(Conflict, match="skip a step"):
        workflow.check(S.draft, S.approved, Side.agency, workflow.Via.status, None)
    with pytest.raises(Conflict, match="already"):
        workflow.check(S.draft, S.draft, Side.social, workflow.Via.status, None)
    with pytest.raises(Forbidden, match="housing agency"):
        workflow.check(S.submitted, S.under_review, Side.social, workflow.Via.status, None)
    with pytest.raises(Conflict, match="offer a flat"):
        workflow.check(S.watch_active, S.flat_offered, Side.agency, workflow.Via.status, None)
    with pytest.raises(InvalidInput, match="reason"):
        workflow.check(S.under_review, S.rejected, Side.agency, workflow.Via.status, "  ")
    with pytest.raises(Conflict, match="skip a step"):  # no closing while an offer is open
        workflow.check(S.flat_offered, S.closed, Side.social, workflow.Via.status, "x")


@pytest.mark.parametrize(
    ("since", "today", "result"),
    [
        (date(2024, 11, 24), date(2026, 11, 24), "passed"),  # exactly two years
        (date(2024, 11, 25), date(2026, 11, 24), "failed"),  # one day short
        (date(2024, 2, 29), date(2026, 2, 28), "failed"),
        (date(2024, 2, 29), date(2026, 3, 1), "passed"),
        (date(2027, 1, 1), date(2026, 11, 24), "failed"),
        (None, date(2026, 11, 24), "unknown"),
    ],
)
def test_the_two_year_rule(since: date | None, today: date, result: str) -> None:
    check = eligibility.two_year_rule(since, today)
    assert check.result == result
    assert check.detail


def test_every_check_is_shown() -> None:
    application = PriorityApplication(
        case_id=__import__("uuid").uuid4(),
        registered_in_city_since=date(2025, 6, 1),
        able_to_live_independently=True,
        no_other_solution=None,
        created_at=__import__("datetime").datetime(2026, 1, 1),
    )
    checks = eligibility.evaluate(application, date(2026, 11, 24))
    assert [(c.code, c.result) for c in checks] == [
        ("two_year_registration", "failed"),
        ("independent_living", "passed"),
        ("no_other_solution", "unknown"),
    ]


def _flat(rooms: int = 2, code: str = "skarholmen", **kw: Any) -> FlatFacts:
    return FlatFacts(
        district_code=code,
        district_name=code.title(),
        rooms=rooms,
        size_sqm=55,
        rent_sek=kw.pop("rent", 8000),
        wheelchair_accessible=kw.pop("wheelchair", False),
    )


def _household(app_id: str, size: int = 2, **kw: Any) -> HouseholdFacts:
    return HouseholdFacts(
        application_id=app_id,
        size=size,
        adults=1,
        children_ages=tuple(range(size - 1)),
        avoid_codes=frozenset(kw.get("avoid", ())),
        needed_codes=frozenset(kw.get("needed", ())),
        needs_wheelchair=kw.get("wheelchair", False),
        max_rent_sek=kw.get("max_rent"),
    )


@pytest.mark.parametrize(
    ("size", "rooms", "fits"),
    [
        (1, 1, True),
        (2, 1, True),
        (3, 1, False),
        (3, 2, True),  # at most two per room: a parent may sleep in the living room
        (5, 2, False),
        (5, 3, True),
        (1, 3, False),  # more rooms than the household is let
        (2, 3, True),
        (4, 6, False),
    ],
)
def test_household_size_against_rooms(size: int, rooms: int, fits: bool) -> None:
    failed = rules.failures(_flat(rooms), _household("a", size))
    assert (not failed) is fits
    # The same verdict as the optimizer's flat matcher, when it is there.
    fn = matching._optimizer_fn()
    if fn is not None:
        flat = optimizer.Flat("f", "skarholmen", rooms, 50.0, 8000)
        (verdict,) = fn(flat, [optimizer.Applicant("a", size, 1, (0,) * (size - 1))], {})
        assert verdict.eligible is fits


DISTRICTS = [
    DistrictFacts(
        "skarholmen", "Skärholmen", "Stockholm", None, 59.27, 17.9, frozenset({"hagersten"})
    ),
    DistrictFacts(
        "hagersten", "Hägersten", "Stockholm", None, 59.3, 17.98, frozenset({"skarholmen"})
    ),
]


def test_matcher_without_the_optimizer_ranks_by_the_local_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(matching, "_optimizer_fn", lambda: None)
    households = [
        _household("plain"),
        _household("needs-here", needed={"skarholmen"}, max_rent=9000),
        _household("avoids", avoid={"skarholmen"}),
        _household("next-to-needed", needed={"hagersten"}),
    ]
    matches, engine = matching.match(_flat(), households, DISTRICTS)
    assert engine == "rules"
    assert [m.application_id for m in matches] == [
        "needs-here",
        "next-to-needed",
        "plain",
        "avoids",
    ]
    assert [m.rank for m in matches] == [1, 2, 3, None]
    assert matches[3].failed[0].code == "exclusion_area"


def test_matcher_uses_the_optimizer_but_keeps_the_local_hard_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[Any] = []

    def fake(flat: Any, applicants: Any, districts: Any, weights: Any) -> Any:
        calls.append((flat, applicants, districts, weights))
        # The optimizer forgets the avoided area and prefers "plain".
        return [
            SimpleNamespace(
                application_id=a.application_id,
                eligible=True,
                rank=None,
                score=100 if a.application_id == "plain" else 10,
                failed_rules=(),
                reasons=(SimpleNamespace(code="x", text_en=f"score for {a.application_id}"),),
            )
            for a in applicants
        ]

    monkeypatch.setattr(optimizer, "match_priority_flat", fake, raising=False)
    households = [_household("avoids", avoid={"skarholmen"}), _household("plain")]
    matches, engine = matching.match(_flat(), households, DISTRICTS)
    assert engine == "optimizer"
    assert calls and calls[0][0].district_id == "skarholmen"
    assert [(m.application_id, m.rank) for m in matches] == [("plain", 1), ("avoids", None)]
    assert matches[0].reasons == ("score for plain",)
    assert [f.code for f in matches[1].failed] == ["exclusion_area"]


def test_matcher_falls_back_when_the_optimizer_answers_in_an_unknown_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(optimizer, "match_priority_flat", lambda *a: 42, raising=False)
    matches, engine = matching.match(_flat(), [_household("plain")], DISTRICTS)
    assert engine == "rules" and matches[0].rank == 1


def test_the_papers_sweep_is_registered() -> None:
    import placement.priority.sweeps  # noqa: F401

    assert "priority_committee_papers" in SWEEPS
