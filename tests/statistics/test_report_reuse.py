"""An app instance reuses a computed report for the same filters for ``statistics_cache_s``
seconds, then computes it again; other filters, another database or a clock moved back are
computed afresh; the page says when its figures were computed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from placement.auth.actor import Actor
from placement.clock import FrozenClock
from placement.config import Settings
from placement.db import transaction
from placement.models.enums import Role
from placement.statistics import report
from placement.statistics.period import Period
from placement.statistics.report import Filters, build_report

COORD = Actor(user_id=None, username="coord", role=Role.coordinator)


async def test_the_same_filters_reuse_the_report_for_its_time(
    demo: dict[str, int], sessionmaker: Any, clock: FrozenClock, settings: Settings
) -> None:
    report.forget()
    reuse = settings.model_copy(update={"statistics_cache_s": 60})
    today = clock.now().date()
    year = Filters(Period.year_to(today))
    async with transaction(sessionmaker) as s:
        first = await build_report(s, clock, reuse, COORD, year)
        assert first["computed_at"] == clock.now().isoformat()
        clock.advance(timedelta(seconds=59))
        assert await build_report(s, clock, reuse, COORD, year) is first
        other = await build_report(s, clock, reuse, COORD, Filters(year.period, risk="high"))
        assert other is not first and other["computed_at"] == clock.now().isoformat()
        clock.advance(timedelta(seconds=1))
        again = await build_report(s, clock, reuse, COORD, year)
        assert again is not first and again["computed_at"] == clock.now().isoformat()
        # Without reuse (the tests' settings) every call computes.
        assert await build_report(s, clock, settings, COORD, year) is not again
    report.forget()


async def test_the_page_says_when_the_figures_were_computed(client_for: Any) -> None:
    coordinator = await client_for(Role.coordinator)
    page = await coordinator.get("/statistics?lang=en")
    assert page.status_code == 200
    assert "Figures computed" in page.text
    swedish = await coordinator.get("/statistics?lang=sv")
    assert "Siffrorna beräknades" in swedish.text
