"""create_app(): the FastAPI application. The lifespan builds the engine and sessionmaker."""

from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

import api.pages
import api.routes
from api.csrf import build_csrf
from api.errors import install_error_handlers, server_error
from api.oidc import build_oauth
from api.ratelimit import LoginLimiter
from placement import logs
from placement.clock import Clock, SystemClock
from placement.config import Settings, get_settings
from placement.crypto import Keyring
from placement.db import make_app_engine, make_sessionmaker, resolve_database_url

log = logging.getLogger(__name__)
access = logging.getLogger("boendekedjan.access")

STATIC_DIR = __import__("pathlib").Path(__file__).parent / "static"

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def _include_package_routers(app: FastAPI, package: object) -> None:
    path = getattr(package, "__path__", None)
    name = getattr(package, "__name__", "")
    for info in sorted(pkgutil.iter_modules(path), key=lambda m: m.name):
        module = importlib.import_module(f"{name}.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            app.include_router(router)


def _route_of(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "path", "")) or "unmatched"


def create_app(
    settings: Settings | None = None,
    *,
    database_url: str | None = None,
    clock: Clock | None = None,
    run_scheduler: bool | None = None,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The app. ``http_transport`` carries outgoing HTTP (the identity provider) in tests."""
    settings = settings or get_settings()
    clock = clock or SystemClock()
    scheduler_on = settings.scheduler_enabled if run_scheduler is None else run_scheduler

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = database_url or resolve_database_url(settings)
        engine = make_app_engine(url, settings)
        app.state.database_url = url
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        scheduler = None
        if scheduler_on:
            from placement.scheduler import build_scheduler

            scheduler = build_scheduler(app.state.sessionmaker, clock, settings)
            scheduler.start()
        # What start-up built (modules, mappers, schemas, catalogues: some 300 000 objects)
        # lives as long as the app: out of the cyclic collector's way, so a full collection
        # no longer walks it. On the national data a full collection paused a request for up
        # to 320 ms, the tail of every page's p95; after the freeze, 25 ms at most.
        # Unfrozen at shutdown, so an app that ends (tests start many) can be collected.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            await engine.dispose()
            gc.unfreeze()

    app = FastAPI(
        title="Boendekedjan",
        summary="Shelter and housing-chain placement coordinator",
        version="0.1.0",
        lifespan=lifespan,
        # Served by api/routes/docs.py behind sign-in, with local assets.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.keyring = Keyring.parse(settings.encryption_keys)
    app.state.login_limiter = LoginLimiter(settings.login_rate_per_minute)
    app.state.csrf = build_csrf(settings)
    app.state.oidc = build_oauth(settings, http_transport)
    # Signed cookie holding only the OIDC state/nonce for the round trip (SameSite=Lax is
    # needed for the identity provider's redirect back).
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="bk_oidc",
        max_age=600,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    install_error_handlers(app)
    logs.quiet_libraries()

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request.state.request_id = uuid.uuid4().hex
        token = logs.request_id.set(request.state.request_id)
        started = time.perf_counter()
        try:
            try:
                response = await call_next(request)
            except Exception as exc:  # the last net: type and route only, never values
                log.error(
                    "unhandled error",
                    extra={"error_type": type(exc).__name__, "route": _route_of(request)},
                )
                response = server_error(request)
            access.info(
                "request",
                extra={
                    "method": request.method,
                    "route": _route_of(request),
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        finally:
            logs.request_id.reset(token)
        response.headers.setdefault("X-Request-ID", request.state.request_id)
        path = request.url.path
        if path != "/docs":  # Swagger UI starts with one inline script; its assets are local
            response.headers.setdefault("Content-Security-Policy", CSP)
        if request.url.scheme == "https":
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if not path.startswith("/static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    import swagger_ui_bundle

    app.mount(
        "/static/swagger",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger",
    )
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _include_package_routers(app, api.routes)
    _include_package_routers(app, api.pages)
    return app


def worker_app() -> FastAPI:
    """The app in one of `serve --workers N`'s processes: a fresh interpreter, so it sets up
    the JSON log lines itself; everything else comes from the environment `serve` set."""
    import logging
    import sys

    from placement import logs

    logs.configure(logging.INFO, sys.stderr)
    return create_app()
