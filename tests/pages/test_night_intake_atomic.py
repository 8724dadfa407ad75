"""A night intake that fails after the case was written leaves nothing saved; sending the
form again creates exactly one case."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

import api.pages.night_page as night_page
from placement.errors import Conflict
from placement.models import Case, PlacementRequest
from placement.models.enums import Role
from tests.conftest import ClientFactory, owner_sm
from tests.pages.helpers import csrf_of


async def _counts(app: Any) -> tuple[int, int]:
    async with owner_sm(app)() as s:
        cases = await s.scalar(select(func.count()).select_from(Case))
        requests = await s.scalar(select(func.count()).select_from(PlacementRequest))
    return int(cases or 0), int(requests or 0)


async def test_failed_intake_saves_nothing_and_a_resend_makes_one_case(
    app: Any, client_for: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.decisions.factories import make_world

    world = await make_world(owner_sm(app))
    jour = await client_for(Role.socialjour)
    district = str(world.district_a.id)
    real = night_page.create_placement_request
    calls = {"n": 0}

    async def failing_once(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise Conflict("The case is closed.", field="case_id")  # after create_case wrote
        return await real(*args, **kwargs)

    monkeypatch.setattr(night_page, "create_placement_request", failing_once)
    before = await _counts(app)
    form = {"children_ages": "4", "avoid": district, "responsible": district}
    r = await jour.post("/night", data={"csrf_token": await csrf_of(jour, "/night"), **form})
    assert r.status_code == 409 and "Ärendet är avslutat" in r.text
    assert await _counts(app) == before  # the case written before the error is rolled back
    r = await jour.post("/night", data={"csrf_token": await csrf_of(jour, "/night"), **form})
    assert r.status_code == 303, r.text
    assert await _counts(app) == (before[0] + 1, before[1] + 1)
