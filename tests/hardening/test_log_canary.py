"""A canary in the logs: a name, a personal identity number, an address, a phone number and
free text about a person go through intake, decisions, a reveal, refusals and failed
sign-ins; none of them appears in any log line. Every line is JSON; request lines carry the
request id and the route template, never the raw path."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from placement.logs import JsonFormatter
from placement.models.enums import Role
from tests.conftest import ClientFactory
from tests.decisions.factories import World, household_json, make_world

NAME = "Kanarie Fågelsdotter"
PNR = "199001012393"
ADDRESS = "Kanariegatan 17"
PHONE = "070-555 12 34"
FREE_TEXT = "Kanariefågeln berättade om hot från sin bror"
CANARIES = (NAME, "Fågelsdotter", PNR, "19900101-2393", ADDRESS, PHONE, FREE_TEXT, "kanarie")


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


async def test_no_person_data_in_any_log_line(
    app: Any, client_for: ClientFactory, captured: io.StringIO
) -> None:
    world: World = await make_world(app.state.sessionmaker)
    rvt = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    payload = household_json(world, children=0)
    payload["person"].update(name=NAME, personal_number=PNR, contact=f"{ADDRESS}, {PHONE}")
    r = await rvt.post("/api/cases", json=payload)
    assert r.status_code == 201, r.text
    case = r.json()
    # A grant with free text, a refusal that echoes nothing, a reveal with a reason.
    r = await rvt.post(
        f"/api/cases/{case['id']}/decisions",
        json={"unit_id": str(world.shelter.id), "reason": FREE_TEXT},
    )
    assert r.status_code == 201, r.text
    bad = await rvt.post(
        f"/api/cases/{case['id']}/risk-assessments",
        json={"instrument": FREE_TEXT, "level": PNR},
    )
    assert bad.status_code == 422
    nul = await rvt.post(
        f"/api/cases/{case['id']}/placement-requests",
        json={"starts_at": "2026-11-24T10:00:00+00:00", "nights": 14, "note": FREE_TEXT + "\x00"},
    )
    assert nul.status_code == 422
    r = await rvt.post(f"/api/cases/{case['id']}/identity", json={"reason": FREE_TEXT})
    assert r.status_code in (200, 201), r.text
    assert (await rvt.get(f"/cases/{case['id']}?q={NAME}")).status_code == 200
    for attempt in ("kanarie.fagel", PNR):
        r = await rvt.post("/api/auth/login", json={"username": attempt, "password": PHONE})
        assert r.status_code in (401, 429)

    text = captured.getvalue()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert lines, "the requests were logged"
    requests = [line for line in lines if line["message"] == "request"]
    assert requests and all(line.get("request_id") for line in requests)
    assert {"/api/cases", "/api/cases/{case_id}/decisions", "/cases/{case_id}"} <= {
        line["route"] for line in requests
    }
    lowered = text.lower()
    for canary in CANARIES:
        assert canary.lower() not in lowered, canary
    assert case["id"] not in text  # route templates, not raw paths
