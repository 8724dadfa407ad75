"""Map domain errors and validation errors to clear 4xx answers; never leak a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError

from api.labels import N_
from placement.errors import DomainError

log = logging.getLogger(__name__)

EXCLUSION_VIOLATION = "23P01"


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "request"


def _wants_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def _error_page(request: Request, status: int, message: str) -> Response:
    from api.templating import render, translate

    return render(
        request,
        "error.html",
        {"message": translate(request, message), "status": status},
        status_code=status,
    )


def install_error_handlers(app: FastAPI) -> None:
    from api.pages.common import SignInRequired

    @app.exception_handler(SignInRequired)
    async def sign_in_required(_: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(f"/login?next={exc.next_path}", status_code=303)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if _wants_page(request):
            return _error_page(request, exc.status_code, exc.message)
        body: dict[str, Any] = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return JSONResponse(status_code=exc.status_code, content=body)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            # Only the field and the problem: never echo the submitted value (may be personal).
            {"field": _field_name(e.get("loc", ())), "message": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return JSONResponse(
            status_code=422, content={"detail": f"Check the input. {summary}", "errors": errors}
        )

    @app.exception_handler(DBAPIError)
    async def db_error(request: Request, exc: DBAPIError) -> Response:
        code = getattr(getattr(exc, "orig", None), "sqlstate", None) or getattr(
            getattr(exc, "orig", None), "pgcode", None
        )
        if code == EXCLUSION_VIOLATION or "exclusion_violation" in str(exc.orig):
            message = "The place was just taken by someone else. Choose another."
            if _wants_page(request):
                return _error_page(request, 409, message)
            return JSONResponse(status_code=409, content={"detail": message})
        if _is_data_error(exc):
            return _bad_value(request)
        log.error("database error: %s", type(exc.orig).__name__)  # never the statement/values
        return server_error(request)

    @app.exception_handler(OverflowError)
    async def overflow(request: Request, _: OverflowError) -> Response:
        # A date or number beyond what can be counted (e.g. a period ending after year 9999).
        return _bad_value(request)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unhandled error: %s", type(exc).__name__)  # no message: may hold data
        return server_error(request)


BAD_VALUE = N_(
    "A value is outside what can be saved (a date too far away, a number too large or a "
    "character that is not allowed). Check the input and try again."
)


def _is_data_error(exc: DBAPIError) -> bool:
    """PostgreSQL's data exceptions (class 22: NUL bytes, out-of-range numbers and dates)
    and the driver's own refusal of an argument it cannot send."""
    orig = getattr(exc, "orig", None)
    code = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
    return code.startswith("22") or type(orig).__name__ in ("DataError", "OverflowError")


def _bad_value(request: Request) -> Response:
    if _wants_page(request):
        return _error_page(request, 422, BAD_VALUE)
    return JSONResponse(status_code=422, content={"detail": BAD_VALUE})


def server_error(request: Request) -> Response:
    message = "Something went wrong. Try again."
    if _wants_page(request):
        return _error_page(request, 500, message)
    return JSONResponse(status_code=500, content={"detail": message})
