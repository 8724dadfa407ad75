"""The database keeps one person's decisions from overlapping, whatever code writes them, and
concurrent decisions on one household queue up on the case lock."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from placement.clock import FrozenClock
from placement.config import Settings
from placement.db import transaction
from placement.decisions import endings, renewals
from placement.decisions.schemas import EndCreate, GrantCreate, MoveCreate, RenewCreate
from placement.decisions.service import grant_placement
from placement.errors import Conflict, Forbidden
from placement.models import Booking, Decision, District, Unit
from placement.models.enums import DecisionStatus, Outcome, UnitKind
from tests.decisions.factories import make_world, open_case, place


async def test_trigger_refuses_overlapping_decisions_for_one_person(
    sessionmaker: Any, clock: FrozenClock, settings: Settings, keyring: Any
) -> None:
    world = await make_world(sessionmaker)
    handler = world.actor(world.handler)
    case_id, children = await open_case(sessionmaker, clock, keyring, world, handler)
    placed = await place(sessionmaker, clock, settings, world, handler, case_id, children)
    adult = placed.decisions[0]
    with pytest.raises(DBAPIError) as err:
        async with transaction(sessionmaker) as s:
            s.add(
                Decision(
                    case_id=case_id,
                    measure=UnitKind.hostel,
                    legal_basis=adult.legal_basis,
                    consent_status=adult.consent_status,
                    starts_at=adult.ends_at - timedelta(days=1),
                    ends_at=adult.ends_at + timedelta(days=5),
                    decided_at=clock.now(),
                    decided_role=adult.decided_role,
                )
            )
    assert "overlap" in str(err.value)
    # A child's decision over the same period is another person: allowed.
    async with transaction(sessionmaker) as s:
        count = len(
            (await s.execute(select(Decision.id).where(col(Decision.case_id) == case_id)))
            .scalars()
            .all()
        )
    assert count == 3


async def test_concurrent_grants_for_one_household_one_wins(
    sessionmaker: Any, clock: FrozenClock, settings: Settings, keyring: Any
) -> None:
    world = await make_world(sessionmaker)
    handler, night = world.actor(world.handler), world.actor(world.night)
    case_id, _ = await open_case(sessionmaker, clock, keyring, world, handler, children=0)

    async def attempt(actor: Any, unit: Unit) -> bool:
        try:
            async with transaction(sessionmaker) as s:
                await grant_placement(
                    s, clock, settings, actor, case_id, GrantCreate(unit_id=unit.id)
                )
            return True
        except Conflict:
            return False

    results = await asyncio.gather(attempt(handler, world.shelter), attempt(night, world.shelter2))
    assert sorted(results) == [False, True]
    async with transaction(sessionmaker) as s:
        decisions = (
            (await s.execute(select(Decision).where(col(Decision.case_id) == case_id)))
            .scalars()
            .all()
        )
        bookings = (
            (await s.execute(select(Booking).where(col(Booking.case_id) == case_id)))
            .scalars()
            .all()
        )
    assert len(decisions) == 1 and len(bookings) == 1  # the loser left nothing behind


async def test_ending_frees_the_place_and_records_the_outcome(
    sessionmaker: Any, clock: FrozenClock, settings: Settings, keyring: Any
) -> None:
    world = await make_world(sessionmaker)
    handler = world.actor(world.handler)
    case_id, children = await open_case(sessionmaker, clock, keyring, world, handler)
    placed = await place(sessionmaker, clock, settings, world, handler, case_id, children)
    clock.advance(timedelta(days=3))
    async with transaction(sessionmaker) as s:
        ended = await endings.end_placement(
            s,
            clock,
            settings,
            handler,
            placed.decisions[1].id,  # a child's decision ends the household's placement
            EndCreate(outcome=Outcome.flat_via_priority),
        )
    assert len(ended) == 3 and all(d.status == DecisionStatus.ended for d in ended)
    assert all(d.secure_permanent_housing for d in ended)
    assert all(d.ended_at == clock.now() for d in ended)
    async with transaction(sessionmaker) as s:
        booking = await s.get(Booking, placed.booking_ids[0])
        assert booking is not None and booking.status == "ended"
        assert booking.ends_at == clock.now()
    # The place is free again for someone else.
    other, _ = await open_case(sessionmaker, clock, keyring, world, handler, children=0)
    again = await place(sessionmaker, clock, settings, world, handler, other, [])
    assert again.decisions


async def test_district_without_rvt_mellanbo(
    sessionmaker: Any, clock: FrozenClock, settings: Settings, keyring: Any
) -> None:
    world = await make_world(sessionmaker)
    handler, night = world.actor(world.handler), world.actor(world.night)
    async with transaction(sessionmaker) as s:
        district = await s.get(District, world.district_a.id)
        unit = await s.get(Unit, world.shelter2.id)
        assert district is not None and unit is not None
        district.rvt_can_grant_mellanbo = False
        unit.kind = UnitKind.shis_mellanbo
    case_id, _ = await open_case(sessionmaker, clock, keyring, world, handler, children=0)
    with pytest.raises(Forbidden):
        await place(sessionmaker, clock, settings, world, handler, case_id, [], unit=unit)
    placed = await place(sessionmaker, clock, settings, world, night, case_id, [], unit=unit)
    assert placed.decisions[0].measure == UnitKind.shis_mellanbo


async def test_district_decision_length_overrides_the_setting(
    sessionmaker: Any, clock: FrozenClock, settings: Settings, keyring: Any
) -> None:
    world = await make_world(sessionmaker)
    handler = world.actor(world.handler)
    async with transaction(sessionmaker) as s:
        district = await s.get(District, world.district_a.id)
        assert district is not None
        district.decision_days = 7
    case_id, _ = await open_case(sessionmaker, clock, keyring, world, handler, children=0)
    placed = await place(sessionmaker, clock, settings, world, handler, case_id, [])
    assert placed.decisions[0].ends_at - placed.decisions[0].starts_at == timedelta(days=7)
    longer = settings.model_copy(update={"default_decision_days": 30})
    other, _ = await open_case(sessionmaker, clock, keyring, world, handler, children=0)
    async with transaction(sessionmaker) as s:
        district = await s.get(District, world.district_a.id)
        assert district is not None
        district.decision_days = None
    placed = await place(
        sessionmaker, clock, longer, world, handler, other, [], unit=world.shelter2
    )
    assert placed.decisions[0].ends_at - placed.decisions[0].starts_at == timedelta(days=30)


async def test_move_after_a_renewal_was_decided_cancels_the_renewal(
    sessionmaker: Any, clock: FrozenClock, settings: Settings, keyring: Any
) -> None:
    world = await make_world(sessionmaker)
    handler = world.actor(world.handler)
    case_id, children = await open_case(sessionmaker, clock, keyring, world, handler)
    placed = await place(sessionmaker, clock, settings, world, handler, case_id, children)
    clock.advance(timedelta(days=12))
    async with transaction(sessionmaker) as s:
        renewed = await renewals.renew(
            s, clock, settings, handler, placed.decisions[0].id, RenewCreate()
        )
    clock.advance(timedelta(days=1))  # a threat: the household must move today
    async with transaction(sessionmaker) as s:
        moved = await renewals.move(
            s,
            clock,
            settings,
            handler,
            placed.decisions[0].id,
            MoveCreate(unit_id=world.shelter2.id),
        )
    assert len(moved.decisions) == 3 and all(d.starts_at == clock.now() for d in moved.decisions)
    assert {d.renews_decision_id for d in moved.decisions} == {d.id for d in placed.decisions}
    async with transaction(sessionmaker) as s:
        first = [await s.get(Decision, d.id) for d in placed.decisions]
        later = [await s.get(Decision, d.id) for d in renewed.decisions]
        assert all(d and d.status == DecisionStatus.superseded for d in first)
        assert all(d and d.ended_at == clock.now() for d in first)
        assert all(d and d.status == DecisionStatus.cancelled for d in later)
        old = await s.get(Booking, placed.booking_ids[0])
        assert old is not None and old.ends_at == clock.now()  # the extension is cut back
    # The cancelled renewal cannot be renewed or moved; the new decisions can.
    async with transaction(sessionmaker) as s:
        with pytest.raises(Conflict):
            await renewals.renew(
                s, clock, settings, handler, renewed.decisions[0].id, RenewCreate()
            )
    async with transaction(sessionmaker) as s:
        again = await renewals.renew(
            s, clock, settings, handler, moved.decisions[0].id, RenewCreate()
        )
    assert again.decisions[0].starts_at == moved.decisions[0].ends_at
