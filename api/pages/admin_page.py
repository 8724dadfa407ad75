"""The administrator's pages: user accounts (create, role and scope, disable, reset the
second factor), API tokens and districts' settings. Thin: every change is made and audited
by placement.admin / placement.district_settings; a refused form is shown again with what to
fix and nothing the admin typed lost (passwords excepted)."""

from __future__ import annotations

import uuid
from datetime import date, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from api.csrf import check_csrf
from api.deps import ClockDep, SessionDep, SettingsDep
from api.labels import N_
from api.pages.case_forms import kept, model, start_over, text
from api.pages.common import page_require
from api.routing import UnitOfWorkRoute
from api.templating import render, translate
from placement import district_settings as district_config
from placement.admin import lookups, tokens, users
from placement.admin import operators as admin_operators
from placement.auth.actor import Actor
from placement.auth.permissions import SECOND_FACTOR_ROLES, Permission
from placement.errors import DomainError, InvalidInput
from placement.models.enums import Role, UnitKind
from placement.priority.dates import local_today
from placement.rulebook import DECIDING_ROLES

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Admin = Annotated[Actor, Depends(page_require(Permission.users_manage))]

DONE = {
    "created": N_("The account is created."),
    "updated": N_("The account is changed. The user's open sessions have ended."),
    "saved": N_("The account is saved."),
    "second_factor": N_(
        "The second factor is reset: the user sets up a new authenticator at the next sign-in."
    ),
    "revoked": N_("The API token is revoked."),
    "settings": N_("The district's settings are saved."),
    "phone": N_("The operator's telephone number is saved."),
    "office_hours": N_("The district's office hours are saved."),
    "office_day": N_("The exception is added."),
    "office_day_removed": N_("The exception is removed."),
}
BAD_TIME = N_("Write the time as HH:MM, for example 08:00.")
BAD_DATE = N_("Write the date as YYYY-MM-DD.")
OFFICE_DAY_FIELDS = ["day", "closed", "opens", "closes", "note"]
USER_FIELDS = ["username", "display_name", "role", "district_id", "operator_id", "email"]
BAD_ID = N_("Choose from the list.")


def _notice(request: Request) -> str | None:
    done = request.query_params.get("done", "")
    return translate(request, DONE[done]) if done in DONE else None


def _optional_id(form: FormData, name: str) -> uuid.UUID | None:
    value = text(form, name)
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput(BAD_ID, field=name) from None


def _role(form: FormData) -> Role:
    try:
        return Role(text(form, "role"))
    except ValueError:
        raise InvalidInput(BAD_ID, field="role") from None


async def _choices(session: SessionDep, actor: Actor) -> dict[str, Any]:
    return {
        "districts": await lookups.districts(session, actor),
        "operators": await lookups.operators(session, actor),
        "roles": list(Role),
        "second_factor_roles": SECOND_FACTOR_ROLES,
    }


# --- users ----------------------------------------------------------------------------


@router.get("/admin")
async def admin_home(request: Request, session: SessionDep, actor: Admin) -> Response:
    return await _render_users(request, session, actor)


