"""Map domain errors and validation errors to clear 4xx answers; never leak a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

from placement.errors import DomainError

log = logging.getLogger(__name__)

EXCLUSION_VIOLATION = "23P01"


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
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
    async def db_error(_: Request, exc: DBAPIError) -> JSONResponse:
        code = getattr(getattr(exc, "orig", None), "sqlstate", None) or getattr(
            getattr(exc, "orig", None), "pgcode", None
        )
        if code == EXCLUSION_VIOLATION or "exclusion_violation" in str(exc.orig):
            return JSONResponse(
                status_code=409,
                content={"detail": "The place was just taken by someone else. Choose another."},
            )
        log.exception("database error")
        return JSONResponse(status_code=500, content={"detail": "Something went wrong. Try again."})

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error: %s", type(exc).__name__)
        return JSONResponse(status_code=500, content={"detail": "Something went wrong. Try again."})
