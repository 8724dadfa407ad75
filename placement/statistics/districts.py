"""Equal support across districts (pure): for each responsible district, by risk level and
household type, what people were offered and how the work went, and the spread between
districts with the ones outside the city's range flagged.

The range is Tukey's: below the first quartile minus 1.5 interquartile ranges or above the
third quartile plus 1.5 — computed only over the districts whose figure may be shown, so a
flag never says anything about a hidden cell.
"""

from __future__ import annotations

import statistics as pystats
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from placement.statistics.cells import Cells, Figure
from placement.statistics.facts import CostRow, StayFact, StaySums
from placement.statistics.period import Period

ALL = "all"
RISKS = ("low", "medium", "high")
HOUSEHOLDS = ("adult_only", "with_children")
FOLLOW_UP_DAYS = 7
MEASURES = (
    "placements",
    "protection_level",
    "hostel_share",
    "wait_hours",
    "decision_days",
    "renewals",
    "follow_up_share",
    "secure_share",
    "broken_off_share",
    "cost",
)
# Measures whose spread is compared between districts.
COMPARED = (
    "protection_level",
    "hostel_share",
    "wait_hours",
    "decision_days",
    "renewals",
    "follow_up_share",
    "secure_share",
)


@dataclass(slots=True)
class Aggregate:
    placements: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    protection_sum: int = 0
    protection_n: int = 0
    hostel: int = 0
    waits: list[float] = field(default_factory=list)
    decision_days: float = 0.0  # summed, one first decision per placement
    renewals: int = 0
    followed_up: int = 0
    ended: int = 0  # stays ended in the period with a recorded stay end
    completed: int = 0
    secure: int = 0
    broken_off: int = 0
    cost_sek: int = 0
    cost_households: int = 0


def household_of(stay: StayFact) -> str:
    return "with_children" if stay.with_children else "adult_only"


def matches(stay: StayFact, risk: str, household: str) -> bool:
    return (risk == ALL or stay.risk == risk) and (
        household == ALL or household_of(stay) == household
    )


def aggregate(
    stays: Iterable[StayFact], period: Period, risk: str = ALL, household: str = ALL
) -> dict[uuid.UUID, Aggregate]:
    out: dict[uuid.UUID, Aggregate] = {}
    # What period.contains tests, without a call per stay (a national year has 34,000).
    start, end = period.utc_start(), period.utc_end()
    follow_up_within = timedelta(days=FOLLOW_UP_DAYS)
    every = risk == ALL and household == ALL
    for s in stays:
        if not every and not matches(s, risk, household):
            continue
        a = out.get(s.district_id)
        if a is None:
            a = out[s.district_id] = Aggregate()
        if start <= s.started_at < end:
            a.placements += 1
            kind = s.unit_kind or s.measure
            a.kinds[kind] = a.kinds.get(kind, 0) + 1
            if s.protection_level is not None:
                a.protection_sum += s.protection_level
                a.protection_n += 1
            a.hostel += kind == "hostel"
            if s.requested_at is not None:
                a.waits.append(max(0.0, (s.placed_at - s.requested_at).total_seconds() / 3600))
            a.decision_days += s.first_decision_days
            a.renewals += s.renewals
            if (
                s.follow_up_done_at is not None
                and s.follow_up_done_at <= s.started_at + follow_up_within
            ):
                a.followed_up += 1
        if not s.running and s.stay_end is not None and start <= s.ended_at < end:
            a.ended += 1
            if s.stay_end == "completed":
                a.completed += 1
                a.secure += bool(s.secure)
            else:
                a.broken_off += 1
    return out


def from_sums(sums: dict[uuid.UUID, StaySums]) -> dict[uuid.UUID, Aggregate]:
    """The aggregates of stays the database summed (``facts.stay_sums``: what ``aggregate``
    computes from stay records)."""
    return {
        k: Aggregate(
            placements=v.placements,
            kinds=dict(v.kinds),
            protection_sum=v.protection_sum,
            protection_n=v.protection_n,
            hostel=v.hostel,
            waits=list(v.waits),
            decision_days=v.decision_days,
            renewals=v.renewals,
            followed_up=v.followed_up,
            ended=v.ended,
            completed=v.completed,
            secure=v.secure,
            broken_off=v.broken_off,
        )
        for k, v in sums.items()
    }


def add_costs(aggs: dict[uuid.UUID, Aggregate], costs: Iterable[CostRow]) -> None:
    """Cost has no risk level or household type: only the unfiltered slice carries it."""
    for c in costs:
        a = aggs.setdefault(c.district_id, Aggregate())
        a.cost_sek += c.cost_sek
        a.cost_households += c.households


def figures(a: Aggregate, cells: Cells) -> dict[str, Figure]:
    return {
        "placements": cells.count(a.placements),
        "protection_level": cells.mean(a.protection_sum, a.protection_n),
        "hostel_share": cells.share(a.hostel, a.placements),
        "wait_hours": cells.median(a.waits, unit="h"),
        "decision_days": cells.mean(a.decision_days, a.placements, unit="d"),
        "renewals": cells.mean(a.renewals, a.placements, digits=2),
        "follow_up_share": cells.share(a.followed_up, a.placements),
        "secure_share": cells.share(a.secure, a.completed),
        "broken_off_share": cells.share(a.broken_off, a.ended),
        "cost": cells.amount(a.cost_sek, a.cost_households),
    }


def kind_figures(a: Aggregate, cells: Cells) -> dict[str, Figure]:
    return {k: cells.share(n, a.placements) for k, n in sorted(a.kinds.items())}


@dataclass(frozen=True, slots=True)
class Spread:
    n: int  # districts compared (those with a figure shown)
    low: float | None
    q1: float | None
    median: float | None
    q3: float | None
    high: float | None
    fence_low: float | None
    fence_high: float | None


def spread(values: list[float]) -> Spread:
    if len(values) < 4:
        lo = min(values) if values else None
        hi = max(values) if values else None
        med = pystats.median(values) if values else None
        return Spread(len(values), lo, None, med, None, hi, None, None)
    q1, med, q3 = pystats.quantiles(values, n=4, method="inclusive")
    iqr = q3 - q1
    return Spread(
        len(values), min(values), q1, med, q3, max(values), q1 - 1.5 * iqr, q3 + 1.5 * iqr
    )


def outside(value: float, s: Spread) -> bool:
    if s.fence_low is None or s.fence_high is None:
        return False
    return value < s.fence_low or value > s.fence_high
