"""Map domain errors and validation errors to clear 4xx answers; never leak a traceback."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.labels import N_
from placement.errors import DomainError
from placement.rulebook import RuleBreach

log = logging.getLogger(__name__)

EXCLUSION_VIOLATION = "23P01"


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "request"


def _wants_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def api_locale(request: Request) -> str:
    """The language of an answer: ``?lang``, the language cookie, then the client's
    Accept-Language (sv or en), else the default (Swedish)."""
    from api.i18n import LANG_COOKIE, LOCALES

    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in LOCALES:
        return str(asked)
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LOCALES:
            return tag
    return str(request.app.state.settings.default_locale)


def localize(request: Request, message: str, exc: DomainError | None = None) -> str:
    """A domain message in the reader's language (its English text is the msgid)."""
    from api.i18n import translations

    locale = api_locale(request) if not _wants_page(request) else _page_locale(request)
    tr = translations(locale).gettext
    if exc is not None:
        return exc.translated(tr, locale == "sv")
    return tr(message)


def _page_locale(request: Request) -> str:
    from api.i18n import pick_locale

    return pick_locale(request, request.app.state.settings.default_locale)


# The heading of an error page, by status (the message below it says what happened).
ERROR_TITLES: dict[int, str] = {
    400: N_("Something needs attention"),
    401: N_("Sign in to continue"),
    403: N_("Not allowed"),
    404: N_("Page not found"),
    405: N_("Page not found"),
    409: N_("Something changed meanwhile"),
    422: N_("Check the input"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
    503: N_("Very busy right now"),
}
NOT_FOUND = N_("There is no page at this address. Check the address or start again from the menu.")
NOT_ALLOWED = N_("Your role does not give access to this page.")
BAD_PAGE_INPUT = N_("The address holds a value this page cannot use. Go back and try again.")
HTTP_MESSAGES: dict[int, str] = {
    403: NOT_ALLOWED,
    404: NOT_FOUND,
    405: NOT_FOUND,
}


def _error_page(
    request: Request, status: int, message: str, exc: DomainError | None = None
) -> Response:
    from api.templating import render

    return render(
        request,
        "error.html",
        {
            "message": localize(request, message, exc),
            "status": status,
            "title": ERROR_TITLES.get(status, ERROR_TITLES[400 if status < 500 else 500]),
        },
        status_code=status,
    )


def _json(request: Request, status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": localize(request, message), **extra})


# Pydantic's error types in words a social worker understands (the field is named too).
VALIDATION_WORDS: dict[str, str] = {
    "missing": N_("is missing"),
    "extra_forbidden": N_("is not a field this form takes"),
    "string_too_long": N_("is too long"),
    "string_too_short": N_("is too short or empty"),
    "string_pattern_mismatch": N_("has the wrong format"),
    "int_parsing": N_("must be a whole number"),
    "float_parsing": N_("must be a number"),
    "bool_parsing": N_("must be yes or no"),
    "uuid_parsing": N_("is not a valid identifier"),
    "datetime_parsing": N_("is not a valid date and time"),
    "datetime_from_date_parsing": N_("is not a valid date and time"),
    "date_parsing": N_("is not a valid date"),
    "date_from_datetime_parsing": N_("is not a valid date"),
    "timezone_aware": N_("needs a time zone"),
    "enum": N_("is not one of the allowed choices"),
    "literal_error": N_("is not one of the allowed choices"),
    "greater_than_equal": N_("is too small"),
    "greater_than": N_("is too small"),
    "less_than_equal": N_("is too large"),
    "less_than": N_("is too large"),
    "too_long": N_("has too many entries"),
    "too_short": N_("has too few entries"),
    "list_type": N_("must be a list"),
    "json_invalid": N_("is not valid JSON"),
    "model_attributes_type": N_("has the wrong shape"),
    "dict_type": N_("has the wrong shape"),
}
CHECK_INPUT = N_("Check the input.")


def install_error_handlers(app: FastAPI) -> None:
    from api.pages.common import SignInRequired

    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, exc: SignInRequired) -> Response:
        if request.headers.get("HX-Request") == "true":
            # A fragment (a page's poll or an htmx action) after the session ended: 401, and
            # htmx sends the browser to the sign-in page, which says why; back to this page.
            page = urlsplit(request.headers.get("HX-Current-URL", "")).path
            back = quote(page) if page.startswith("/") and not page.startswith("//") else ""
            return Response(status_code=401, headers={"HX-Redirect": f"/login?ended=1&next={back}"})
        return RedirectResponse(f"/login?next={exc.next_path}", status_code=303)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if _wants_page(request):
            return _error_page(request, exc.status_code, exc.message, exc)
        body: dict[str, Any] = {"detail": localize(request, exc.message, exc)}
        if exc.field:
            body["field"] = exc.field
        if isinstance(exc, RuleBreach):
            body["rules"] = list(exc.rules)
        return JSONResponse(status_code=exc.status_code, content=body)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Unknown addresses and methods: an HTML page outside /api, JSON under it."""
        if _wants_page(request):
            from api.pages.common import error_page_chrome

            await error_page_chrome(request)  # the reader's menu, as on every page
            message = HTTP_MESSAGES.get(exc.status_code, CHECK_INPUT)
            return _error_page(request, exc.status_code, message)
        return JSONResponse(
            status_code=exc.status_code,
            content={"detail": localize(request, str(exc.detail))},
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        from api.i18n import translations

        if _wants_page(request):
            # A page given a bad id in its address has nothing to show: "not found".
            in_path = any(e.get("loc", ("",))[0] == "path" for e in exc.errors())
            if in_path:
                return _error_page(request, 404, NOT_FOUND)
            return _error_page(request, 422, BAD_PAGE_INPUT)

        tr = translations(api_locale(request)).gettext
        errors = []
        for e in exc.errors():
            # Only the field and the problem: never echo the submitted value (may be personal).
            kind = str(e.get("type", ""))
            raw = str(e.get("msg", ""))
            if kind in ("value_error", "assertion_error"):
                # Our own validators' words (English msgids), without pydantic's prefix.
                message = tr(
                    raw.split(", ", 1)[1]
                    if raw.startswith(("Value error, ", "Assertion failed, "))
                    else raw
                )
            else:
                words = VALIDATION_WORDS.get(kind)
                message = tr(words) if words else raw
            errors.append(
                {"field": _field_name(e.get("loc", ())), "message": message, "type": kind}
            )
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return JSONResponse(
            status_code=422,
            content={"detail": f"{tr(CHECK_INPUT)} {summary}", "errors": errors},
        )

    @app.exception_handler(DBAPIError)
    async def db_error(request: Request, exc: DBAPIError) -> Response:
        code = getattr(getattr(exc, "orig", None), "sqlstate", None) or getattr(
            getattr(exc, "orig", None), "pgcode", None
        )
        if code == EXCLUSION_VIOLATION or "exclusion_violation" in str(exc.orig):
            message = N_("The place was just taken by someone else. Choose another.")
            if _wants_page(request):
                return _error_page(request, 409, message)
            return _json(request, 409, message)
        if _is_data_error(exc):
            return _bad_value(request)
        log.error("database error: %s", type(exc.orig).__name__)  # never the statement/values
        return server_error(request)

    @app.exception_handler(PoolTimeout)
    async def pool_timeout(request: Request, _: PoolTimeout) -> Response:
        """Every pooled connection stayed busy for the whole wait: the request is refused
        (503, try again shortly), after the unit of work rolled back what it had written."""
        route = str(getattr(request.scope.get("route"), "path", "")) or "unmatched"
        log.warning("database pool exhausted", extra={"route": route})  # never values
        return busy(request)

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
    # 23514: a CHECK constraint refused the row (the domain checks first; this is the net).
    return (
        code.startswith("22")
        or code == "23514"
        or type(orig).__name__ in ("DataError", "OverflowError", "CheckViolationError")
    )


def _bad_value(request: Request) -> Response:
    if _wants_page(request):
        return _error_page(request, 422, BAD_VALUE)
    return _json(request, 422, BAD_VALUE)


BUSY = N_("The service is very busy right now and nothing was saved. Try again in a moment.")
RETRY_AFTER_S = 5


def busy(request: Request) -> Response:
    """503 with Retry-After: the database had no free connection in time."""
    response = (
        _error_page(request, 503, BUSY) if _wants_page(request) else _json(request, 503, BUSY)
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def server_error(request: Request) -> Response:
    message = N_("Something went wrong. Try again.")
    if _wants_page(request):
        return _error_page(request, 500, message)
    return _json(request, 500, message)
