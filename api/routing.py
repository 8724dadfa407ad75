"""One unit of work per request, by design rather than by each handler remembering.

Every router uses :class:`UnitOfWorkRoute`. The route owns the request's database session:
the handler runs, and only then, *before* the response leaves the server, the session
commits (status below 400) or rolls back (any error status, page re-renders with form errors
included, and any exception). A commit that fails raises, so the client gets the error
response, never the success it would otherwise have seen. Modelled on Polar's
``AutoCommitAPIRoute`` (server/polar/kit/routing.py).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

STATE_KEY = "db_session"


def request_session(request: Request) -> AsyncSession:
    """The request's session, opened by the route. Fails loudly outside a unit-of-work route."""
    session = getattr(request.state, STATE_KEY, None)
    if not isinstance(session, AsyncSession):
        raise RuntimeError("route does not use UnitOfWorkRoute")
    return session


class UnitOfWorkRoute(APIRoute):
    """An APIRoute whose handler commits before answering and rolls back on every error."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            sessionmaker: Any = request.app.state.sessionmaker
            session: AsyncSession = sessionmaker()
            setattr(request.state, STATE_KEY, session)
            try:
                try:
                    response = await handler(request)
                except BaseException:
                    await session.rollback()
                    raise
                if response.status_code < 400:
                    await session.commit()  # may raise: the error handler answers instead
                else:
                    await session.rollback()
                return response
            finally:
                await session.close()
                setattr(request.state, STATE_KEY, None)

        return run
