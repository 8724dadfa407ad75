"""The whole priority chain through the API, shared by the end-to-end and the leak tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pyotp

from placement.clock import FrozenClock
from placement.db import transaction
from placement.models import PriorityApplication
from placement.models.enums import PriorityStatus
from placement.priority.sweeps import committee_papers_sweep
from tests.conftest import TEST_PASSWORD, TOTP_SECRETS, owner_sm
from tests.priority.conftest import World, add_case

DEBT_NOTE = "Skuld hos Kronofogden, 23 000 kr, avbetalningsplan sedan i våras"


@dataclass
class Chain:
    application_id: str
    meeting_id: str
    flat_id: str
    offer_id: str
    others: dict[str, uuid.UUID]
    reminders_created: int
    reminders_again: int
    proposals: dict[str, Any]


async def move_clock(clock: FrozenClock, at: datetime, *clients: httpx.AsyncClient) -> None:
    """Move time; sessions idle for days have expired, so everyone signs in again."""
    clock.set(at)
    for c in clients:
        name = c.headers["x-test-user"]
        r = await c.post("/api/auth/login", json={"username": name, "password": TEST_PASSWORD})
        assert r.status_code == 200, r.text
        if r.json()["second_factor"] == "verify":
            code = pyotp.TOTP(TOTP_SECRETS[name]).at(clock.now())
            r = await c.post("/api/auth/totp/verify", json={"code": code})
            assert r.status_code == 204, r.text


def ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, f"{r.request.method} {r.request.url.path}: {r.text}"
    return r.json()


async def other_households(
    app: Any, clock: FrozenClock, keyring: Any, w: World
) -> dict[str, uuid.UUID]:
    """Three more households with an active watch: one fits, one is too big, one avoids the area."""
    out: dict[str, uuid.UUID] = {}
    specs = {
        "single": (1, [], []),
        "large": (2, [2, 5, 9], []),
        "avoids": (1, [], ["skarholmen"]),
    }
    async with transaction(owner_sm(app)) as s:
        for i, (label, (adults, kids, avoid)) in enumerate(specs.items()):
            case = await add_case(s, clock, keyring, w.districts["kungsholmen"], f"RV-2026-09{i}0")
            row = PriorityApplication(
                case_id=case.id,
                status=PriorityStatus.watch_active,
                adults=adults,
                children_ages=kids,
                avoid_district_codes=avoid,
                registered_in_city_since=date(2015, 1, 1),
                able_to_live_independently=True,
                no_other_solution=True,
                consent_to_share=True,
                created_at=clock.now(),
            )
            s.add(row)
            await s.flush()
            out[label] = row.id
    return out


async def walk_chain(
    app: Any,
    clock: FrozenClock,
    keyring: Any,
    settings: Any,
    w: World,
    handler: httpx.AsyncClient,
    agency: httpx.AsyncClient,
) -> Chain:
    # 1. The handler starts the application: the household comes from the case.
    created = ok(
        await handler.post(
            "/api/priority/applications",
            json={
                "case_id": str(w.case_id),
                "registered_in_city_since": "2025-06-01",  # less than two years ago
                "able_to_live_independently": True,
                "no_other_solution": True,
                "debt_obstacle": True,
                "debt_note": DEBT_NOTE,
                "consent_to_share": False,
                "max_rent_sek": 9000,
            },
        ),
        201,
    )
    app_id = created["id"]
    assert created["status"] == "draft"
    assert created["children_ages"] == [7]
    assert created["avoid_district_codes"] == ["farsta"]
    assert created["needed_district_codes"] == ["skarholmen"]
    assert created["debt_note"] == DEBT_NOTE
    base = f"/api/priority/applications/{app_id}"
    agency_base = f"/api/priority/agency/applications/{app_id}"

    # 2. The certificate, then the application goes to the agency.
    cert = ok(
        await handler.post(
            f"{base}/certificates",
            json={
                "supports": "Strong social needs: protected housing after violence, two "
                "years in the housing chain; able to live independently."
            },
        ),
        201,
    )
    assert len(cert["certificates"]) == 1
    ok(await handler.post(f"{base}/status", json={"to_status": "submitted"}))

    # 3. The agency reviews: the two-year rule fails and is shown, not hidden.
    listed = ok(await agency.get("/api/priority/agency/applications"))
    assert [a["id"] for a in listed] == [app_id]
    seen = ok(await agency.get(agency_base))
    assert seen["debt_obstacle"] is None and seen["debt_note"] is None  # no consent
    ok(await agency.post(f"{agency_base}/status", json={"to_status": "under_review"}))
    question = ok(
        await agency.post(
            f"{agency_base}/messages", json={"body": "Has the household lived anywhere else?"}
        ),
        201,
    )
    assert question["author_role"] == "housing_agency"
    refused = await agency.post(f"{agency_base}/status", json={"to_status": "approved"})
    assert refused.status_code == 409
    assert "two years" in refused.json()["detail"]
    reviewed = ok(await agency.get(agency_base))
    two_year = next(c for c in reviewed["eligibility"] if c["code"] == "two_year_registration")
    assert two_year["result"] == "failed" and "2027-06-01" in two_year["detail"]
    # The criterion itself is met (the committee route needs that too); the two years fail.
    await assess_criterion(agency, app_id)
    rejected = ok(
        await agency.post(
            f"{agency_base}/status",
            json={"to_status": "rejected", "reason": "Not registered in the city for two years."},
        )
    )
    assert rejected["status"] == "rejected"

    # 4. The handler reads the agency's question and appeals to the next committee meeting.
    msgs = ok(await handler.get(f"{base}/messages"))
    assert [m["body"] for m in msgs] == ["Has the household lived anywhere else?"]
    ok(
        await handler.post(f"{base}/messages", json={"body": "No, only in Stockholm since 2025."}),
        201,
    )
    meeting = ok(
        await agency.post(
            "/api/priority/agency/committee-meetings", json={"meets_on": "2026-12-10"}
        ),
        201,
    )
    assert meeting["papers_due_on"] == "2026-12-03"
    appealed = ok(
        await handler.post(
            f"{base}/appeal",
            json={"grounds": "Lived in the city on a sublet before registering; see lease."},
        ),
        201,
    )
    assert appealed["status"] == "appealed"
    assert appealed["appeals"][0]["meets_on"] == "2026-12-10"
    ok(await agency.get(f"/api/priority/agency/committee-meetings/{meeting['id']}/papers"))

    # 5. Reminders before the papers are due: none yet, then one each for agency and handler.
    async def sweep() -> int:
        async with transaction(owner_sm(app)) as s:
            return await committee_papers_sweep(s, clock, settings)

    assert await sweep() == 0
    await move_clock(clock, datetime(2026, 12, 1, 8, 0, tzinfo=UTC), handler, agency)
    created_now = await sweep()
    again = await sweep()

    # 6. The committee approves (on the meeting day, not before); the watch starts.
    early = await agency.post(
        f"{agency_base}/committee-decision", json={"outcome": "approved", "reason": "Sublet"}
    )
    assert early.status_code == 409
    await move_clock(clock, datetime(2026, 12, 10, 15, 0, tzinfo=UTC), handler, agency)
    decided = ok(
        await agency.post(
            f"{agency_base}/committee-decision",
            json={"outcome": "approved", "reason": "Lived in the city on a sublet since 2023."},
        )
    )
    assert decided["status"] == "decided_by_committee"
    assert decided["appeals"][0]["outcome"] == "approved"
    watched = ok(await agency.post(f"{agency_base}/status", json={"to_status": "watch_active"}))
    assert watched["status"] == "watch_active"

    # 7. A watched flat comes in; the matcher proposes this household among others.
    others = await other_households(app, clock, keyring, w)
    flat = ok(
        await agency.post(
            "/api/priority/agency/flats",
            json={
                "reference": "BF-2026-1187",
                "district_code": "skarholmen",
                "rooms": 2,
                "size_sqm": 54,
                "rent_sek": 7900,
                "landlord": "Svenska Bostäder",
                "available_from": "2027-01-01",
            },
        ),
        201,
    )
    proposals = ok(await agency.get(f"/api/priority/agency/flats/{flat['id']}/proposals"))

    # 8. The agency offers the flat, the household accepts; then the landlord and the contract.
    offered = ok(
        await agency.post(
            f"/api/priority/agency/flats/{flat['id']}/offers", json={"application_id": app_id}
        ),
        201,
    )
    assert offered["status"] == "flat_offered"
    offer_id = offered["offers"][0]["id"]
    accepted = ok(
        await agency.post(
            f"/api/priority/agency/offers/{offer_id}/response", json={"accepted": True}
        )
    )
    assert accepted["status"] == "offer_accepted"
    # 9. The landlord approves the household as tenant (asked, then approved).
    landlord = f"/api/priority/agency/offers/{offer_id}/landlord"
    ok(await agency.post(landlord, json={"answer": "asked"}))
    approved = ok(await agency.post(landlord, json={"answer": "approved"}))
    assert approved["offers"][0]["landlord_answer"] == "approved"
    signed = ok(
        await agency.post(
            f"/api/priority/agency/offers/{offer_id}/contract", json={"signed_on": "2026-12-10"}
        )
    )
    assert signed["status"] == "contract_signed"
    assert signed["offers"][0]["contract_signed_on"] == "2026-12-10"
    return Chain(
        application_id=app_id,
        meeting_id=meeting["id"],
        flat_id=flat["id"],
        offer_id=offer_id,
        others=others,
        reminders_created=created_now,
        reminders_again=again,
        proposals=proposals,
    )


async def start_application(
    handler: httpx.AsyncClient,
    case_id: uuid.UUID,
    *,
    certificate: bool = True,
    submit: bool = True,
    **fields: Any,
) -> dict[str, Any]:
    """A handler's application, optionally with a certificate and submitted."""
    body: dict[str, Any] = {
        "case_id": str(case_id),
        "registered_in_city_since": "2020-01-01",
        "able_to_live_independently": True,
        "no_other_solution": True,
        **fields,
    }
    created = ok(await handler.post("/api/priority/applications", json=body), 201)
    base = f"/api/priority/applications/{created['id']}"
    if certificate:
        created = ok(
            await handler.post(
                f"{base}/certificates", json={"supports": "Strong social needs after violence."}
            ),
            201,
        )
    if submit:
        created = ok(await handler.post(f"{base}/status", json={"to_status": "submitted"}))
    return dict(created)


