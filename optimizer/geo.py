"""Distances between district points (great-circle, km)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

from optimizer.problem import DistrictInfo

FloatArray = npt.NDArray[np.float64]

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
    reused for every household of a call (the joint plan has thousands of households).

    Rows are numpy arrays in the order of `ids`; `nearest` (a dict) and `nearest_array` give
    the very same floats, so the vectorised options and the explanations agree to the point."""

    def __init__(self, districts: Mapping[str, DistrictInfo]) -> None:
        self.ids: list[str] = list(districts)
        self.position = {did: i for i, did in enumerate(self.ids)}
        lat = np.radians(np.array([districts[d].lat for d in self.ids], dtype=np.float64))
        lon = np.radians(np.array([districts[d].lon for d in self.ids], dtype=np.float64))
        self._lat, self._lon, self._cos = lat, lon, np.cos(lat)
        self._rows: dict[str, FloatArray] = {}
        self._nearest: dict[frozenset[str], FloatArray | None] = {}
        self._dicts: dict[frozenset[str], dict[str, float]] = {}

    def _row(self, target: str) -> FloatArray | None:
        row = self._rows.get(target)
        if row is None:
            i = self.position.get(target)
            if i is None:
                return None
            a = (
                np.sin((self._lat - self._lat[i]) / 2) ** 2
                + self._cos[i] * self._cos * np.sin((self._lon - self._lon[i]) / 2) ** 2
            )
            row = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
            self._rows[target] = row
        return row

    def nearest_array(self, targets: Iterable[str]) -> FloatArray | None:
        """Per district (in `ids` order), km to the nearest known target; None if none is
        known."""
        key = frozenset(targets)
        if key in self._nearest:
            return self._nearest[key]
        rows = [r for t in sorted(key) if (r := self._row(t)) is not None]
        out = None if not rows else rows[0] if len(rows) == 1 else np.minimum.reduce(rows)
        self._nearest[key] = out
        return out

    def nearest(self, targets: Iterable[str]) -> dict[str, float]:
        """For every known district, km to the nearest known target ({} if none is known)."""
        key = frozenset(targets)
        out = self._dicts.get(key)
        if out is None:
            arr = self.nearest_array(key)
            out = {} if arr is None else dict(zip(self.ids, arr.tolist(), strict=True))
            self._dicts[key] = out
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
