"""The backup and restore drill, timed: the demo city seeded through the services, backed up,
restored into a fresh database, every table's row count compared.

    python benchmarks/bench_backup.py

Starts its own embedded PostgreSQL in a temporary directory. Prints the size of the dump and
the time of the seeding, the backup and the restore (with the check of the counts).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

from placement.auth.scope import system_scope  # noqa: E402
from placement.backup import backup, restore  # noqa: E402
from placement.clock import SystemClock  # noqa: E402
from placement.config import Settings  # noqa: E402
from placement.crypto import Keyring  # noqa: E402
from placement.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from placement.demo.seed import seed_demo  # noqa: E402
from placement.migrate import upgrade  # noqa: E402


async def seed(url: str, settings: Settings) -> dict[str, int]:
    engine = make_engine(url, app_role=settings.app_db_role)
    try:
        async with transaction(make_sessionmaker(engine)) as s:
            await system_scope(s)
            return await seed_demo(
                s, SystemClock(), Keyring.parse(settings.encryption_keys), settings=settings
            )
    finally:
        await engine.dispose()


def main() -> None:
    import pgserver  # type: ignore[import-untyped]

    tmp = Path(tempfile.mkdtemp(prefix="bk-bench-pg-"))
    server: Any = pgserver.get_server(tmp, cleanup_mode="delete")
    settings = Settings(environment="test", scheduler_enabled=False)
    try:
        server.psql('CREATE DATABASE "bench";')
        server.psql('CREATE DATABASE "restored";')
        url = f"postgresql+asyncpg://postgres@/bench?host={tmp}"
        target = f"postgresql+asyncpg://postgres@/restored?host={tmp}"
        upgrade(url)
        t0 = time.perf_counter()
        counts = asyncio.run(seed(url, settings))
        t1 = time.perf_counter()
        file = tmp / "bench.dump"
        manifest = backup(url, file)
        t2 = time.perf_counter()
        restore(target, file)
        t3 = time.perf_counter()
        rows = sum(manifest.row_counts.values())
        print(
            f"demo city: {counts.get('cases', 0)} cases, {rows} rows in "
            f"{len(manifest.row_counts)} tables; seeded through the services in {t1 - t0:.1f} s"
        )
        print(f"backup: {file.stat().st_size / 1e6:.1f} MB in {t2 - t1:.2f} s")
        print(f"restore into a fresh database, counts checked: {t3 - t2:.2f} s")
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
