"""The auditors' review report: reads of protected-identity cases by users not assigned to
them, and every reveal of identifying fields (with its stated reason)."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from placement.db import transaction
from placement.models import Case, Person
from placement.models.enums import ProtectedIdentity, Role
from tests.conftest import ClientFactory, owner_sm


async def test_review_report_lists_unassigned_reads_and_reveals(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    async with transaction(owner_sm(app)) as s:
        case_id, handler_id = (
            await s.execute(
                select(Case.id, Case.handler_id)
                .join(Person, col(Person.id) == col(Case.person_id))
                .where(col(Person.protected_identity) != ProtectedIdentity.none)
            )
        ).first()  # type: ignore[misc]
    jour = await client_for(Role.socialjour, username="natt.granskas")
    assert (await jour.get(f"/api/cases/{case_id}")).status_code == 200
    r = await jour.post(
        f"/api/cases/{case_id}/identity", json={"reason": "Polisen behöver kontaktuppgift"}
    )
    assert r.status_code == 200
    auditor = await client_for(Role.auditor)
    review = (await auditor.get("/api/audit/review")).json()
    mine = [e for e in review if e["username"] == "natt.granskas"]
    assert {e["action"] for e in mine} == {"read", "reveal"}
    assert any(e["reason"] == "Polisen behöver kontaktuppgift" for e in mine)
    assert all(e["case_id"] == str(case_id) for e in mine)
    assert handler_id is not None  # the demo case has a handler, who is not natt.granskas
