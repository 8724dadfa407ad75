"""Statistics as JSON and as CSV or XLSX exports (coordinator: ``statistics_read``).

Every figure is an object ``{"value", "display", "hidden"}``: a small cell has value null
and display "< 5". Nothing in any answer names a case or a person."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from api.deps import ClockDep, SessionDep, SettingsDep, require
from api.i18n import pick_locale, translations
from api.pages.statistics_labels import labeller
from api.routing import UnitOfWorkRoute
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.clock import Clock
from placement.errors import NotFound
from placement.statistics import export
from placement.statistics.period import Period, local_date
from placement.statistics.report import Filters, build_report

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/statistics", tags=["statistics"])

StatisticsReader = Annotated[Actor, Depends(require(Permission.statistics_read))]
SECTIONS = ("goals", "districts", "cost", "unmet", "reporting")


def filters_of(
    clock: Clock,
    start: date | None,
    end: date | None,
    district: str | None,
    risk: str,
    household: str,
) -> Filters:
    if start is None and end is None:
        period = Period.year_to(local_date(clock.now()))
    else:
        default = Period.year_to(local_date(clock.now()))
        period = Period.checked(start or default.start, end or default.end)
    return Filters(period, district or None, risk, household)


class Query_:
    """The query parameters every statistics address takes."""

    def __init__(
        self,
        start: Annotated[date | None, Query(description="first day (Stockholm date)")] = None,
        end: Annotated[date | None, Query(description="the day after the last day")] = None,
        district: Annotated[str | None, Query(max_length=64)] = None,
        risk: Annotated[str, Query(max_length=20)] = "all",
        household: Annotated[str, Query(max_length=20)] = "all",
    ) -> None:
        self.start, self.end, self.district = start, end, district
        self.risk, self.household = risk, household

    def filters(self, clock: Clock) -> Filters:
        return filters_of(clock, self.start, self.end, self.district, self.risk, self.household)


Params = Annotated[Query_, Depends()]


@router.get("/report")
async def report(
    session: SessionDep, clock: ClockDep, settings: SettingsDep, actor: StatisticsReader,
    q: Params,
) -> dict[str, Any]:  # fmt: skip
    """The whole report for the period (default: the twelve months up to today)."""
    return await build_report(session, clock, settings, actor, q.filters(clock))


async def _tables(
    request: Request, session: Any, clock: Clock, settings: Any, actor: Actor, q: Query_
) -> tuple[list[export.Table], Filters]:
    filters = q.filters(clock)
    full = await build_report(session, clock, settings, actor, filters)
    locale = pick_locale(request, settings.default_locale)
    label = labeller(translations(locale).gettext, locale == "sv")
    return export.tables(full, label), filters


def _filename(filters: Filters, ext: str) -> str:
    p = filters.period
    return f'attachment; filename="statistik-{p.start.isoformat()}-{p.end.isoformat()}.{ext}"'


@router.get("/export.csv", response_class=Response)
async def export_csv(
    request: Request, session: SessionDep, clock: ClockDep, settings: SettingsDep,
    actor: StatisticsReader, q: Params,
) -> Response:  # fmt: skip
    parts, filters = await _tables(request, session, clock, settings, actor, q)
    return Response(
        export.to_csv(parts),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": _filename(filters, "csv")},
    )


@router.get("/export.xlsx", response_class=Response)
async def export_xlsx(
    request: Request, session: SessionDep, clock: ClockDep, settings: SettingsDep,
    actor: StatisticsReader, q: Params,
) -> Response:  # fmt: skip
    parts, filters = await _tables(request, session, clock, settings, actor, q)
    return Response(
        export.to_xlsx(parts),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": _filename(filters, "xlsx")},
    )


@router.get("/{section}")
async def section(
    section: str, session: SessionDep, clock: ClockDep, settings: SettingsDep,
    actor: StatisticsReader, q: Params,
) -> dict[str, Any]:  # fmt: skip
    """One part of the report: goals, districts, cost, unmet or reporting."""
    if section not in SECTIONS:
        raise NotFound("No such statistics.")
    full = await build_report(session, clock, settings, actor, q.filters(clock))
    return {"period": full["period"], "min_cell": full["min_cell"], section: full[section]}
