"""Distances between district points (great-circle, km)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from optimizer.problem import DistrictInfo

EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


class DistanceTable:
    """Distances from target districts to every district, computed once per target and
    reused for every household of a call (the joint plan has thousands of households)."""

    def __init__(self, districts: Mapping[str, DistrictInfo]) -> None:
        self._points = {
            did: (math.radians(d.lat), math.radians(d.lon), math.cos(math.radians(d.lat)))
            for did, d in districts.items()
        }
        self._rows: dict[str, dict[str, float]] = {}
        self._nearest: dict[frozenset[str], dict[str, float]] = {}

    def _row(self, target: str) -> dict[str, float] | None:
        row = self._rows.get(target)
        if row is None:
            p = self._points.get(target)
            if p is None:
                return None
            lat1, lon1, cos1 = p
            sin, asin, sqrt = math.sin, math.asin, math.sqrt
            row = {}
            for did, (lat2, lon2, cos2) in self._points.items():
                a = sin((lat2 - lat1) / 2) ** 2 + cos1 * cos2 * sin((lon2 - lon1) / 2) ** 2
                row[did] = 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(a)))
            self._rows[target] = row
        return row

    def nearest(self, targets: Iterable[str]) -> dict[str, float]:
        """For every known district, km to the nearest known target ({} if none is known)."""
        key = frozenset(targets)
        out = self._nearest.get(key)
        if out is None:
            rows = [r for t in sorted(key) if (r := self._row(t)) is not None]
            if not rows:
                out = {}
            elif len(rows) == 1:
                out = rows[0]
            else:
                out = {did: min(r[did] for r in rows) for did in rows[0]}
            self._nearest[key] = out
        return out


def nearest_km(districts: Mapping[str, DistrictInfo], targets: Iterable[str]) -> dict[str, float]:
    """One-off version of `DistanceTable.nearest`."""
    return DistanceTable(districts).nearest(targets)


def neighbours_of(districts: Mapping[str, DistrictInfo], ids: Iterable[str]) -> frozenset[str]:
    """Districts next to any of `ids` (either side may list the other), excluding `ids`."""
    ids = frozenset(ids)
    near: set[str] = set()
    for did in ids:
        d = districts.get(did)
        if d is not None:
            near |= d.neighbours
    for did, d in districts.items():
        if d.neighbours & ids:
            near.add(did)
    return frozenset(near - ids)
