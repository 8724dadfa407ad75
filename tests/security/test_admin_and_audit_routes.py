"""Admin and auditor routes through HTTP."""

from __future__ import annotations

from typing import Any

from placement.models.enums import Role
from tests.conftest import ClientFactory


async def test_admin_manages_users_and_revocation_is_immediate(
    client_for: ClientFactory, app: Any
) -> None:
    admin = await client_for(Role.admin)
    r = await admin.post(
        "/api/admin/users",
        json={
            "username": "ny.samordnare",
            "display_name": "Ny",
            "password": "long enough password",
            "role": "coordinator",
        },
    )
    assert r.status_code == 201, r.text
    user_id = r.json()["id"]
    bad = await admin.post(
        "/api/admin/users",
        json={"username": "x.y", "display_name": "X", "password": "short", "role": "coordinator"},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "password"
    rvt_without_district = await admin.patch(
        f"/api/admin/users/{user_id}", json={"role": "rvt_officer"}
    )
    assert rvt_without_district.status_code == 422
    coordinator = await client_for(Role.coordinator, username="co.live")
    users = (await admin.get("/api/admin/users")).json()
    co_id = next(u["id"] for u in users if u["username"] == "co.live")
    assert (await coordinator.get("/api/auth/me")).status_code == 200
    r = await admin.patch(f"/api/admin/users/{co_id}", json={"is_active": False})
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert (await coordinator.get("/api/auth/me")).status_code == 401


async def test_admin_routes_refuse_other_roles(client_for: ClientFactory) -> None:
    auditor = await client_for(Role.auditor)
    assert (await auditor.get("/api/admin/users")).status_code == 403


async def test_operator_tokens(client_for: ClientFactory, app: Any) -> None:
    import uuid

    from placement.db import transaction
    from placement.models import Operator
    from placement.models.enums import OperatorKind

    async with transaction(app.state.sessionmaker) as s:
        op = Operator(name=f"Op {uuid.uuid4().hex[:4]}", kind=OperatorKind.civil_society)
        s.add(op)
    admin = await client_for(Role.admin)
    r = await admin.post(
        "/api/admin/users",
        json={
            "username": "jour.api",
            "display_name": "Jour",
            "password": "long enough password",
            "role": "operator",
            "operator_id": str(op.id),
        },
    )
    uid = r.json()["id"]
    r = await admin.post(f"/api/admin/users/{uid}/tokens", json={"name": "vakansflöde"})
    assert r.status_code == 201
    token, token_id = r.json()["token"], r.json()["id"]
    listed = (await admin.get("/api/admin/tokens")).json()
    assert all("token" not in t for t in listed)  # never shown again
    anon = admin  # reuse transport; the bearer header decides
    me = await anon.get("/api/auth/me", headers={"authorization": f"Bearer {token}"})
    assert me.json()["role"] == "operator"
    assert (await admin.delete(f"/api/admin/tokens/{token_id}")).status_code == 204
    revoked = await anon.get("/api/auth/me", headers={"authorization": f"Bearer {token}"})
    assert revoked.status_code == 401  # a bearer header never falls back to the cookie


async def test_auditor_search_export_review(client_for: ClientFactory, app: Any) -> None:
    auditor = await client_for(Role.auditor, username="granskare.t")
    r = await auditor.get("/api/audit/entries", params={"username": "granskare.t"})
    assert r.status_code == 200
    assert [e["action"] for e in r.json()] == ["login"]
    csv = await auditor.get("/api/audit/export.csv")
    assert csv.status_code == 200 and csv.text.startswith("at,username,role,action")
    assert (await auditor.get("/api/audit/review")).status_code == 200
    bad = await auditor.get(
        "/api/audit/entries",
        params={"since": "2026-11-24T10:00:00Z", "until": "2026-11-24T09:00:00Z"},
    )
    assert bad.status_code == 422 and bad.json()["field"] == "until"
    coordinator = await client_for(Role.coordinator)
    assert (await coordinator.get("/api/audit/entries")).status_code == 403
