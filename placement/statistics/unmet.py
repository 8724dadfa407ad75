"""Unmet need (pure): requests for which no unit fitted, requests that waited longer than
the threshold (placed late, or never), and turn-aways by the hard rule that excluded most
units when nothing fitted."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from placement.statistics.facts import DeclineFact, RequestFact, RequestSums


@dataclass(slots=True)
class Unmet:
    requests: int = 0
    no_unit_fitted: int = 0
    waited_too_long: int = 0
    never_placed: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)


def waited_too_long(r: RequestFact, now: datetime, threshold: timedelta) -> bool:
    placed_or_now = r.placed_at if r.placed_at is not None else now
    if r.placed_at is None and r.withdrawn:
        return False  # withdrawn before a place was found: not counted as waiting on
    return placed_or_now - r.requested_at > threshold


def request_sums(
    requests: Iterable[RequestFact], now: datetime, wait_hours: int
) -> list[RequestSums]:
    """What ``facts.request_sums`` counts, from request records."""
    threshold = timedelta(hours=wait_hours)
    out: dict[tuple[uuid.UUID, str | None], list[int]] = {}
    for r in requests:
        acc = out.setdefault((r.district_id, r.top_rule), [0, 0, 0, 0])
        acc[0] += 1
        acc[1] += r.no_unit_fitted
        acc[2] += waited_too_long(r, now, threshold)
        acc[3] += r.placed_at is None
    return [RequestSums(d, rule, *v) for (d, rule), v in out.items()]


def unmet_need(
    requests: Iterable[RequestFact], now: datetime, wait_hours: int
) -> tuple[Unmet, dict[uuid.UUID, Unmet]]:
    return unmet_from_sums(request_sums(requests, now, wait_hours))


def unmet_from_sums(sums: Iterable[RequestSums]) -> tuple[Unmet, dict[uuid.UUID, Unmet]]:
    """The city's unmet need and each district's."""
    city = Unmet()
    by_district: dict[uuid.UUID, Unmet] = {}
    for r in sums:
        for u in (city, by_district.setdefault(r.district_id, Unmet())):
            u.requests += r.requests
            u.no_unit_fitted += r.no_unit_fitted
            u.waited_too_long += r.waited_too_long
            u.never_placed += r.never_placed
            if r.top_rule is not None:
                u.by_rule[r.top_rule] = u.by_rule.get(r.top_rule, 0) + r.requests
    return city, by_district


def declines_by_reason(declines: Iterable[DeclineFact]) -> dict[str, int]:
    """Declined referrals by the shelter's coded reason (full, needs, risk, other)."""
    out: dict[str, int] = {}
    for d in declines:
        out[d.reason] = out.get(d.reason, 0) + d.count
    return dict(sorted(out.items()))
