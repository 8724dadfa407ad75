"""The backup and restore drill: the demo city backed up, restored into a fresh database, and
compared table by table; a damaged file or a non-empty target is refused."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from placement.backup import BackupError, backup, read_manifest, restore, row_counts
from tests.conftest import PgServer


async def test_backup_restore_drill(
    pg: PgServer, db_url: str, demo: dict[str, int], tmp_path: Path
) -> None:
    file = tmp_path / "demo.dump"
    made = await asyncio.to_thread(backup, db_url, file)
    assert file.exists() and read_manifest(file) == made
    assert made.row_counts["case"] == demo["cases"] and made.row_counts["decision"] > 500
    assert made.revision is not None
    # The keys are not in the backup: nothing of BK_ENCRYPTION_KEYS' key material is written.
    from placement.config import Settings

    key = Settings().encryption_keys.split(":", 1)[1].split(",")[0]
    assert key.encode() not in file.read_bytes()
    assert key not in (tmp_path / "demo.dump.manifest.json").read_text()

    name = f"r_{uuid.uuid4().hex[:12]}"
    pg.psql(f'CREATE DATABASE "{name}";')
    target = pg.url(name)
    try:
        restored = await asyncio.to_thread(restore, target, file)
        counts, revision = await asyncio.to_thread(row_counts, target)
        assert counts == made.row_counts and revision == made.revision
        assert restored.sha256 == made.sha256
        # Restoring again into the now full database is refused.
        with pytest.raises(BackupError, match="empty database"):
            await asyncio.to_thread(restore, target, file)
    finally:
        pg.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')

    damaged = tmp_path / "damaged.dump"
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    (tmp_path / "damaged.dump.manifest.json").write_text(
        (tmp_path / "demo.dump.manifest.json").read_text()
    )
    other = f"r_{uuid.uuid4().hex[:12]}"
    pg.psql(f'CREATE DATABASE "{other}";')
    try:
        with pytest.raises(BackupError, match="checksum"):
            await asyncio.to_thread(restore, pg.url(other), damaged)
        counts, _ = await asyncio.to_thread(row_counts, pg.url(other))
        assert counts == {}  # nothing was touched
    finally:
        pg.psql(f'DROP DATABASE IF EXISTS "{other}" WITH (FORCE);')
