"""The priority criterion (strong medical or social needs or extremely urgent circumstances):
the housing agency assesses it as met or not met with a reason, audited, and approval is
refused until the latest assessment says met, on every path (the rule, the API, the page)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from placement.clock import FrozenClock
from placement.crypto import Keyring
from placement.db import transaction
from placement.errors import InvalidInput
from placement.models import AuditEntry, PriorityApplication, PriorityCriterionAssessment
from placement.models.enums import PriorityStatus, Role
from placement.priority import criterion, steps
from tests.conftest import owner_sm
from tests.priority.conftest import World, add_case
from tests.priority.flow import assess_criterion, ok, start_application

S = PriorityStatus


async def _application(
    app: Any, clock: FrozenClock, keyring: Keyring, world: World, number: str, **fields: Any
) -> uuid.UUID:
    async with transaction(owner_sm(app)) as s:
        case = await add_case(s, clock, keyring, world.districts["kungsholmen"], number)
        facts: dict[str, Any] = {
            "registered_in_city_since": date(2015, 1, 1),
            "able_to_live_independently": True,
            "no_other_solution": True,
            **fields,
        }
        row = PriorityApplication(
            case_id=case.id, status=S.under_review, created_at=clock.now(), **facts
        )
        s.add(row)
        await s.flush()
        return row.id


async def _approval_blockers(app: Any, app_id: uuid.UUID, today: date) -> list[str]:
    async with transaction(owner_sm(app)) as s:
        row = await s.get(PriorityApplication, app_id)
        assert row is not None
        return [b.code for b in await steps.blockers(s, row, S.approved, today)]


async def _assess_directly(app: Any, app_id: uuid.UUID, met: bool, at: Any, seq: int) -> None:
    async with transaction(owner_sm(app)) as s:
        s.add(
            criterion.new_assessment(
                app_id, met, "Skäl.", by_id=None, role=Role.housing_agency, at=at, seq=seq
            )
        )


async def test_the_rule_needs_the_latest_assessment_to_say_met(
    app: Any, clock: FrozenClock, keyring: Keyring, world: World
) -> None:
    today = clock.now().date()
    app_id = await _application(app, clock, keyring, world, "RV-2026-0801")
    assert await _approval_blockers(app, app_id, today) == [criterion.NOT_ASSESSED]
    await _assess_directly(app, app_id, False, clock.now(), 1)
    assert await _approval_blockers(app, app_id, today) == [criterion.NOT_MET]
    await _assess_directly(app, app_id, True, clock.now(), 2)
    assert await _approval_blockers(app, app_id, today) == []
    # The latest (highest seq, even at the same instant) counts: not met again, blocked again.
    await _assess_directly(app, app_id, False, clock.now(), 3)
    assert await _approval_blockers(app, app_id, today) == [criterion.NOT_MET]
    # Other steps are not held up by it.
    async with transaction(owner_sm(app)) as s:
        row = await s.get(PriorityApplication, app_id)
        assert row is not None
        assert await steps.blockers(s, row, S.rejected, today) == []


async def test_the_criterion_and_failed_checks_are_both_named(
    app: Any, clock: FrozenClock, keyring: Keyring, world: World
) -> None:
    app_id = await _application(
        app, clock, keyring, world, "RV-2026-0802", able_to_live_independently=None
    )
    codes = await _approval_blockers(app, app_id, clock.now().date())
    assert codes == [steps.CHECKS_UNMET, criterion.NOT_ASSESSED]


@pytest.mark.parametrize("reason", [None, "", "   \n "])
def test_an_assessment_needs_a_reason(reason: str | None, clock: FrozenClock) -> None:
    with pytest.raises(InvalidInput) as refused:
        criterion.new_assessment(
            uuid.uuid4(), True, reason, by_id=None, role=Role.housing_agency, at=clock.now()
        )
    assert refused.value.field == "reason"
    row = criterion.new_assessment(
        uuid.uuid4(),
        False,
        "  Inga särskilda behov.  ",
        by_id=None,
        role=Role.housing_agency,
        at=clock.now(),
    )
    assert row.reason == "Inga särskilda behov." and row.met is False and not row.backfilled


def test_standing() -> None:
    assert criterion.Standing(None).missing == criterion.NOT_ASSESSED
    assert not criterion.Standing(None).met


async def _count(app: Any, model: Any, *where: Any) -> int:
    async with transaction(owner_sm(app)) as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_through_the_api(app: Any, world: World, sign_in: Any) -> None:
    handler = await sign_in(Role.rvt_officer, world.districts["sodermalm"])
    agency = await sign_in(Role.housing_agency)
    created = await start_application(handler, world.case_id)
    app_id = created["id"]
    path = f"/api/priority/agency/applications/{app_id}"
    assert ok(await agency.get(path))["criterion"] == {
        "code": "priority_need",
        "label": "Strong medical or social needs or extremely urgent circumstances",
        "assessed": False,
        "met": None,
        "reason": None,
        "assessed_by": None,
        "assessed_at": None,
        "backfilled": False,
    }
    reviewed = ok(await agency.post(f"{path}/status", json={"to_status": "under_review"}))
    assert {"status": "approved", "code": "criterion_not_assessed", "checks": []} in reviewed[
        "blocked_statuses"
    ]
    assert "approved" in reviewed["next_statuses"]

    early = await agency.post(f"{path}/status", json={"to_status": "approved"})
    assert early.status_code == 409 and early.json()["field"] == "to_status"
    assert "has not been assessed yet" in early.json()["detail"]

    where = col(PriorityCriterionAssessment.application_id) == uuid.UUID(app_id)
    for body in ({"met": True}, {"met": True, "reason": "  "}, {"met": False, "reason": ""}):
        bare = await agency.post(f"{path}/criterion", json=body)
        assert bare.status_code == 422 and bare.json()["field"] == "reason", body
    assert (await agency.post(f"{path}/criterion", json={"reason": "x"})).status_code == 422
    too_long = await agency.post(f"{path}/criterion", json={"met": True, "reason": "x" * 2001})
    assert too_long.status_code == 422
    officer = await handler.post(f"{path}/criterion", json={"met": True, "reason": "Ja."})
    assert officer.status_code == 403
    assert await _count(app, PriorityCriterionAssessment, where) == 0

    no = await assess_criterion(agency, app_id, met=False, reason="Behoven är inte starka nog.")
    assert no["criterion"]["met"] is False and no["criterion"]["assessed"] is True
    assert no["criterion"]["reason"] == "Behoven är inte starka nog."
    assert no["criterion"]["assessed_by"] is not None
    refused = await agency.post(f"{path}/status", json={"to_status": "approved"})
    assert refused.status_code == 409 and "assessed as not met" in refused.json()["detail"]
    assert ok(await agency.get(path))["status"] == "under_review"

    yes = await assess_criterion(agency, app_id, met=True, reason="Intyget visar starka behov.")
    assert yes["criterion"]["met"] is True
    assert not [b for b in yes["blocked_statuses"] if b["status"] == "approved"]
    approved = ok(await agency.post(f"{path}/status", json={"to_status": "approved"}))
    assert approved["status"] == "approved"
    # Fixed once decided.
    late = await agency.post(f"{path}/criterion", json={"met": False, "reason": "Ändrat."})
    assert late.status_code == 409 and late.json()["field"] == "met"
    assert await _count(app, PriorityCriterionAssessment, where) == 2

    # The handler sees the agency's assessment; both assessments are audited, without the text.
    seen = ok(await handler.get(f"/api/priority/applications/{app_id}"))
    assert seen["criterion"]["met"] is True
    async with transaction(owner_sm(app)) as s:
        reasons = (
            await s.execute(
                select(col(AuditEntry.reason)).where(
                    col(AuditEntry.entity_id) == uuid.UUID(app_id),
                    col(AuditEntry.reason).like("criterion%"),
                )
            )
        ).scalars()
        assert sorted(reasons) == ["criterion met", "criterion not met"]


async def test_the_refusal_in_swedish(world: World, sign_in: Any) -> None:
    handler = await sign_in(Role.rvt_officer, world.districts["sodermalm"])
    agency = await sign_in(Role.housing_agency)
    created = await start_application(handler, world.case_id)
    path = f"/api/priority/agency/applications/{created['id']}"
    ok(await agency.post(f"{path}/status", json={"to_status": "under_review"}))
    del agency.headers["accept-language"]
    refused = await agency.post(f"{path}/status", json={"to_status": "approved"})
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Ansökan kan inte beviljas: kriteriet starka medicinska eller sociala behov eller "
        "ytterst trängande omständigheter är inte bedömt än. Bedöm det först, med ett skäl."
    )
    bare = await agency.post(f"{path}/criterion", json={"met": True, "reason": ""})
    assert bare.json()["detail"] == "Ange skälet till bedömningen: vad i ansökan som visar det."
    await assess_criterion(agency, created["id"], met=False, reason="Inte starka behov.")
    again = await agency.post(f"{path}/status", json={"to_status": "approved"})
    assert "har bedömts som inte uppfyllt" in again.json()["detail"]
