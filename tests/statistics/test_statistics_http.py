"""The statistics through the HTTP layer on the demo city: every answer, page and export
holds no count below the small-cell limit and nothing that points at a case; who may see
it; bad filters give a clear answer."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from sqlalchemy import text

from placement.db import transaction
from placement.models.enums import Role
from tests.conftest import owner_sm

COUNT_KEYS = {
    "part", "whole", "count", "granted", "placements", "requests", "no_unit_fitted",
    "waited_too_long", "never_placed", "households", "nights",
}  # fmt: skip
ADDRESSES = [
    "/api/statistics/report",
    "/api/statistics/goals",
    "/api/statistics/districts?risk=high",
    "/api/statistics/districts?household=with_children",
    "/api/statistics/cost",
    "/api/statistics/unmet",
    "/api/statistics/reporting",
    "/api/statistics/report?district=sodermalm",
    "/api/statistics/report?start=2026-01-01&end=2026-02-01",
]


def _counts(node: Any, key: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        if set(node) == {"value", "display", "hidden"}:
            if key in COUNT_KEYS or key.startswith("rule:"):
                out.append((key, node["value"]))
            return out
        for k, v in node.items():
            out.extend(_counts(v, f"rule:{k}" if key == "by_rule" else k))
    elif isinstance(node, list):
        for v in node:
            out.extend(_counts(v, key))
    return out


async def _secrets(app: Any) -> list[str]:
    async with transaction(owner_sm(app)) as s:
        rows = await s.execute(text('SELECT id::text, case_number, person_link FROM "case"'))
        values = [v for r in rows for v in r if v]
        people = (await s.execute(text("SELECT id::text FROM person"))).scalars().all()
    assert len(values) > 100
    return values + list(people)


def _xlsx_text(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        return "\n".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))


async def test_no_small_cell_and_nothing_identifying_anywhere(
    app: Any, demo: dict[str, int], client_for: Any
) -> None:
    c = await client_for(Role.coordinator)
    secrets = await _secrets(app)
    seen_counts = 0
    bodies: list[str] = []
    for address in ADDRESSES:
        r = await c.get(address)
        assert r.status_code == 200, (address, r.text)
        counts = _counts(r.json())
        seen_counts += len(counts)
        small = [(k, v) for k, v in counts if v is not None and v < 5]
        assert small == [], (address, small)
        bodies.append(r.text)
    assert seen_counts > 200  # the walk found the figures
    full = (await c.get("/api/statistics/report")).json()
    shown = [v for _, v in _counts(full) if v is not None]
    assert shown and min(shown) >= 5  # and some are shown: the demo makes them non-trivial
    for page in ("/statistics", "/statistics/committee", "/statistics?district=farsta&risk=high"):
        r = await c.get(page)
        assert r.status_code == 200
        assert "/cases/" not in r.text  # no figure links to a case
        bodies.append(r.text)
    csv = await c.get("/api/statistics/export.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    xlsx = await c.get("/api/statistics/export.xlsx")
    assert xlsx.status_code == 200
    bodies += [csv.text, _xlsx_text(xlsx.content)]
    for body in bodies:
        for secret in secrets:
            assert secret not in body
    # In the exports every number in a count column is at least 5 or written "< 5".
    for line in csv.text.splitlines():
        for cell in line.split(";"):
            if re.fullmatch(r"[0-4]", cell):
                raise AssertionError(f"a small count in the CSV: {line}")


async def test_goal_values_are_non_trivial_in_the_demo(
    app: Any, demo: dict[str, int], client_for: Any
) -> None:
    c = await client_for(Role.coordinator)
    report = (await c.get("/api/statistics/report")).json()
    goals = {g["key"]: g for g in report["goals"]}
    assert goals["secure_housing"]["current"]["share"]["value"] is not None
    assert goals["schooling"]["current"]["share"]["value"] is not None
    assert goals["reactualised"]["current"]["whole"]["value"] is not None
    assert goals["mellanbo_referrals"]["current"]["count"]["value"] is not None
    assert any(r["code"] == "1213" for r in report["reporting"]["rows"])
    assert report["cost"]["total"]["value"] > 0


async def test_only_statistics_readers(app: Any, demo: dict[str, int], client_for: Any,
                                       anon_client: Any) -> None:  # fmt: skip
    async with transaction(owner_sm(app)) as s:
        district_id = (await s.execute(text("SELECT id FROM district LIMIT 1"))).scalar_one()
    rvt = await client_for(Role.rvt_officer, district_id=district_id)
    assert (await rvt.get("/api/statistics/report")).status_code == 403
    assert (await rvt.get("/statistics")).status_code == 403
    assert (await anon_client.get("/api/statistics/report")).status_code == 401


async def test_bad_filters_are_answered_clearly(
    app: Any, demo: dict[str, int], client_for: Any
) -> None:
    c = await client_for(Role.coordinator)
    r = await c.get("/api/statistics/report?start=2026-05-01&end=2026-04-01")
    assert r.status_code in (400, 422) and "end after it starts" in r.text
    r = await c.get("/api/statistics/report?district=nowhere")
    assert r.status_code in (400, 422) and "Unknown district" in r.text
    r = await c.get("/api/statistics/report?risk=extreme")
    assert r.status_code in (400, 422)
    page = await c.get("/statistics?start=2026-13-01&lang=en")
    assert page.status_code == 200 and "YYYY-MM-DD" in page.text
