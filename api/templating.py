"""Render server-side pages: translations, CSRF token, formatter and the signed-in actor."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from api import labels
from api.csrf import csrf_token_for
from api.i18n import LANG_COOKIE, LOCALES, Formatter, pick_locale, translations
from api.pages.case_labels import child_label
from placement.errors import DomainError

_env = Environment(
    loader=PackageLoader("api", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _can_search(request: Request) -> bool:
    from placement.cases.access import CASE_ROLES

    actor = getattr(request.state, "actor", None)
    return actor is not None and actor.role in CASE_ROLES


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    settings = request.app.state.settings
    locale = pick_locale(request, settings.default_locale)
    trans = translations(locale)
    token, signed = csrf_token_for(request)
    ctx: dict[str, Any] = {
        "request": request,
        "_": trans.gettext,
        "ngettext": trans.ngettext,
        "locale": locale,
        "locales": LOCALES,
        "fmt": Formatter(locale, request.app.state.clock.now()),
        "csrf_token": token,
        "actor": getattr(request.state, "actor", None),
        "menu": getattr(request.state, "menu", None) or [],
        "can_search": _can_search(request),
        "errors": {},
        "values": {},
        "flash": None,
        "labels": labels,
        "oidc_enabled": getattr(request.app.state, "oidc", None) is not None,
        "child_label": lambda pseudonym: child_label(pseudonym, trans.gettext),
    }
    ctx.update(context or {})
    html = _env.get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status_code)
    request.app.state.csrf.set_csrf_cookie(signed, response)
    if request.query_params.get("lang") in LOCALES:
        response.set_cookie(
            LANG_COOKIE,
            locale,
            max_age=365 * 86400,
            samesite="strict",
            httponly=True,
            secure=settings.cookie_secure,
        )
    return response


def translate(request: Request, message: str | DomainError) -> str:
    """Translate a message or a domain error (its English text is the msgid)."""
    locale = pick_locale(request, request.app.state.settings.default_locale)
    tr = translations(locale).gettext
    if isinstance(message, DomainError):
        return message.translated(tr, locale == "sv")
    return tr(message)
