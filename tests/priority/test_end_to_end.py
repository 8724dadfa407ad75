"""Issue 8, end to end through the API: application, certificate, review, rejection, appeal,
committee, watch, flat, proposals, offer, acceptance, contract, secure permanent housing."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import col, select

from placement.clock import FrozenClock
from placement.config import Settings
from placement.crypto import Keyring
from placement.db import transaction
from placement.models import AuditEntry, Case, Notification, Reminder, WatchedFlat
from placement.models.enums import AuditAction, Outcome, ReminderKind, Role
from tests.conftest import owner_sm
from tests.priority.conftest import World
from tests.priority.flow import ok, walk_chain


async def test_priority_chain_ends_in_secure_permanent_housing(
    app: Any,
    clock: FrozenClock,
    keyring: Keyring,
    settings: Settings,
    world: World,
    sign_in: Any,
) -> None:
    handler = await sign_in(Role.rvt_officer, world.districts["sodermalm"])
    agency = await sign_in(Role.housing_agency)
    chain = await walk_chain(app, clock, keyring, settings, world, handler, agency)

    # Reminders: one for the handler and one for the agency, created once only.
    assert chain.reminders_created == 2
    assert chain.reminders_again == 0

    # The matcher proposed this household first, among others; unsuitable ones say why.
    assert chain.proposals["matcher"] == "optimizer"
    props = {p["application"]["id"]: p for p in chain.proposals["proposals"]}
    assert chain.proposals["proposals"][0]["application"]["id"] == chain.application_id
    assert props[chain.application_id]["rank"] == 1
    assert props[str(chain.others["single"])]["eligible"] is True
    assert props[str(chain.others["single"])]["rank"] == 2
    large = props[str(chain.others["large"])]
    assert large["eligible"] is False and large["rank"] is None
    assert [r["code"] for r in large["failed_rules"]] == ["household_does_not_fit"]
    avoids = props[str(chain.others["avoids"])]
    assert [r["code"] for r in avoids["failed_rules"]] == ["exclusion_area"]
    assert any("needs" in r for r in props[chain.application_id]["reasons"])

    # The handler sees the final status, the history and the agency's question.
    seen = ok(await handler.get(f"/api/priority/applications/{chain.application_id}"))
    assert seen["status"] == "contract_signed"
    assert [h["to_status"] for h in seen["history"]] == [
        "draft",
        "submitted",
        "under_review",
        "rejected",
        "appealed",
        "decided_by_committee",
        "watch_active",
        "flat_offered",
        "offer_accepted",
        "contract_signed",
    ]
    assert seen["history"][3]["changed_role"] == "housing_agency"
    assert seen["history"][3]["reason"] == "Not registered in the city for two years."

    app_id = uuid.UUID(chain.application_id)
    async with transaction(owner_sm(app)) as s:
        case = await s.get(Case, world.case_id)
        assert case is not None
        assert case.outcome == Outcome.flat_via_priority
        assert case.secure_permanent_housing is True
        flat = await s.get(WatchedFlat, uuid.UUID(chain.flat_id))
        assert flat is not None and flat.status == "let"
        reminders = (
            (
                await s.execute(
                    select(Reminder).where(col(Reminder.kind) == ReminderKind.committee_papers_due)
                )
            )
            .scalars()
            .all()
        )
        assert sorted(r.key.rsplit(":", 1)[1] for r in reminders) == ["agency", "handler"]
        assert all(r.resolved_at is not None for r in reminders)  # the committee decided
        handler_reminder = next(r for r in reminders if r.key.endswith(":handler"))
        assert handler_reminder.district_id == world.districts["sodermalm"]
        inbox = (
            (
                await s.execute(
                    select(Notification).where(col(Notification.kind) == "committee_papers_due")
                )
            )
            .scalars()
            .all()
        )
        assert {n.recipient_key.split(":")[0] for n in inbox} == {"team", "user"}
        assert all(n.case_number == world.case_number for n in inbox)
        # Every read and change of the application is in the audit log, by both sides.
        entries = (
            (
                await s.execute(
                    select(AuditEntry).where(
                        col(AuditEntry.entity_type) == "priority_application",
                        col(AuditEntry.entity_id) == app_id,
                    )
                )
            )
            .scalars()
            .all()
        )
        assert all(e.case_id == world.case_id for e in entries)
        by_role = {(e.role, e.action) for e in entries}
        assert ("housing_agency", AuditAction.read) in by_role
        assert ("housing_agency", AuditAction.update) in by_role
        assert ("rvt_officer", AuditAction.create) in by_role
        assert ("rvt_officer", AuditAction.read) in by_role
        assert ("housing_agency", AuditAction.export) in by_role  # the committee's papers
