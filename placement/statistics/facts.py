"""The statistics' queries: plain facts out of the database, one small record per stay,
case, child, referral or request, and SQL sums for nights and cost. Internal only: the
``key`` fields (a booking group, a case id) exist to join facts and never leave
``placement.statistics`` (``report`` publishes only aggregates)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from placement.statistics.period import Period


@dataclass(frozen=True, slots=True)
class DistrictFact:
    id: uuid.UUID
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class StayFact:
    """One household's stay in one unit (an adult's booking group: the first decision and
    its renewals)."""

    key: uuid.UUID
    district_id: uuid.UUID
    gender: str
    risk: str | None
    with_children: bool
    measure: str
    unit_kind: str | None
    protection_level: int | None
    started_at: datetime
    ended_at: datetime
    running: bool
    first_decision_days: float
    renewals: int
    requested_at: datetime | None
    placed_at: datetime  # the first decision's time
    follow_up_done_at: datetime | None  # the earliest follow-up done
    stay_end: str | None
    outcome: str | None
    secure: bool | None


@dataclass(frozen=True, slots=True)
class CaseFact:
    key: uuid.UUID
    district_id: uuid.UUID
    gender: str
    link: str | None
    opened_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class ChildFact:
    district_id: uuid.UUID
    gender: str
    first_placed_at: datetime
    schooling_started_on: date | None


@dataclass(frozen=True, slots=True)
class ReferralFact:
    district_id: uuid.UUID
    gender: str
    referred_at: datetime
    status: str


@dataclass(frozen=True, slots=True)
class RequestFact:
    district_id: uuid.UUID
    requested_at: datetime
    placed_at: datetime | None
    withdrawn: bool
    no_unit_fitted: bool
    top_rule: str | None  # the hard rule that excluded most units, when nothing fitted


@dataclass(frozen=True, slots=True)
class CostRow:
    district_id: uuid.UUID
    unit_kind: str
    operator: str
    nights: int
    cost_sek: int
    households: int


@dataclass(frozen=True, slots=True)
class ActivityRow:
    code: str  # the Socialstyrelsen activity code, or "kind:<unit kind>" without one
    month: date | None  # None: the row for the whole year
    year: int
    households: int
    nights: int


async def districts(session: AsyncSession) -> list[DistrictFact]:
    rows = await session.execute(text("SELECT id, code, name FROM district ORDER BY name"))
    return [DistrictFact(r.id, r.code, r.name) for r in rows]


# One pass over the adult decisions makes the booking groups (stays); the request times are
# summed over the bookings of adult groups and the follow-ups per decision, and everything is
# joined by hashing. The period's test (the stay touches the period or the previous one) is
# applied after the joins, not as the groups' HAVING: a HAVING on aggregates is estimated at
# a tenth of its rows, which turned every join of the stays into tens of thousands of index
# lookups (EXPLAIN, national data: 68,000 booking and 68,000 request probes, ~0.3 s). The
# stays are summed here, per district (the district measures of the chosen slice, and per
# kind of unit) and per district and gender (the secure-housing goal): only some 1,500
# small rows leave the database, not one row per stay.
_STAY_SUMS = """
WITH grp AS MATERIALIZED (
  SELECT d.booking_group_id AS key,
    min(d.starts_at) AS started_at,
    max(coalesce(least(d.ended_at, d.ends_at), d.ends_at)) AS ended_at,
    bool_or(d.status IN ('active', 'lapsed')) AS running,
    count(*) - 1 AS renewals,
    (array_agg(d.case_id))[1] AS case_id,
    (array_agg(d.unit_id ORDER BY d.starts_at))[1] AS unit_id,
    (array_agg(d.measure ORDER BY d.starts_at))[1] AS measure,
    (array_agg(extract(epoch FROM d.ends_at - d.starts_at) ORDER BY d.starts_at))[1] AS first_s,
    (array_agg(d.decided_at ORDER BY d.starts_at))[1] AS placed_at,
    (array_agg(d.id ORDER BY d.starts_at))[1] AS first_id,
    (array_agg(d.stay_end ORDER BY d.starts_at DESC)
        FILTER (WHERE d.stay_end IS NOT NULL))[1] AS stay_end,
    (array_agg(d.secure_permanent_housing ORDER BY d.starts_at DESC)
        FILTER (WHERE d.secure_permanent_housing IS NOT NULL))[1] AS secure
  FROM decision d
  WHERE d.child_id IS NULL AND d.status <> 'cancelled' AND d.booking_group_id IS NOT NULL
  GROUP BY d.booking_group_id)
