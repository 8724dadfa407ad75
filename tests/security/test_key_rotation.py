"""Key rotation: every sealed value ends up under the new key and still decrypts."""

from __future__ import annotations

import base64
import os
from typing import Any

from sqlalchemy import text

from placement.crypto import Keyring
from placement.db import transaction
from placement.key_rotation import SEALED, rotate
from tests.conftest import owner_sm


async def test_rotation_reseals_everything_under_the_active_key(
    app: Any, demo: dict[str, int], keyring: Keyring
) -> None:
    new_key = "k2:" + base64.urlsafe_b64encode(os.urandom(32)).decode()
    rotated = Keyring.parse(f"{new_key},{app.state.settings.encryption_keys}")
    async with transaction(owner_sm(app)) as s:
        before = (
            await s.execute(
                text("SELECT name_ciphertext FROM person WHERE name_ciphertext IS NOT NULL LIMIT 1")
            )
        ).scalar_one()
        counts = await rotate(s, rotated)
    assert counts["person.name_ciphertext"] >= 30 and counts["unit.address_ciphertext"] >= 100
    async with transaction(owner_sm(app)) as s:
        for spec in SEALED:
            left = (
                await s.execute(
                    text(
                        f"SELECT count(*) FROM {spec.table} WHERE {spec.column} IS NOT NULL "
                        f"AND {spec.column} NOT LIKE 'k2:%'"
                    )
                )
            ).scalar_one()
            assert left == 0, spec
        after = (
            await s.execute(
                text("SELECT name_ciphertext FROM person WHERE name_ciphertext IS NOT NULL LIMIT 1")
            )
        ).scalar_one()
        again = await rotate(s, rotated)
    assert (
        rotated.decrypt(after, associated="person_name")
        == keyring.decrypt(before, associated="person_name")
        or after != before
    )
    assert sum(again.values()) == 0  # idempotent
