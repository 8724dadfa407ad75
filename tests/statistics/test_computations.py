"""Each goal and district measure on hand-built facts with a known answer, the small-cell
rules (a cell of 4, remainders, differences, secondary suppression) and the spread."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from placement.statistics import districts as dm
from placement.statistics import goals
from placement.statistics.cells import Cells
from placement.statistics.facts import CaseFact, ChildFact, CostRow, ReferralFact, StayFact
from placement.statistics.period import Period
from placement.statistics.report import _protect

NOV = Period(date(2026, 11, 1), date(2026, 12, 1))
D1, D2 = uuid.uuid4(), uuid.uuid4()
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def stay(**kw: object) -> StayFact:
    base: dict[str, object] = {
        "key": uuid.uuid4(),
        "district_id": D1,
        "gender": "female",
        "risk": "high",
        "with_children": False,
        "measure": "protected_shelter",
        "unit_kind": "protected_shelter",
        "protection_level": 3,
        "started_at": T0,
        "ended_at": T0 + timedelta(days=20),
        "running": False,
        "first_decision_days": 14.0,
        "renewals": 0,
        "requested_at": T0 - timedelta(hours=2),
        "placed_at": T0,
        "follow_up_done_at": T0 + timedelta(days=3),
        "stay_end": "completed",
        "outcome": "second_hand_lease",
        "secure": True,
    }
    base.update(kw)
    return StayFact(**base)  # type: ignore[arg-type]


def test_secure_housing_counts_completed_shelter_stays_ended_in_the_period() -> None:
    stays = [
        stay(),
        stay(),
        stay(secure=False),
        stay(stay_end="broken_off", secure=False, ended_at=T0 + timedelta(hours=12)),
        stay(measure="hostel", unit_kind="hostel"),  # not a shelter stay
        stay(running=True, stay_end=None),  # still living there
        stay(ended_at=datetime(2026, 10, 20, tzinfo=UTC)),  # previous period
        stay(gender="male", secure=False),
    ]
    g = goals.secure_housing(stays, NOV)
    assert g.value.current == goals.Ratio(2, 4)
    assert g.value.previous == goals.Ratio(1, 1)
    assert g.value.by_gender == {"female": goals.Ratio(2, 3), "male": goals.Ratio(0, 1)}


def test_reactualised_needs_an_earlier_closed_case_of_the_same_link_within_the_lookback() -> None:
    def case(link: str | None, opened: datetime, closed: datetime | None = None) -> CaseFact:
        return CaseFact(uuid.uuid4(), D1, "female", link, opened, closed)

    cases = [
        case("a", datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)),
        case("a", datetime(2026, 11, 10, tzinfo=UTC)),  # back: re-actualised
        case("b", datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)),
        case("b", datetime(2026, 11, 11, tzinfo=UTC)),  # earlier case closed too long ago
        case("c", datetime(2026, 11, 1, tzinfo=UTC)),  # still open: nothing closed before
        case("c", datetime(2026, 11, 20, tzinfo=UTC)),
        case(None, datetime(2026, 11, 12, tzinfo=UTC)),
    ]
    g = goals.reactualised(cases, NOV, 365)
    assert g.value.current == goals.Ratio(1, 5)


def test_mellanbo_referrals_against_the_previous_period() -> None:
    def ref(day: date, status: str = "referred") -> ReferralFact:
        return ReferralFact(D1, "female", datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
                            status)  # fmt: skip

    # The previous period of November (30 days) is 2 to 31 October.
    refs = [ref(date(2026, 10, d)) for d in range(1, 10)] + [
        ref(date(2026, 11, d), "granted" if d < 4 else "referred") for d in range(1, 11)
    ]
    g = goals.mellanbo_referrals(refs, NOV)
    assert (g.value.current.part, g.value.previous.part, g.value.current.whole) == (10, 8, 3)
    cells = Cells(5)
    change = cells.change(10, 8)
    assert change.value == 25.0  # exactly the target: met


def test_schooling_within_a_week_in_stockholm_dates() -> None:
    now = datetime(2026, 12, 20, tzinfo=UTC)
    # 00:30 in Stockholm on 3 November is 23:30 UTC on 2 November.
    late_night = datetime(2026, 11, 2, 23, 30, tzinfo=UTC)
    children = [
        ChildFact(D1, "female", late_night, date(2026, 11, 10)),  # 7 Stockholm days: in time
        ChildFact(D1, "male", late_night, date(2026, 11, 11)),  # 8 days: late
        ChildFact(D1, "male", T0, None),  # no schooling, week over: a miss
        ChildFact(D1, "female", datetime(2026, 11, 30, 8, tzinfo=UTC), None),
    ]
    g = goals.schooling(children, NOV, now)
    assert g.value.current == goals.Ratio(1, 4)
    # Three days after the last placement its week is not over: not yet counted.
    g = goals.schooling(children, NOV, datetime(2026, 12, 3, tzinfo=UTC))
    assert g.value.current == goals.Ratio(1, 3)


def test_district_measures_known_answers() -> None:
    stays = [
        stay(
            unit_kind="hostel",
            protection_level=1,
            requested_at=T0 - timedelta(hours=30),
            renewals=2,
            follow_up_done_at=None,
        ),
        stay(protection_level=3, requested_at=T0 - timedelta(hours=2), first_decision_days=7.0),
        stay(
            protection_level=2,
            requested_at=None,
            renewals=1,
            follow_up_done_at=T0 + timedelta(days=8),
        ),
        stay(stay_end="broken_off", secure=False),
        stay(district_id=D2, risk="low", with_children=True),
    ]
    aggs = dm.aggregate(stays, NOV)
    a = aggs[D1]
    assert a.placements == 4 and a.hostel == 1 and a.kinds == {"hostel": 1, "protected_shelter": 3}
    assert a.protection_sum == 9 and a.renewals == 3 and a.followed_up == 2
    assert sorted(a.waits) == [2.0, 2.0, 30.0]
    assert (a.ended, a.completed, a.secure, a.broken_off) == (4, 3, 3, 1)
    dm.add_costs(aggs, [CostRow(D1, "hostel", "Op", 10, 8000, 1)])
    figs = dm.figures(a, Cells(1))
    assert figs["protection_level"].value == 2.2  # 9 / 4 = 2.25, shown with one decimal
    assert figs["hostel_share"].value == 25.0
    assert figs["wait_hours"].value == 2.0  # median
    assert figs["decision_days"].value == 12.2  # (14 + 7 + 14 + 14) / 4 = 12.25
    assert figs["renewals"].value == 0.75
    assert figs["follow_up_share"].value == 50.0
    assert figs["broken_off_share"].value == 25.0
    assert figs["cost"].value == 8000
    # By risk level and household type.
    only_low = dm.aggregate(stays, NOV, risk="low", household="with_children")
    assert set(only_low) == {D2} and only_low[D2].placements == 1


def test_a_cell_of_four_is_hidden_and_so_is_what_reveals_it() -> None:
    cells = Cells(5)
    assert cells.count(4).display == "< 5" and cells.count(4).value is None
    assert cells.count(5).value == 5
    assert cells.count(0).hidden  # zero is below the limit too
    assert cells.share(4, 20).hidden  # numerator of 4
    assert cells.share(16, 20).hidden  # the remainder is 4
    assert cells.share(10, 20).value == 50.0
    assert cells.change(12, 4).hidden  # a difference against a cell of 4
    assert cells.mean(10, 4).hidden and cells.median([1.0] * 4).hidden
    assert cells.amount(100_000, 4).hidden
    # Secondary suppression: one hidden part beside a shown total would be 20 - 9 - 7 = 4.
    figs = {"a": cells.count(9), "b": cells.count(7), "c": cells.count(4)}
    _protect(figs, {"a": 9, "b": 7, "c": 4}, cells)
    assert figs["b"].hidden and figs["c"].hidden and not figs["a"].hidden


def test_spread_flags_districts_outside_the_citys_range() -> None:
    values = [10.0, 11.0, 12.0, 12.5, 13.0, 14.0, 40.0]
    s = dm.spread(values)
    assert s.median == 12.5
    assert dm.outside(40.0, s) and not dm.outside(14.0, s) and not dm.outside(10.0, s)
    assert dm.spread([1.0, 2.0]).fence_high is None  # too few districts to judge


@pytest.mark.parametrize(("start", "days"), [(date(2026, 1, 1), 365), (date(2024, 3, 1), 365)])
def test_previous_period_has_the_same_length(start: date, days: int) -> None:
    p = Period(start, start + timedelta(days=days))
    assert p.previous().end == p.start and p.previous().days == p.days


def test_declines_by_reason_sum_over_districts() -> None:
    from placement.statistics.facts import DeclineFact
    from placement.statistics.unmet import declines_by_reason

    a, b = uuid.uuid4(), uuid.uuid4()
    rows = [DeclineFact(a, "full", 4), DeclineFact(b, "full", 3), DeclineFact(b, "risk", 1)]
    assert declines_by_reason(rows) == {"full": 7, "risk": 1}
    assert declines_by_reason([]) == {}
