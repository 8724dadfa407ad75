"""Endings and moves cannot be dated before the decision started or too far back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from placement.clock import FrozenClock
from placement.models import Case, Decision
from placement.models.enums import CaseStatus, DecisionStatus, Role
from tests.conftest import ClientFactory, owner_sm, sign_in
from tests.decisions.factories import World
from tests.decisions.test_decision_api import _grant, _open


async def test_an_ending_dated_in_2001_is_refused_and_changes_nothing(
    app: Any, world: World, client_for: ClientFactory, clock: FrozenClock
) -> None:
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    case = await _open(rvt, world)
    r = await _grant(rvt, world, case)
    assert r.status_code == 201, r.text
    adult = r.json()["decisions"][0]
    name = (await rvt.get("/api/auth/me")).json()["username"]
    clock.advance(timedelta(days=10))
    rvt = await sign_in(app, name)  # the first session has timed out
    for at, words in (
        ("2001-01-01T10:00:00+00:00", "too far back"),
        ((clock.now() - timedelta(days=8)).isoformat(), "too far back"),
        ((clock.now() + timedelta(days=400)).isoformat(), "a year ahead"),
    ):
        r = await rvt.post(
            f"/api/decisions/{adult['id']}/end", json={"outcome": "back_home", "at": at}
        )
        assert r.status_code == 422 and words in r.json()["detail"], r.text
        r = await rvt.post(
            f"/api/decisions/{adult['id']}/move",
            json={"unit_id": str(world.shelter2.id), "at": at},
        )
        assert r.status_code == 422, r.text
    async with owner_sm(app)() as s:
        active = await s.scalar(
            select(func.count())
            .select_from(Decision)
            .where(
                col(Decision.case_id) == case["id"],
                col(Decision.status) == DecisionStatus.active,
            )
        )
        status = await s.scalar(select(Case.status).where(col(Case.id) == case["id"]))
    assert active == 3 and status == CaseStatus.open
    # Three days back is fine, with a reason that explains the date.
    back = (clock.now() - timedelta(days=3)).isoformat()
    r = await rvt.post(
        f"/api/decisions/{adult['id']}/end", json={"outcome": "back_home", "at": back}
    )
    assert r.status_code == 422 and r.json()["field"] == "reason", r.text
    r = await rvt.post(
        f"/api/decisions/{adult['id']}/end",
        json={"outcome": "back_home", "at": back, "reason": "Flyttade hem i fredags."},
    )
    assert r.status_code == 200, r.text


def test_check_dated_change_rules() -> None:
    from datetime import UTC, datetime

    import pytest

    from placement.config import Settings
    from placement.decisions.common import check_dated_change
    from placement.errors import InvalidInput

    settings = Settings(environment="test")
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    start = now - timedelta(days=2)
    check_dated_change(now - timedelta(days=1), start, now, settings, field="at")
    with pytest.raises(InvalidInput, match="before the decision"):
        check_dated_change(now - timedelta(days=3), start, now, settings, field="at")
    with pytest.raises(InvalidInput, match="too far back"):
        check_dated_change(now - timedelta(days=8), None, now, settings, field="at")
    with pytest.raises(InvalidInput, match="a year ahead"):
        check_dated_change(now + timedelta(days=367), None, now, settings, field="at")
