"""The ``boendekedjan`` command line: serve, migrate, seed-demo, createuser, scheduler, ..."""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer

from placement.config import Settings, get_settings

app = typer.Typer(
    help="Boendekedjan: shelter and housing-chain placement coordinator.",
    no_args_is_help=True,
    add_completion=False,
)
log = logging.getLogger("boendekedjan")


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"boendekedjan: {message}", err=True)
    return typer.Exit(code)


def _database_url(settings: Settings) -> str:
    from placement.db import resolve_database_url
    from placement.embedded_pg import EmbeddedDatabaseError

    try:
        return resolve_database_url(settings)
    except EmbeddedDatabaseError as exc:
        raise _fail(str(exc)) from None


def _describe_db_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"cannot use the database ({type(exc).__name__}): {text[:200]}"


def _migrate(url: str, settings: Settings | None = None) -> None:
    from placement.migrate import set_app_login_password, upgrade

    try:
        upgrade(url)
        if settings is not None and settings.app_database_url:
            set_app_login_password(url, settings.app_database_url, settings.app_db_role)
    except Exception as exc:  # one clear line, not a traceback
        raise _fail(_describe_db_error(exc), 2) from None


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise _fail(
                    f"port {port} on {host} is already in use; "
                    f"stop the other program or set BK_PORT",
                    3,
                ) from None
            raise _fail(f"cannot listen on {host}:{port}: {exc.strerror}", 3) from None


async def _seed(url: str, settings: Settings) -> dict[str, int]:
    from placement.clock import SystemClock
    from placement.crypto import Keyring
    from placement.db import make_engine, make_sessionmaker, transaction
    from placement.demo.seed import seed_demo

    engine = make_engine(url)
    try:
        async with transaction(make_sessionmaker(engine)) as session:
            return await seed_demo(
                session, SystemClock(), Keyring.parse(settings.encryption_keys), settings=settings
            )
    finally:
        await engine.dispose()


@app.command()
def migrate() -> None:
    """Apply every database migration (safe to run again)."""
    settings = get_settings()
    url = _database_url(settings)
    _migrate(url, settings)
    typer.echo("database is at the newest migration")


@app.command("seed-demo")
def seed_demo_cmd() -> None:
    """Fill an empty database with the synthetic demo city (does nothing if data exist)."""
    settings = get_settings()
    if settings.environment == "prod":
        raise _fail("refusing to load demo data with BK_ENVIRONMENT=prod")
    url = _database_url(settings)
    _migrate(url, settings)
    counts = asyncio.run(_seed(url, settings))
    if not counts:
        typer.echo("demo data already present; nothing changed")
        return
    typer.echo("demo city created: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    from placement.demo.seed import DEMO_PASSWORD

    typer.echo(
        f"demo users (password '{DEMO_PASSWORD}'): rvt.sodermalm, socialjour, "
        "formedling, samordnare, granskare, admin"
    )


@app.command()
def serve(
    demo: Annotated[
        bool, typer.Option(help="Load the demo city if the database is empty.")
    ] = False,
    host: Annotated[str | None, typer.Option(help="Address to listen on (BK_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (BK_PORT).")] = None,
    scheduler: Annotated[bool, typer.Option(help="Run the reminder scheduler in-process.")] = True,
    workers: Annotated[
        int | None, typer.Option(min=1, max=32, help="Server processes (BK_WORKERS).")
    ] = None,
) -> None:
    """Migrate, then serve the app (the scheduler runs inside unless --no-scheduler)."""
    import os

    import uvicorn

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    _check_port(host, port)
    url = _database_url(settings)
    _migrate(url, settings)
    if demo:
        counts = asyncio.run(_seed(url, settings))
        typer.echo("demo city created" if counts else "demo data already present")
    from api.main import create_app

    typer.echo(f"Boendekedjan on http://{host}:{port}/ (Ctrl+C stops)")
    # Proxy headers are read by the app itself, only from BK_TRUSTED_PROXIES (api.clientaddr).
    options: dict[str, object] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "proxy_headers": False,
        "log_config": None,  # our JSON lines (placement.logs), configured in main()
        "access_log": False,  # replaced by the app's own access line (route template only)
    }
    if workers == 1:
        application = create_app(settings, database_url=url, run_scheduler=scheduler)
        uvicorn.run(application, **options)  # type: ignore[arg-type]
        return
    # Several processes: each worker builds the app from the environment (api.main.worker_app)
    # on the database this process resolved, the embedded one included, which this process
    # keeps running and stops when it ends.
    os.environ["DATABASE_URL"] = url
    os.environ["BK_SCHEDULER_ENABLED"] = "true" if scheduler else "false"
    typer.echo(f"{workers} server processes")
    uvicorn.run("api.main:worker_app", factory=True, workers=workers, **options)  # type: ignore[arg-type]


@app.command("run-scheduler")
def run_scheduler() -> None:
    """Run only the reminder scheduler (docker-compose runs it as its own process)."""
    from placement.clock import SystemClock
    from placement.db import make_app_engine, make_sessionmaker
    from placement.scheduler import build_scheduler

    settings = get_settings()
    url = _database_url(settings)
    _migrate(url, settings)

    async def main() -> None:
        engine = make_app_engine(url, settings, pool_size=2)  # never the owner's login
        scheduler = build_scheduler(make_sessionmaker(engine), SystemClock(), settings)
        # SIGTERM through the loop: a plain signal handler may run on another thread and
        # leave the loop asleep until its next timer (the sweep, a minute away).
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        scheduler.start()
        typer.echo("scheduler running (Ctrl+C stops)")
        try:
            await stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            await engine.dispose()

    asyncio.run(main())


