"""Person links kept up: cases opened before links were recorded get theirs from the
backfill, and key rotation computes every keyed link again under the new key, in the same
transaction, so two cases of one person stay linked."""

from __future__ import annotations

import base64
import os
import uuid
from typing import Any

from sqlalchemy import text

from placement.cases import link_upkeep, person_link
from placement.cases import service as cases
from placement.clock import FrozenClock
from placement.crypto import Keyring
from placement.db import transaction
from placement.key_rotation import rotate
from tests.decisions.factories import household, make_world, open_case


async def _links(sessionmaker: Any) -> dict[uuid.UUID, str | None]:
    async with transaction(sessionmaker) as s:
        rows = (await s.execute(text('SELECT id, person_link FROM "case"'))).all()
    return {r.id: r.person_link for r in rows}


async def _unlink(sessionmaker: Any, *case_ids: uuid.UUID) -> None:
    """As a case opened before migration 0013 was stored: no link."""
    async with transaction(sessionmaker) as s:
        await s.execute(
            text('UPDATE "case" SET person_link = NULL WHERE id = ANY(:ids)'),
            {"ids": list(case_ids)},
        )


async def test_backfill_links_a_case_opened_before_links(
    sessionmaker: Any, clock: FrozenClock, keyring: Keyring
) -> None:
    world = await make_world(sessionmaker)
    handler = world.actor(world.handler)
    old, _ = await open_case(sessionmaker, clock, keyring, world, handler, children=0)
    new, _ = await open_case(sessionmaker, clock, keyring, world, handler, children=0)
    async with transaction(sessionmaker) as s:
        no_number = household(world, children=0)
        no_number.person.personal_number = None
        stranger = (await cases.create_case(s, clock, handler, keyring, no_number)).id
    expected = (await _links(sessionmaker))[new]
    assert expected is not None and expected.startswith("h:")
    await _unlink(sessionmaker, old)
    assert (await _links(sessionmaker))[old] is None

    async with transaction(sessionmaker) as s:
        added = await link_upkeep.backfill(s, keyring)
    assert added == 1
    links = await _links(sessionmaker)
    assert links[old] == links[new] == expected  # the same person: linked again
    assert links[stranger] is None  # no number: nothing to compute a link from
    async with transaction(sessionmaker) as s:
        assert await link_upkeep.backfill(s, keyring) == 0  # idempotent
    assert await _links(sessionmaker) == links


async def test_rotation_recomputes_links_and_keeps_one_person_linked(
    sessionmaker: Any, clock: FrozenClock, keyring: Keyring, settings: Any
) -> None:
    world = await make_world(sessionmaker)
    handler = world.actor(world.handler)
    first, _ = await open_case(sessionmaker, clock, keyring, world, handler, children=0)
    second, _ = await open_case(sessionmaker, clock, keyring, world, handler, children=0)
    async with transaction(sessionmaker) as s:
        number = (
            await s.execute(text('SELECT case_number FROM "case" WHERE id = :id'), {"id": first})
        ).scalar_one()
        no_number = household(world, children=0)
        no_number.person.personal_number = None
        named = no_number.model_copy(update={"earlier_case_number": number})
        follower = (await cases.create_case(s, clock, handler, keyring, named)).id
        stranger_data = household(world, children=0)
        stranger_data.person.personal_number = None
        stranger = (await cases.create_case(s, clock, handler, keyring, stranger_data)).id
    # A second person with a number of their own (another valid personnummer).
    async with transaction(sessionmaker) as s:
        other_data = household(world, children=0)
        other_data.person.personal_number = "198501010006"
        other = (await cases.create_case(s, clock, handler, keyring, other_data)).id
    # ...and a case of the first person opened before links were recorded.
    unlinked, _ = await open_case(sessionmaker, clock, keyring, world, handler, children=0)
    await _unlink(sessionmaker, unlinked)
    before = await _links(sessionmaker)
    assert before[first] == before[second] == before[follower]
    assert before[stranger] is None and before[other] not in (None, before[first])

    new_key = "k2:" + base64.urlsafe_b64encode(os.urandom(32)).decode()
    rotated = Keyring.parse(f"{new_key},{settings.encryption_keys}")
    async with transaction(sessionmaker) as s:
        counts = await rotate(s, rotated)
    after = await _links(sessionmaker)
    assert after[first] != before[first] and after[other] != before[other]  # new key
    assert after[first] == after[second] == after[follower] == after[unlinked]
    assert after[other] not in (None, after[first])
    assert after[stranger] is None
    sealed = await _number(sessionmaker, first)
    number_now = rotated.decrypt(sealed, associated=person_link.PERSONAL_NUMBER_AD)
    assert after[first] == person_link.link_for_number(rotated, number_now)
    assert counts["case.person_link"] == 5  # first, second, follower, unlinked, other
    async with transaction(sessionmaker) as s:
        again = await rotate(s, rotated)
    assert again["case.person_link"] == 0 and await _links(sessionmaker) == after


async def _number(sessionmaker: Any, case_id: uuid.UUID) -> str:
    async with transaction(sessionmaker) as s:
        return str(
            (
                await s.execute(
                    text(
                        'SELECT p.personal_number_ciphertext FROM "case" c '
                        "JOIN person p ON p.id = c.person_id WHERE c.id = :id"
                    ),
                    {"id": case_id},
                )
            ).scalar_one()
        )
