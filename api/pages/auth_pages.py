"""Sign-in pages: password and one-time code on one form, TOTP enrolment, sign-out, home."""

from __future__ import annotations

from typing import Annotated

import pyotp
import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.clientaddr import client_address
from api.csrf import SESSION_COOKIE, check_csrf
from api.deps import (
    ClockDep,
    KeyringDep,
    PasswordSession,
    SessionDep,
    SettingsDep,
    get_optional_actor,
    set_session_cookie,
)
from api.labels import LOGIN_REFUSED, N_, TOO_MANY_CODES
from api.pages.common import HOME_BY_ROLE
from api.routing import UnitOfWorkRoute
from api.templating import render, translate
from placement.audit.service import record
from placement.auth import service as auth_service
from placement.auth import totp
from placement.auth.actor import Actor
from placement.errors import DomainError
from placement.models.enums import AuditAction

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)


def _safe_next(value: str | None) -> str | None:
    # Only local paths: never an open redirect.
    if value and value.startswith("/") and not value.startswith("//"):
        return value
    return None


@router.get("/")
async def home(actor: Annotated[Actor | None, Depends(get_optional_actor)]) -> Response:
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(HOME_BY_ROLE.get(actor.role.value, "/login"), status_code=303)


# The last user name on this device (not a secret; staff, not client data), so that at
# night only the password and the code need typing.
LAST_USER_COOKIE = "bk_last_user"


@router.get("/login")
async def login_page(request: Request) -> Response:
    last = request.cookies.get(LAST_USER_COOKIE, "")
    return render(
        request,
        "login.html",
        {
            "values": {"next": request.query_params.get("next", ""), "username": last},
            "remembered": bool(last),
            "ended": request.query_params.get("ended") == "1",
            "idle_minutes": request.app.state.settings.session_idle_minutes,
        },
    )


@router.post("/login")
async def login_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
) -> Response:
    await check_csrf(request)
    form = await request.form()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    code = str(form.get("code", "")).strip()
    values = {"username": username, "next": str(form.get("next", ""))}

    def again(errors: dict[str, str], status: int = 422) -> Response:
        translated = {k: translate(request, v) for k, v in errors.items()}
        return render(
            request, "login.html", {"errors": translated, "values": values}, status_code=status
        )

    if not username or not password:
        errors = {}
        if not username:
            errors["username"] = N_("Write your user name.")
        if not password:
            errors["password"] = N_("Write your password.")
        return again(errors)
    client = client_address(request)
    if not request.app.state.login_limiter.hit(client):
        return again({"form": N_("Too many sign-in attempts. Wait a minute and try again.")}, 429)
    result = await auth_service.login(session, clock, settings, username, password, client)
    if result.user is None or result.token is None:
        await session.commit()  # the failure is counted even though the answer is an error
        if result.reason == "throttled":
            return again({"form": LOGIN_REFUSED["throttled"]}, 429)
        return again({"form": LOGIN_REFUSED["invalid"]}, 401)
    user = result.user
    state = auth_service.second_factor_state(user, settings)
    if state == "verify":
        resolved = await auth_service.resolve_session(session, clock, settings, result.token)
        if resolved is None:
            return again({"form": LOGIN_REFUSED["invalid"]}, 401)
        try:
            await totp.verify(session, clock, keyring, user, resolved[1], code)
        except DomainError as exc:
            await auth_service.wrong_code(session, clock, settings, user, resolved[1], client)
            await auth_service.logout(session, clock, result.token)
            await session.commit()
            return again({"code": exc.message if code else N_("Write the code from your app.")})
    await record(session, clock, auth_service.actor_for(user), AuditAction.login, "user", user.id)
    target = (
        "/login/enrol"
        if state == "enrol"
        else (_safe_next(values["next"]) or HOME_BY_ROLE.get(user.role.value, "/"))
    )
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, result.token, settings)
    response.set_cookie(
        LAST_USER_COOKIE,
        user.username,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        max_age=30 * 86400,
        path="/login",
    )
    return response


@router.get("/login/enrol")
async def enrol_page(
    request: Request,
    pending: PasswordSession,
    session: SessionDep,
    keyring: KeyringDep,
    settings: SettingsDep,
) -> Response:
    user, _ = pending
    if user.totp_enabled:
        return RedirectResponse("/", status_code=303)
    secret, uri = await totp.begin_enrolment(session, keyring, user, settings.totp_issuer)
    qr = segno.make(uri, error="m").svg_inline(scale=4, title="QR")
    return render(request, "enrol.html", {"secret": secret, "qr_svg": qr})


@router.post("/login/enrol")
async def enrol_submit(
    request: Request,
    pending: PasswordSession,
    session: SessionDep,
    clock: ClockDep,
    keyring: KeyringDep,
) -> Response:
    await check_csrf(request)
    form = await request.form()
    user, user_session = pending
    try:
        await totp.verify(
            session, clock, keyring, user, user_session, str(form.get("code", "")), enrolling=True
        )
    except DomainError as exc:
        settings = request.app.state.settings
        ended = await auth_service.wrong_code(
            session, clock, settings, user, user_session, client_address(request)
        )
        await session.commit()
        if ended:
            response = render(
                request,
                "login.html",
                {"errors": {"form": translate(request, TOO_MANY_CODES)}, "values": {}},
                status_code=401,
            )
            response.delete_cookie(SESSION_COOKIE, path="/")
            return response
        secret = keyring.decrypt(user.totp_secret_ciphertext or "", associated=totp.ASSOCIATED)
        uri = pyotp.TOTP(secret).provisioning_uri(
            name=user.username, issuer_name=request.app.state.settings.totp_issuer
        )
        qr = segno.make(uri, error="m").svg_inline(scale=4, title="QR")
        return render(
            request,
            "enrol.html",
            {"secret": secret, "qr_svg": qr, "errors": {"code": translate(request, exc)}},
            status_code=422,
        )
    return RedirectResponse(HOME_BY_ROLE.get(user.role.value, "/"), status_code=303)


@router.post("/logout")
async def logout(request: Request, session: SessionDep, clock: ClockDep) -> Response:
    await check_csrf(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await auth_service.logout(session, clock, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
