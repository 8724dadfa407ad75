"""Every route the housing agency can reach, pages included, with real ids from the demo
city: no shelter address, unit, placement or risk detail in any response or error body."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from sqlmodel import col, select

from placement.auth.scope import system_scope
from placement.crypto import Keyring
from placement.db import transaction
from placement.models import PriorityApplication, PriorityCommitteeMeeting, Unit
from placement.models.enums import PriorityStatus, Role
from tests.conftest import ClientFactory, owner_sm
from tests.security.test_route_table import AGENCY, TABLE

FORBIDDEN_KEYS = {
    "unit_id",
    "unit_name",
    "address",
    "address_ciphertext",
    "risk_level",
    "risk_assessments",
    "booking_group_id",
    "decisions",
    "place_labels",
}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


async def test_agency_responses_hold_no_shelter_or_risk_data(
    app: Any, demo: dict[str, int], client_for: ClientFactory, keyring: Keyring
) -> None:
    async with transaction(owner_sm(app)) as s:
        await system_scope(s)
        units = (await s.execute(select(Unit))).scalars().all()
        names = [u.name for u in units]
        addresses = [
            keyring.decrypt(v, associated="unit_address")
            for v in (await s.execute(select(Unit.address_ciphertext))).scalars()
            if v
        ]
        application = (
            (
                await s.execute(
                    select(PriorityApplication.id).where(
                        col(PriorityApplication.status) != PriorityStatus.draft
                    )
                )
            )
            .scalars()
            .first()
        )
        meeting = (await s.execute(select(PriorityCommitteeMeeting.id))).scalars().first()
    agency = await client_for(Role.housing_agency)
    token = re.search(r'name="csrf_token" value="([^"]+)"', (await agency.get("/login")).text)
    assert token and application and meeting
    ids = {"application_id": str(application), "meeting_id": str(meeting)}
    bodies: list[str] = []
    reached = 0
    for (method, path), roles in sorted(TABLE.items()):
        if AGENCY not in roles or "logout" in path:
            continue
        if path in ("/openapi.json", "/docs"):
            # The API description names fields and enum values (e.g. "address",
            # "protected_shelter") but holds no data: one static document for every
            # signed-in user. Check it holds no demo unit name or address, then move on.
            r = await agency.get(path)
            assert r.status_code == 200
            assert [v for v in names + addresses if v in r.text] == []
            continue
        url = re.sub(r"\{([^}]+)\}", lambda m: ids.get(m.group(1), str(uuid.uuid4())), path)
        if path.startswith("/api/"):
            kwargs: dict[str, Any] = {"json": {}} if method in ("POST", "PATCH") else {}
        else:
            kwargs = {"data": {"csrf_token": token.group(1)}} if method == "POST" else {}
        r = await agency.request(method, url, **kwargs)
        assert r.status_code < 500, (method, path, r.status_code)
        reached += 1
        bodies.append(r.text)
        if r.headers.get("content-type", "").startswith("application/json"):
            assert not (_keys(r.json()) & FORBIDDEN_KEYS), (method, path)
    assert reached > 30
    everything = "\n".join(bodies)
    assert "RV-" in everything  # the agency does see the applications (by pseudonym)...
    leaked = [v for v in names + addresses if v in everything]
    assert leaked == []  # ...but never a shelter, its address, or where anyone is placed
    assert "protected_shelter" not in everything and "Skyddat boende" not in everything
    assert json.dumps("risk") not in everything
