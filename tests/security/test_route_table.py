"""One table declares, for every route and every role, allow or deny; the test walks the
app's own route list, so a new route without an entry fails the suite, and then calls every
route as every role (and signed out) to check the table holds.

"Allow" means the role gets past the permission check (it may still get 404 for an object
outside its scope, or 422 for the empty input sent here); "deny" means 403, or 401 / a
redirect to the sign-in page when signed out.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import uuid
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

import api.pages
import api.routes
from placement.db import transaction
from placement.models import District, Operator
from placement.models.enums import DistrictKind, OperatorKind, Role
from tests.conftest import ClientFactory, owner_sm

RVT, JOUR, AGENCY, OPERATOR = "rvt_officer", "socialjour", "housing_agency", "operator"
COORD, AUDITOR, ADMIN, ANON = "coordinator", "auditor", "admin", "anonymous"
SIGNED_IN = frozenset({RVT, JOUR, AGENCY, OPERATOR, COORD, AUDITOR, ADMIN})
PUBLIC = SIGNED_IN | {ANON}
CASE = frozenset({RVT, JOUR})
INVENTORY_READ = frozenset({RVT, JOUR, COORD})

# method, path -> roles allowed (everyone else is denied).
TABLE: dict[tuple[str, str], frozenset[str]] = {
    # health, sign-in, self
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/logout"): PUBLIC,
    ("POST", "/api/auth/totp/enrol"): SIGNED_IN,
    ("POST", "/api/auth/totp/confirm"): SIGNED_IN,
    ("POST", "/api/auth/totp/verify"): SIGNED_IN,
    ("GET", "/api/auth/me"): SIGNED_IN,
    ("GET", "/docs"): SIGNED_IN,
    ("GET", "/openapi.json"): SIGNED_IN,
    ("GET", "/"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/login/enrol"): SIGNED_IN,
    ("POST", "/login/enrol"): SIGNED_IN,
    ("GET", "/login/verify"): SIGNED_IN,
    ("POST", "/login/verify"): SIGNED_IN,
    ("GET", "/login/oidc"): PUBLIC,
    ("GET", "/login/oidc/callback"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    # admin: users and tokens, never case data
    ("GET", "/api/admin/users"): frozenset({ADMIN}),
    ("POST", "/api/admin/users"): frozenset({ADMIN}),
    ("PATCH", "/api/admin/users/{user_id}"): frozenset({ADMIN}),
    ("POST", "/api/admin/users/{user_id}/tokens"): frozenset({ADMIN}),
    ("POST", "/api/admin/users/{user_id}/second-factor/reset"): frozenset({ADMIN}),
    ("GET", "/api/admin/tokens"): frozenset({ADMIN}),
    ("DELETE", "/api/admin/tokens/{token_id}"): frozenset({ADMIN}),
    ("GET", "/api/admin/districts/{district_id}/settings"): frozenset({ADMIN}),
    ("PUT", "/api/admin/districts/{district_id}/settings"): frozenset({ADMIN}),
    # audit log: auditors only
    ("GET", "/api/audit/entries"): frozenset({AUDITOR}),
    ("GET", "/api/audit/export.csv"): frozenset({AUDITOR}),
    ("GET", "/api/audit/review"): frozenset({AUDITOR}),
    ("GET", "/audit"): frozenset({AUDITOR}),
    ("GET", "/audit/export.csv"): frozenset({AUDITOR}),
    # cases and decisions: RVT (own district) and Socialjouren
    ("POST", "/api/cases"): CASE,
    ("GET", "/api/cases"): CASE,
    ("GET", "/api/cases/{case_id}"): CASE,
    ("PATCH", "/api/cases/{case_id}"): CASE,
    ("POST", "/api/cases/{case_id}/identity"): CASE,
    ("POST", "/api/cases/{case_id}/children"): CASE,
    ("PATCH", "/api/cases/{case_id}/children/{child_id}"): CASE,
    ("POST", "/api/cases/{case_id}/exclusion-areas"): CASE,
    ("DELETE", "/api/cases/{case_id}/exclusion-areas/{area_id}"): CASE,
    ("POST", "/api/cases/{case_id}/risk-assessments"): CASE,
    ("POST", "/api/cases/{case_id}/risk-assessments/{assessment_id}/supersede"): CASE,
    ("POST", "/api/cases/{case_id}/placement-requests"): CASE,
    ("POST", "/api/cases/{case_id}/placement-requests/{request_id}/withdraw"): CASE,
    ("POST", "/api/cases/{case_id}/decisions"): CASE,
    ("GET", "/api/cases/{case_id}/decisions"): CASE,
    # the pages' views as JSON (api/routes/views.py): the same roles as the pages
    ("GET", "/api/cases/{case_id}/view"): CASE,
    ("GET", "/api/desk"): CASE,
    ("GET", "/api/due/view"): CASE,
    ("GET", "/api/decisions/{decision_id}"): CASE,
    ("POST", "/api/decisions/{decision_id}/renew"): CASE,
    ("POST", "/api/decisions/{decision_id}/children"): CASE,
    ("POST", "/api/decisions/{decision_id}/move"): CASE,
    ("POST", "/api/decisions/{decision_id}/end"): CASE,
    ("POST", "/api/decisions/{decision_id}/court-submission"): CASE,
    ("POST", "/api/decisions/{decision_id}/court-answer"): CASE,
    ("POST", "/api/follow-ups/{follow_up_id}/done"): CASE,
    ("GET", "/api/handovers"): CASE,
    ("POST", "/api/handovers/{handover_id}/acknowledge"): CASE,
    ("GET", "/api/due"): CASE,
    ("POST", "/api/calendar/token"): CASE,
    ("DELETE", "/api/calendar/token"): CASE,
    # the feed's secret token is its credential (no session): unknown tokens get 404
    ("GET", "/api/calendar/{token}.ics"): PUBLIC,
    ("GET", "/api/inbox"): SIGNED_IN,
    ("POST", "/api/inbox/read-all"): SIGNED_IN,
    ("POST", "/api/inbox/{notification_id}/read"): SIGNED_IN,
    # inventory
    ("GET", "/api/inventory/operators"): INVENTORY_READ,
    ("POST", "/api/inventory/operators"): frozenset({COORD}),
    ("GET", "/api/inventory/operators/{operator_id}"): INVENTORY_READ,
    ("PATCH", "/api/inventory/operators/{operator_id}"): frozenset({COORD}),
    ("POST", "/api/inventory/operators/{operator_id}/retire"): frozenset({COORD}),
    ("GET", "/api/inventory/units"): INVENTORY_READ,
    ("POST", "/api/inventory/units"): frozenset({COORD}),
    ("GET", "/api/inventory/units/{unit_id}"): INVENTORY_READ,
    ("PATCH", "/api/inventory/units/{unit_id}"): frozenset({COORD}),
    ("POST", "/api/inventory/units/{unit_id}/retire"): frozenset({COORD}),
    ("GET", "/api/inventory/units/{unit_id}/places"): INVENTORY_READ,
    ("POST", "/api/inventory/units/{unit_id}/places"): frozenset({COORD}),
    ("PATCH", "/api/inventory/places/{place_id}"): frozenset({COORD}),
    ("POST", "/api/inventory/places/{place_id}/retire"): frozenset({COORD}),
    ("POST", "/api/inventory/availability"): INVENTORY_READ,
    ("GET", "/api/inventory/holds"): INVENTORY_READ,
    ("POST", "/api/inventory/holds"): CASE,
    ("POST", "/api/inventory/holds/{group_id}/extend"): CASE,
    ("POST", "/api/inventory/holds/{group_id}/confirm"): CASE,
    ("DELETE", "/api/inventory/holds/{group_id}"): CASE,
    ("POST", "/api/inventory/placements"): CASE,
    ("GET", "/api/inventory/export"): frozenset({COORD}),
    ("POST", "/api/inventory/import"): frozenset({COORD}),
    ("GET", "/api/inventory/my-units"): frozenset({OPERATOR}),
    ("POST", "/api/inventory/units/{unit_id}/vacancy-reports"): frozenset({OPERATOR}),
    ("GET", "/api/inventory/units/{unit_id}/vacancy-reports"): INVENTORY_READ | {OPERATOR},
    ("POST", "/api/inventory/units/{unit_id}/blocks"): frozenset({OPERATOR}),
    ("GET", "/api/inventory/units/{unit_id}/blocks"): INVENTORY_READ | {OPERATOR},
    ("DELETE", "/api/inventory/units/{unit_id}/blocks/{group_id}"): frozenset({OPERATOR}),
    ("GET", "/api/inventory/ivo-permits/expiring"): INVENTORY_READ,
    # the matcher: proposals for case roles (the coordinator may run them but sees no case:
    # 404); plans and their acceptance for the coordinator
    ("POST", "/api/matching/requests/{request_id}/proposals"): CASE | {COORD},
    ("POST", "/api/matching/requests/{request_id}/hold"): CASE,
    ("POST", "/api/matching/joint-plan"): frozenset({COORD}),
    ("POST", "/api/matching/move-on"): frozenset({COORD}),
    ("POST", "/api/matching/runs/{run_id}/accept/{request_id}"): frozenset({COORD}),
    ("GET", "/api/matching/runs/{run_id}"): frozenset({COORD}),
    # housing-queue priority: the handler side and the agency side
    ("GET", "/api/priority/applications"): frozenset({RVT}),
    ("POST", "/api/priority/applications"): frozenset({RVT}),
    ("GET", "/api/priority/applications/{application_id}"): frozenset({RVT}),
    ("PATCH", "/api/priority/applications/{application_id}"): frozenset({RVT}),
    ("POST", "/api/priority/applications/{application_id}/certificates"): frozenset({RVT}),
    ("POST", "/api/priority/applications/{application_id}/status"): frozenset({RVT}),
    ("POST", "/api/priority/applications/{application_id}/appeal"): frozenset({RVT}),
    ("POST", "/api/priority/applications/{application_id}/offers/{offer_id}/response"): frozenset(
        {RVT}
    ),
    ("GET", "/api/priority/applications/{application_id}/messages"): frozenset({RVT}),
    ("POST", "/api/priority/applications/{application_id}/messages"): frozenset({RVT}),
    ("GET", "/api/priority/agency/applications"): frozenset({AGENCY}),
    ("GET", "/api/priority/agency/applications/{application_id}"): frozenset({AGENCY}),
    ("POST", "/api/priority/agency/applications/{application_id}/status"): frozenset({AGENCY}),
    ("POST", "/api/priority/agency/applications/{application_id}/certificate-request"): frozenset(
        {AGENCY}
    ),
    ("POST", "/api/priority/agency/applications/{application_id}/eligibility-overrides"): frozenset(
        {AGENCY}
    ),
    ("POST", "/api/priority/agency/applications/{application_id}/committee-decision"): frozenset(
        {AGENCY}
    ),
    ("GET", "/api/priority/agency/applications/{application_id}/messages"): frozenset({AGENCY}),
    ("POST", "/api/priority/agency/applications/{application_id}/messages"): frozenset({AGENCY}),
    ("POST", "/api/priority/agency/flats"): frozenset({AGENCY}),
    ("GET", "/api/priority/agency/flats"): frozenset({AGENCY}),
    ("GET", "/api/priority/agency/flats/{flat_id}"): frozenset({AGENCY}),
    ("GET", "/api/priority/agency/flats/{flat_id}/proposals"): frozenset({AGENCY}),
    ("POST", "/api/priority/agency/flats/{flat_id}/offers"): frozenset({AGENCY}),
    ("POST", "/api/priority/agency/offers/{offer_id}/response"): frozenset({AGENCY}),
    ("POST", "/api/priority/agency/offers/{offer_id}/contract"): frozenset({AGENCY}),
    ("POST", "/api/priority/agency/offers/{offer_id}/landlord"): frozenset({AGENCY}),
    ("POST", "/api/priority/agency/applications/{application_id}/criterion"): frozenset({AGENCY}),
    ("GET", "/api/priority/committee-meetings"): frozenset({RVT, AGENCY}),
    ("POST", "/api/priority/agency/committee-meetings"): frozenset({AGENCY}),
    ("GET", "/api/priority/agency/committee-meetings/{meeting_id}/papers"): frozenset({AGENCY}),
    # pages
    ("GET", "/night"): CASE,
    ("GET", "/night/children"): CASE,
    ("POST", "/night"): CASE,
    ("GET", "/night/requests/{request_id}"): CASE,
    ("POST", "/night/requests/{request_id}/hold"): CASE,
    ("GET", "/night/holds/{group_id}"): CASE,
    ("POST", "/night/holds/{group_id}/decide"): CASE,
    ("POST", "/night/holds/{group_id}/release"): CASE,
    ("GET", "/night/holds/{group_id}/live"): CASE,
    ("POST", "/night/holds/{group_id}/phone"): CASE,
    ("POST", "/night/holds/{group_id}/extend"): CASE,
    ("GET", "/night/done/{case_id}"): CASE,
    ("GET", "/desk"): CASE,
    ("GET", "/search"): CASE,
    ("GET", "/admin"): frozenset({ADMIN}),
    ("POST", "/admin/users"): frozenset({ADMIN}),
    ("GET", "/admin/users/{user_id}"): frozenset({ADMIN}),
    ("POST", "/admin/users/{user_id}"): frozenset({ADMIN}),
    ("POST", "/admin/users/{user_id}/second-factor"): frozenset({ADMIN}),
    ("POST", "/admin/users/{user_id}/tokens"): frozenset({ADMIN}),
    ("GET", "/admin/tokens"): frozenset({ADMIN}),
    ("POST", "/admin/tokens/{token_id}/revoke"): frozenset({ADMIN}),
    ("GET", "/admin/districts"): frozenset({ADMIN}),
    ("GET", "/admin/operators"): frozenset({ADMIN}),
    ("POST", "/admin/operators/{operator_id}"): frozenset({ADMIN}),
    ("GET", "/admin/districts/{district_id}"): frozenset({ADMIN}),
    ("POST", "/admin/districts/{district_id}"): frozenset({ADMIN}),
    ("POST", "/admin/districts/{district_id}/office-hours"): frozenset({ADMIN}),
    ("POST", "/admin/districts/{district_id}/office-days"): frozenset({ADMIN}),
    ("POST", "/admin/districts/{district_id}/office-days/{day_id}/remove"): frozenset({ADMIN}),
    ("GET", "/due"): CASE,
    ("POST", "/handovers/{handover_id}/acknowledge"): CASE,
    ("GET", "/cases/{case_id}"): CASE,
    ("POST", "/cases/{case_id}/identity"): CASE,
    ("POST", "/cases/{case_id}/renew"): CASE,
    ("POST", "/cases/{case_id}/move"): CASE,
    ("POST", "/cases/{case_id}/end"): CASE,
    ("POST", "/cases/{case_id}/follow-ups/{follow_up_id}/done"): CASE,
    ("POST", "/cases/{case_id}/handovers/{handover_id}/acknowledge"): CASE,
    ("POST", "/cases/{case_id}/children/{child_id}/schooling"): CASE,
    ("POST", "/cases/{case_id}/mellanbo-referrals"): CASE,
    ("POST", "/cases/{case_id}/mellanbo-referrals/{referral_id}/answer"): CASE,
    ("GET", "/api/cases/{case_id}/mellanbo-referrals"): CASE,
    ("POST", "/api/cases/{case_id}/mellanbo-referrals"): CASE,
    ("POST", "/api/cases/{case_id}/mellanbo-referrals/{referral_id}/answer"): CASE,
    ("POST", "/cases/{case_id}/decisions/{decision_id}/court-submission"): CASE,
    ("GET", "/inbox"): SIGNED_IN,
    ("POST", "/inbox/read-all"): SIGNED_IN,
    ("POST", "/inbox/{notification_id}/read"): SIGNED_IN,
    ("GET", "/operator"): frozenset({OPERATOR}),
    ("POST", "/operator/units/{unit_id}/report"): frozenset({OPERATOR}),
    ("POST", "/operator/units/{unit_id}/block"): frozenset({OPERATOR}),
    ("POST", "/operator/units/{unit_id}/blocks/{group_id}/release"): frozenset({OPERATOR}),
    ("GET", "/operator/referrals"): frozenset({OPERATOR}),
    ("GET", "/api/referrals"): frozenset({OPERATOR}),
    ("POST", "/api/referrals/{referral_id}/accept"): frozenset({OPERATOR}),
    ("POST", "/api/referrals/{referral_id}/decline"): frozenset({OPERATOR}),
    ("GET", "/api/holds/{group_id}/referral"): CASE,
    ("POST", "/api/holds/{group_id}/referral/confirmed-by-phone"): CASE,
    ("GET", "/api/stays"): frozenset({OPERATOR}),
    ("POST", "/api/stays/{group_id}/arrival"): frozenset({OPERATOR}),
    ("POST", "/api/stays/{group_id}/did-not-come"): frozenset({OPERATOR}),
    ("POST", "/api/stays/{group_id}/safety-plan"): frozenset({OPERATOR}),
    ("POST", "/operator/referrals/{referral_id}/accept"): frozenset({OPERATOR}),
    ("POST", "/operator/referrals/{referral_id}/decline"): frozenset({OPERATOR}),
    ("POST", "/operator/stays/{group_id}/arrived"): frozenset({OPERATOR}),
    ("POST", "/operator/stays/{group_id}/did-not-come"): frozenset({OPERATOR}),
    ("POST", "/operator/stays/{group_id}/safety-plan/{moment}"): frozenset({OPERATOR}),
    ("GET", "/board"): frozenset({COORD}),
    # statistics (issue 13): the coordinator's statistics_read
    ("GET", "/statistics"): frozenset({COORD}),
    ("GET", "/statistics/committee"): frozenset({COORD}),
    ("GET", "/api/statistics/report"): frozenset({COORD}),
    ("GET", "/api/statistics/{section}"): frozenset({COORD}),
    ("GET", "/api/statistics/export.csv"): frozenset({COORD}),
    ("GET", "/api/statistics/export.xlsx"): frozenset({COORD}),
    ("POST", "/board/joint-plan"): frozenset({COORD}),
    ("POST", "/board/move-on"): frozenset({COORD}),
    ("POST", "/board/joint/{run_id}/accept/{request_id}"): frozenset({COORD}),
    ("POST", "/board/move-on/{run_id}/accept/{case_id}"): frozenset({COORD}),
    ("GET", "/priority"): frozenset({AGENCY}),
    ("GET", "/priority/{application_id}"): frozenset({AGENCY}),
    ("POST", "/priority/{application_id}/status"): frozenset({AGENCY}),
    ("POST", "/priority/{application_id}/certificate-request"): frozenset({AGENCY}),
    ("POST", "/priority/{application_id}/overrides"): frozenset({AGENCY}),
    ("POST", "/priority/{application_id}/messages"): frozenset({AGENCY}),
    ("POST", "/priority/{application_id}/criterion"): frozenset({AGENCY}),
    ("POST", "/priority/{application_id}/offers/{offer_id}/landlord"): frozenset({AGENCY}),
}

# Routes that end the caller's session run last for each role.
ENDS_SESSION = {("POST", "/api/auth/logout"), ("POST", "/logout")}


def app_routes() -> set[tuple[str, str]]:
    """Every (method, path) the app serves, read from the routers it includes."""
    found: set[tuple[str, str]] = set()
    for package in (api.routes, api.pages):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            router = getattr(module, "router", None)
            for route in getattr(router, "routes", []):
                if isinstance(route, APIRoute):
                    found |= {(m, route.path) for m in route.methods}
    return found


def test_every_route_has_an_entry_and_no_entry_is_stale() -> None:
    routes = app_routes()
    missing = sorted(routes - TABLE.keys())
    stale = sorted(TABLE.keys() - routes)
    assert missing == [], f"add these routes to TABLE: {missing}"
    assert stale == [], f"these TABLE entries have no route: {stale}"


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path).replace("{token}", "x")


def _denied(role: str, r: httpx.Response) -> bool:
    if r.status_code in (401, 403):
        return True
    # A page refused for lack of sign-in redirects with ?next=; /logout and / redirect to
    # the sign-in page by design.
    return r.status_code == 303 and r.headers.get("location", "").startswith("/login?next=")


async def _call(client: httpx.AsyncClient, method: str, path: str, csrf: str) -> httpx.Response:
    url = _concrete(path)
    if path.startswith("/api/"):
        body = {"json": {}} if method in ("POST", "PATCH") else {}
        return await client.request(method, url, **body)  # type: ignore[arg-type]
    data = {"csrf_token": csrf} if method == "POST" else None
    return await client.request(method, url, data=data)


@pytest.mark.slow
async def test_the_table_holds_for_every_role(app: Any, client_for: ClientFactory) -> None:
    async with transaction(owner_sm(app)) as s:
        district = District(
            code="tabell",
            name="Tabell",
            kind=DistrictKind.district_administration,
            municipality="Stockholm",
            lat=59.3,
            lon=18.0,
        )
        operator = Operator(name="Tabelljouren", kind=OperatorKind.civil_society)
        s.add_all([district, operator])
    clients: dict[str, httpx.AsyncClient] = {
        ANON: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t"),
        RVT: await client_for(Role.rvt_officer, district_id=district.id),
        JOUR: await client_for(Role.socialjour),
        AGENCY: await client_for(Role.housing_agency),
        OPERATOR: await client_for(Role.operator, operator_id=operator.id),
        COORD: await client_for(Role.coordinator),
        AUDITOR: await client_for(Role.auditor),
        ADMIN: await client_for(Role.admin),
    }
    csrf_re = re.compile(r'name="csrf_token" value="([^"]+)"')
    wrong: list[str] = []
    ordered = sorted(TABLE, key=lambda k: (k in ENDS_SESSION, k))
    for role, client in clients.items():
        page = await client.get("/login")
        token = csrf_re.search(page.text).group(1)  # type: ignore[union-attr]
        for method, path in ordered:
            r = await _call(client, method, path, token)
            allowed = role in TABLE[(method, path)]
            if allowed == _denied(role, r) or r.status_code >= 500:
                wrong.append(
                    f"{role} {method} {path}: {r.status_code} "
                    f"(expected {'allow' if allowed else 'deny'})"
                )
    await clients[ANON].aclose()
    assert wrong == [], "\n".join(wrong)
