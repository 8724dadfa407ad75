"""Every priority endpoint refuses roles without the permission (403) and, for the handler's
side, answers 404 to RVT officers of another district, as if the application did not exist."""

from __future__ import annotations

from typing import Any

from placement.clock import FrozenClock
from placement.crypto import Keyring
from placement.models.enums import Role
from tests.priority.conftest import World
from tests.priority.flow import add_flat, ok, start_application, watched_household
from tests.priority.routes import priority_routes, template_of


async def test_every_endpoint_checks_role_and_district(
    app: Any,
    anon_client: Any,
    clock: FrozenClock,
    keyring: Keyring,
    world: World,
    sign_in: Any,
) -> None:
    handler = await sign_in(Role.rvt_officer, world.districts["sodermalm"])
    stranger = await sign_in(Role.rvt_officer, world.districts["kungsholmen"])
    agency = await sign_in(Role.housing_agency)
    coordinator = await sign_in(Role.coordinator)

    a = (await start_application(handler, world.case_id))["id"]
    meeting = ok(
        await agency.post(
            "/api/priority/agency/committee-meetings", json={"meets_on": "2027-01-14"}
        ),
        201,
    )["id"]
    w = await watched_household(app, clock, keyring, world.districts["sodermalm"], "RV-2026-0700")
    flat = (await add_flat(agency, "hagersten", 2))["id"]
    offered = ok(
        await agency.post(
            f"/api/priority/agency/flats/{flat}/offers", json={"application_id": str(w)}
        ),
        201,
    )
    offer = offered["offers"][0]["id"]

    h = "/api/priority/applications"
    g = "/api/priority/agency"
    handler_side: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", h, None),
        ("POST", h, {"case_id": str(world.case_id)}),
        ("GET", f"{h}/{a}", None),
        ("PATCH", f"{h}/{a}", {"max_rent_sek": 8000}),
        ("POST", f"{h}/{a}/certificates", {"supports": "Strong social needs, see file."}),
        ("POST", f"{h}/{a}/status", {"to_status": "closed", "reason": "Withdrawn."}),
        ("POST", f"{h}/{a}/appeal", {"grounds": "The two-year rule was misread."}),
        ("POST", f"{h}/{w}/offers/{offer}/response", {"accepted": True}),
        ("GET", f"{h}/{a}/messages", None),
        ("POST", f"{h}/{a}/messages", {"body": "Hello"}),
    ]
    agency_side: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", f"{g}/applications", None),
        ("GET", f"{g}/applications/{a}", None),
        ("POST", f"{g}/applications/{a}/status", {"to_status": "under_review"}),
        ("POST", f"{g}/applications/{a}/certificate-request", {"reason": "Please add more."}),
        (
            "POST",
            f"{g}/applications/{a}/eligibility-overrides",
            {"check": "two_year_registration", "reason": "Checked with the tax agency."},
        ),
        ("POST", f"{g}/applications/{a}/criterion", {"met": True, "reason": "Strong needs."}),
        (
            "POST",
            f"{g}/applications/{a}/committee-decision",
            {"outcome": "approved", "reason": "Sublet."},
        ),
        ("GET", f"{g}/applications/{a}/messages", None),
        ("POST", f"{g}/applications/{a}/messages", {"body": "Hello"}),
        ("POST", f"{g}/flats", {"reference": "X"}),
        ("GET", f"{g}/flats", None),
        ("GET", f"{g}/flats/{flat}", None),
        ("GET", f"{g}/flats/{flat}/proposals", None),
        ("POST", f"{g}/flats/{flat}/offers", {"application_id": a}),
        ("POST", f"{g}/offers/{offer}/response", {"accepted": True}),
        ("POST", f"{g}/offers/{offer}/landlord", {"answer": "asked"}),
        ("POST", f"{g}/offers/{offer}/contract", {"signed_on": "2026-11-24"}),
        ("POST", f"{g}/committee-meetings", {"meets_on": "2027-02-11"}),
        ("GET", f"{g}/committee-meetings/{meeting}/papers", None),
    ]
    shared: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/api/priority/committee-meetings", None),
    ]
    everything = handler_side + agency_side + shared
    covered = {(m, template_of(app, m, p)) for m, p, _ in everything}
    routes = {(m, r.path) for r in priority_routes(app) for m in r.methods}
    assert covered == routes

    async def call(client: Any, method: str, path: str, body: Any) -> Any:
        return await client.request(method, path, json=body)

    for method, path, body in everything:
        assert (await call(anon_client, method, path, body)).status_code == 401, path
        r = await call(coordinator, method, path, body)
        assert r.status_code == 403, (method, path, r.text)
        assert r.json() == {"detail": "Your role does not give access to this."}

    for method, path, body in handler_side:
        r = await call(agency, method, path, body)
        assert r.status_code == 403, (method, path, r.text)
        r = await call(stranger, method, path, body)
        if path == h and method == "GET":
            assert r.status_code == 200 and r.json() == []  # nothing from another district
            continue
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["detail"] in (
            "No such priority application.",
            "No such case.",
            "No such offer.",
        )

    for method, path, body in agency_side:
        for rvt in (handler, stranger):
            r = await call(rvt, method, path, body)
            assert r.status_code == 403, (method, path, r.text)

    for client in (handler, stranger, agency):
        assert (await client.get("/api/priority/committee-meetings")).status_code == 200

    # None of the refused calls changed anything.
    seen = ok(await handler.get(f"{h}/{a}"))
    assert seen["status"] == "submitted" and seen["max_rent_sek"] is None
    assert ok(await handler.get(f"{h}/{a}/messages")) == []
