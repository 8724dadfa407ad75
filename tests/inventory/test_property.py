"""Property test: random sequences of holds, releases, extensions, confirmations, blocks,
placements, endings, sweeps and the passing of time.

A plain-Python model keeps every booking. After each step: no place is booked twice at any
instant, no unit holds more persons than it has beds, the database holds exactly the bookings
the model expects, and the availability answer equals a brute-force recount from the model.
Every outcome (success or refusal) is predicted by the model before the service is called.

Each example gets its own district (and municipality), so examples never see each other.
The async services run on a dedicated event loop inside the synchronous state machine.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.clock import FrozenClock
from placement.config import Settings
from placement.db import make_sessionmaker, transaction
from placement.errors import Conflict, InvalidInput
from placement.inventory import availability, bookings, holds, vacancy
from placement.inventory.booking_schemas import (
    AvailabilityQuery,
    BlockCreate,
    HoldConfirm,
    HoldCreate,
    PlacementCreate,
)
from placement.inventory.rules import local_date
from placement.inventory.sweeps import expire_holds
from placement.models import (
    Booking,
    Case,
    District,
    Operator,
    Person,
    Place,
    RiskAssessment,
    Unit,
)
from placement.models.enums import (
    BookingKind,
    BookingStatus,
    DistrictKind,
    Gender,
    OperatorKind,
    PlaceKind,
    RiskInstrument,
    RiskLevel,
    Role,
    SharingPolicy,
    SubstancePolicy,
    UnitKind,
)

T = TypeVar("T")
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ZONE = "Europe/Stockholm"
SETTINGS = Settings(environment="test", scheduler_enabled=False)
HOLD = timedelta(minutes=SETTINGS.hold_minutes)


@dataclass
class MBooking:
    id: uuid.UUID
    group_id: uuid.UUID
    place_id: uuid.UUID
    unit_id: uuid.UUID
    kind: BookingKind
    starts_at: datetime
    ends_at: datetime
    expires_at: datetime | None
    status: BookingStatus = BookingStatus.active
    extensions: int = 0

    def blocks(self, now: datetime) -> bool:
        if self.status != BookingStatus.active:
            return False
        return self.kind != BookingKind.hold or (
            self.expires_at is not None and self.expires_at > now
        )


@dataclass
class MPlace:
    id: uuid.UUID
    unit_id: uuid.UUID
    kind: PlaceKind
    capacity: int


class BookingMachine(RuleBasedStateMachine):
    loop: asyncio.AbstractEventLoop
    sm: Any
    operator_id: uuid.UUID

    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock(T0)
        self.places: dict[uuid.UUID, list[MPlace]] = {}
        self.model: list[MBooking] = []
        self.staff = Actor(user_id=None, username="staff", role=Role.socialjour)
        self.operator = Actor(
            user_id=None, username="op", role=Role.operator, operator_id=self.operator_id
        )

    # --- plumbing -------------------------------------------------------------------------------

    def run(self, make: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async def go() -> T:
            async with transaction(self.sm) as s:
                return await make(s)

        return self.loop.run_until_complete(go())

    def attempt(self, make: Callable[[AsyncSession], Awaitable[T]]) -> T | None:
        try:
            return self.run(make)
        except Conflict:
            return None

    def now(self) -> datetime:
        return self.clock.now()

    def period(self, day: int, nights: int) -> tuple[datetime, datetime]:
        start = T0 + timedelta(days=day, hours=1)
        return start, start + timedelta(days=nights)

    def free(self, unit_id: uuid.UUID, start: datetime, end: datetime) -> list[MPlace]:
        now = self.now()
        busy = {
            b.place_id
            for b in self.model
            if b.unit_id == unit_id and b.blocks(now) and b.starts_at < end and b.ends_at > start
        }
        return [p for p in self.places[unit_id] if p.id not in busy]

    @staticmethod
    def fits(free: list[MPlace], size: int) -> bool:
        singles = sum(1 for p in free if p.kind == PlaceKind.place)
        return size <= singles or any(
            p.capacity >= size for p in free if p.kind == PlaceKind.family_room
        )

    def load_group(self, group_id: uuid.UUID) -> list[Booking]:
        async def q(s: AsyncSession) -> list[Booking]:
            rows = await s.execute(select(Booking).where(col(Booking.group_id) == group_id))
            return list(rows.scalars().all())

        return self.run(q)

    def record(self, group_id: uuid.UUID, kind: BookingKind) -> list[MBooking]:
        rows = [b for b in self.load_group(group_id) if b.kind == kind]
        made = [
            MBooking(
                b.id,
                b.group_id,
                b.place_id,
                b.unit_id,
                b.kind,
                b.starts_at,
                b.ends_at,
                b.expires_at,
            )
            for b in rows
        ]
        self.model.extend(made)
        return made

    def pick(self, kind: BookingKind, index: int) -> MBooking | None:
        # Creation order, not id order: ids are random, and a replay must pick the same group.
        groups = list(dict.fromkeys(b.group_id for b in self.model if b.kind == kind))
        if not groups:
            return None
        gid = groups[index % len(groups)]
        return next(b for b in self.model if b.group_id == gid and b.kind == kind)

    def group(self, gid: uuid.UUID, kind: BookingKind) -> list[MBooking]:
        return [b for b in self.model if b.group_id == gid and b.kind == kind]

    # --- set-up ---------------------------------------------------------------------------------

    @initialize(
        layout=st.lists(
            st.tuples(st.integers(0, 3), st.lists(st.integers(2, 4), max_size=2)).filter(
                lambda t: t[0] + len(t[1]) > 0
            ),
            min_size=1,
            max_size=3,
        )
    )
    def setup(self, layout: list[tuple[int, list[int]]]) -> None:
        async def make(s: AsyncSession) -> None:
            code = uuid.uuid4().hex[:10]
            district = District(
                code=code,
                name=code,
                kind=DistrictKind.municipality,
                municipality=code,
                lat=59.0,
                lon=18.0,
            )
            s.add(district)
            await s.flush()
            self.district_id = district.id
            person = Person(gender=Gender.female, birth_year=1990, scope_district_id=district.id)
            s.add(person)
            await s.flush()
            case = Case(
                case_number=f"P-{code}",
                person_id=person.id,
                responsible_district_id=district.id,
                opened_at=T0,
            )
            s.add(case)
            await s.flush()
            s.add(
                RiskAssessment(
                    case_id=case.id,
                    instrument=RiskInstrument.freda,
                    level=RiskLevel.low,
                    assessed_at=T0,
                )
            )
            self.case_id = case.id
            for i, (singles, rooms) in enumerate(layout):
                unit = Unit(
                    operator_id=self.operator_id,
                    name=f"U{i}",
                    kind=UnitKind.protected_shelter,
                    district_id=district.id,
                    sharing_policy=SharingPolicy.city_wide,
                    protection_level=3,
                    substance_policy=SubstancePolicy.no_active_use,
                    accepted_genders=["female"],
                    accepts_children=True,
                    max_children=6,
                )
                s.add(unit)
                await s.flush()
                places = [
                    Place(unit_id=unit.id, label=f"P{k}", kind=PlaceKind.place)
                    for k in range(singles)
                ]
                places += [
                    Place(unit_id=unit.id, label=f"F{k}", kind=PlaceKind.family_room, capacity=c)
                    for k, c in enumerate(rooms)
                ]
                s.add_all(places)
                await s.flush()
                self.places[unit.id] = [MPlace(p.id, unit.id, p.kind, p.capacity) for p in places]

        self.run(make)
        self.staff = Actor(
            user_id=None, username="staff", role=Role.socialjour, district_id=self.district_id
        )
        self.unit_ids = list(self.places)  # creation order: deterministic on replay

    # --- operations -----------------------------------------------------------------------------

    def _book(self, kind: BookingKind, unit_ix: int, size: int, day: int, nights: int) -> None:
        unit_id = self.unit_ids[unit_ix % len(self.unit_ids)]
        start, end = self.period(day, nights)
        expected = self.fits(self.free(unit_id, start, end), size)
        free_ids = {p.id for p in self.free(unit_id, start, end)}
        children = [{"age": 5}] * (size - 1)
        if kind == BookingKind.hold:
            data: Any = HoldCreate(
                unit_id=unit_id, nights=nights, starts_at=start, adults=1, children=children
            )
            result = self.attempt(
                lambda s: holds.create_hold(s, self.clock, SETTINGS, self.staff, data)
            )
        else:
            data = PlacementCreate(
                unit_id=unit_id,
                case_id=self.case_id,
                starts_at=start,
                nights=nights,
                adults=1,
                children=children,
            )
            result = self.attempt(
                lambda s: holds.create_placement(s, self.clock, SETTINGS, self.staff, data)
            )
        assert (result is not None) == expected, (kind, size, start, end)
        if result is not None:
            made = self.record(result.group_id, kind)
            assert {b.place_id for b in made} <= free_ids
            by_id = {p.id: p for p in self.places[unit_id]}
            assert sum(by_id[b.place_id].capacity for b in made) >= size

    @rule(
        unit_ix=st.integers(0, 2),
        size=st.integers(1, 4),
        day=st.integers(0, 6),
        nights=st.integers(1, 5),
    )
    def hold(self, unit_ix: int, size: int, day: int, nights: int) -> None:
        self._book(BookingKind.hold, unit_ix, size, day, nights)

    @rule(
        unit_ix=st.integers(0, 2),
        size=st.integers(1, 4),
        day=st.integers(0, 6),
        nights=st.integers(1, 5),
    )
    def place(self, unit_ix: int, size: int, day: int, nights: int) -> None:
        self._book(BookingKind.placement, unit_ix, size, day, nights)

    @rule(
        unit_ix=st.integers(0, 2),
        count=st.integers(1, 3),
        day=st.integers(0, 6),
        nights=st.integers(1, 5),
    )
    def block(self, unit_ix: int, count: int, day: int, nights: int) -> None:
        unit_id = self.unit_ids[unit_ix % len(self.unit_ids)]
        start, end = self.period(day, nights)
        singles = [p for p in self.free(unit_id, start, end) if p.kind == PlaceKind.place]
        data = BlockCreate(starts_at=start, ends_at=end, reason="repair", count=count)
        if local_date(start, ZONE) < local_date(self.now(), ZONE):
            # The clock has moved past the block's first day (Stockholm): refused, nothing kept.
            with pytest.raises(InvalidInput):
                self.run(
                    lambda s: vacancy.block_places(s, self.clock, self.operator, unit_id, data)
                )
            return
        result = self.attempt(
            lambda s: vacancy.block_places(s, self.clock, self.operator, unit_id, data)
        )
        assert (result is not None) == (len(singles) >= count)
        if result is not None:
            self.record(result.group_id, BookingKind.block)

    @precondition(lambda self: any(b.kind == BookingKind.hold for b in self.model))
    @rule(index=st.integers(0, 50))
    def release(self, index: int) -> None:
        first = self.pick(BookingKind.hold, index)
        assert first is not None
        group = self.group(first.group_id, BookingKind.hold)
        confirmed = any(b.status == BookingStatus.confirmed for b in group)

        async def release(s: AsyncSession) -> bool:
            await holds.release_hold(s, self.clock, self.staff, first.group_id)
            return True

        assert (self.attempt(release) is None) == confirmed
        if not confirmed:
            for b in group:
                if b.status == BookingStatus.active:
                    b.status = BookingStatus.released

    @precondition(lambda self: any(b.kind == BookingKind.hold for b in self.model))
    @rule(index=st.integers(0, 50))
    def extend(self, index: int) -> None:
        first = self.pick(BookingKind.hold, index)
        assert first is not None
        group = self.group(first.group_id, BookingKind.hold)
        expected = all(b.blocks(self.now()) for b in group) and first.extensions == 0
        result = self.attempt(
            lambda s: holds.extend_hold(s, self.clock, SETTINGS, self.staff, first.group_id)
        )
        assert (result is not None) == expected
        if result is not None:
            for b in group:
                b.expires_at = (b.expires_at or self.now()) + HOLD
                b.extensions += 1

    @precondition(lambda self: any(b.kind == BookingKind.hold for b in self.model))
    @rule(index=st.integers(0, 50))
    def confirm(self, index: int) -> None:
        first = self.pick(BookingKind.hold, index)
        assert first is not None
        group = self.group(first.group_id, BookingKind.hold)
        expected = all(b.blocks(self.now()) for b in group)
        data = HoldConfirm(case_id=self.case_id)
        result = self.attempt(
            lambda s: holds.confirm_hold(s, self.clock, self.staff, first.group_id, data)
        )
        assert (result is not None) == expected
        if result is not None:
            for b in group:
                b.status = BookingStatus.confirmed
            self.record(first.group_id, BookingKind.placement)

    @precondition(lambda self: any(b.kind == BookingKind.placement for b in self.model))
    @rule(index=st.integers(0, 50), day=st.integers(0, 8))
    def end_placement(self, index: int, day: int) -> None:
        first = self.pick(BookingKind.placement, index)
        assert first is not None
        at = T0 + timedelta(days=day)
        self.run(lambda s: bookings.end_group(s, self.clock, first.group_id, at))
        for b in self.group(first.group_id, BookingKind.placement):
            if b.status != BookingStatus.active:
                continue
            if at <= b.starts_at:
                b.status = BookingStatus.cancelled
                continue
            b.ends_at = min(b.ends_at, at)
            if at <= self.now():
                b.status = BookingStatus.ended

    @rule(minutes=st.integers(1, 150))
    def advance(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    @rule()
    def sweep(self) -> None:
        self.run(lambda s: expire_holds(s, self.clock, SETTINGS))
        for b in self.model:
            if (
                b.kind == BookingKind.hold
                and b.status == BookingStatus.active
                and b.expires_at is not None
                and b.expires_at <= self.now()
            ):
                b.status = BookingStatus.expired

    @rule(size=st.integers(1, 5), day=st.integers(0, 7), nights=st.integers(1, 6))
    def ask(self, size: int, day: int, nights: int) -> None:
        self.check_availability(size, *self.period(day, nights))

    # --- invariants -----------------------------------------------------------------------------

    def check_availability(self, size: int, start: datetime, end: datetime) -> None:
        q = AvailabilityQuery(
            nights=(end - start).days,
            starts_at=start,
            adults=1,
            children=[{"age": 5}] * (size - 1),  # type: ignore[list-item]
            requesting_district_id=self.district_id,
        )
        got = self.run(
            lambda s: availability.find_available(s, self.clock, SETTINGS, self.staff, q)
        )
        answer = {u.unit_id: (u.free_places, u.free_family_rooms) for u in got.units}
        expected = {}
        for unit_id in self.unit_ids:
            free = self.free(unit_id, start, end)
            if self.fits(free, size):
                expected[unit_id] = (
                    sum(1 for p in free if p.kind == PlaceKind.place),
                    sorted(
                        (p.capacity for p in free if p.kind == PlaceKind.family_room), reverse=True
                    ),
                )
        assert answer == expected, (size, start, end)

    @invariant()
    def availability_matches_recount(self) -> None:
        if self.places:
            self.check_availability(1, self.now(), self.now() + timedelta(days=2))

    @invariant()
    def database_matches_model_and_capacity(self) -> None:
        if not self.places:
            return
        now = self.now()

        async def q(s: AsyncSession) -> list[Booking]:
            rows = await s.execute(select(Booking).where(col(Booking.unit_id).in_(self.unit_ids)))
            return list(rows.scalars().all())

        rows = self.run(q)
        live = {
            (b.id, b.place_id, b.starts_at, b.ends_at)
            for b in rows
            if b.status == BookingStatus.active
            and (b.kind != BookingKind.hold or (b.expires_at and b.expires_at > now))
        }
        model = {(b.id, b.place_id, b.starts_at, b.ends_at) for b in self.model if b.blocks(now)}
        assert live == model
        capacity = {p.id: p.capacity for ps in self.places.values() for p in ps}
        for places in self.places.values():
            ids = {p.id for p in places}
            mine = [b for b in self.model if b.place_id in ids and b.blocks(now)]
            beds = sum(p.capacity for p in places)
            for probe in {b.starts_at for b in mine}:
                covering = [b for b in mine if b.starts_at <= probe < b.ends_at]
                assert len({b.place_id for b in covering}) == len(covering), "double booking"
                assert sum(capacity[b.place_id] for b in covering) <= beds


def test_random_booking_sequences(db_url: str) -> None:
    loop = asyncio.new_event_loop()
    engine = create_async_engine(db_url, pool_size=2)
    sm = make_sessionmaker(engine)

    async def operator() -> uuid.UUID:
        async with transaction(sm) as s:
            op = Operator(name="Prop", kind=OperatorKind.municipal)
            s.add(op)
            await s.flush()
            return op.id

    try:
        BookingMachine.loop = loop
        BookingMachine.sm = sm
        BookingMachine.operator_id = loop.run_until_complete(operator())
        run_state_machine_as_test(
            BookingMachine,
            settings=settings(
                max_examples=50,
                stateful_step_count=40,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
                database=None,
            ),
        )
    finally:
        loop.run_until_complete(engine.dispose())
        loop.close()
