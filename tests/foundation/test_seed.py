"""The demo city: sized to the December 2022 figures, idempotent, fictional, encrypted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text

from placement.clock import FrozenClock
from placement.crypto import Keyring
from placement.db import transaction
from placement.demo.seed import seed_demo
from placement.models import Booking, District, Place, Unit
from placement.models.enums import BookingStatus, UnitKind
from tests.conftest import owner_sm


async def test_demo_city(
    app: Any, demo: dict[str, int], clock: FrozenClock, keyring: Keyring
) -> None:
    assert demo["districts"] == 21  # 14 Stockholm district administrations + 7 Nordväst
    assert demo["cases"] >= 36
    async with transaction(app.state.sessionmaker) as s:
        kinds = set((await s.execute(select(Unit.kind).distinct())).scalars())
        assert kinds == set(UnitKind)
        rvc = set((await s.execute(select(District.rvc_region).distinct())).scalars())
        assert {"innerstaden", "sydost", "vast", "sydvast"} <= {str(r) for r in rvc if r}
        places = await s.scalar(select(func.count()).select_from(Place))
        occupied = await s.scalar(
            select(func.count(func.distinct(Booking.place_id))).where(
                Booking.status == BookingStatus.active
            )
        )
        assert places and occupied and 0 < occupied < places  # some free, some full
        # Idempotent: a second run changes nothing.
        assert await seed_demo(s, clock, keyring) == {}


async def test_addresses_and_names_are_not_stored_in_plaintext(
    app: Any, demo: dict[str, int], keyring: Keyring
) -> None:
    async with transaction(owner_sm(app)) as s:
        stored = (await s.execute(select(Unit.address_ciphertext))).scalars().all()
        assert stored and all(v and v.startswith("dev:") for v in stored)
        plain = keyring.decrypt(stored[0], associated="unit_address")
        hits = await s.scalar(
            text("SELECT count(*) FROM unit WHERE address_ciphertext LIKE :p"),
            {"p": f"%{plain}%"},
        )
        assert hits == 0
