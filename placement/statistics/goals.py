"""The four Bryt upp effect goals, computed from facts (pure: no database).

Each goal gives its target, the value for the period and the previous period, the counts
behind it and the same split by gender (the 2021 audit asks for it). Raw numbers here;
``report`` hides the small cells.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from placement.statistics.facts import (
    CaseFact,
    CaseSums,
    ChildFact,
    ReferralFact,
    SecureSums,
    StayFact,
)
from placement.statistics.period import Period, local_date

T = TypeVar("T")

SECURE_TARGET_PCT = 80.0
REACTUALISED_MAX_PCT = 20.0
MELLANBO_INCREASE_PCT = 25.0
SCHOOLING_TARGET_PCT = 95.0
SCHOOLING_DAYS = 7


@dataclass(frozen=True, slots=True)
class Ratio:
    part: int
    whole: int


@dataclass(frozen=True, slots=True)
class GoalValue:
    """A share goal: ``ratio`` per period; a change goal: counts in ``ratio.part``."""

    current: Ratio
    previous: Ratio
    by_gender: dict[str, Ratio] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Goal:
    key: str
    kind: str  # "share_at_least", "share_at_most" or "increase_at_least"
    target_pct: float
    value: GoalValue


def _ratio(items: Iterable[T], counted: Callable[[T], bool]) -> Ratio:
    whole = part = 0
    for item in items:
        whole += 1
        part += counted(item)
    return Ratio(part, whole)


def _by_gender(
    items: list[T], gender: Callable[[T], str], counted: Callable[[T], bool]
) -> dict[str, Ratio]:
    out: dict[str, Ratio] = {}
    for g in sorted({gender(i) for i in items}):
        out[g] = _ratio([i for i in items if gender(i) == g], counted)
    return out


def completed_shelter_stays(stays: list[StayFact], period: Period) -> list[StayFact]:
    """Protected-shelter stays completed (not broken off) with an end in the period."""
    start, end = period.utc_start(), period.utc_end()  # period.contains, without a call each
    return [
        s
        for s in stays
        if s.measure == "protected_shelter"
        and not s.running
        and s.stay_end == "completed"
        and start <= s.ended_at < end
    ]


def secure_sums(stays: list[StayFact], period: Period) -> list[SecureSums]:
    """What ``facts.stay_sums`` counts for the goal, from stay records."""
    now = completed_shelter_stays(stays, period)
    before = completed_shelter_stays(stays, period.previous())
    out: dict[tuple[object, str], list[int]] = {}
    for s in now:
        acc = out.setdefault((s.district_id, s.gender), [0, 0, 0, 0])
        acc[0] += 1
        acc[1] += bool(s.secure)
    for s in before:
        acc = out.setdefault((s.district_id, s.gender), [0, 0, 0, 0])
        acc[2] += 1
        acc[3] += bool(s.secure)
    return [SecureSums(d, g, *v) for (d, g), v in out.items()]  # type: ignore[arg-type]


def secure_housing(stays: list[StayFact], period: Period) -> Goal:
    return secure_housing_from_sums(secure_sums(stays, period))


def secure_housing_from_sums(sums: Iterable[SecureSums]) -> Goal:
    """80 % of the completed protected-shelter stays end in secure permanent housing."""
    cur = [0, 0]
    before = [0, 0]
    genders: dict[str, list[int]] = {}
    for s in sums:
        cur[0] += s.secure
        cur[1] += s.completed
        before[0] += s.secure_before
        before[1] += s.completed_before
        if s.completed:
            g = genders.setdefault(s.gender, [0, 0])
            g[0] += s.secure
            g[1] += s.completed
    return Goal(
        "secure_housing",
        "share_at_least",
        SECURE_TARGET_PCT,
        GoalValue(
            Ratio(*cur),
            Ratio(*before),
            {g: Ratio(*genders[g]) for g in sorted(genders)},
        ),
    )


def _g(item: CaseFact | ChildFact | ReferralFact) -> str:
    return item.gender


def reactualised_keys(cases: list[CaseFact], lookback_days: int) -> set[object]:
    """Cases opened by a person (same link) whose earlier case had closed within the
    look-back before the new one opened."""
    closed_by_link: dict[str, list[datetime]] = {}
    for c in cases:
        if c.link is not None and c.closed_at is not None:
            closed_by_link.setdefault(c.link, []).append(c.closed_at)
    window = timedelta(days=lookback_days)
    out: set[object] = set()
    for c in cases:
        if c.link is None:
            continue
        for closed in closed_by_link.get(c.link, []):
            if c.opened_at - window <= closed < c.opened_at:
                out.add(c.key)
                break
    return out


def case_sums(cases: list[CaseFact], period: Period, lookback_days: int) -> list[CaseSums]:
    """What ``facts.case_sums`` counts, from case records (the cases opened in the period
    or the previous one, and every case closed within the look-back before them)."""
    again = reactualised_keys(cases, lookback_days)
    start, end, before_start = period.utc_start(), period.utc_end(), period.previous().utc_start()
    out: dict[tuple[object, str, bool], list[int]] = {}
    for c in cases:
        if not before_start <= c.opened_at < end:
            continue
        acc = out.setdefault((c.district_id, c.gender, c.opened_at >= start), [0, 0])
        acc[0] += 1
        acc[1] += c.key in again
    return [CaseSums(d, g, cur, *v) for (d, g, cur), v in out.items()]  # type: ignore[arg-type]


def reactualised(cases: list[CaseFact], period: Period, lookback_days: int) -> Goal:
    return reactualised_from_sums(case_sums(cases, period, lookback_days))


def reactualised_from_sums(sums: Iterable[CaseSums]) -> Goal:
    """Re-actualised victims: at most 20 % of the cases opened in the period."""
    cur = [0, 0]
    before = [0, 0]
    genders: dict[str, list[int]] = {}
    for s in sums:
        acc = cur if s.current else before
        acc[0] += s.reactualised
        acc[1] += s.cases
        if s.current:
            g = genders.setdefault(s.gender, [0, 0])
            g[0] += s.reactualised
            g[1] += s.cases
    return Goal(
        "reactualised",
        "share_at_most",
        REACTUALISED_MAX_PCT,
        GoalValue(Ratio(*cur), Ratio(*before), {g: Ratio(*genders[g]) for g in sorted(genders)}),
    )


def mellanbo_referrals(referrals: list[ReferralFact], period: Period) -> Goal:
    """Counts of referrals (``part``; ``whole`` is the number granted)."""

    def count(p: Period) -> list[ReferralFact]:
        return [r for r in referrals if p.contains(r.referred_at)]

    now, before = count(period), count(period.previous())

    def granted(r: ReferralFact) -> bool:
        return r.status == "granted"

    def ratio(rs: list[ReferralFact]) -> Ratio:
        return Ratio(len(rs), sum(granted(r) for r in rs))

    genders = {g: ratio([r for r in now if r.gender == g]) for g in sorted({r.gender for r in now})}
    return Goal(
        "mellanbo_referrals",
        "increase_at_least",
        MELLANBO_INCREASE_PCT,
        GoalValue(ratio(now), ratio(before), genders),
    )


def schooled_in_time(child: ChildFact) -> bool:
    if child.schooling_started_on is None:
        return False
    days = (child.schooling_started_on - local_date(child.first_placed_at)).days
    return days <= SCHOOLING_DAYS


def children_counted(children: list[ChildFact], period: Period, now: datetime) -> list[ChildFact]:
    """Children first placed in the period whose week is over (or who already have
    schooling): a child placed three days ago without schooling yet is not a miss."""
    today = local_date(now)
    start, end = period.utc_start(), period.utc_end()
    return [
        c
        for c in children
        if start <= c.first_placed_at < end
        and (
            c.schooling_started_on is not None
            or (today - local_date(c.first_placed_at)).days > SCHOOLING_DAYS
        )
    ]


def schooling(children: list[ChildFact], period: Period, now: datetime) -> Goal:
    cur = children_counted(children, period, now)
    before = children_counted(children, period.previous(), now)
    return Goal(
        "schooling",
        "share_at_least",
        SCHOOLING_TARGET_PCT,
        GoalValue(
            _ratio(cur, schooled_in_time),
            _ratio(before, schooled_in_time),
            _by_gender(cur, _g, schooled_in_time),
        ),
    )
