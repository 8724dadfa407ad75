"""Fixtures for the statistics tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import owner_sm
from tests.decisions.factories import World, make_world


@pytest.fixture
async def world(app: Any) -> World:
    return await make_world(owner_sm(app))
