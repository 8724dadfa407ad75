"""/statistics for the coordinator, and /statistics/committee: the read-only view for the
committee's papers (goals, districts, reporting; printable). Filters live in the address
(dates, a district code, a risk level, a household type): never a case or a person."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.deps import ClockDep, SessionDep, SettingsDep
from api.i18n import pick_locale, translations
from api.pages import statistics_charts as charts
from api.pages.common import page_require
from api.pages.statistics_labels import HOUSEHOLD_SLICE, RISK_SLICE, labeller
from api.routing import UnitOfWorkRoute
from api.templating import render, translate
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.errors import N_, InvalidInput
from placement.statistics import export
from placement.statistics.facts import districts as district_list
from placement.statistics.period import Period, local_date
from placement.statistics.report import Filters, build_report

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Reader = Annotated[Actor, Depends(page_require(Permission.statistics_read))]
BAD_DATE = N_("Write the date as YYYY-MM-DD.")
CHART_MEASURES = (
    "decision_days",
    "protection_level",
    "renewals",
    "hostel_share",
    "follow_up_share",
)


def _day(raw: str, field: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(BAD_DATE, field=field) from None


def _filters(source: Any, today: date) -> Filters:
    default = Period.year_to(today)
    start = _day(str(source.get("start", "") or ""), "start")
    end = _day(str(source.get("end", "") or ""), "end")
    period = Period.checked(start or default.start, end or default.end)
    return Filters(
        period,
        str(source.get("district", "") or "") or None,
        str(source.get("risk", "") or "all"),
        str(source.get("household", "") or "all"),
    )


async def _page(
    request: Request, session: Any, clock: Any, settings: Any, actor: Actor, *, committee: bool
) -> Response:
    locale = pick_locale(request, settings.default_locale)
    label = labeller(translations(locale).gettext, locale == "sv")
    today = local_date(clock.now())
    errors: dict[str, str] = {}
    try:
        filters = _filters(request.query_params, today)
        report = await build_report(session, clock, settings, actor, filters)
    except InvalidInput as exc:
        errors[exc.field or "start"] = translate(request, exc)
        filters = Filters(Period.year_to(today))
        report = await build_report(session, clock, settings, actor, filters)
    measure = str(request.query_params.get("measure", "") or CHART_MEASURES[0])
    if measure not in CHART_MEASURES:
        measure = CHART_MEASURES[0]
    query = {
        "start": filters.period.start.isoformat(),
        "end": filters.period.end.isoformat(),
        **({"district": filters.district_code} if filters.district_code else {}),
        **({"risk": filters.risk} if filters.risk != "all" else {}),
        **({"household": filters.household} if filters.household != "all" else {}),
    }
    context = {
        "report": report,
        "computed_at": datetime.fromisoformat(report["computed_at"]),
        "filters": filters,
        "last_day": filters.period.end - timedelta(days=1),
        "committee": committee,
        "errors": errors,
        "label": label,
        "tables": {t.key: t for t in export.tables(report, label)},
        "districts": await district_list(session),
        "risks": RISK_SLICE,
        "households": HOUSEHOLD_SLICE,
        "measure": measure,
        "chart_measures": CHART_MEASURES,
        "query": urlencode(query),
        "charts": {
            "goals": charts.data_uri(charts.goals_chart(report, label)),
            "districts": charts.data_uri(charts.district_chart(report, measure, label)),
            "trend": charts.data_uri(charts.trend_chart(report, label)),
        },
    }
    return render(request, "statistics.html", context)


@router.get("/statistics")
async def statistics_page(
    request: Request, session: SessionDep, clock: ClockDep, settings: SettingsDep, actor: Reader
) -> Response:
    return await _page(request, session, clock, settings, actor, committee=False)


@router.get("/statistics/committee")
async def committee_page(
    request: Request, session: SessionDep, clock: ClockDep, settings: SettingsDep, actor: Reader
) -> Response:
    """Read-only and printable: the figures for the committee's papers."""
    return await _page(request, session, clock, settings, actor, committee=True)
