"""A dump of the database holds none of the seeded identities or shelter addresses."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import pgserver  # type: ignore[import-untyped,unused-ignore]
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from placement.crypto import Keyring
from placement.db import transaction
from placement.models import Person, Unit
from tests.conftest import PgServer, owner_sm

PG_DUMP = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump"


async def test_dump_holds_no_plaintext(
    app: Any, pg: PgServer, db_url: str, demo: dict[str, int], keyring: Keyring
) -> None:
    async with transaction(owner_sm(app)) as s:
        addresses = [
            keyring.decrypt(v, associated="unit_address")
            for v in (await s.execute(select(Unit.address_ciphertext))).scalars()
            if v
        ]
        names = [
            keyring.decrypt(v, associated="person_name")
            for v in (
                await s.execute(
                    select(Person.name_ciphertext).where(col(Person.name_ciphertext).isnot(None))
                )
            ).scalars()
            if v
        ]
    assert len(addresses) > 100 and len(names) > 30
    database = make_url(db_url).database
    assert database
    result = await asyncio.to_thread(
        subprocess.run,
        [str(PG_DUMP), "-h", str(pg.socket_dir), "-U", "postgres", "--data-only", database],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    dump = result.stdout
    assert "RV-" in dump  # the dump has the data (pseudonymous case numbers)...
    leaked = [v for v in addresses + names if v in dump]
    assert leaked == []  # ...but no plaintext address or name
