"""Re-encrypt every stored identifying field under the active key (``rotate-keys``).

Each value carries the id of the key that sealed it, so old keys can stay configured for
reading while this runs; afterwards the old key can be removed from BK_ENCRYPTION_KEYS.
Values already sealed with the active key are left alone, so running it twice is harmless.

The person links (placement.cases.person_link) are keyed with a key derived from the active
encryption key, so the same transaction computes every link again under the new key (and
gives cases opened before links existed theirs): two cases of one person stay linked.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from placement.auth.scope import system_scope
from placement.cases import link_upkeep
from placement.crypto import Keyring
from placement.priority.messages import body_context
from placement.priority.views import debt_note_context


@dataclass(frozen=True)
class Sealed:
    table: str
    column: str
    associated: Callable[[Any], str]  # the AES-GCM associated data for a row
    extra: str = ""  # further column the associated data needs


def _const(value: str) -> Callable[[Any], str]:
    return lambda _row: value


SEALED: tuple[Sealed, ...] = (
    Sealed("person", "name_ciphertext", _const("person_name")),
    Sealed("person", "personal_number_ciphertext", _const("person_personal_number")),
    Sealed("person", "contact_ciphertext", _const("person_contact")),
    Sealed("unit", "address_ciphertext", _const("unit_address")),
    Sealed("user_account", "totp_secret_ciphertext", _const("totp")),
    Sealed("priority_application", "debt_note_ciphertext", lambda row: debt_note_context(row.id)),
    Sealed(
        "application_message",
        "body_ciphertext",
        lambda row: body_context(uuid.UUID(str(row.application_id))),
        extra=", application_id",
    ),
)


async def rotate(session: AsyncSession, keyring: Keyring) -> dict[str, int]:
    """Re-seal values not under the active key; returns how many per table.column."""
    await system_scope(session)
    counts: dict[str, int] = {}
    prefix = f"{keyring.active_id}:"
    for spec in SEALED:
        rows = (
            await session.execute(
                text(
                    f"SELECT id, {spec.column} AS sealed{spec.extra} FROM {spec.table} "  # noqa: S608 - fixed names
                    f"WHERE {spec.column} IS NOT NULL AND {spec.column} NOT LIKE :prefix"
                ),
                {"prefix": prefix + "%"},
            )
        ).all()
        for row in rows:
            ad = spec.associated(row)
            value = keyring.encrypt(keyring.decrypt(row.sealed, associated=ad), associated=ad)
            await session.execute(
                text(f"UPDATE {spec.table} SET {spec.column} = :v WHERE id = :id"),  # noqa: S608
                {"v": value, "id": row.id},
            )
        counts[f"{spec.table}.{spec.column}"] = len(rows)
    counts["case.person_link"] = await link_upkeep.recompute(session, keyring)
    return counts
