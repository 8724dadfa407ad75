"""Full-access scope in request paths: only through ``elevated`` (audited, always restored).
Bare ``system_scope`` is for whole transactions that act for no user (scheduler, CLI,
demo seeding, key rotation); a scan of the code keeps it there."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.auth.scope import apply_scope, elevated
from placement.clock import FrozenClock
from placement.db import transaction
from placement.errors import Conflict
from placement.models import AuditEntry
from placement.models.enums import Role

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {
    "placement/auth/scope.py",
    "placement/jobs.py",
    "placement/demo/seed.py",
    "placement/key_rotation.py",
    "placement/cases/link_upkeep.py",  # CLI backfill and rotate-keys
}


def test_bare_system_scope_only_where_no_user_acts() -> None:
    found = []
    for package in ("api", "placement"):
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if name == "system_scope" and rel not in ALLOWED:
                        found.append(f"{rel}:{node.lineno}")
    assert found == []


async def _role(s: Any) -> str:
    return str(await s.scalar(text("SELECT current_setting('bk.role', true)")))


async def test_elevated_is_audited_and_always_restored(app: Any, clock: FrozenClock) -> None:
    actor = Actor(user_id=None, username="coord", role=Role.coordinator)
    async with transaction(app.state.sessionmaker) as s:
        await apply_scope(s, actor)
        with pytest.raises(Conflict):
            async with elevated(s, clock, actor, "test: refused inside"):
                assert await _role(s) == "system"
                raise Conflict("refused")
        assert await _role(s) == "coordinator"
        async with elevated(s, clock, actor, "test: nested"):
            async with elevated(s, clock, actor, "test: inner"):
                assert await _role(s) == "system"
            assert await _role(s) == "system"  # the inner block does not restore early
        assert await _role(s) == "coordinator"
    async with transaction(app.state.sessionmaker) as s:
        await apply_scope(s, Actor(user_id=None, username="a", role=Role.auditor))
        reasons = (
            (
                await s.execute(
                    select(AuditEntry.reason).where(col(AuditEntry.entity_type) == "system_scope")
                )
            )
            .scalars()
            .all()
        )
    assert sorted(r for r in reasons if r and r.startswith("test:")) == [
        "test: nested",
        "test: refused inside",
    ]  # one audit entry per outermost block, none for the inner one
