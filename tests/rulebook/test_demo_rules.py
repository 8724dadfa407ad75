"""The demo city is built through the services, so it holds what the rule book holds: no
placement breaks a hard rule without a recorded override, every placed child has a decision,
and it has a year of history."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from placement import rulebook
from placement.db import transaction
from placement.models import Case, Child, Decision, Handover, Unit
from placement.models.enums import CaseStatus, DecisionStatus, LegalBasis, Role
from tests.conftest import owner_sm

IN_FORCE = (DecisionStatus.active, DecisionStatus.lapsed)


async def test_the_demo_breaks_no_rule_without_an_override(app: Any, demo: dict[str, int]) -> None:
    settings = app.state.settings
    violations: list[tuple[str, list[str]]] = []
    overridden = 0
    async with transaction(owner_sm(app)) as s:
        rows = (
            await s.execute(
                select(Decision, Case)
                .join(Case, col(Case.id) == col(Decision.case_id))
                .where(
                    col(Decision.child_id).is_(None),
                    col(Decision.status).in_(IN_FORCE),
                    col(Case.status) == CaseStatus.open,
                )
            )
        ).all()
        assert len(rows) >= 150  # the seeds' 176 households, bounded by the inventory
        for decision, case in rows:
            unit = await s.get(Unit, decision.unit_id)
            assert unit is not None
            # Judged as the decision was made: the household on its first day.
            broken = await rulebook.breaches(
                s,
                settings,
                decision.decided_at,
                case=case,
                unit=unit,
                starts_at=decision.starts_at,
                ends_at=decision.ends_at,
            )
            if set(broken) - set(decision.overridden_rules):
                violations.append((case.case_number, broken))
            if decision.overridden_rules:
                overridden += 1
                assert decision.override_reason and decision.override_reason.strip()
    assert violations == []
    assert overridden == demo["overrides"] >= 1


async def test_every_placed_child_has_its_own_decision(app: Any, demo: dict[str, int]) -> None:
    async with transaction(owner_sm(app)) as s:
        decisions = (
            (await s.execute(select(Decision).where(col(Decision.status).in_(IN_FORCE))))
            .scalars()
            .all()
        )
        by_group: dict[Any, set[Any]] = defaultdict(set)
        for d in decisions:
            by_group[(d.case_id, d.booking_group_id)].add(d.child_id)
        children: dict[Any, set[Any]] = defaultdict(set)
        for c in (await s.execute(select(Child))).scalars():
            children[c.case_id].add(c.id)
        for (case_id, _group), people in by_group.items():
            if None in people:  # an adult's placement: each child of the household too
                assert children[case_id] <= people, case_id
        assert all(d.assessment_note for d in decisions if d.child_id is not None)


async def test_the_demo_has_a_year_of_history(app: Any, demo: dict[str, int]) -> None:
    assert demo["closed_cases"] >= 50 and demo["renewals"] >= 50 and demo["moves"] >= 5
    assert demo["living_without_decision"] == 1
    async with transaction(owner_sm(app)) as s:

        async def count(*where: Any) -> int:
            return int(
                await s.scalar(select(func.count()).select_from(Decision).where(*where)) or 0
            )

        closed = await s.scalar(
            select(func.count())
            .select_from(Case)
            .where(col(Case.status) == CaseStatus.closed, col(Case.outcome).is_not(None))
        )
        assert closed == demo["closed_cases"]
        assert await count(col(Decision.renews_decision_id).is_not(None)) >= demo["renewals"]
        assert (
            await count(
                col(Decision.legal_basis) == LegalBasis.lpsb_immediate,
                col(Decision.court_submitted_at).is_not(None),
            )
            >= 5
        )
        assert await count(col(Decision.decided_role) == Role.socialjour) >= 20
        acknowledged = await s.scalar(
            select(func.count())
            .select_from(Handover)
            .where(col(Handover.acknowledged_at).is_not(None))
        )
        assert acknowledged and acknowledged >= 20
        oldest = await s.scalar(select(func.min(Decision.starts_at)))
        newest = await s.scalar(select(func.max(Decision.starts_at)))
        assert oldest and newest and (newest - oldest).days >= 300