, kids AS (SELECT DISTINCT k.booking_group_id AS key FROM decision k
           WHERE k.child_id IS NOT NULL AND k.status <> 'cancelled')
, req AS (SELECT b.group_id, min(r.requested_at) AS requested_at
          FROM booking b JOIN placement_request r ON r.id = b.request_id
          WHERE b.group_id IN (SELECT a.booking_group_id FROM decision a
                               WHERE a.child_id IS NULL AND a.status <> 'cancelled')
          GROUP BY b.group_id)
, fu AS (SELECT f.decision_id, min(f.done_at) AS done_at FROM follow_up f
         GROUP BY f.decision_id)
, rk AS (SELECT a.case_id,
           CASE max(CASE a.level WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END)
             WHEN 3 THEN 'high' WHEN 2 THEN 'medium' ELSE 'low' END AS risk
         FROM risk_assessment a WHERE a.superseded_at IS NULL
         GROUP BY a.case_id)
, s AS MATERIALIZED (
  SELECT c.responsible_district_id AS district_id, p.gender,
    coalesce(u.kind::text, g.measure::text) AS kind, g.measure::text AS measure,
    u.protection_level, g.renewals, g.first_s, g.stay_end::text AS stay_end,
    g.secure IS TRUE AS secure,
    g.started_at < :end AND g.ended_at >= :prev_start AS in_span,
    (:risk = 'all' OR rk.risk = :risk)
      AND (:household = 'all'
           OR (kids.key IS NOT NULL) = (:household = 'with_children')) AS sliced,
    g.started_at >= :start AND g.started_at < :end AS placed,
    NOT g.running AND g.ended_at >= :start AND g.ended_at < :end AS ended,
    NOT g.running AND g.ended_at >= :prev_start AND g.ended_at < :start AS ended_before,
    CASE WHEN req.requested_at IS NOT NULL THEN greatest(0,
      (extract(epoch FROM g.placed_at) - extract(epoch FROM req.requested_at))::float8 / 3600)
    END AS wait_h,
    fu.done_at IS NOT NULL AND fu.done_at <= g.started_at + interval '168 hours' AS followed
  FROM grp g
  JOIN "case" c ON c.id = g.case_id
  JOIN person p ON p.id = c.person_id
  LEFT JOIN kids ON kids.key = g.key
  LEFT JOIN req ON req.group_id = g.key
  LEFT JOIN fu ON fu.decision_id = g.first_id
  LEFT JOIN rk ON rk.case_id = g.case_id
  LEFT JOIN unit u ON u.id = g.unit_id)
SELECT 'd' AS set, district_id, NULL AS label,
  count(*) FILTER (WHERE placed) AS placements,
  coalesce(sum(protection_level) FILTER (WHERE placed), 0) AS protection_sum,
  count(protection_level) FILTER (WHERE placed) AS protection_n,
  count(*) FILTER (WHERE placed AND kind = 'hostel') AS hostel,
  array_agg(wait_h) FILTER (WHERE placed AND wait_h IS NOT NULL) AS waits,
  coalesce(sum(first_s) FILTER (WHERE placed) / 86400, 0)::float8 AS decision_days,
  coalesce(sum(renewals) FILTER (WHERE placed), 0) AS renewals,
  count(*) FILTER (WHERE placed AND followed) AS followed_up,
  count(*) FILTER (WHERE ended AND stay_end IS NOT NULL) AS ended,
  count(*) FILTER (WHERE ended AND stay_end = 'completed') AS completed,
  count(*) FILTER (WHERE ended AND stay_end = 'completed' AND secure) AS secure,
  count(*) FILTER (WHERE ended AND stay_end <> 'completed') AS broken_off
FROM s WHERE in_span AND sliced GROUP BY district_id
UNION ALL
SELECT 'k', district_id, kind, count(*), 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0
FROM s WHERE in_span AND sliced AND placed GROUP BY district_id, kind
UNION ALL
SELECT 'g', district_id, gender, 0, 0, 0, 0, NULL, 0, 0, 0,
  count(*) FILTER (WHERE ended),
  count(*) FILTER (WHERE ended AND secure),
  count(*) FILTER (WHERE ended_before),
  count(*) FILTER (WHERE ended_before AND secure)
