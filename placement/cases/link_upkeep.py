"""Keeping the person links whole (``placement.cases.person_link``) for cases opened before
links were recorded, and after a key rotation. These act for no user: the CLI
(``backfill-person-links``) and ``rotate-keys`` run them in a transaction of their own, with
full access.
"""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from placement.auth.scope import system_scope
from placement.cases.person_link import PERSONAL_NUMBER_AD, link_for_number
from placement.crypto import Keyring

_NUMBERED = """SELECT c.id, c.person_link, p.personal_number_ciphertext
               FROM "case" c JOIN person p ON p.id = c.person_id
               WHERE p.personal_number_ciphertext IS NOT NULL"""


async def _set_links(session: AsyncSession, changes: dict[uuid.UUID, str]) -> None:
    if changes:
        await session.execute(
            text('UPDATE "case" SET person_link = :link WHERE id = :id'),
            [{"id": k, "link": v} for k, v in changes.items()],
        )


async def backfill(session: AsyncSession, keyring: Keyring) -> int:
    """Give every case with a personal identity number and no link its link (cases opened
    before links were recorded). Cases that already have one are left alone, so running it
    again changes nothing. Returns how many cases got a link."""
    await system_scope(session)
    rows = (await session.execute(text(_NUMBERED + " AND c.person_link IS NULL"))).all()
    changes = {
        r.id: link_for_number(
            keyring, keyring.decrypt(r.personal_number_ciphertext, associated=PERSONAL_NUMBER_AD)
        )
        for r in rows
    }
    await _set_links(session, changes)
    return len(changes)


async def recompute(session: AsyncSession, keyring: Keyring) -> int:
    """Every keyed link again under the active key (``rotate-keys``: the link key derives
    from the active encryption key, so a new key gives new links). A case with a number
    gets its number's link; a case without one that took a keyed link from an earlier case
    follows that link to its new value; "earlier case" links (``c:``) do not depend on the
    key and stay. Idempotent. Returns how many cases changed."""
    await system_scope(session)
    rows = (await session.execute(text(_NUMBERED))).all()
    changes: dict[uuid.UUID, str] = {}
    renamed: dict[str, str] = {}
    for r in rows:
        number = keyring.decrypt(r.personal_number_ciphertext, associated=PERSONAL_NUMBER_AD)
        new = link_for_number(keyring, number)
        if r.person_link != new:
            changes[r.id] = new
            if r.person_link is not None and r.person_link.startswith("h:"):
                renamed[r.person_link] = new
    if renamed:
        followers = (
            await session.execute(
                text(
                    """SELECT c.id, c.person_link FROM "case" c JOIN person p
                         ON p.id = c.person_id
                       WHERE p.personal_number_ciphertext IS NULL
                         AND c.person_link = ANY(:links)"""
                ),
                {"links": list(renamed)},
            )
        ).all()
        changes.update({f.id: renamed[f.person_link] for f in followers})
    await _set_links(session, changes)
    return len(changes)
