"""The booking core and the database trigger: no double booking, whatever the code path."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from placement.auth.actor import Actor
from placement.clock import FrozenClock
from placement.db import transaction
from placement.errors import Conflict
from placement.inventory import bookings
from placement.models import Booking, District, Operator, Place, Unit
from placement.models.enums import (
    BookingKind,
    BookingStatus,
    DistrictKind,
    OperatorKind,
    PlaceKind,
    SharingPolicy,
    SubstancePolicy,
    UnitKind,
)

ACTOR = Actor(
    user_id=None,
    username="test",
    role=__import__("placement.models.enums", fromlist=["Role"]).Role.socialjour,
)


async def make_unit(sm: Any, singles: int = 1, rooms: tuple[int, ...] = ()) -> uuid.UUID:
    async with transaction(sm) as s:
        d = District(
            code=f"d{uuid.uuid4().hex[:6]}",
            name="D",
            kind=DistrictKind.district_administration,
            municipality="Stockholm",
            lat=59.3,
            lon=18.0,
        )
        op = Operator(name=f"Op {uuid.uuid4().hex[:6]}", kind=OperatorKind.municipal)
        s.add_all([d, op])
        await s.flush()
        u = Unit(
            operator_id=op.id,
            name="U",
            kind=UnitKind.protected_shelter,
            district_id=d.id,
            sharing_policy=SharingPolicy.city_wide,
            protection_level=3,
            substance_policy=SubstancePolicy.no_active_use,
            accepted_genders=["female"],
        )
        s.add(u)
        await s.flush()
        s.add_all(
            [Place(unit_id=u.id, label=f"P{i}", kind=PlaceKind.place) for i in range(singles)]
        )
        s.add_all(
            [
                Place(unit_id=u.id, label=f"F{i}", kind=PlaceKind.family_room, capacity=c)
                for i, c in enumerate(rooms)
            ]
        )
        return u.id


async def test_family_room_preferred_then_singles(sessionmaker: Any, clock: FrozenClock) -> None:
    unit_id = await make_unit(sessionmaker, singles=3, rooms=(4, 3))
    start = clock.now()
    async with transaction(sessionmaker) as s:
        group = await bookings.book(
            s,
            clock,
            ACTOR,
            unit_id=unit_id,
            kind=BookingKind.placement,
            household_size=3,
            starts_at=start,
            ends_at=start + timedelta(days=14),
        )
        place = await s.get(Place, group[0].place_id)
        assert (
            len(group) == 1 and place is not None and place.capacity == 3
        )  # smallest room that fits
    async with transaction(sessionmaker) as s:
        group = await bookings.book(
            s,
            clock,
            ACTOR,
            unit_id=unit_id,
            kind=BookingKind.placement,
            household_size=2,
            starts_at=start,
            ends_at=start + timedelta(days=14),
        )
        assert len(group) == 1  # the 4-room
    async with transaction(sessionmaker) as s:
        group = await bookings.book(
            s,
            clock,
            ACTOR,
            unit_id=unit_id,
            kind=BookingKind.placement,
            household_size=2,
            starts_at=start,
            ends_at=start + timedelta(days=14),
        )
        assert len(group) == 2  # two single places
    async with transaction(sessionmaker) as s:
        with pytest.raises(Conflict):
            await bookings.book(
                s,
                clock,
                ACTOR,
                unit_id=unit_id,
                kind=BookingKind.placement,
                household_size=2,
                starts_at=start,
                ends_at=start + timedelta(days=1),
            )


async def test_trigger_refuses_overlap_even_without_the_service(
    sessionmaker: Any, clock: FrozenClock
) -> None:
    unit_id = await make_unit(sessionmaker, singles=1)
    start = clock.now()
    async with transaction(sessionmaker) as s:
        place = (await s.execute(select(Place).where(Place.unit_id == unit_id))).scalar_one()
        s.add(
            Booking(
                place_id=place.id,
                unit_id=unit_id,
                kind=BookingKind.placement,
                starts_at=start,
                ends_at=start + timedelta(days=14),
            )
        )
    with pytest.raises(DBAPIError) as err:
        async with transaction(sessionmaker) as s:
            s.add(
                Booking(
                    place_id=place.id,
                    unit_id=unit_id,
                    kind=BookingKind.placement,
                    starts_at=start + timedelta(days=13),
                    ends_at=start + timedelta(days=20),
                )
            )
    assert "already booked" in str(err.value)
    # Touching periods do not overlap: [a, b) and [b, c).
    async with transaction(sessionmaker) as s:
        s.add(
            Booking(
                place_id=place.id,
                unit_id=unit_id,
                kind=BookingKind.placement,
                starts_at=start + timedelta(days=14),
                ends_at=start + timedelta(days=20),
            )
        )


async def test_concurrent_raw_inserts_one_wins(sessionmaker: Any, clock: FrozenClock) -> None:
    """20 transactions insert an overlapping placement of the same place at once."""
    unit_id = await make_unit(sessionmaker, singles=1)
    async with transaction(sessionmaker) as s:
        place_id = (await s.execute(select(Place.id).where(Place.unit_id == unit_id))).scalar_one()
    start = clock.now()

    async def attempt(i: int) -> bool:
        try:
            async with transaction(sessionmaker) as s:
                s.add(
                    Booking(
                        place_id=place_id,
                        unit_id=unit_id,
                        kind=BookingKind.placement,
                        starts_at=start + timedelta(hours=i),
                        ends_at=start + timedelta(days=14),
                    )
                )
            return True
        except DBAPIError:
            return False

    results = await asyncio.gather(*(attempt(i) for i in range(20)))
    assert sum(results) == 1


async def test_expired_hold_frees_place(sessionmaker: Any, clock: FrozenClock) -> None:
    unit_id = await make_unit(sessionmaker, singles=1)
    start = clock.now()
    async with transaction(sessionmaker) as s:
        hold = await bookings.book(
            s,
            clock,
            ACTOR,
            unit_id=unit_id,
            kind=BookingKind.hold,
            household_size=1,
            starts_at=start,
            ends_at=start + timedelta(days=14),
            hold_minutes=90,
        )
    clock.advance(timedelta(minutes=91))
    async with transaction(sessionmaker) as s:
        again = await bookings.book(
            s,
            clock,
            ACTOR,
            unit_id=unit_id,
            kind=BookingKind.hold,
            household_size=1,
            starts_at=start,
            ends_at=start + timedelta(days=14),
            hold_minutes=90,
        )
        assert again[0].place_id == hold[0].place_id
        old = await s.get(Booking, hold[0].id)
        assert old is not None and old.status == BookingStatus.expired
        with pytest.raises(Conflict):
            await bookings.confirm_hold(s, clock, ACTOR, hold[0].group_id, case_id=uuid.uuid4())