FROM s WHERE in_span AND measure = 'protected_shelter' AND stay_end = 'completed'
  AND (ended OR ended_before)
GROUP BY district_id, gender
"""


@dataclass(slots=True)
class StaySums:
    """The stays of one responsible district, summed: the district measures' raw numbers
    (``kinds``: placements per kind of unit, or per measure without a unit)."""

    placements: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    protection_sum: int = 0
    protection_n: int = 0
    hostel: int = 0
    waits: list[float] = field(default_factory=list)  # request to placement, hours
    decision_days: float = 0.0  # the first decisions' lengths summed (one per placement)
    renewals: int = 0
    followed_up: int = 0
    ended: int = 0  # stays ended in the period with a recorded stay end
    completed: int = 0
    secure: int = 0
    broken_off: int = 0


@dataclass(frozen=True, slots=True)
class SecureSums:
    """Completed protected-shelter stays of one district and gender, and how many of them
    ended in secure permanent housing, in the period and in the previous one."""

    district_id: uuid.UUID
    gender: str
    completed: int
    secure: int
    completed_before: int
    secure_before: int


_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


async def _rows(session: AsyncSession, sql: str, params: dict[str, Any]) -> list[Any]:
    """The rows of a query, straight from the driver on the session's connection (its
    transaction and row-level scope): the statistics read some 150,000 rows at national
    size, and a driver record costs a fraction of building a SQLAlchemy row. ``:name``
    parameters as in ``text()``."""
    names: list[str] = []

    def number(m: re.Match[str]) -> str:
        if m.group(1) not in names:
            names.append(m.group(1))
        return f"${names.index(m.group(1)) + 1}"

    statement = _PARAM.sub(number, sql)
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    return list(await driver.fetch(statement, *(params[n] for n in names)))


async def stay_sums(
    session: AsyncSession, period: Period, risk: str, household: str
) -> tuple[dict[uuid.UUID, StaySums], list[SecureSums]]:
    """Stays of the period, summed per responsible district for the slice (risk level,
    household type: "all" for every one), and the secure-housing goal's counts per district
    and gender for the period and the previous one (every slice)."""
    rows = await _rows(
        session,
        _STAY_SUMS,
        {
            "prev_start": period.previous().utc_start(),
            "start": period.utc_start(),
            "end": period.utc_end(),
            "risk": risk,
            "household": household,
        },
    )
    by_district: dict[uuid.UUID, StaySums] = {}
    secure: list[SecureSums] = []
    for r in rows:
        if r[0] == "d":
            by_district[r[1]] = StaySums(
                r[3], {}, int(r[4]), r[5], r[6], list(r[7] or ()), r[8], int(r[9]), *r[10:]
            )
    for r in rows:
        if r[0] == "k":
            by_district[r[1]].kinds[r[2]] = r[3]
        elif r[0] == "g":
            secure.append(SecureSums(r[1], r[2], r[11], r[12], r[13], r[14]))
    return by_district, secure


@dataclass(frozen=True, slots=True)
class CaseSums:
    """Cases of one district and gender opened in the period (``current``) or the previous
    one, and how many of them were re-actualised: the person (same link) had an earlier
    case closed within the look-back before this one opened."""

    district_id: uuid.UUID
    gender: str
    current: bool
    cases: int
    reactualised: int


_CASE_SUMS = """
WITH c AS MATERIALIZED (
  SELECT c.id, c.responsible_district_id, c.person_id, c.person_link, c.opened_at
  FROM "case" c WHERE c.opened_at >= :prev_start AND c.opened_at < :end)
, again AS (
  SELECT DISTINCT c.id FROM c JOIN "case" e ON e.person_link = c.person_link
    AND e.closed_at >= c.opened_at - make_interval(secs => :lb * 86400)
    AND e.closed_at < c.opened_at
    AND (NOT :one_district OR e.responsible_district_id = c.responsible_district_id))
