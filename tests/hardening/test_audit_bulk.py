"""A listing audits its N rows in one multi-row insert (``record_many``): the rows are the same
as one ``record`` per row would write, and every listing still writes one row per case read."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from placement.audit.service import Audited, record, record_many
from placement.auth.actor import Actor
from placement.auth.scope import system_scope
from placement.cases.access import audit_case, audit_cases
from placement.clock import FrozenClock
from placement.db import transaction
from placement.models import AuditEntry, Case, Person
from placement.models.enums import AuditAction, ProtectedIdentity, Role
from tests.conftest import ClientFactory, owner_sm

FIELDS = (
    "at",
    "user_id",
    "username",
    "role",
    "action",
    "entity_type",
    "entity_id",
    "case_id",
    "protected_identity",
    "flagged_for_review",
    "reason",
    "request_id",
)


def as_tuple(e: AuditEntry) -> tuple[Any, ...]:
    return tuple(getattr(e, f) for f in FIELDS)


async def rows_of(session: Any, request_id: str) -> list[tuple[Any, ...]]:
    found = (
        await session.execute(select(AuditEntry).where(col(AuditEntry.request_id) == request_id))
    ).scalars()
    return sorted(
        (as_tuple(e)[:-1] for e in found), key=lambda t: (str(t[6]), str(t[7]), str(t[10]))
    )


async def test_record_many_writes_the_rows_record_writes(
    sessionmaker: Any, clock: FrozenClock
) -> None:
    entries = [
        Audited(AuditAction.read, "case", uuid.uuid4(), case_id=uuid.uuid4(), reason="listed"),
        Audited(AuditAction.read, "referral", uuid.uuid4()),
        Audited(
            AuditAction.reveal,
            "case",
            uuid.uuid4(),
            case_id=uuid.uuid4(),
            protected_identity=True,
            flagged_for_review=True,
        ),
        *(Audited(AuditAction.read, "stay", uuid.uuid4()) for _ in range(2500)),
    ]
    one = Actor(uuid.uuid4(), "anna", Role.rvt_officer, request_id="one-by-one")
    bulk = Actor(one.user_id, "anna", Role.rvt_officer, request_id="bulk")
    async with transaction(sessionmaker) as s:
        for e in entries:
            await record(
                s,
                clock,
                one,
                e.action,
                e.entity_type,
                e.entity_id,
                case_id=e.case_id,
                reason=e.reason,
                protected_identity=e.protected_identity,
                flagged_for_review=e.flagged_for_review,
            )
        # More rows than one INSERT takes: the chunks together write them all.
        assert await record_many(s, clock, bulk, entries) == len(entries)
        assert await record_many(s, clock, bulk, []) == 0
    async with sessionmaker() as s:
        assert await rows_of(s, "bulk") == await rows_of(s, "one-by-one")
        assert len(await rows_of(s, "bulk")) == len(entries)


async def test_audit_cases_flags_like_audit_case(
    demo: dict[str, int], sessionmaker: Any, clock: FrozenClock
) -> None:
    """Every demo case (protected identities among them), read by an officer who handles
    some of them: one row each, flagged exactly as the one-by-one path flags it."""
    async with transaction(sessionmaker) as s:
        await system_scope(s)
        pairs = (
            await s.execute(select(Case, Person).join(Person, col(Person.id) == Case.person_id))
        ).all()
        assert any(p.protected_identity != ProtectedIdentity.none for _, p in pairs)
        handler = next(c.handler_id for c, p in pairs if c.handler_id is not None)
        for tag in ("one-by-one", "bulk"):
            actor = Actor(handler, "anna", Role.rvt_officer, request_id=tag)
            if tag == "bulk":
                await audit_cases(s, clock, actor, [(c, p) for c, p in pairs])
            else:
                for c, p in pairs:
                    await audit_case(s, clock, actor, c, p, AuditAction.read)
    async with sessionmaker() as s:
        bulk = await rows_of(s, "bulk")
        assert bulk == await rows_of(s, "one-by-one")
        assert len(bulk) == len(pairs)
        assert any(r[FIELDS.index("flagged_for_review")] for r in bulk)
        assert not all(r[FIELDS.index("flagged_for_review")] for r in bulk)


async def test_priority_listing_audits_each_application_once(
    demo: dict[str, int], app: Any, client_for: ClientFactory
) -> None:
    client = await client_for(Role.housing_agency)
    sm = owner_sm(app)

    async def listed() -> int:
        async with sm() as s:
            return int(
                await s.scalar(
                    select(func.count())
                    .select_from(AuditEntry)
                    .where(
                        col(AuditEntry.entity_type) == "priority_application",
                        col(AuditEntry.reason) == "listed",
                    )
                )
                or 0
            )

    before = await listed()
    assert before == 0
    r = await client.get("/priority")
    assert r.status_code == 200
    async with sm() as s:
        shown = int(
            await s.scalar(
                select(func.count(func.distinct(AuditEntry.entity_id))).where(
                    col(AuditEntry.reason) == "listed",
                    col(AuditEntry.entity_type) == "priority_application",
                )
            )
            or 0
        )
    assert await listed() - before == shown > 0
