"""What a planner sees of a plan over many households.

A joint plan or a move-on run reads every open case it considers: risk, language, household
size and ages, the areas to avoid. The coordinator runs and reviews these plans but may not
read the cases (no ``case_read``). Product decision (issue 12): the coordinator gets the
plan, not the files. For a reader without ``case_read`` a run shows, per household, only
its case number, the unit proposed (and, for a move, the unit it leaves), the places it
takes there (inventory use), and the reasons that say nothing about the household (the
places used, that the places went to others, that the time ran out). Scores, priority
weights, the reasons behind them (language, distances, preferred areas), the obstacle that
kept a household out, and the values of input problems are left out. The officers who may
read the case see its full explanation on their own proposals.

This is the one place that projection is made: the runs API, the plan responses and the
board all call :func:`visible_proposals`.
"""

from __future__ import annotations

from typing import Any

from placement.auth.actor import Actor
from placement.auth.permissions import Permission, has_permission

# Reasons that describe the inventory or the plan, never the household.
PLANNER_REASONS = frozenset(
    {
        "resource",  # the places the proposal takes in the unit
        "frees_acute",  # what a move frees in the acute unit
        "ivo_permit_expires",  # a fact about the unit
        "capacity_taken",  # suitable places went to others in the plan
        "not_considered",  # the time limit ran out before the household was tried
        "no_unit_available",  # there were no units at all
        "invalid_request",  # the input has errors (the problems say which case)
    }
)

# Input problems shown in full: where a household is (not who it is), and problems of the
# inventory or the settings. Any other problem keeps its code and the request it names only.
PLANNER_PROBLEMS = frozenset(
    {
        "still_acute",
        "current_unit_unknown",
        "not_in_acute_place",
        "invalid_unit",
        "duplicate_unit",
        "no_units",
        "nothing_free",
        "invalid_district",
        "invalid_policy",
    }
)

NO_FEASIBLE_UNIT = {
    "code": "no_feasible_unit",
    "points": 0,
    "text_sv": "Ingen ledig enhet uppfyller alla krav för hushållet; den som har ärendet ser "
    "vilka krav det gäller",
    "text_en": "No free unit meets every requirement for the household; whoever has the "
    "case sees which requirements",
}

WITHHELD_PROBLEM_SV = "indata för ärendet har fel; den som har ärendet kan se och rätta det"
WITHHELD_PROBLEM_EN = "the case's input has errors; whoever has the case can see and correct it"


def reads_cases(actor: Actor) -> bool:
    return has_permission(actor.role, Permission.case_read)


def visible_proposals(actor: Actor, mode: str, proposals: Any) -> dict[str, Any]:
    """The stored proposals of a run as this reader may see them (a new dict; the stored
    value is never changed)."""
    data = _dict(proposals)
    if reads_cases(actor):
        return data
    if mode == "joint":
        return _plan(data)
    if mode == "move_on":
        return _move_on(data)
    return {}


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _reasons(raw: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for r in _list(raw):
        if not isinstance(r, dict):
            continue
        code = str(r.get("code", ""))
        if code in PLANNER_REASONS:
            out.append(dict(r))
        elif code == "no_feasible_unit":
            out.append(dict(NO_FEASIBLE_UNIT))
    return out


def _assignment(raw: Any) -> dict[str, Any]:
    a = _dict(raw)
    return {
        "request_id": a.get("request_id"),
        "unit_id": a.get("unit_id"),
        "resource": a.get("resource"),
        "score": None,
        "weight": None,
        "reasons": _reasons(a.get("reasons")),
    }


def _problem(raw: Any) -> dict[str, Any]:
    """An input problem keeps its code and the request it names, not the values."""
    p = _dict(raw)
    code = str(p.get("code", ""))
    if code in PLANNER_PROBLEMS:
        return {"code": code, "text_sv": p.get("text_sv", ""), "text_en": p.get("text_en", "")}
    sv, en = str(p.get("text_sv", "")), str(p.get("text_en", ""))
    prefix_sv, _, _ = sv.partition(": ")
    prefix_en, _, _ = en.partition(": ")
    named = ": " in sv and len(prefix_sv) <= 64 and " " not in prefix_sv
    return {
        "code": code,
        "text_sv": f"{prefix_sv}: {WITHHELD_PROBLEM_SV}" if named else WITHHELD_PROBLEM_SV,
        "text_en": f"{prefix_en}: {WITHHELD_PROBLEM_EN}" if named else WITHHELD_PROBLEM_EN,
    }


_PLAN_FIGURES = (
    "status",
    "placed",
    "fit",
    "wall_time_s",
    "num_variables",
    "num_pairs_feasible",
    "pruning",
    "summary_sv",
    "summary_en",
)


def _plan(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: data[k] for k in _PLAN_FIGURES if k in data}
    out["assignments"] = [_assignment(a) for a in _list(data.get("assignments"))]
    out["problems"] = [_problem(p) for p in _list(data.get("problems"))]
    return out


def _move_on(data: dict[str, Any]) -> dict[str, Any]:
    moves = []
    for raw in _list(data.get("moves")):
        m = _dict(raw)
        moves.append(
            {
                "request_id": m.get("request_id"),
                "from_unit_id": m.get("from_unit_id"),
                "to_unit_id": m.get("to_unit_id"),
                "resource": m.get("resource"),
                "frees_acute": m.get("frees_acute"),
                "score": None,
                "reasons": _reasons(m.get("reasons")),
            }
        )
    not_eligible = []
    for pair in _list(data.get("not_eligible")):
        if isinstance(pair, list) and len(pair) == 2:
            not_eligible.append([pair[0], _problem(pair[1])])
    plan = data.get("plan")
    return {
        "moves": moves,
        "not_moved": [_assignment(a) for a in _list(data.get("not_moved"))],
        "not_eligible": not_eligible,
        "freed_acute_places": data.get("freed_acute_places", 0),
        "freed_acute_family_rooms": data.get("freed_acute_family_rooms", 0),
        "plan": _plan(_dict(plan)) if isinstance(plan, dict) else None,
        "problems": [_problem(p) for p in _list(data.get("problems"))],
    }
