"""Strange and huge inputs answer 4xx with a clear message, never a server error."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from placement.clock import FrozenClock
from placement.errors import InvalidInput
from placement.models.enums import Role
from placement.personal_number import parse
from tests.conftest import ENGLISH
from tests.inventory.factories import make_unit, make_world


def _strict(app: Any) -> httpx.AsyncClient:
    # raise_app_exceptions stays on: any unhandled error fails the test loudly.
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", headers=ENGLISH
    )


async def test_huge_offset_and_far_dates_are_refused(
    client_for: Any, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world, operator_id=world.ngo, singles=2, rooms=(2,))
    rvt = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    op = await client_for(Role.operator, operator_id=world.ngo)
    r = await rvt.get("/api/inventory/units", params={"offset": 2**63})
    assert r.status_code == 422
    r = await rvt.post(
        "/api/inventory/availability",
        json={"nights": 3, "starts_at": "9999-12-30T10:00:00+00:00"},
    )
    assert r.status_code == 422 and "1900" in r.text
    r = await op.post(
        f"/api/inventory/units/{uid}/blocks",
        json={
            "starts_at": clock.now().isoformat(),
            "ends_at": "9999-12-31T00:00:00+00:00",
            "reason": "Renovering",
            "count": 1,
        },
    )
    assert r.status_code == 422
    assert (await op.get("/operator")).status_code == 200
    ok = await op.post(
        f"/api/inventory/units/{uid}/blocks",
        json={
            "starts_at": clock.now().isoformat(),
            "ends_at": (clock.now() + timedelta(days=3)).isoformat(),
            "reason": "Renovering",
            "count": 1,
        },
    )
    assert ok.status_code == 201, ok.text


async def test_export_works_for_the_whole_demo(app: Any, demo: Any, client_for: Any) -> None:
    coordinator = await client_for(Role.coordinator)
    for fmt in ("csv", "json"):
        r = await coordinator.get("/api/inventory/export", params={"format": fmt})
        assert r.status_code == 200, r.text


async def test_nul_bytes_are_refused(app: Any, client_for: Any) -> None:
    auditor = await client_for(Role.auditor)
    r = await auditor.get("/api/audit/entries", params={"username": "gran\x00skare"})
    assert r.status_code == 422
    async with _strict(app) as c:
        r = await c.post("/api/auth/login", json={"username": "a\x00b", "password": "x"})
        assert r.status_code in (401, 422)


def test_non_ascii_digits_are_not_a_personal_number() -> None:
    from datetime import date

    today = date(2026, 12, 1)
    for text in ("١٩٨٥٠٣١٥-١٢٣٤", "１９８５０３１５１２３４"):
        with pytest.raises(InvalidInput):
            parse(text, today)
