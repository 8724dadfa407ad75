"""Sign-in through the municipal identity provider, and the TOTP step after it."""

from __future__ import annotations

from authlib.integrations.base_client import OAuthError
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from api.csrf import check_csrf
from api.deps import (
    ClockDep,
    KeyringDep,
    PasswordSession,
    SessionDep,
    SettingsDep,
    set_session_cookie,
)
from api.labels import N_
from api.oidc import second_factor_from_idp
from api.pages.common import HOME_BY_ROLE
from api.routing import UnitOfWorkRoute
from api.templating import render, translate
from placement.audit.service import record
from placement.auth import service as auth_service
from placement.auth import totp
from placement.errors import DomainError, NotFound
from placement.models import UserAccount
from placement.models.enums import AuditAction

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)


class SignInFailed(DomainError):
    status_code = 401


@router.get("/login/oidc")
async def oidc_start(request: Request, settings: SettingsDep) -> Response:
    client = request.app.state.oidc
    if client is None:
        raise NotFound(N_("Sign-in with the municipal identity provider is not set up."))
    redirect_uri = settings.base_url.rstrip("/") + "/login/oidc/callback"
    response: Response = await client.authorize_redirect(request, redirect_uri)
    return response


@router.get("/login/oidc/callback")
async def oidc_callback(
    request: Request, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> Response:
    client = request.app.state.oidc
    if client is None:
        raise NotFound(N_("Sign-in with the municipal identity provider is not set up."))
    try:
        token = await client.authorize_access_token(request)
    except OAuthError:
        raise SignInFailed(
            N_("The identity provider did not confirm the sign-in. Try again.")
        ) from None
    userinfo = dict(token.get("userinfo") or {})
    username = str(userinfo.get(settings.oidc_username_claim, ""))
    user = await session.scalar(select(UserAccount).where(col(UserAccount.username) == username))
    if user is None or not user.is_active:
        raise SignInFailed(N_("There is no active Boendekedjan account for this sign-in."))
    mfa = second_factor_from_idp(userinfo)
    cookie = await auth_service.start_session(session, clock, user, second_factor_done=mfa)
    await record(
        session,
        clock,
        auth_service.actor_for(user),
        AuditAction.login,
        "user",
        user.id,
        reason="oidc" + (" mfa" if mfa else ""),
    )
    state = auth_service.second_factor_state(user, settings)
    target = HOME_BY_ROLE.get(user.role.value, "/")
    if state != "none" and not mfa:
        target = "/login/enrol" if state == "enrol" else "/login/verify"
    # The session cookie is SameSite=Strict, so it is not sent on the redirect chain that
    # started at the identity provider; a same-site refresh from this page carries it.
    html = (
        f'<!doctype html><meta http-equiv="refresh" content="0;url={target}">'
        f'<a href="{target}">…</a>'
    )
    response = HTMLResponse(html)
    set_session_cookie(response, cookie, settings)
    return response


@router.get("/login/verify")
async def verify_page(request: Request, pending: PasswordSession) -> Response:
    return render(request, "verify.html")


@router.post("/login/verify")
async def verify_submit(
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
        await totp.verify(session, clock, keyring, user, user_session, str(form.get("code", "")))
    except DomainError as exc:
        return render(
            request,
            "verify.html",
            {"errors": {"code": translate(request, exc)}},
            status_code=422,
        )
    return RedirectResponse(HOME_BY_ROLE.get(user.role.value, "/"), status_code=303)
