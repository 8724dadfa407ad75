"""The statistics report: every figure the page, the API and the exports show, published
through ``Cells`` (small cells hidden), for a period and optionally one district.

Reading across every district is beyond any user's row-level scope: the report reads under
``elevated`` (audited, purpose "statistics"), and only aggregates leave this module. The
caller must hold ``statistics_read``.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from placement.auth.actor import Actor
from placement.auth.permissions import Permission, has_permission
from placement.auth.scope import elevated
from placement.clock import Clock
from placement.config import Settings
from placement.errors import N_, Forbidden, InvalidInput
from placement.statistics import districts as dm
from placement.statistics import facts, goals, unmet
from placement.statistics.cells import Cells, Figure
from placement.statistics.goals import Goal, Ratio
from placement.statistics.period import Period

NO_STATISTICS = N_("Your role does not give access to statistics.")
UNKNOWN_DISTRICT = N_("Unknown district.")
UNKNOWN_SLICE = N_("Choose a risk level and a household type from the list.")

Json = dict[str, Any]


def require_statistics(actor: Actor) -> None:
    if not has_permission(actor.role, Permission.statistics_read):
        raise Forbidden(NO_STATISTICS)


@dataclass(frozen=True, slots=True)
class Filters:
    period: Period
    district_code: str | None = None
    risk: str = dm.ALL
    household: str = dm.ALL

    def check(self) -> None:
        if self.risk not in (dm.ALL, *dm.RISKS) or self.household not in (
            dm.ALL,
            *dm.HOUSEHOLDS,
        ):
            raise InvalidInput(UNKNOWN_SLICE, field="risk")


def _fig(f: Figure) -> Json:
    return f.as_json()


def _protect(figs: dict[str, Figure], counts: dict[str, int], cells: Cells) -> None:
    """Secondary suppression: with a total shown, one hidden cell among its parts could be
    worked out by subtraction, so the smallest shown part is hidden too."""
    hidden = [k for k, f in figs.items() if f.hidden]
    if len(hidden) == 1:
        shown = [k for k, f in figs.items() if not f.hidden]
        if shown:
            smallest = min(shown, key=lambda k: (counts[k], k))
            figs[smallest] = cells.count(0)


def _ratio_json(r: Ratio, cells: Cells) -> Json:
    return {
        "part": _fig(cells.count(r.part)),
        "whole": _fig(cells.count(r.whole)),
        "share": _fig(cells.share(r.part, r.whole)),
    }


def _goal_json(g: Goal, cells: Cells) -> Json:
    v = g.value
    out: Json = {"key": g.key, "kind": g.kind, "target_pct": g.target_pct}
    if g.kind == "increase_at_least":
        cur, prev = v.current.part, v.previous.part
        change = cells.change(cur, prev)
        out["current"] = {
            "count": _fig(cells.count(cur)),
            "granted": _fig(cells.count(v.current.whole)),
        }
        out["previous"] = {"count": _fig(cells.count(prev))}
        out["change"] = _fig(change)
        out["met"] = None if change.value is None else change.value >= g.target_pct
        genders = {k: cells.count(r.part) for k, r in v.by_gender.items()}
        _protect(genders, {k: r.part for k, r in v.by_gender.items()}, cells)
        out["by_gender"] = {k: {"count": _fig(f)} for k, f in genders.items()}
        return out
    share = cells.share(v.current.part, v.current.whole)
    out["current"] = _ratio_json(v.current, cells)
    out["previous"] = _ratio_json(v.previous, cells)
    if share.value is None:
        out["met"] = None
    elif g.kind == "share_at_most":
        out["met"] = share.value <= g.target_pct
    else:
        out["met"] = share.value >= g.target_pct
    wholes = {k: cells.count(r.whole) for k, r in v.by_gender.items()}
    _protect(wholes, {k: r.whole for k, r in v.by_gender.items()}, cells)
    by_gender: Json = {}
    for k, r in v.by_gender.items():
        item = _ratio_json(r, cells)
        if wholes[k].hidden:  # hidden by secondary suppression: hide its share too
            item = {key: _fig(cells.count(0)) for key in item}
        by_gender[k] = item
    out["by_gender"] = by_gender
    return out


def _spread_json(s: dm.Spread) -> Json:
    return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in asdict(s).items()}


# Reports computed by this instance: (database, filters, settings) -> (computed at, report).
_CACHE: dict[tuple[object, ...], tuple[datetime, Json]] = {}
_CACHE_MAX = 64


async def build_report(
    session: AsyncSession, clock: Clock, settings: Settings, actor: Actor, filters: Filters
) -> Json:
    """The report for ``filters``. The same filters within ``statistics_cache_s`` of the last
    computation give that computation again (its ``computed_at`` says when): the figures
    are aggregates over months, and each computation is about a second of database work."""
    require_statistics(actor)
    filters.check()
    now = clock.now()
    key = (
        str(session.get_bind().engine.url),
        filters,
        settings.statistics_min_cell,
        settings.statistics_reactualised_days,
        settings.statistics_wait_hours,
    )
    hit = _CACHE.get(key)
    if hit is not None and timedelta(0) <= now - hit[0] < timedelta(
        seconds=settings.statistics_cache_s
    ):
        return hit[1]
    report = await _build_report(session, clock, settings, actor, filters)
    report["computed_at"] = now.isoformat()
    if settings.statistics_cache_s > 0:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = (now, report)
    return report


def forget() -> None:
    """Drop every computed report (tests)."""
    _CACHE.clear()


async def _build_report(
    session: AsyncSession, clock: Clock, settings: Settings, actor: Actor, filters: Filters
) -> Json:
    cells = Cells(settings.statistics_min_cell)
    period = filters.period
    now = clock.now()
    async with elevated(session, clock, actor, "statistics"):
        f = await facts.read_all(
            session,
            period,
            filters.risk,
            filters.household,
            settings.statistics_reactualised_days,
            now,
            settings.statistics_wait_hours,
            one_district=filters.district_code is not None,
        )
    all_districts, stay_sums, secure, cases = f.districts, f.stay_sums, f.secure, f.cases
    children, referrals, requests, costs = f.children, f.referrals, f.requests, f.costs
    activity, declines = f.activity, f.declines
    chosen: uuid.UUID | None = None
    if filters.district_code:
        found = [d for d in all_districts if d.code == filters.district_code]
        if not found:
            raise InvalidInput(UNKNOWN_DISTRICT, field="district")
        chosen = found[0].id

    def only(rows: list[Any]) -> list[Any]:
        return rows if chosen is None else [r for r in rows if r.district_id == chosen]

    goal_list = [
        goals.secure_housing_from_sums(only(secure)),
        goals.reactualised_from_sums(only(cases)),
        goals.mellanbo_referrals(only(referrals), period),
        goals.schooling(only(children), period, now),
    ]
    return {
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "previous_start": period.previous().start.isoformat(),
        },
        "filters": {
            "district": filters.district_code,
            "risk": filters.risk,
            "household": filters.household,
        },
        "min_cell": cells.min_cell,
        "goals": [_goal_json(g, cells) for g in goal_list],
        "districts": _districts_json(stay_sums, costs, all_districts, filters, cells, chosen),
        "cost": _cost_json(only(costs), cells),
        "unmet": _unmet_json(
            only(requests), only(declines), now, settings, all_districts, cells, chosen
        ),
        "reporting": _reporting_json(activity, cells),
    }


def _districts_json(
    stay_sums: dict[uuid.UUID, facts.StaySums],
    costs: list[facts.CostRow],
    all_districts: list[facts.DistrictFact],
    filters: Filters,
    cells: Cells,
    chosen: uuid.UUID | None,
) -> Json:
    aggs = dm.from_sums(stay_sums)
    if filters.risk == dm.ALL and filters.household == dm.ALL:
        dm.add_costs(aggs, costs)
    city = dm.Aggregate()
    rows: list[Json] = []
    figs_by_district: dict[uuid.UUID, dict[str, Figure]] = {}
    for d in all_districts:
        a = aggs.get(d.id, dm.Aggregate())
        figs_by_district[d.id] = dm.figures(a, cells)
    placements = {str(k): v["placements"] for k, v in figs_by_district.items()}
    _protect(
        placements,
        {str(k): aggs.get(k, dm.Aggregate()).placements for k in figs_by_district},
        cells,
    )
    for k, v in figs_by_district.items():
        v["placements"] = placements[str(k)]
    spreads: Json = {}
    flags: dict[uuid.UUID, list[str]] = {d.id: [] for d in all_districts}
    for m in dm.COMPARED:
        shown = {k: float(x) for k, f in figs_by_district.items() if (x := f[m].value) is not None}
        s = dm.spread(list(shown.values()))
        spreads[m] = _spread_json(s)
        for k, value in shown.items():
            if dm.outside(value, s):
                flags[k].append(m)
    for d in all_districts:
        if chosen is not None and d.id != chosen:
            continue
        a = aggs.get(d.id, dm.Aggregate())
        rows.append(
            {
                "code": d.code,
                "name": d.name,
                "measures": {k: _fig(f) for k, f in figs_by_district[d.id].items()},
                "kinds": {k: _fig(f) for k, f in dm.kind_figures(a, cells).items()},
                "flags": flags[d.id],
            }
        )
    for a in aggs.values():
        for name in (
            "placements", "protection_sum", "protection_n", "hostel", "renewals",
            "followed_up", "ended", "completed", "secure", "broken_off", "cost_sek",
            "cost_households", "decision_days",
        ):  # fmt: skip
            setattr(city, name, getattr(city, name) + getattr(a, name))
        city.waits.extend(a.waits)
        for kind, n in a.kinds.items():
            city.kinds[kind] = city.kinds.get(kind, 0) + n
    return {
        "risk": filters.risk,
        "household": filters.household,
        "city": {k: _fig(f) for k, f in dm.figures(city, cells).items()},
        "city_kinds": {k: _fig(f) for k, f in dm.kind_figures(city, cells).items()},
        "spread": spreads,
        "rows": rows,
    }


def _cost_json(costs: list[facts.CostRow], cells: Cells) -> Json:
    def group(key: str) -> list[Json]:
        sums: dict[str, list[int]] = {}
        for c in costs:
            k = c.unit_kind if key == "kind" else c.operator
            acc = sums.setdefault(k, [0, 0, 0])
            acc[0] += c.nights
            acc[1] += c.cost_sek
            acc[2] += c.households
        return [
            {
                "key": k,
                "nights": _fig(cells.count(v[0]) if v[2] >= cells.min_cell else cells.count(0)),
                "cost": _fig(cells.amount(v[1], v[2])),
            }
            for k, v in sorted(sums.items())
        ]

    total_households = sum(c.households for c in costs)
    return {
        "total": _fig(cells.amount(sum(c.cost_sek for c in costs), total_households)),
        "by_kind": group("kind"),
        "by_operator": group("operator"),
    }


def _unmet_row(u: unmet.Unmet, cells: Cells) -> Json:
    return {
        "requests": _fig(cells.count(u.requests)),
        "no_unit_fitted": _fig(cells.count(u.no_unit_fitted)),
        "waited_too_long": _fig(cells.count(u.waited_too_long)),
        "never_placed": _fig(cells.count(u.never_placed)),
    }


def _unmet_json(
    requests: list[facts.RequestSums],
    declines: list[facts.DeclineFact],
    now: Any,
    settings: Settings,
    all_districts: list[facts.DistrictFact],
    cells: Cells,
    chosen: uuid.UUID | None,
) -> Json:
    city, by_district = unmet.unmet_from_sums(requests)
    return {
        "wait_hours": settings.statistics_wait_hours,
        "city": _unmet_row(city, cells),
        "by_rule": {k: _fig(cells.count(n)) for k, n in sorted(city.by_rule.items())},
        "declines_by_reason": {
            k: _fig(cells.count(n)) for k, n in unmet.declines_by_reason(declines).items()
        },
        "rows": [
            {"code": d.code, "name": d.name, **_unmet_row(by_district[d.id], cells)}
            for d in all_districts
            if d.id in by_district and (chosen is None or d.id == chosen)
        ],
    }


def _reporting_json(activity: list[facts.ActivityRow], cells: Cells) -> Json:
    out: list[Json] = []
    by_year: dict[tuple[str, int], list[facts.ActivityRow]] = {}
    for r in activity:
        by_year.setdefault((r.code, r.year), []).append(r)
    for (code, year), rows in sorted(by_year.items()):
        months = {r.month.isoformat(): cells.count(r.households) for r in rows if r.month}
        _protect(months, {r.month.isoformat(): r.households for r in rows if r.month}, cells)
        year_row = next((r for r in rows if r.month is None), None)
        for r in rows:
            if r.month is None:
                continue
            key = r.month.isoformat()
            out.append(
                {
                    "code": code,
                    "year": year,
                    "month": key[:7],
                    "households": _fig(months[key]),
                    "nights": _fig(
                        cells.count(r.nights) if not months[key].hidden else cells.count(0)
                    ),
                }
            )
        if year_row is not None:
            out.append(
                {
                    "code": code,
                    "year": year,
                    "month": None,
                    "households": _fig(cells.count(year_row.households)),
                    "nights": _fig(
                        cells.count(year_row.nights)
                        if year_row.households >= cells.min_cell
                        else cells.count(0)
                    ),
                }
            )
    return {"rows": out}