SELECT c.responsible_district_id, p.gender, c.opened_at >= :start, count(*), count(again.id)
FROM c JOIN person p ON p.id = c.person_id LEFT JOIN again ON again.id = c.id
GROUP BY 1, 2, 3
"""


async def case_sums(
    session: AsyncSession, period: Period, lookback_days: int, one_district: bool
) -> list[CaseSums]:
    """Cases opened in the period or its previous one, per district and gender, with the
    re-actualised among them (what ``goals.case_sums`` computes from case records). With
    ``one_district`` (a report for one district) only an earlier case of the same district
    counts, as when the cases of that district alone are compared."""
    rows = await _rows(
        session,
        _CASE_SUMS,
        {
            "prev_start": period.previous().utc_start(),
            "start": period.utc_start(),
            "end": period.utc_end(),
            "lb": lookback_days,
            "one_district": one_district,
        },
    )
    return [CaseSums(r[0], r[1], r[2], r[3], r[4]) for r in rows]


async def children(session: AsyncSession, period: Period) -> list[ChildFact]:
    """Children whose first protected-shelter decision started in the period (or the
    previous one)."""
    span = period.previous()
    rows = await _rows(
        session,
        # Joined before grouping: a filter on the groups' minimum is estimated at a tiny
        # fraction of its rows, and the joins after it became index lookups per child.
        """SELECT c.responsible_district_id, ch.gender, min(d.starts_at),
                  ch.schooling_started_on
               FROM decision d JOIN child ch ON ch.id = d.child_id
               JOIN "case" c ON c.id = ch.case_id
               WHERE d.status <> 'cancelled' AND d.measure = 'protected_shelter'
               GROUP BY ch.id, c.responsible_district_id
               HAVING min(d.starts_at) >= :start AND min(d.starts_at) < :end""",
        {"start": span.utc_start(), "end": period.utc_end()},
    )
    return [ChildFact(r[0], r[1], r[2], r[3]) for r in rows]


async def referrals(session: AsyncSession, period: Period) -> list[ReferralFact]:
    span = period.previous()
    rows = await _rows(
        session,
        """SELECT c.responsible_district_id, p.gender, m.referred_at, m.status
               FROM mellanbo_referral m JOIN "case" c ON c.id = m.case_id
               JOIN person p ON p.id = c.person_id
               WHERE m.referred_at >= :start AND m.referred_at < :end""",
        {"start": span.utc_start(), "end": period.utc_end()},
    )
    return [ReferralFact(r[0], r[1], r[2], r[3]) for r in rows]


@dataclass(frozen=True, slots=True)
class DeclineFact:
    """Declined referrals of one reason for one responsible district in the period."""

    district_id: uuid.UUID
    reason: str
    count: int


async def declines(session: AsyncSession, period: Period) -> list[DeclineFact]:
    """Referrals the shelter declined, answered within the period, by reason (issue 14's
    referral table; a statistic of unmet need)."""
    rows = await _rows(
        session,
        """SELECT c.responsible_district_id, r.decline_reason::text, count(*)
               FROM referral r JOIN "case" c ON c.id = r.case_id
               WHERE r.status = 'declined' AND r.answered_at >= :start
                 AND r.answered_at < :end
               GROUP BY 1, 2""",
        {"start": period.utc_start(), "end": period.utc_end()},
    )
    return [DeclineFact(r[0], r[1], int(r[2])) for r in rows]


# What the latest "now" run found, read in SQL rather than shipping each run's proposals:
# nothing fitted when its eligible_count is 0 or missing; the top rule is the one that
# excluded most units (ties: the greater name, in code-point order as in Python).
_REQUESTS = """
WITH runs AS (
  SELECT DISTINCT ON (o.proposals ->> 'request_id')
         o.proposals ->> 'request_id' AS request_id, o.proposals AS run
  FROM optimization_run o
  WHERE o.mode = 'now'
    AND o.created_at >= CAST(:start AS timestamptz) - interval '30 days'
  ORDER BY o.proposals ->> 'request_id', o.created_at DESC)
, placed AS (
  SELECT b.request_id, min(d.decided_at) AS placed_at
  FROM booking b JOIN decision d
    ON d.booking_group_id = b.group_id AND d.child_id IS NULL
  WHERE b.request_id IS NOT NULL AND b.kind = 'placement'
  GROUP BY b.request_id)
