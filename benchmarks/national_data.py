"""A national-size dataset in a real, migrated PostgreSQL database (issue 16).

At scale 1: 300 districts and municipalities (three cities split into district
administrations) with neighbours and regional pools, 5,000 units of every kind, 30,000 cases
of which 5,000 open, about 300,000 bookings, a year of decisions, follow-ups, reminders and
hand-overs, and users for every role. Deterministic with the seed (benchmarks/national_model.py
builds the rows); written with COPY, so the database's CHECK constraints and its booking and
decision no-overlap triggers check every row. Names, contacts and shelter addresses are
synthetic and encrypted with the app's keyring as the services encrypt them.

Every user has the password ``NATIONAL_PASSWORD`` and two-step sign-in enrolled with a secret
derived from the seed and the user name (``totp_secret``), so benchmarks and the load test
sign in through the real sign-in. Benchmark data only: never run this against production.

    python -m benchmarks.national_data                     # embedded server in /tmp/bk-national
    python -m benchmarks.national_data --scale 0.1 --data-dir /tmp/bk-nat-small
    python -m benchmarks.national_data --url postgresql+asyncpg://user@host/db
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from benchmarks.national_model import Dataset, build
from placement.auth.secrets import hash_password
from placement.auth.totp import ASSOCIATED as TOTP_AD
from placement.config import Settings
from placement.crypto import Keyring

NATIONAL_PASSWORD = "nationell-provdata-2026"  # noqa: S105 - synthetic benchmark accounts
DATABASE = "national"
# Parents before children (foreign keys).
TABLE_ORDER = (
    "district",
    "operator",
    "unit",
    "place",
    "vacancy_report",
    "user_account",
    "person",
    "case",
    "child",
    "risk_assessment",
    "exclusion_area",
    "placement_request",
    "booking",
    "decision",
    "follow_up",
    "reminder",
    "notification",
    "handover",
    "priority_committee_meeting",
    "priority_application",
    "priority_status_change",
)


def totp_secret(seed: int, username: str) -> str:
    """The benchmark user's TOTP secret (base32), derived so the load test can compute codes."""
    digest = hashlib.sha256(f"bk-national:{seed}:{username}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _required_columns(conn: asyncpg.Connection, table: str) -> set[str]:
    rows = await conn.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND table_name = $1 AND is_nullable = 'NO' AND column_default IS NULL",
        table,
    )
    return {r["column_name"] for r in rows}


async def _copy(conn: asyncpg.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    missing = await _required_columns(conn, table) - set(columns)
    if missing:
        raise RuntimeError(f"{table}: no value for required columns {sorted(missing)}")
    records = [tuple(r[c] for c in columns) for r in rows]
    await conn.copy_records_to_table(table, records=records, columns=columns)


def _enrol_totp(data: Dataset, keyring: Keyring, seed: int) -> None:
    for user in data.rows["user_account"]:
        secret = totp_secret(seed, user["username"])
        user["totp_secret_ciphertext"] = keyring.encrypt(secret, associated=TOTP_AD)
        user["totp_enabled"] = True


async def generate(
    url: str,
    *,
    seed: int = 1,
    scale: float = 1.0,
    now: datetime,
    keyring: Keyring | None = None,
    verbose: bool = False,
) -> dict[str, int]:
    """Fill the migrated, empty database at ``url``; return the row count per table."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    keyring = keyring or Keyring.parse(Settings().encryption_keys)
    started = time.perf_counter()
    data = build(seed, scale, now, keyring, hash_password(NATIONAL_PASSWORD))
    _enrol_totp(data, keyring, seed)
    built = time.perf_counter()
    if verbose:
        print(f"built the rows in memory in {built - started:.1f} s")
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        if await conn.fetchval("SELECT count(*) FROM district"):
            raise RuntimeError("the database is not empty: the national dataset needs a fresh one")
        # Row-level security binds even the table owner (FORCE): write as the system scope.
        await conn.execute("SELECT set_config('bk.role', 'system', false)")
        async with conn.transaction():
            for table in TABLE_ORDER:
                t0 = time.perf_counter()
                await _copy(conn, table, data.rows.get(table, []))
                if verbose:
                    n = len(data.rows.get(table, []))
                    print(f"  {table:28} {n:>8} rows  {time.perf_counter() - t0:6.1f} s")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    counts = {table: len(data.rows.get(table, [])) for table in TABLE_ORDER}
    if verbose:
        done = time.perf_counter()
        print(f"wrote in {done - built:.1f} s, {done - started:.1f} s in all")
    return counts


def embedded_url(data_dir: Path, database: str = DATABASE) -> str:
    from placement.embedded_pg import start_embedded

    return start_embedded(data_dir / "pg", database=database)


def prepare_database(
    *, url: str | None, data_dir: Path, seed: int, scale: float, now: datetime, reuse: bool
) -> tuple[str, dict[str, int] | None]:
    """Migrate and fill a database (embedded in ``data_dir`` unless ``url``). With ``reuse``
    an already filled database is kept as it is (counts None)."""
    from placement.migrate import upgrade

    target = url or embedded_url(data_dir)
    upgrade(target)

    async def filled() -> bool:
        conn = await asyncpg.connect(asyncpg_dsn(target))
        try:
            return bool(await conn.fetchval("SELECT count(*) FROM district"))
        finally:
            await conn.close()

    if reuse and asyncio.run(filled()):
        return target, None
    counts = asyncio.run(generate(target, seed=seed, scale=scale, now=now, verbose=True))
    return target, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a migrated, empty database (default: embedded server)")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/bk-national"))  # noqa: S108
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--now", help="ISO time the data is generated around (default: now)")
    args = parser.parse_args()
    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    started = time.perf_counter()
    url, counts = prepare_database(
        url=args.url,
        data_dir=args.data_dir,
        seed=args.seed,
        scale=args.scale,
        now=now,
        reuse=False,
    )
    for table, n in (counts or {}).items():
        print(f"{table:28} {n:>8}")
    took = time.perf_counter() - started
    print(f"national dataset (scale {args.scale}, seed {args.seed}) in {took:.1f} s")
    print(f"database: {url}")


if __name__ == "__main__":
    main()
