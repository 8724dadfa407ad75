"""What the national benchmarks look at: one user per role and the busiest ids (the district
with the most open cases, its fullest case, an open request, the operator with the most
units), and the real sign-in (password, then a TOTP code) for those users."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import asyncpg
import httpx
import pyotp

from benchmarks.national_data import NATIONAL_PASSWORD, asyncpg_dsn, totp_secret


@dataclass
class Targets:
    users: dict[str, str]  # role -> user name
    case_id: str
    request_id: str
    application_id: str | None
    # For the load test: several of each.
    officers: list[str] = field(default_factory=list)
    operators: list[str] = field(default_factory=list)
    open_requests: list[str] = field(default_factory=list)
    socialjour: list[str] = field(default_factory=list)
    operator_units: dict[str, list[str]] = field(default_factory=dict)


async def find_targets(url: str, *, many: int = 40) -> Targets:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute("SELECT set_config('bk.role', 'system', false)")
        busiest = await conn.fetch(
            'SELECT d.code, d.id FROM "case" c JOIN district d ON d.id = c.responsible_district_id '
            "WHERE c.status = 'open' GROUP BY d.id, d.code ORDER BY count(*) DESC, d.code LIMIT $1",
            many,
        )
        district_id = busiest[0]["id"]
        case_id = await conn.fetchval(
            'SELECT c.id FROM "case" c JOIN decision d ON d.case_id = c.id '
            "WHERE c.status = 'open' AND c.responsible_district_id = $1 "
            "GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1",
            district_id,
        )
        requests = await conn.fetch(
            "SELECT id FROM placement_request WHERE status = 'open' "
            "ORDER BY requested_at DESC, id LIMIT $1",
            many * 5,
        )
        operators = await conn.fetch(
            "SELECT u.username, array_agg(un.id ORDER BY un.name) AS units FROM user_account u "
            "JOIN unit un ON un.operator_id = u.operator_id WHERE u.role = 'operator' "
            "GROUP BY u.username ORDER BY count(*) DESC, u.username LIMIT $1",
            many,
        )
        application = await conn.fetchval(
            "SELECT id FROM priority_application WHERE status NOT IN ('draft', 'closed') "
            "ORDER BY created_at, id LIMIT 1"
        )
        first_of = {
            r["role"]: r["username"]
            for r in await conn.fetch(
                "SELECT DISTINCT ON (role) role, username FROM user_account ORDER BY role, username"
            )
        }
        socialjour = [
            r["username"]
            for r in await conn.fetch(
                "SELECT username FROM user_account WHERE role = 'socialjour' ORDER BY username"
            )
        ]
    finally:
        await conn.close()
    users = dict(first_of)
    users["rvt_officer"] = f"rvt.{busiest[0]['code']}"
    users["operator"] = operators[0]["username"]
    return Targets(
        users=users,
        case_id=str(case_id),
        request_id=str(requests[0]["id"]),
        application_id=str(application) if application else None,
        officers=[f"rvt.{r['code']}" for r in busiest],
        operators=[r["username"] for r in operators],
        open_requests=[str(r["id"]) for r in requests],
        socialjour=socialjour,
        operator_units={r["username"]: [str(u) for u in r["units"]] for r in operators},
    )


async def sign_in(client: httpx.AsyncClient, username: str, at: datetime, *, seed: int) -> None:
    """The real sign-in: password, then the TOTP code of the time step at ``at``."""
    r = await client.post(
        "/api/auth/login", json={"username": username, "password": NATIONAL_PASSWORD}
    )
    if r.status_code != 200:
        raise RuntimeError(f"sign-in of {username}: HTTP {r.status_code}")
    if r.json().get("second_factor") == "verify":
        code = pyotp.TOTP(totp_secret(seed, username)).at(at)
        r = await client.post("/api/auth/totp/verify", json={"code": code})
        if r.status_code != 204:
            raise RuntimeError(f"second factor of {username}: HTTP {r.status_code}")
