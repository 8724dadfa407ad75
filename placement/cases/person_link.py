"""A pseudonymous link between cases of one person, so that statistics can count a person
who comes back (re-actualised) without knowing who.

With a personal identity number the link is a keyed hash (HMAC-SHA-256) of the normalised
number under a key derived (HKDF) from the app's active encryption key: the same person gives
the same link, nobody without the key can test a number against it. Without one, the officer
names the earlier case at intake and the new case takes its link. The link never leaves the
database: no API, page or export shows it.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from placement.auth.scope import system_scope
from placement.crypto import Keyring

_INFO = b"boendekedjan person link v1"


def _link_key(keyring: Keyring) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO)
    return hkdf.derive(keyring.keys[keyring.active_id])


def link_for_number(keyring: Keyring, normalised_number: str) -> str:
    digest = hmac.new(_link_key(keyring), normalised_number.encode(), hashlib.sha256)
    return f"h:{digest.hexdigest()}"


def link_for_case(case_id: uuid.UUID) -> str:
    """The link a case without one lends to a later case that names it as the earlier one."""
    return f"c:{case_id}"


PERSONAL_NUMBER_AD = "person_personal_number"  # as placement.cases.service seals it

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
