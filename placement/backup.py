"""Backup and restore: ``pg_dump`` custom format, a manifest with a checksum and row counts.

``backup(url, file)`` writes FILE (the dump) and FILE.manifest.json: the SHA-256 of the dump,
the schema revision, when it was made, and the number of rows in every table. The dump holds
what the database holds, so names, personal identity numbers, contacts and unit addresses are
in it only as ciphertext; the encryption keys (``BK_ENCRYPTION_KEYS``) are never written to
either file and must be kept apart, or the restored data cannot be read.

``restore(url, file)`` checks the checksum first (a damaged or altered file is refused before
anything is touched), restores into the database at ``url`` (which must be empty: a fresh
database of a server that has the app's login role), then counts the rows again and refuses
to call it done unless every table matches the manifest.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy import table as table_clause
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot be trusted; the message says why (no data in it)."""


@dataclass(frozen=True, slots=True)
class Manifest:
    sha256: str
    revision: str | None
    created_at: str
    row_counts: dict[str, int]

    def as_json(self) -> str:
        return json.dumps(
            {
                "format": "pg_dump custom",
                "sha256": self.sha256,
                "revision": self.revision,
                "created_at": self.created_at,
                "row_counts": self.row_counts,
            },
            indent=2,
            sort_keys=True,
        )


def manifest_path(file: Path) -> Path:
    return file.with_name(file.name + ".manifest.json")


def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore``: BK_PG_BIN, then the embedded server's own, then PATH."""
    explicit = os.environ.get("BK_PG_BIN")
    candidates = [Path(explicit) / name] if explicit else []
    try:
        import pgserver  # type: ignore[import-untyped,unused-ignore]

        candidates.append(Path(pgserver.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:  # pragma: no cover - production images may not have it
        pass
    for path in candidates:
        if path.exists():
            return str(path)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found; install the PostgreSQL client tools")
    return found


def _connection_args(url: str) -> tuple[list[str], dict[str, str]]:
    u = make_url(url)
    args: list[str] = []
    host = u.host or u.query.get("host")
    if isinstance(host, tuple):
        host = host[0]
    if host:
        args += ["-h", str(host)]
    if u.port:
        args += ["-p", str(u.port)]
    if u.username:
        args += ["-U", u.username]
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    if not u.database:
        raise BackupError("the database URL names no database")
    return [*args, "-d", u.database], env


async def _row_counts(url: str) -> tuple[dict[str, int], str | None]:
    from placement.migrate import current_revision

    counts: dict[str, int] = {}
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            tables = [
                r[0]
                for r in await conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "ORDER BY tablename"
                    )
                )
            ]
            for table in tables:
                n = await conn.scalar(select(func.count()).select_from(table_clause(table)))
                counts[table] = int(n or 0)
    finally:
        await engine.dispose()
    return counts, (await current_revision(url) if counts else None)


def row_counts(url: str) -> tuple[dict[str, int], str | None]:
    """Rows per table in the public schema (counted as the owner: row-level security does
    not hide rows from it), and the schema revision. Runs on its own event loop in a thread,
    so it works from the command line and from async callers alike."""
    out: list[tuple[dict[str, int], str | None]] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            out.append(asyncio.run(_row_counts(url)))
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return out[0]


def sha256_of(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def backup(url: str, file: Path, now: datetime | None = None) -> Manifest:
    args, env = _connection_args(url)
    counts, revision = row_counts(url)
    result = subprocess.run(  # noqa: S603 - fixed tool, arguments from our own settings
        [pg_tool("pg_dump"), "--format=custom", "--file", str(file), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed (exit {result.returncode})")
    manifest = Manifest(
        sha256=sha256_of(file),
        revision=revision,
        created_at=(now or datetime.now(UTC)).isoformat(),
        row_counts=counts,
    )
    manifest_path(file).write_text(manifest.as_json())
    return manifest


def read_manifest(file: Path) -> Manifest:
    path = manifest_path(file)
    if not path.exists():
        raise BackupError(f"the manifest {path.name} is missing")
    data: dict[str, Any] = json.loads(path.read_text())
    return Manifest(
        sha256=str(data["sha256"]),
        revision=data.get("revision"),
        created_at=str(data["created_at"]),
        row_counts={str(k): int(v) for k, v in data["row_counts"].items()},
    )


def restore(url: str, file: Path) -> Manifest:
    manifest = read_manifest(file)
    if sha256_of(file) != manifest.sha256:
        raise BackupError("the backup does not match its checksum: it is damaged or altered")
    existing, _revision = row_counts(url)
    if existing:
        raise BackupError("restore only into an empty database (create a fresh one first)")
    args, env = _connection_args(url)
    result = subprocess.run(  # noqa: S603 - fixed tool, arguments from our own settings
        [pg_tool("pg_restore"), "--exit-on-error", "--no-owner", *args, str(file)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed (exit {result.returncode})")
    restored, revision = row_counts(url)
    if restored != manifest.row_counts or revision != manifest.revision:
        differing = sorted(
            t
            for t in set(restored) | set(manifest.row_counts)
            if restored.get(t) != manifest.row_counts.get(t)
        )
        raise BackupError(
            f"the restored row counts differ in: {', '.join(differing) or 'revision'}"
        )
    return manifest
