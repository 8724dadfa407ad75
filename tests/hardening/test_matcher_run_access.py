"""A single household's matcher run is not readable by the coordinator."""

from __future__ import annotations

from typing import Any

from placement.models.enums import Role
from tests.conftest import ClientFactory
from tests.matching.test_matching_api import _open_requests


async def test_coordinator_cannot_read_a_households_run(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    jour = await client_for(Role.socialjour)
    coordinator = await client_for(Role.coordinator)
    request, _case = (await _open_requests(app))[0]
    r = await jour.post(f"/api/matching/requests/{request.id}/proposals", json={"limit": 3})
    assert r.status_code == 200, r.text
    run_id = r.json()["run_id"]
    r = await coordinator.get(f"/api/matching/runs/{run_id}")
    assert r.status_code == 403
    assert "language" not in r.text and "distance" not in r.text
    plan = await coordinator.post("/api/matching/joint-plan", json={})
    assert plan.status_code in (200, 201), plan.text
    r = await coordinator.get(f"/api/matching/runs/{plan.json()['run_id']}")
    assert r.status_code == 200 and r.json()["mode"] == "joint"
