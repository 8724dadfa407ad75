"""The embedded PostgreSQL from the ``pgserver`` wheel, used when no DATABASE_URL is set."""

from __future__ import annotations

import fcntl
import logging
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

log = logging.getLogger(__name__)

APP_DATABASE = "boendekedjan"


class EmbeddedDatabaseError(RuntimeError):
    pass


def start_embedded(pgdata: Path, database: str = APP_DATABASE, cleanup: str = "stop") -> str:
    """Start (or attach to) a pgserver instance in ``pgdata``; return an asyncpg URL.

    The data directory persists, so what was entered survives a restart.
    """
    try:
        import pgserver  # type: ignore[import-untyped,unused-ignore]
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise EmbeddedDatabaseError("the pgserver package is not installed") from exc
    if not database.replace("_", "").isalnum():
        raise EmbeddedDatabaseError(f"invalid database name {database!r}")
    pgdata.mkdir(parents=True, exist_ok=True)
    # Two processes starting at once on one data directory (the app and the scheduler, or
    # two cold starts): the second waits for the first to finish starting, then attaches.
    with (pgdata.parent / f".{pgdata.name}.start.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            server: Any = pgserver.get_server(pgdata, cleanup_mode=cleanup)  # type: ignore[attr-defined]
        except Exception as exc:
            raise EmbeddedDatabaseError(
                f"could not start the embedded PostgreSQL in {pgdata}: {exc}"
            ) from exc
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
        if "(1 row)" not in exists:
            server.psql(f'CREATE DATABASE "{database}";')
            log.info("created embedded database %s", database)
    return asyncpg_url_from_pgserver(server.get_uri(), database)


def asyncpg_url_from_pgserver(uri: str, database: str) -> str:
    parsed = urlparse(uri)
    host_dir = parse_qs(parsed.query).get("host", [""])[0]
    user = parsed.username or "postgres"
    return f"postgresql+asyncpg://{user}@/{database}?host={host_dir}"