async def _render_users(
    request: Request,
    session: SessionDep,
    actor: Actor,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    choices = await _choices(session, actor)
    return render(
        request,
        "admin_users.html",
        {
            "users": await users.list_users(session, actor),
            "district_names": {d.id: d.name for d in choices["districts"]},
            "operator_names": {o.id: o.name for o in choices["operators"]},
            "notice": None if errors else _notice(request),
            "errors": errors or {},
            "values": values or {},
            "section": "users",
            **choices,
        },
        status_code=status_code,
    )


@router.post("/admin/users")
async def create_user(
    request: Request, session: SessionDep, clock: ClockDep, actor: Admin
) -> Response:
    await check_csrf(request)
    form = await request.form()
    try:
        data = model(
            users.UserCreateIn,
            username=text(form, "username"),
            display_name=text(form, "display_name"),
            password=str(form.get("password", "")),
            role=_role(form),
            district_id=_optional_id(form, "district_id"),
            operator_id=_optional_id(form, "operator_id"),
            is_team_lead=form.get("is_team_lead") == "1",
            email=text(form, "email") or None,
        )
        user = await users.create_user(session, clock, actor, data)
    except DomainError as exc:
        await start_over(session, actor)
        return await _render_users(
            request,
            session,
            actor,
            errors={exc.field or "form": translate(request, exc)},
            values=kept(form, USER_FIELDS) | {"is_team_lead": text(form, "is_team_lead")},
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/admin/users/{user.id}?done=created", status_code=303)


@router.get("/admin/users/{user_id}")
async def user_page(
    request: Request, user_id: uuid.UUID, session: SessionDep, actor: Admin
) -> Response:
    return await _render_user(request, session, actor, user_id)


async def _render_user(
    request: Request,
    session: SessionDep,
    actor: Actor,
    user_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    new_token: str | None = None,
    status_code: int = 200,
) -> Response:
    user = await users.get_user(session, actor, user_id)
    mine = [t for t in await tokens.list_tokens(session, actor) if t.user_id == user.id]
    return render(
        request,
        "admin_user.html",
        {
            "user": user,
            "tokens": mine,
            "new_token": new_token,
            "notice": None if errors or new_token else _notice(request),
            "errors": errors or {},
            "section": "users",
            **await _choices(session, actor),
        },
        status_code=status_code,
    )


@router.post("/admin/users/{user_id}")
async def update_user(
    request: Request, user_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Admin
) -> Response:
    await check_csrf(request)
    form = await request.form()
    try:
        change = users.UserChange(
            role=_role(form),
            district_id=_optional_id(form, "district_id"),
            operator_id=_optional_id(form, "operator_id"),
            is_team_lead=form.get("is_team_lead") == "1",
            is_active=form.get("is_active") == "1",
        )
        await users.update_user(session, clock, actor, user_id, change)
    except DomainError as exc:
        await start_over(session, actor)
        return await _render_user(
            request,
            session,
            actor,
            user_id,
            errors={exc.field or "form": translate(request, exc)},
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/admin/users/{user_id}?done=updated", status_code=303)


@router.post("/admin/users/{user_id}/second-factor")
async def reset_second_factor(
    request: Request, user_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Admin
) -> Response:
    await check_csrf(request)
    await users.reset_second_factor(session, clock, actor, user_id)
    return RedirectResponse(f"/admin/users/{user_id}?done=second_factor", status_code=303)


@router.post("/admin/users/{user_id}/tokens")
async def create_token(
    request: Request, user_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Admin
) -> Response:
    await check_csrf(request)
    form = await request.form()
    try:
        _, token = await tokens.create_token(session, clock, actor, user_id, text(form, "name"))
    except InvalidInput as exc:
        await start_over(session, actor)
        return await _render_user(
            request,
            session,
            actor,
            user_id,
            errors={exc.field or "form": translate(request, exc)},
            status_code=exc.status_code,
        )
    # Shown once, on this answer only (never in a URL, never stored in clear).
    return await _render_user(request, session, actor, user_id, new_token=token)


# --- API tokens -----------------------------------------------------------------------


@router.get("/admin/tokens")
async def tokens_page(request: Request, session: SessionDep, actor: Admin) -> Response:
    return render(
        request,
        "admin_tokens.html",
        {
            "tokens": await tokens.list_tokens(session, actor),
            "notice": _notice(request),
            "section": "tokens",
        },
    )


@router.post("/admin/tokens/{token_id}/revoke")
async def revoke_token(
    request: Request, token_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Admin
) -> Response:
    await check_csrf(request)
    await tokens.revoke_token(session, clock, actor, token_id)
    return RedirectResponse("/admin/tokens?done=revoked", status_code=303)


# --- districts ------------------------------------------------------------------------


@router.get("/admin/districts")
async def districts_page(request: Request, session: SessionDep, actor: Admin) -> Response:
    return render(
        request,
        "admin_districts.html",
        {"districts": await lookups.districts(session, actor), "section": "districts"},
    )


@router.get("/admin/districts/{district_id}")
async def district_page(
    request: Request, district_id: uuid.UUID, session: SessionDep, actor: Admin
) -> Response:
    return await _render_district(request, session, actor, district_id)


async def _render_district(
    request: Request,
    session: SessionDep,
    actor: Actor,
    district_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    names = {d.id: d.name for d in await lookups.districts(session, actor)}
    current = await district_config.get_settings(session, district_id)
    settings = request.app.state.settings
    today = local_today(request.app.state.clock, settings)
    return render(
        request,
        "admin_district.html",
        {
            "district_name": names.get(district_id, current.code),
            "current": current,
            "kinds": list(UnitKind),
            "deciders": sorted(DECIDING_ROLES),
            "city_hours": (settings.office_hours_start, settings.office_hours_end),
            "office_days": await district_config.office_days(session, district_id, today),
            "today": today,
            "notice": None if errors else _notice(request),
            "errors": errors or {},
            "values": values or {},
            "section": "districts",
        },
        status_code=status_code,
    )


def _time(form: FormData, name: str) -> time | None:
    value = text(form, name)
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise InvalidInput(BAD_TIME, field=name) from None


def _date(form: FormData, name: str) -> date:
    try:
        return date.fromisoformat(text(form, name))
    except ValueError:
        raise InvalidInput(BAD_DATE, field=name) from None


async def _district_refused(
    request: Request,
    session: SessionDep,
    actor: Actor,
    district_id: uuid.UUID,
    exc: DomainError,
    values: dict[str, str],
) -> Response:
    await start_over(session, actor)
    return await _render_district(
        request,
        session,
        actor,
        district_id,
        errors={exc.field or "form": translate(request, exc)},
        values=values,
        status_code=exc.status_code,
    )


@router.post("/admin/districts/{district_id}/office-hours")
async def save_office_hours(
    request: Request, district_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Admin
) -> Response:
    await check_csrf(request)
    form = await request.form()
    try:
        opens = _time(form, "office_hours_start")
        closes = _time(form, "office_hours_end")
        await district_config.set_office_hours(session, clock, actor, district_id, opens, closes)
    except DomainError as exc:
        values = kept(form, ["office_hours_start", "office_hours_end"])
        return await _district_refused(request, session, actor, district_id, exc, values)
    return RedirectResponse(
        f"/admin/districts/{district_id}?done=office_hours#office-hours-h", status_code=303
    )


@router.post("/admin/districts/{district_id}/office-days")
async def add_office_day(
    request: Request,
    district_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Admin,
) -> Response:
    await check_csrf(request)
    form = await request.form()
    try:
        closed = text(form, "closed") != "0"
        await district_config.add_office_day(
            session,
            clock,
            actor,
            district_id,
            day=_date(form, "day"),
            today=local_today(clock, settings),
            closed=closed,
            opens=None if closed else _time(form, "opens"),
            closes=None if closed else _time(form, "closes"),
            note=text(form, "note"),
        )
    except DomainError as exc:
        values = kept(form, OFFICE_DAY_FIELDS)
        return await _district_refused(request, session, actor, district_id, exc, values)
    return RedirectResponse(
        f"/admin/districts/{district_id}?done=office_day#office-days-h", status_code=303
    )


@router.post("/admin/districts/{district_id}/office-days/{day_id}/remove")
async def remove_office_day(
    request: Request,
    district_id: uuid.UUID,
    day_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    actor: Admin,
) -> Response:
    await check_csrf(request)
    try:
        await district_config.remove_office_day(session, clock, actor, district_id, day_id)
    except DomainError as exc:
        return await _district_refused(request, session, actor, district_id, exc, {})
    return RedirectResponse(
        f"/admin/districts/{district_id}?done=office_day_removed#office-days-h", status_code=303
    )


@router.post("/admin/districts/{district_id}")
async def save_district(
    request: Request, district_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Admin
) -> Response:
    await check_csrf(request)
    form = await request.form()
    grants: dict[str, list[str]] = {}
    for kind in UnitKind:
        if form.get(f"custom-{kind.value}") == "1":
            grants[kind.value] = [str(v) for v in form.getlist(f"grant-{kind.value}")]
    days = text(form, "decision_days")
    try:
        body = model(
            district_config.DistrictSettingsIn,
            decision_days=int(days) if days.isdigit() else (None if not days else -1),
            grant_roles=grants,
        )
        await district_config.update_settings(session, clock, actor, district_id, body)
    except DomainError as exc:
        await start_over(session, actor)
        field = (exc.field or "form").replace("grant_roles.", "grant-")
        return await _render_district(
            request,
            session,
            actor,
            district_id,
            errors={field: translate(request, exc)},
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/admin/districts/{district_id}?done=settings", status_code=303)


# --- operators ------------------------------------------------------------------------


@router.get("/admin/operators")
async def operators_page(request: Request, session: SessionDep, actor: Admin) -> Response:
    return await _render_operators(request, session, actor)


async def _render_operators(
    request: Request,
    session: SessionDep,
    actor: Actor,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin_operators.html",
        {
            "operators": await admin_operators.list_operators(session, actor),
            "notice": None if errors else _notice(request),
            "errors": errors or {},
            "section": "operators",
        },
        status_code=status_code,
    )


@router.post("/admin/operators/{operator_id}")
async def save_operator_phone(
    request: Request, operator_id: uuid.UUID, session: SessionDep, clock: ClockDep, actor: Admin
) -> Response:
    await check_csrf(request)
    form = await request.form()
    try:
        await admin_operators.set_phone(session, clock, actor, operator_id, text(form, "phone"))
    except DomainError as exc:
        await start_over(session, actor)
        key = f"phone-{operator_id}" if exc.field == "phone" else "form"
        return await _render_operators(
            request,
            session,
            actor,
            errors={key: translate(request, exc)},
            status_code=exc.status_code,
        )
    return RedirectResponse("/admin/operators?done=phone", status_code=303)
