"""The database itself keeps a family room for two or more, whatever code writes places."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from placement.db import transaction
from placement.models import Place
from placement.models.enums import PlaceKind
from tests.conftest import owner_sm
from tests.inventory.factories import make_unit, make_world


async def test_a_one_bed_family_room_is_refused_by_the_database(app: Any) -> None:
    sm = owner_sm(app)
    world = await make_world(sm)
    unit_id = await make_unit(sm, world, singles=1)
    with pytest.raises(IntegrityError, match="ck_place_family_capacity"):
        async with transaction(sm) as s:
            s.add(Place(unit_id=unit_id, label="F9", kind=PlaceKind.family_room, capacity=1))
            await s.flush()
    async with transaction(sm) as s:
        s.add(Place(unit_id=unit_id, label="F9", kind=PlaceKind.family_room, capacity=2))
