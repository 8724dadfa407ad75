"""Inventory tests move the clock past hold expiry; keep sign-in sessions alive meanwhile."""

from __future__ import annotations

import pytest

from placement.config import Settings


@pytest.fixture
def settings() -> Settings:
    return Settings(
        environment="test",
        cookie_secure=False,
        scheduler_enabled=False,
        session_idle_minutes=24 * 60,
        session_absolute_hours=24 * 30,
    )
