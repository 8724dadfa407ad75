"""The planner's projection of a plan (issue 12): the plan, not the files."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from placement.auth.actor import Actor
from placement.matching.planner_view import PLANNER_REASONS, visible_proposals
from placement.models.enums import Role

COORDINATOR = Actor(uuid.uuid4(), "samordnare", Role.coordinator)
OFFICER = Actor(uuid.uuid4(), "rvt", Role.rvt_officer)


def _reason(code: str, sv: str, points: int = 0) -> dict[str, Any]:
    return {"code": code, "points": points, "text_sv": sv, "text_en": sv}


REQ = "3f0c8a34-9d1b-4c8e-8a62-0b6a9c1d2e3f"
PLAN: dict[str, Any] = {
    "status": "FEASIBLE",
    "placed": {"objective": 7, "bound": 7, "gap": 0.0, "status": "OPTIMAL", "wall_time_s": 0.1},
    "fit": {"objective": 40, "bound": 44, "gap": 0.1, "status": "FEASIBLE", "wall_time_s": 0.2},
    "wall_time_s": 0.3,
    "summary_sv": "Bästa plan som hittades",
    "summary_en": "Best plan found",
    "assignments": [
        {
            "request_id": REQ,
            "unit_id": "u1",
            "resource": {"kind": "family_room", "persons": 3},
            "score": -41,
            "weight": 120,
            "reasons": [
                _reason("language_match", "Personalen talar tigrinja", 10),
                _reason("exclusion_distance", "Ligger 14 km från de områden som ska undvikas", 5),
                _reason("resource", "Använder familjerum för 3 personer"),
            ],
        },
        {
            "request_id": "r2",
            "unit_id": None,
            "resource": None,
            "score": None,
            "weight": 90,
            "reasons": [
                _reason("no_feasible_unit", "vanligaste hindret: rullstol (40 enheter)"),
            ],
        },
    ],
    "problems": [
        {"code": "invalid_age", "text_sv": f"{REQ}: ålder 250 är orimlig", "text_en": "x"},
        {"code": "no_units", "text_sv": "Inga enheter", "text_en": "No units"},
    ],
}


def test_the_coordinator_sees_no_household_detail() -> None:
    stored = copy.deepcopy(PLAN)
    seen = visible_proposals(COORDINATOR, "joint", stored)
    assert stored == PLAN  # the stored value is never changed
    text = json.dumps(seen, ensure_ascii=False)
    for secret in ("tigrinja", "14 km", "rullstol", "250", "-41", "120"):
        assert secret not in text
    first, second = seen["assignments"]
    assert first["unit_id"] == "u1" and first["resource"] == {"kind": "family_room", "persons": 3}
    assert first["score"] is None and first["weight"] is None
    assert [r["code"] for r in first["reasons"]] == ["resource"]
    assert [r["code"] for r in second["reasons"]] == ["no_feasible_unit"]
    assert "den som har ärendet" in second["reasons"][0]["text_sv"]
    assert seen["problems"][0]["code"] == "invalid_age"
    assert seen["problems"][0]["text_sv"].startswith(f"{REQ}: ")  # the case is still named
    assert seen["problems"][1]["text_sv"] == "Inga enheter"
    assert seen["summary_sv"] == "Bästa plan som hittades" and seen["fit"]["gap"] == 0.1


def test_move_on_keeps_the_move_and_drops_the_why() -> None:
    stored = {
        "moves": [
            {
                "request_id": "c1",
                "from_unit_id": "a",
                "to_unit_id": "b",
                "resource": {"kind": "places", "persons": 1},
                "frees_acute": {"kind": "places", "persons": 1},
                "score": 12,
                "reasons": [
                    _reason("preferred_area", "Nära skolan", 8),
                    _reason("frees_acute", "Flytten frigör 1 plats"),
                ],
            }
        ],
        "not_moved": [dict(PLAN["assignments"][1])],
        "not_eligible": [["c3", {"code": "not_in_acute_place", "text_sv": "Bor inte akut"}]],
        "freed_acute_places": 1,
        "freed_acute_family_rooms": 0,
        "plan": copy.deepcopy(PLAN),
        "problems": [],
    }
    seen = visible_proposals(COORDINATOR, "move_on", stored)
    text = json.dumps(seen, ensure_ascii=False)
    assert "skolan" not in text and "tigrinja" not in text and "rullstol" not in text
    move = seen["moves"][0]
    assert (move["from_unit_id"], move["to_unit_id"], move["score"]) == ("a", "b", None)
    assert [r["code"] for r in move["reasons"]] == ["frees_acute"]
    assert seen["not_eligible"][0][1]["text_sv"] == "Bor inte akut"
    assert seen["freed_acute_places"] == 1


def test_a_reader_of_the_cases_sees_everything_and_now_runs_nothing() -> None:
    assert visible_proposals(OFFICER, "joint", PLAN) == PLAN
    assert visible_proposals(COORDINATOR, "now", {"proposals": [1]}) == {}
    assert "resource" in PLANNER_REASONS and "language_match" not in PLANNER_REASONS
