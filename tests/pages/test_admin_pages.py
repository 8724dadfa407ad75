"""The administrator's pages over HTTP: create an account, change its role and scope,
disable it (its sessions end at once), reset its second factor; API tokens; a district's
settings. Every change is audited; forms need their CSRF token; other roles are refused."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlmodel import col, select

from placement.db import transaction
from placement.models import ApiToken, AuditEntry, District, Operator, UserAccount
from placement.models.enums import OperatorKind, Role
from tests.conftest import TEST_PASSWORD, ClientFactory, owner_sm
from tests.decisions.factories import make_world
from tests.pages.helpers import csrf_of, post_form


async def _user(app: Any, username: str) -> UserAccount:
    async with transaction(owner_sm(app)) as s:
        user = await s.scalar(select(UserAccount).where(col(UserAccount.username) == username))
        assert user is not None
        return user


async def _audits(app: Any, entity_id: uuid.UUID) -> list[AuditEntry]:
    async with transaction(owner_sm(app)) as s:
        rows = await s.execute(select(AuditEntry).where(col(AuditEntry.entity_id) == entity_id))
        return list(rows.scalars())


async def _a_district(app: Any) -> District:
    return (await make_world(owner_sm(app))).district_a


async def test_admin_creates_changes_disables_and_resets(
    app: Any, client_for: ClientFactory
) -> None:
    admin = await client_for(Role.admin)
    await admin.get("/admin?lang=en")  # pages follow the language cookie
    district = await _a_district(app)
    page = await admin.get("/admin")
    assert page.status_code == 200 and "<h1>Users</h1>" in page.text
    assert 'href="/admin" aria-current="page"' in page.text  # the menu marks where one is

    r = await post_form(
        admin, "/admin", "/admin/users",
        {"username": "ny.handlaggare", "display_name": "Ny Handläggare",
         "password": "long enough password", "role": "coordinator", "district_id": ""},
    )  # fmt: skip
    assert r.status_code == 303, r.text
    user = await _user(app, "ny.handlaggare")
    assert r.headers["location"] == f"/admin/users/{user.id}?done=created"
    assert user.role == Role.coordinator and user.display_name == "Ny Handläggare"
    assert [a.action.value for a in await _audits(app, user.id)] == ["create"]

    # A refused form keeps what was typed (not the password) and says what to fix.
    r = await post_form(
        admin, "/admin", "/admin/users",
        {"username": "utan.distrikt", "display_name": "Utan", "password": "long enough password",
         "role": "rvt_officer"},
    )  # fmt: skip
    assert r.status_code == 422
    assert "An RVT officer must belong to a district." in r.text
    assert 'value="utan.distrikt"' in r.text and "long enough password" not in r.text

    # The role changes to RVT officer with a district and team lead; sessions end.
    signed_in = await client_for(Role.coordinator, username="bytt.roll")
    target = await _user(app, "bytt.roll")
    stamp = target.security_stamp
    r = await post_form(
        admin, f"/admin/users/{target.id}", f"/admin/users/{target.id}",
        {"role": "rvt_officer", "district_id": str(district.id), "is_team_lead": "1",
         "is_active": "1"},
    )  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].endswith("?done=updated")
    changed = await _user(app, "bytt.roll")
    assert changed.role == Role.rvt_officer and changed.district_id == district.id
    assert changed.is_team_lead and changed.security_stamp != stamp
    assert (await signed_in.get("/api/auth/me")).status_code == 401
    reasons = [a.reason for a in await _audits(app, target.id)]
    assert "district_id,is_team_lead,role" in reasons

    # Disabling (the box unticked).
    r = await post_form(
        admin, f"/admin/users/{target.id}", f"/admin/users/{target.id}",
        {"role": "rvt_officer", "district_id": str(district.id), "is_team_lead": "1"},
    )  # fmt: skip
    assert r.status_code == 303
    assert not (await _user(app, "bytt.roll")).is_active
    page = await admin.get(f"/admin/users/{target.id}")
    assert "Disabled" in page.text

    # Resetting the second factor of an officer who has one.
    officer = await client_for(Role.rvt_officer, district_id=district.id, username="tappad.telefon")
    assert (await _user(app, "tappad.telefon")).totp_enabled
    lost = await _user(app, "tappad.telefon")
    r = await post_form(
        admin, f"/admin/users/{lost.id}", f"/admin/users/{lost.id}/second-factor", {}
    )
    assert r.status_code == 303 and r.headers["location"].endswith("?done=second_factor")
    reset = await _user(app, "tappad.telefon")
    assert not reset.totp_enabled and reset.totp_secret_ciphertext is None
    assert (await officer.get("/api/auth/me")).status_code == 401
    assert "second_factor_reset" in [a.reason for a in await _audits(app, lost.id)]
    # At the next sign-in the user must enrol again.
    r = await officer.post(
        "/api/auth/login", json={"username": "tappad.telefon", "password": TEST_PASSWORD}
    )
    assert r.json()["second_factor"] == "enrol"


async def test_admin_cannot_lock_themselves_out(app: Any, client_for: ClientFactory) -> None:
    admin = await client_for(Role.admin, username="sjalv.admin")
    await admin.get("/admin?lang=en")
    me = await _user(app, "sjalv.admin")
    r = await post_form(admin, f"/admin/users/{me.id}", f"/admin/users/{me.id}", {"role": "admin"})
    assert r.status_code == 422 and "cannot disable your own account" in r.text
    assert (await _user(app, "sjalv.admin")).is_active


async def test_tokens_made_shown_once_and_revoked(app: Any, client_for: ClientFactory) -> None:
    async with transaction(app.state.sessionmaker) as s:
        op = Operator(name=f"Op {uuid.uuid4().hex[:4]}", kind=OperatorKind.civil_society)
        s.add(op)
    admin = await client_for(Role.admin)
    await admin.get("/admin?lang=en")  # pages follow the language cookie
    await client_for(Role.operator, operator_id=op.id, username="op.system")
    user = await _user(app, "op.system")
    r = await post_form(
        admin, f"/admin/users/{user.id}", f"/admin/users/{user.id}/tokens", {"name": ""}
    )
    assert r.status_code == 422 and "Give the token a name" in r.text
    r = await post_form(
        admin, f"/admin/users/{user.id}", f"/admin/users/{user.id}/tokens", {"name": "vakanser"}
    )
    assert r.status_code == 200 and "shown only this once" in r.text
    token = re.search(r"<code>([^<]+)</code>", r.text)
    assert token is not None
    me = await admin.get("/api/auth/me", headers={"authorization": f"Bearer {token.group(1)}"})
    assert me.json()["role"] == "operator"
    listing = await admin.get("/admin/tokens")
    assert "vakanser" in listing.text and token.group(1) not in listing.text
    async with transaction(owner_sm(app)) as s:
        row = await s.scalar(select(ApiToken).where(col(ApiToken.user_id) == user.id))
        assert row is not None and row.last_used_at is not None
    r = await post_form(admin, "/admin/tokens", f"/admin/tokens/{row.id}/revoke", {})
    assert r.status_code == 303
    assert "Revoked" in (await admin.get("/admin/tokens")).text
    gone = await admin.get("/api/auth/me", headers={"authorization": f"Bearer {token.group(1)}"})
    assert gone.status_code == 401
    assert [a.action.value for a in await _audits(app, row.id)] == ["create", "delete"]


async def test_district_settings_form(app: Any, client_for: ClientFactory) -> None:
    admin = await client_for(Role.admin)
    await admin.get("/admin?lang=en")  # pages follow the language cookie
    district = await _a_district(app)
    page = await admin.get("/admin/districts")
    assert page.status_code == 200 and district.name in page.text
    path = f"/admin/districts/{district.id}"
    r = await post_form(admin, path, path, {"decision_days": "0"})
    assert r.status_code == 422 and "Check this value." in r.text
    r = await post_form(admin, path, path, {"decision_days": "21", "custom-shis_mellanbo": "1"})
    assert r.status_code == 422  # an own rule with nobody allowed
    r = await post_form(
        admin, path, path,
        {"decision_days": "21", "custom-shis_mellanbo": "1", "grant-shis_mellanbo": "socialjour"},
    )  # fmt: skip
    assert r.status_code == 303
    async with transaction(owner_sm(app)) as s:
        saved = await s.get(District, district.id)
        assert saved is not None and saved.decision_days == 21
        assert saved.grant_roles == {"shis_mellanbo": ["socialjour"]}
        assert saved.rvt_can_grant_mellanbo is False


async def test_admin_pages_need_the_role_and_a_csrf_token(
    app: Any, client_for: ClientFactory
) -> None:
    coordinator = await client_for(Role.coordinator)
    r = await coordinator.get("/admin")
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    admin = await client_for(Role.admin)
    await admin.get("/admin?lang=en")  # pages follow the language cookie
    await csrf_of(admin, "/admin")
    r = await admin.post(
        "/admin/users",
        data={"username": "utan.token", "display_name": "X", "password": "long enough password",
              "role": "coordinator"},
    )  # fmt: skip
    assert r.status_code == 403
    async with transaction(owner_sm(app)) as s:
        assert (
            await s.scalar(select(UserAccount).where(col(UserAccount.username) == "utan.token"))
            is None
        )


async def test_operators_listed_and_their_telephone_changed(
    app: Any, client_for: ClientFactory
) -> None:
    async with transaction(app.state.sessionmaker) as s:
        op = Operator(name=f"Op {uuid.uuid4().hex[:4]}", kind=OperatorKind.civil_society)
        s.add(op)
    admin = await client_for(Role.admin)
    await admin.get("/admin/operators?lang=en")
    page = await admin.get("/admin/operators")
    assert page.status_code == 200 and op.name in page.text
    path = f"/admin/operators/{op.id}"
    r = await post_form(admin, "/admin/operators", path, {"phone": "9" * 41})
    assert r.status_code == 422 and "at most 40 characters" in r.text
    r = await post_form(admin, "/admin/operators", path, {"phone": "08-123 456 00"})
    assert r.status_code == 303
    async with transaction(owner_sm(app)) as s:
        saved = await s.get(Operator, op.id)
        assert saved is not None and saved.phone == "08-123 456 00"
    assert [a.action.value for a in await _audits(app, op.id)] == ["update"]
    coordinator = await client_for(Role.coordinator)
    assert (await coordinator.get("/admin/operators")).status_code == 403
