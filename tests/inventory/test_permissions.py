"""Every inventory endpoint refuses the signed-out (401) and a role without the permission (403),
before it looks at the request body or the database."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi.routing import APIRoute

from placement.models.enums import Role
from tests.inventory.factories import make_world

ClientFor = Any
X = str(uuid.uuid4())

# (method, path, a role that lacks the permission)
ENDPOINTS: list[tuple[str, str, Role]] = [
    ("GET", "/api/inventory/operators", Role.operator),
    ("POST", "/api/inventory/operators", Role.rvt_officer),
    ("GET", f"/api/inventory/operators/{X}", Role.housing_agency),
    ("PATCH", f"/api/inventory/operators/{X}", Role.socialjour),
    ("POST", f"/api/inventory/operators/{X}/retire", Role.rvt_officer),
    ("GET", "/api/inventory/units", Role.operator),
    ("POST", "/api/inventory/units", Role.socialjour),
    ("GET", f"/api/inventory/units/{X}", Role.auditor),
    ("PATCH", f"/api/inventory/units/{X}", Role.rvt_officer),
    ("POST", f"/api/inventory/units/{X}/retire", Role.socialjour),
    ("GET", f"/api/inventory/units/{X}/places", Role.operator),
    ("POST", f"/api/inventory/units/{X}/places", Role.rvt_officer),
    ("PATCH", f"/api/inventory/places/{X}", Role.rvt_officer),
    ("POST", f"/api/inventory/places/{X}/retire", Role.socialjour),
    ("POST", "/api/inventory/availability", Role.operator),
    ("GET", "/api/inventory/holds", Role.housing_agency),
    ("POST", "/api/inventory/holds", Role.coordinator),
    ("POST", f"/api/inventory/holds/{X}/extend", Role.coordinator),
    ("POST", f"/api/inventory/holds/{X}/confirm", Role.operator),
    ("DELETE", f"/api/inventory/holds/{X}", Role.coordinator),
    ("POST", "/api/inventory/placements", Role.coordinator),
    ("GET", "/api/inventory/my-units", Role.coordinator),
    ("POST", f"/api/inventory/units/{X}/vacancy-reports", Role.rvt_officer),
    ("POST", f"/api/inventory/units/{X}/blocks", Role.coordinator),
    ("DELETE", f"/api/inventory/units/{X}/blocks/{X}", Role.socialjour),
    ("GET", "/api/inventory/ivo-permits/expiring", Role.operator),
    ("GET", "/api/inventory/export", Role.rvt_officer),
    ("POST", "/api/inventory/import", Role.socialjour),
]
# Open to inventory readers and to the owning operator: checked per unit (see vacancy tests).
PER_UNIT = {
    ("GET", "/api/inventory/units/{unit_id}/vacancy-reports"),
    ("GET", "/api/inventory/units/{unit_id}/blocks"),
}


def test_the_list_covers_every_inventory_route(app: Any) -> None:
    listed = {(m, p.replace(X, "{id}")) for m, p, _ in ENDPOINTS}
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.path.startswith("/api/inventory"):
            continue
        for method in route.methods:
            if (method, route.path) in PER_UNIT:
                continue
            generic = route.path
            for name in ("operator_id", "unit_id", "place_id", "group_id"):
                generic = generic.replace("{" + name + "}", "{id}")
            assert (method, generic) in listed, (method, route.path)


async def test_refused_without_sign_in_or_permission(
    client_for: ClientFor, sessionmaker: Any, anon_client: httpx.AsyncClient
) -> None:
    world = await make_world(sessionmaker)
    clients: dict[Role, httpx.AsyncClient] = {}
    for role in {r for _, _, r in ENDPOINTS}:
        clients[role] = await client_for(
            role,
            district_id=world.sodermalm if role == Role.rvt_officer else None,
            operator_id=world.city if role == Role.operator else None,
        )
    for method, path, role in ENDPOINTS:
        r = await anon_client.request(method, path, json={})
        assert r.status_code == 401, (method, path, r.status_code)
        r = await clients[role].request(method, path, json={})
        assert r.status_code == 403, (method, path, role, r.status_code, r.text)
        assert r.json()["detail"] == "Your role does not give access to this."


async def test_unknown_ids_are_404(client_for: ClientFor, sessionmaker: Any) -> None:
    await make_world(sessionmaker)
    coord = await client_for(Role.coordinator)
    for path in (f"/api/inventory/units/{X}", f"/api/inventory/operators/{X}"):
        r = await coord.get(path)
        assert r.status_code == 404 and r.json()["detail"].startswith("No such")
    r = await coord.patch(f"/api/inventory/places/{X}", json={"label": "A"})
    assert r.status_code == 404
