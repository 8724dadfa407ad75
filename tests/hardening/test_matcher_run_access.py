"""A single household's matcher run is not readable by the coordinator; a plan over many
households is, without what it says about each household (planner_view)."""

from __future__ import annotations

import html
import uuid
from typing import Any

from placement.matching.planner_view import PLANNER_REASONS
from placement.models import OptimizationRun
from placement.models.enums import Role
from tests.conftest import ClientFactory, owner_sm
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


def _household_texts(proposals: dict[str, Any]) -> set[str]:
    """The stored reasons that speak of a household, in both languages."""
    items = list(proposals.get("assignments", [])) + list(proposals.get("moves", []))
    items += list(proposals.get("not_moved", []))
    plan = proposals.get("plan") or {}
    items += list(plan.get("assignments", []))
    return {
        r[key]
        for a in items
        for r in a.get("reasons", [])
        if r.get("code") not in PLANNER_REASONS
        for key in ("text_sv", "text_en")
    }


async def test_the_coordinator_reads_plans_without_the_households_details(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    coordinator = await client_for(Role.coordinator)
    for path, mode in (("/api/matching/joint-plan", "joint"), ("/api/matching/move-on", "move_on")):
        r = await coordinator.post(path, json={})
        assert r.status_code == 200, r.text
        run_id = uuid.UUID(r.json()["run_id"])
        async with owner_sm(app)() as s:
            run = await s.get(OptimizationRun, run_id)
            assert run is not None and run.mode == mode
            stored = dict(run.proposals or {})
        secrets = _household_texts(stored)
        shown = [r.text, (await coordinator.get(f"/api/matching/runs/{run_id}")).text]
        if mode == "joint":
            # The demo city's plan explains its choices by language, distance and areas.
            assert secrets, "the stored plan has reasons about households"
            assert any(a.get("score") is not None for a in stored["assignments"])
            shown.append((await coordinator.get("/board", params={"joint": str(run_id)})).text)
            body = r.json()["result"]
            assert body["assignments"] and all(
                a["score"] is None and a["weight"] is None for a in body["assignments"]
            )
        else:
            shown.append((await coordinator.get("/board", params={"moveon": str(run_id)})).text)
        for page in shown:
            for text in secrets:
                assert text not in page and html.escape(text) not in page, text
