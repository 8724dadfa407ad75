"""CSRF protection for every form (fastapi-csrf-protect, double-submit cookie), bound to the
sign-in session.

Each rendered page carries a token in a hidden form field and, signed, in an HttpOnly
SameSite=Strict cookie; every POST from a page is checked before it acts. Once signed in, the
token is derived from the session (an HMAC of the session cookie under the secret key), so a
token and cookie pair taken from another session, or from before signing in, is refused.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request
from fastapi_csrf_protect import CsrfProtect
from fastapi_csrf_protect.exceptions import CsrfProtectError
from itsdangerous import BadData, URLSafeTimedSerializer

from placement.config import Settings
from placement.errors import N_, DomainError

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


SESSION_COOKIE = "bk_session"
SALT = "fastapi-csrf-token"  # the library's, so its own check accepts the pair


def session_token(settings: Settings, session_cookie: str) -> str:
    return hmac.new(
        settings.secret_key.encode(), f"csrf:{session_cookie}".encode(), hashlib.sha256
    ).hexdigest()


def csrf_token_for(request: Request) -> tuple[str, str]:
    """The form token and its signed cookie value. Signed in: the session's own token.
    Before signing in: a still-valid cookie is reused, so forms open in other tabs keep
    working; otherwise a new pair is made."""
    settings: Settings = request.app.state.settings
    signed_in = request.cookies.get(SESSION_COOKIE)
    if signed_in:
        token = session_token(settings, signed_in)
        return token, URLSafeTimedSerializer(settings.secret_key, salt=SALT).dumps(token)
    signed_cookie = request.cookies.get(COOKIE)
    if signed_cookie:
        serializer = URLSafeTimedSerializer(settings.secret_key, salt=SALT)
        try:
            token = serializer.loads(signed_cookie, max_age=settings.session_absolute_hours * 3600)
            if isinstance(token, str):
                return token, signed_cookie
        except BadData:
            pass
    token, signed = request.app.state.csrf.generate_csrf_tokens()
    return str(token), str(signed)


CSRF_FAILED = N_("The form had expired or came from elsewhere. Reload the page and try again.")


async def check_csrf(request: Request) -> None:
    form = await request.form()  # parsed once; the library reads the cached form
    try:
        await request.app.state.csrf.validate_csrf(request)
    except CsrfProtectError:
        raise CsrfFailed(CSRF_FAILED) from None
    signed_in = request.cookies.get(SESSION_COOKIE)
    if signed_in:
        expected = session_token(request.app.state.settings, signed_in)
        if not hmac.compare_digest(str(form.get(FIELD, "")), expected):
            raise CsrfFailed(CSRF_FAILED)