async def watched_household(
    app: Any,
    clock: FrozenClock,
    keyring: Any,
    district_id: uuid.UUID,
    number: str,
    **fields: Any,
) -> uuid.UUID:
    """An approved household with an active watch, written directly (not under test here)."""
    async with transaction(owner_sm(app)) as s:
        case = await add_case(s, clock, keyring, district_id, number)
        row = PriorityApplication(
            case_id=case.id,
            status=PriorityStatus.watch_active,
            registered_in_city_since=date(2015, 1, 1),
            able_to_live_independently=True,
            no_other_solution=True,
            created_at=clock.now(),
            **fields,
        )
        s.add(row)
        await s.flush()
        return row.id


async def add_flat(
    agency: httpx.AsyncClient, district_code: str, rooms: int, **fields: Any
) -> dict[str, Any]:
    body = {
        "reference": f"BF-{uuid.uuid4().hex[:8]}",
        "district_code": district_code,
        "rooms": rooms,
        "size_sqm": 30 + 20 * rooms,
        "rent_sek": 6000 + 1500 * rooms,
        "landlord": "Familjebostäder",
        "available_from": "2027-02-01",
        **fields,
    }
    return dict(ok(await agency.post("/api/priority/agency/flats", json=body), 201))


async def assess_criterion(
    agency: httpx.AsyncClient, application_id: str, *, met: bool = True, reason: str | None = None
) -> dict[str, Any]:
    """The agency's assessment of the priority criterion (needed as met before approval)."""
    body = {"met": met, "reason": reason or "Starka sociala behov enligt intyget."}
    return dict(
        ok(
            await agency.post(
                f"/api/priority/agency/applications/{application_id}/criterion", json=body
            ),
            201,
        )
    )