@app.command()
def createuser(
    username: str,
    role: Annotated[
        str,
        typer.Option(
            help="rvt_officer, socialjour, housing_agency, operator, coordinator, auditor or admin"
        ),
    ],
    district: Annotated[str | None, typer.Option(help="District code (for RVT officers).")] = None,
    team_lead: bool = False,
) -> None:
    """Create a user; the password is asked for (never on the command line)."""
    from sqlmodel import col, select

    from placement.auth.service import create_user
    from placement.db import make_engine, make_sessionmaker, transaction
    from placement.errors import DomainError
    from placement.models import District
    from placement.models.enums import Role

    try:
        role_value = Role(role)
    except ValueError:
        raise _fail(f"unknown role {role!r}") from None
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = get_settings()
    url = _database_url(settings)
    _migrate(url, settings)

    async def main() -> None:
        engine = make_engine(url, pool_size=1)
        try:
            async with transaction(make_sessionmaker(engine)) as session:
                district_id = None
                if district:
                    found = await session.scalar(
                        select(District).where(col(District.code) == district)
                    )
                    if found is None:
                        raise _fail(f"unknown district code {district!r}")
                    district_id = found.id
                await create_user(
                    session,
                    username=username,
                    password=password,
                    role=role_value,
                    district_id=district_id,
                    is_team_lead=team_lead,
                )
        finally:
            await engine.dispose()

    try:
        asyncio.run(main())
    except DomainError as exc:
        raise _fail(exc.message) from None
    typer.echo(f"user {username} created")


@app.command("rotate-keys")
def rotate_keys() -> None:
    """Re-encrypt identifying fields under the first key in BK_ENCRYPTION_KEYS."""
    from placement.crypto import Keyring
    from placement.db import make_engine, make_sessionmaker, transaction
    from placement.key_rotation import rotate

    settings = get_settings()
    url = _database_url(settings)
    _migrate(url, settings)
    keyring = Keyring.parse(settings.encryption_keys)

    async def main() -> dict[str, int]:
        engine = make_engine(url, pool_size=1)
        try:
            async with transaction(make_sessionmaker(engine)) as session:
                return await rotate(session, keyring)
        finally:
            await engine.dispose()

    counts = asyncio.run(main())
    links = counts.pop("case.person_link", 0)
    total = sum(counts.values())
    typer.echo(f"re-encrypted {total} values under key {keyring.active_id!r}")
    typer.echo(f"person links computed again: {links} cases changed")


@app.command("backfill-person-links")
def backfill_person_links() -> None:
    """Give every case with a personal identity number and no person link its link (cases
    opened before links were recorded). Running it again changes nothing."""
    from placement.cases.link_upkeep import backfill
    from placement.crypto import Keyring
    from placement.db import make_engine, make_sessionmaker, transaction

    settings = get_settings()
    url = _database_url(settings)
    _migrate(url, settings)
    keyring = Keyring.parse(settings.encryption_keys)

    async def main() -> int:
        engine = make_engine(url, pool_size=1)
        try:
            async with transaction(make_sessionmaker(engine)) as session:
                return await backfill(session, keyring)
        finally:
            await engine.dispose()

    typer.echo(f"person links added to {asyncio.run(main())} cases")


@app.command()
def backup(file: Path) -> None:
    """Back up the database to FILE (pg_dump custom format) and FILE.manifest.json (checksum
    and row counts). The encryption keys are not in either: keep them apart."""
    from placement.backup import BackupError
    from placement.backup import backup as run_backup

    url = _database_url(get_settings())
    try:
        manifest = run_backup(url, file)
    except BackupError as exc:
        raise _fail(str(exc), 2) from None
    rows = sum(manifest.row_counts.values())
    typer.echo(f"backed up {rows} rows in {len(manifest.row_counts)} tables to {file}")
    typer.echo(f"sha256 {manifest.sha256}")


@app.command()
def restore(file: Path) -> None:
    """Restore FILE into the (empty) database, after checking its checksum; then check that
    every table has the rows the manifest counted."""
    from placement.backup import BackupError
    from placement.backup import restore as run_restore

    url = _database_url(get_settings())
    try:
        manifest = run_restore(url, file)
    except BackupError as exc:
        raise _fail(str(exc), 2) from None
    rows = sum(manifest.row_counts.values())
    typer.echo(f"restored {rows} rows in {len(manifest.row_counts)} tables; counts match")


@app.command()
def check() -> None:
    """Check the configuration and that the database is reachable and migrated."""
    from placement.migrate import current_revision, head_revision

    settings = get_settings()
    url = _database_url(settings)
    try:
        current = asyncio.run(current_revision(url))
    except Exception as exc:
        raise _fail(_describe_db_error(exc), 2) from None
    head = head_revision(url)
    typer.echo(f"environment {settings.environment}; schema {current} (newest {head})")
    if current != head:
        raise typer.Exit(1)


def _exit_on_sigterm() -> None:
    """SIGTERM ends the process the normal way, so exit handlers run and the embedded
    PostgreSQL this process started is stopped with it (uvicorn installs its own handler
    while serving, and shuts down the same way)."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def main() -> None:  # pragma: no cover
    from placement import logs

    logs.configure(logging.INFO, sys.stderr)
    _exit_on_sigterm()
    app(prog_name="boendekedjan")
