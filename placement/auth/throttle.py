"""Sign-in throttle kept in the database, so every app instance counts the same failures.

Failures are counted per (user name, client address): a stranger who knows the night
officer's user name can only slow down their own address, never lock the officer out. A
client that fails across many user names is held back as a whole. There is no account-wide
lockout. Unknown and known user names are counted, answered and timed alike.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.clock import Clock
from placement.config import Settings
from placement.models import SignInFailure


def username_key(username: str) -> str:
    return username.strip().lower()[:80]


async def is_throttled(
    session: AsyncSession, clock: Clock, settings: Settings, username: str, client: str
) -> bool:
    """True when this client has failed too often for this user name, or for any."""
    since = clock.now() - timedelta(minutes=settings.login_window_minutes)
    same_name = col(SignInFailure.username_key) == username_key(username)
    pair, total = (
        await session.execute(
            select(func.count().filter(same_name), func.count())
            .select_from(SignInFailure)
            .where(col(SignInFailure.client) == client[:64], col(SignInFailure.at) > since)
        )
    ).one()
    return pair >= settings.login_max_failures or total >= settings.login_client_max_failures


async def record_failure(
    session: AsyncSession, clock: Clock, username: str, client: str, kind: str
) -> None:
    session.add(
        SignInFailure(
            username_key=username_key(username), client=client[:64], kind=kind, at=clock.now()
        )
    )
    await session.flush()


async def clear_pair(session: AsyncSession, username: str, client: str) -> None:
    """A successful sign-in forgives this client's earlier failures for this user name."""
    await session.execute(
        delete(SignInFailure).where(
            col(SignInFailure.username_key) == username_key(username),
            col(SignInFailure.client) == client[:64],
        )
    )


async def prune(session: AsyncSession, clock: Clock, settings: Settings) -> int:
    """Drop failures older than the window (run by the scheduler's sweep)."""
    since = clock.now() - timedelta(minutes=settings.login_window_minutes)
    result = await session.execute(delete(SignInFailure).where(col(SignInFailure.at) <= since))
    return int(getattr(result, "rowcount", 0) or 0)