, found AS (
  SELECT r.requesting_district_id, r.requested_at, r.status, placed.placed_at, runs.run,
    jsonb_typeof(runs.run) = 'object' AND coalesce(
      CASE jsonb_typeof(runs.run -> 'eligible_count')
        WHEN 'number' THEN trunc((runs.run ->> 'eligible_count')::numeric)
        WHEN 'boolean' THEN (runs.run ->> 'eligible_count')::boolean::int
        WHEN 'string' THEN trunc(nullif(runs.run ->> 'eligible_count', '')::numeric)
      END, 0) = 0 AS nothing
  FROM placement_request r
  LEFT JOIN placed ON placed.request_id = r.id
  LEFT JOIN runs ON runs.request_id = r.id::text
  WHERE r.requested_at >= :start AND r.requested_at < :end)
SELECT f.requesting_district_id, f.requested_at, f.placed_at, f.status = 'withdrawn',
  coalesce(f.nothing, false),
  CASE WHEN f.nothing AND jsonb_typeof(f.run -> 'excluded_counts') = 'object' THEN
    (SELECT e.key FROM jsonb_each(f.run -> 'excluded_counts') e
     ORDER BY trunc((e.value #>> '{}')::numeric) DESC, e.key COLLATE "C" DESC LIMIT 1)
  END
FROM found f
"""


async def requests(session: AsyncSession, period: Period) -> list[RequestFact]:
    """Requests for a place made in the period: when (if ever) the household was placed,
    and what the latest "now" run of the matcher found for it."""
    rows = await _rows(session, _REQUESTS, {"start": period.utc_start(), "end": period.utc_end()})
    # Columns in RequestFact's order.
    return [RequestFact(*r) for r in rows]


# The requests of _REQUESTS counted per district and top rule (a constant: no input).
_REQUEST_SUMS = (
    "SELECT q.district_id, q.top_rule, count(*), count(*) FILTER (WHERE q.nothing),"
    " count(*) FILTER (WHERE (q.placed_at IS NOT NULL OR NOT q.withdrawn)"
    "   AND extract(epoch FROM coalesce(q.placed_at, :now))"
    "       - extract(epoch FROM q.requested_at) > :wait_hours * 3600),"
    " count(*) FILTER (WHERE q.placed_at IS NULL)"
    " FROM (REQUESTS) AS q(district_id, requested_at, placed_at, withdrawn, nothing,"
    " top_rule) GROUP BY 1, 2"
).replace("REQUESTS", _REQUESTS, 1)


@dataclass(frozen=True, slots=True)
class RequestSums:
    """Requests of one district (and one top rule, or None) in the period, counted."""

    district_id: uuid.UUID
    top_rule: str | None
    requests: int
    no_unit_fitted: int
    waited_too_long: int
    never_placed: int


async def request_sums(
    session: AsyncSession, period: Period, now: datetime, wait_hours: int
) -> list[RequestSums]:
    """The requests of ``requests`` counted per district and top rule: those no unit
    fitted, those that waited longer than ``wait_hours`` (placed late, or not placed by
    ``now`` and not withdrawn: ``unmet.waited_too_long``) and those never placed."""
    rows = await _rows(
        session,
        _REQUEST_SUMS,
        {
            "start": period.utc_start(),
            "end": period.utc_end(),
            "now": now,
            "wait_hours": wait_hours,
        },
    )
    return [RequestSums(*r) for r in rows]


# Costs and activity both count the placement bookings that touch the period, with their
# Stockholm dates: one scan of the bookings (worked out once, in ``stay``) feeds both.
# Costs: nights × the unit's nightly cost, by the responsible district, kind and operator.
# Activity: each booking compared only with the months it can touch (not with every month
# of the period), per Socialstyrelsen activity code and calendar month, and per year.
_BOOKING_SUMS = """
WITH stay AS MATERIALIZED (
  SELECT b.case_id, u.kind::text AS kind, u.operator_id, u.nightly_cost_sek,
         coalesce(u.activity_code, 'kind:' || u.kind) AS code,
         (b.starts_at AT TIME ZONE 'Europe/Stockholm')::date AS first_day,
         (b.ends_at AT TIME ZONE 'Europe/Stockholm')::date AS end_day
  FROM booking b JOIN unit u ON u.id = b.unit_id
  WHERE b.kind = 'placement' AND b.status IN ('active', 'ended', 'confirmed')
    AND b.case_id IS NOT NULL
    AND b.starts_at < :end AND b.ends_at > :start)
, per_case AS (
  SELECT c.responsible_district_id AS district_id, s.kind, o.name AS operator,
    sum(n.nights) AS nights, sum(n.nights * s.nightly_cost_sek) AS cost
  FROM stay s
  CROSS JOIN LATERAL (SELECT greatest(0,
      least(s.end_day, CAST(:end_d AS date))
      - greatest(s.first_day, CAST(:start_d AS date))) AS nights) n
  JOIN operator o ON o.id = s.operator_id
  JOIN "case" c ON c.id = s.case_id
  WHERE n.nights > 0
  GROUP BY 1, 2, 3, s.case_id)
, cost AS (  -- households: the cases (one row each in per_case), without a sort for DISTINCT
  SELECT district_id, kind, operator, sum(nights) AS nights, sum(cost) AS cost,
    count(*) AS households
  FROM per_case GROUP BY 1, 2, 3)
, act AS (
  SELECT s.code, m.month_start, extract(year FROM m.month_start)::int AS year,
    count(DISTINCT s.case_id) AS households,
    sum(greatest(0, least(s.end_day, m.month_end) - greatest(s.first_day, m.counted_from)))
      AS nights
  FROM stay s CROSS JOIN LATERAL (
    SELECT gs::date AS month_start,
           least((gs + interval '1 month')::date, CAST(:end_d AS date)) AS month_end,
           greatest(gs::date, CAST(:start_d AS date)) AS counted_from
    FROM generate_series(
      date_trunc('month', greatest(s.first_day, CAST(:start_d AS date)))::timestamp,
      (least(s.end_day, CAST(:end_d AS date)) - 1)::timestamp,
      interval '1 month') gs) m
  WHERE s.first_day < m.month_end AND s.end_day > m.counted_from
  GROUP BY GROUPING SETS ((1, 2, 3), (1, 3)))
SELECT 'c' AS set, district_id, kind AS label, operator, NULL::date AS month, NULL::int AS year,
  households, nights, cost
FROM cost
UNION ALL
SELECT 'a', NULL::uuid, code, NULL::text, month_start, year, households, nights, NULL::bigint
FROM act
ORDER BY 1, 3, 6, 5
"""


async def booking_sums(
    session: AsyncSession, period: Period
) -> tuple[list[CostRow], list[ActivityRow]]:
    """The costs (nights × the unit's nightly cost, by the responsible district, kind and
    operator) and the activity (households and care nights per Socialstyrelsen activity code
    and calendar month, and per year) of the period's placement bookings, in one query."""
    rows = await _rows(
        session,
        _BOOKING_SUMS,
        {
            "start": period.utc_start(),
            "end": period.utc_end(),
            "start_d": period.start,
            "end_d": period.end,
        },
    )
    costs = [
        CostRow(r[1], r[2], r[3], int(r[7]), int(r[8]), int(r[6])) for r in rows if r[0] == "c"
    ]
    activity = [
        ActivityRow(r[2], r[4], int(r[5]), int(r[6]), int(r[7])) for r in rows if r[0] == "a"
    ]
    return costs, activity


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the report reads, in one place (the benchmark times the queries alone)."""

    districts: list[DistrictFact]
    stay_sums: dict[uuid.UUID, StaySums]
    secure: list[SecureSums]
    cases: list[CaseSums]
    children: list[ChildFact]
    referrals: list[ReferralFact]
    requests: list[RequestSums]
    costs: list[CostRow]
    activity: list[ActivityRow]
    declines: list[DeclineFact]


async def read_all(
    session: AsyncSession,
    period: Period,
    risk: str,
    household: str,
    lookback_days: int,
    now: datetime,
    wait_hours: int,
    one_district: bool = False,
) -> Facts:
    all_districts = await districts(session)
    sums, secure = await stay_sums(session, period, risk, household)
    costs, activity = await booking_sums(session, period)
    return Facts(
        all_districts,
        sums,
        secure,
        await case_sums(session, period, lookback_days, one_district),
        await children(session, period),
        await referrals(session, period),
        await request_sums(session, period, now, wait_hours),
        costs,
        activity,
        await declines(session, period),
    )
