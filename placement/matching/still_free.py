"""Are a plan's proposals still possible? A joint plan and a move-on plan are each computed
on their own, at a moment; holds made since (by anyone, or by accepting the other plan) may
take the places a proposal counts on. Each proposal is judged against the places free now,
and the proposals still open are judged against each other: two that both need the last
free place cannot both be accepted."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from optimizer.problem import RESOURCE_FAMILY_ROOM
from placement.inventory.capacity import capacity_by_unit, free_now_window


class Verdict(StrEnum):
    free = "free"  # the places are still free for it
    taken = "taken"  # not enough is free any more: the plan must be made again
    shared = "shared"  # free, but another open proposal needs the same places


@dataclass(frozen=True, slots=True)
class Wanted:
    unit_id: uuid.UUID
    kind: str  # "places" or "family_room" (optimizer.problem)
    persons: int


def _fits(kind: str, persons: int, places: int, rooms: list[int]) -> bool:
    if kind == RESOURCE_FAMILY_ROOM:
        return any(r >= persons for r in rooms)
    return places >= persons


def _take(kind: str, persons: int, places: int, rooms: list[int]) -> tuple[int, list[int]]:
    if kind == RESOURCE_FAMILY_ROOM:
        smallest = min(r for r in rooms if r >= persons)
        left = list(rooms)
        left.remove(smallest)
        return places, left
    return places - persons, rooms


async def judge(session: AsyncSession, now: datetime, wanted: Sequence[Wanted]) -> list[Verdict]:
    """One verdict per proposal, in order, for the coming night (as the board counts)."""
    start, end = free_now_window(now)
    caps = await capacity_by_unit(session, {w.unit_id for w in wanted}, start, end, now)
    alone = [
        _fits(
            w.kind, w.persons, caps[w.unit_id].free_places, list(caps[w.unit_id].free_family_rooms)
        )
        for w in wanted
    ]
    verdicts = [Verdict.free if ok else Verdict.taken for ok in alone]
    by_unit: dict[uuid.UUID, list[int]] = {}
    for i, w in enumerate(wanted):
        if alone[i]:
            by_unit.setdefault(w.unit_id, []).append(i)
    for unit_id, indexes in by_unit.items():
        places = caps[unit_id].free_places
        rooms = list(caps[unit_id].free_family_rooms)
        together = True
        # Largest households first, the way the places would best be shared out.
        for i in sorted(indexes, key=lambda j: -wanted[j].persons):
            w = wanted[i]
            if not _fits(w.kind, w.persons, places, rooms):
                together = False
                break
            places, rooms = _take(w.kind, w.persons, places, rooms)
        if not together:
            for i in indexes:
                verdicts[i] = Verdict.shared
    return verdicts
