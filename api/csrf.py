"""CSRF protection for every form (fastapi-csrf-protect, double-submit cookie).

Each rendered page gets a fresh signed token in an HttpOnly SameSite=Strict cookie and the
matching token in a hidden form field; every POST from a page is checked before it acts.
"""

from __future__ import annotations

from fastapi import Request
from fastapi_csrf_protect import CsrfProtect
from fastapi_csrf_protect.exceptions import CsrfProtectError
from itsdangerous import BadData, URLSafeTimedSerializer

from placement.config import Settings
from placement.errors import DomainError

FIELD = "csrf_token"
COOKIE = "bk_csrf"


class CsrfFailed(DomainError):
    status_code = 403


def build_csrf(settings: Settings) -> CsrfProtect:
    @CsrfProtect.load_config
    def _config() -> list[tuple[str, object]]:
        return [
            ("secret_key", settings.secret_key),
            ("cookie_key", COOKIE),
            ("cookie_samesite", "strict"),
            ("cookie_secure", settings.cookie_secure),
            ("token_location", "body"),
            ("token_key", FIELD),
            ("max_age", settings.session_absolute_hours * 3600),
        ]

    return CsrfProtect()


def csrf_token_for(request: Request) -> tuple[str, str]:
    """The form token and its signed cookie value. A still-valid cookie is reused, so forms
    open in other tabs keep working; otherwise a new pair is made."""
    settings: Settings = request.app.state.settings
    signed_cookie = request.cookies.get(COOKIE)
    if signed_cookie:
        serializer = URLSafeTimedSerializer(settings.secret_key, salt="fastapi-csrf-token")
        try:
            token = serializer.loads(signed_cookie, max_age=settings.session_absolute_hours * 3600)
            if isinstance(token, str):
                return token, signed_cookie
        except BadData:
            pass
    token, signed = request.app.state.csrf.generate_csrf_tokens()
    return str(token), str(signed)


async def check_csrf(request: Request) -> None:
    await request.form()  # parsed once; the library reads the cached form
    try:
        await request.app.state.csrf.validate_csrf(request)
    except CsrfProtectError:
        raise CsrfFailed(
            "The form had expired or came from elsewhere. Reload the page and try again."
        ) from None
