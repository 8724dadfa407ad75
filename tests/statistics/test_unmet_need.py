"""Unmet need from what exists: requests no unit fitted (the latest "now" run of the matcher
found none), the hard rule that left people without a place, and requests that waited
longer than the threshold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from placement.cases.schemas import PlacementRequestCreate
from placement.cases.upkeep import create_placement_request
from placement.clock import FrozenClock
from placement.config import Settings
from placement.crypto import Keyring
from placement.db import transaction
from placement.models import OptimizationRun
from tests.decisions.factories import make_world, open_case
from tests.statistics.helpers import report_for


async def test_unmet_need_counts_no_fit_rules_and_waiting(
    sessionmaker: Any, clock: FrozenClock, settings: Settings, keyring: Keyring
) -> None:
    world = await make_world(sessionmaker)
    handler = world.actor(world.handler)
    clock.set(datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    request_ids = []
    for _ in range(6):
        case_id, _c = await open_case(sessionmaker, clock, keyring, world, handler, children=0)
        async with transaction(sessionmaker) as s:
            r = await create_placement_request(
                s, clock, handler, case_id, PlacementRequestCreate(nights=7)
            )
        request_ids.append(r.id)
    async with transaction(sessionmaker) as s:
        for i, rid in enumerate(request_ids):
            # An early run found a unit for the first one; its latest run found none.
            counts = {"protection_level": 4, "gender": 2} if i < 5 else {"gender": 9}
            s.add(OptimizationRun(
                mode="now", created_at=clock.now() + timedelta(minutes=5), status="OK",
                proposals={"request_id": str(rid), "eligible_count": 0, "excluded_counts": counts},
            ))  # fmt: skip
        s.add(OptimizationRun(
            mode="now", created_at=clock.now(), status="OK",
            proposals={"request_id": str(request_ids[0]), "eligible_count": 3},
        ))  # fmt: skip
    clock.set(datetime(2026, 11, 12, 9, 0, tzinfo=UTC))  # two days on, nobody placed
    report = await report_for(sessionmaker, clock, settings, date(2026, 11, 1), date(2026, 12, 1))
    u = report["unmet"]
    assert u["city"]["requests"]["value"] == 6
    assert u["city"]["no_unit_fitted"]["value"] == 6
    assert u["city"]["waited_too_long"]["value"] == 6  # 48 h > the 24 h threshold
    assert u["by_rule"]["protection_level"]["value"] == 5
    assert u["by_rule"]["gender"]["hidden"]  # a cell of 1
    assert u["declines_by_reason"] == {}  # the hook for issue 14's referral table


async def test_the_matchers_verdict_read_in_sql_keeps_the_python_rules(
    sessionmaker: Any, clock: FrozenClock, settings: Settings, keyring: Keyring
) -> None:
    """What facts.requests used to decide in Python from each run's proposals: a run without
    an eligible_count found nothing; ties between rules go to the greater name; a run that
    found a unit names no rule; the latest run counts."""
    world = await make_world(sessionmaker)
    handler = world.actor(world.handler)
    clock.set(datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    request_ids = []
    for _ in range(15):
        case_id, _c = await open_case(sessionmaker, clock, keyring, world, handler, children=0)
        async with transaction(sessionmaker) as s:
            r = await create_placement_request(
                s, clock, handler, case_id, PlacementRequestCreate(nights=7)
            )
        request_ids.append(r.id)
    later = clock.now() + timedelta(minutes=5)
    proposals: list[dict[str, Any]] = (
        [{"excluded_counts": {"gender": 3, "protection_level": 3}}] * 5  # no count: nothing
        + [{"eligible_count": 0, "excluded_counts": {"area": 2, "gender": 7}}] * 5
        + [{"eligible_count": 2, "excluded_counts": {"gender": 9}}] * 5  # found units
    )
    async with transaction(sessionmaker) as s:
        for rid, p in zip(request_ids, proposals, strict=True):
            s.add(OptimizationRun(
                mode="now", created_at=later, status="OK",
                proposals={"request_id": str(rid), **p},
            ))  # fmt: skip
            s.add(OptimizationRun(  # an earlier run that found nothing: superseded
                mode="now", created_at=clock.now(), status="OK",
                proposals={"request_id": str(rid), "eligible_count": 0,
                           "excluded_counts": {"zzz": 99}},
            ))  # fmt: skip
    clock.set(datetime(2026, 11, 12, 9, 0, tzinfo=UTC))
    report = await report_for(sessionmaker, clock, settings, date(2026, 11, 1), date(2026, 12, 1))
    u = report["unmet"]
    assert u["city"]["requests"]["value"] == 15
    assert u["city"]["no_unit_fitted"]["value"] == 10
    assert set(u["by_rule"]) == {"protection_level", "gender"}
    assert u["by_rule"]["protection_level"]["value"] == 5  # the tie 3-3 goes to the greater name
    assert u["by_rule"]["gender"]["value"] == 5
