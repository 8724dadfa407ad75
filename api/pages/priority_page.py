"""The housing agency's priority pages: the list of applications and one application's detail,
with the basic actions (move the status forward, request a certificate, set a failed check aside,
write to the handler).

Everything shown comes from the agency's own service views (``list_for_agency``,
``read_for_agency``, ``list_messages``): they never hold the social file, risk, decisions, units
or where the household lives now, and this page adds nothing from elsewhere except the names of
the district codes the application already lists.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api import labels
from api.csrf import check_csrf
from api.deps import ClockDep, KeyringDep, SessionDep, SettingsDep
from api.labels import N_
from api.pages.common import page_require
from api.routing import UnitOfWorkRoute
from api.templating import render, translate
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.clock import Clock
from placement.config import Settings
from placement.crypto import Keyring
from placement.errors import Conflict, InvalidInput, NotFound
from placement.models import District
from placement.models.enums import LandlordAnswer, PriorityStatus
from placement.priority import criterion, eligibility, flats, messages, service
from placement.priority.access import NOT_FOUND
from placement.priority.dates import local_today
from placement.priority.schemas import (
    AgencyApplicationRead,
    AgencyApplicationSummary,
    EligibilityCheckRead,
)
from placement.priority.steps import Blocker
from placement.priority.workflow import TRANSITIONS, Via

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
# The housing agency's pages: RVT officers also read priority applications, but through their
# own (handler's) view, so every page here needs the agency's permission too.
Agency = Annotated[
    Actor, Depends(page_require(Permission.priority_read, Permission.priority_write_agency))
]

S = PriorityStatus
# The agency never sees drafts: the filter offers every other status.
FILTER_STATUSES = [s for s in PriorityStatus if s != S.draft]
REASON_MAX = 2000
MESSAGE_MAX = 4000

DONE = {
    "status": N_("The status was changed."),
    "certificate": N_("A certificate was requested. The handler has been notified."),
    "override": N_("The check was set aside. The reason is recorded."),
    "message": N_("The message was sent to the handler."),
    "landlord": N_("The landlord's answer was recorded."),
    "criterion": N_("The assessment of the priority criterion was recorded."),
}
CRITERION_CHOICE = N_("Choose whether the criterion is met or not.")
CRITERION_LABELS = {
    "passed": N_("Criterion met"),
    "failed": N_("Criterion not met"),
    "unknown": N_("Not assessed yet"),
}

CHECK_LABELS = {
    eligibility.TWO_YEAR: N_("Registered in the city without interruption for two years"),
    eligibility.INDEPENDENT: N_("Able to live independently in a rented flat"),
    eligibility.NO_OTHER: N_("No other way to solve the housing need"),
}
RESULT_LABELS = {"passed": N_("Met"), "failed": N_("Not met"), "unknown": N_("Not answered")}
OFFER_LABELS = {
    "pending": N_("Waiting for the household's answer"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
}
LANDLORD_LABELS = {
    "not_asked": N_("Not asked yet"),
    "asked": N_("Asked, waiting for the answer"),
    "approved": N_("Approved"),
    "refused": N_("Refused"),
}
# A badge class for the statuses worth a second look; the text always says the status too.
STATUS_BADGE = {
    "certificate_requested": "warn",
    "appealed": "warn",
    "offer_declined": "warn",
    "rejected": "bad",
    "approved": "ok",
    "watch_active": "ok",
    "flat_offered": "ok",
    "offer_accepted": "ok",
    "contract_signed": "ok",
}
RESULT_BADGES = {"passed": "ok", "failed": "bad", "unknown": "warn"}


@dataclass(frozen=True, slots=True)
class ListItem:
    summary: AgencyApplicationSummary
    has_certificate: bool


@dataclass(frozen=True, slots=True)
class CheckView:
    code: str
    label: str
    result: str
    result_label: str
    badge: str
    detail: str
    read: EligibilityCheckRead
    can_override: bool


def _too_long(text: str, limit: int, field: str) -> None:
    if len(text) > limit:
        message = (
            N_("Write at most 2000 characters.")
            if limit == REASON_MAX
            else N_("Write at most 4000 characters.")
        )
        raise InvalidInput(message, field=field)


def _application_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound(NOT_FOUND) from None


async def _district_names(session: AsyncSession, codes: list[str]) -> dict[str, str]:
    """Names for the district codes an application lists (public geography only)."""
    if not codes:
        return {}
    rows = await session.execute(
        select(col(District.code), col(District.name)).where(col(District.code).in_(set(codes)))
    )
    return {code: name for code, name in rows.all()}


def _check_detail(
    request: Request, check: EligibilityCheckRead, since: date | None, today: date
) -> str:
    """The check's detail in the reader's language (the service's own text is English)."""
    if check.code == eligibility.TWO_YEAR:
        if since is None:
            return translate(request, N_("No registration date is recorded."))
        reached = eligibility.two_years_after(since)
        dates = {"since": since.isoformat(), "reached": reached.isoformat()}
        if check.result == "passed":
            text = N_("Registered since %(since)s; two years were reached on %(reached)s.")
            return translate(request, text) % dates
        if since > today:
            return translate(request, N_("The recorded registration date is in the future."))
        text = N_("Registered since %(since)s; two years are reached only on %(reached)s.")
        return translate(request, text) % dates
    return translate(
        request,
        {
            "passed": N_("Confirmed by the handler."),
            "failed": N_("The handler answered no."),
            "unknown": N_("The handler has not answered yet."),
        }[check.result],
    )


def _checks(request: Request, view: AgencyApplicationRead, today: date) -> list[CheckView]:
    open_for_override = view.status in eligibility.OVERRIDE_STATUSES
    return [
        CheckView(
            code=check.code,
            label=translate(request, CHECK_LABELS.get(check.code, check.label)),
            result=check.result,
            result_label=translate(request, RESULT_LABELS[check.result]),
            badge=RESULT_BADGES[check.result],
            detail=_check_detail(request, check, view.registered_in_city_since, today),
            read=check,
            can_override=open_for_override and check.result != "passed" and not check.overridden,
        )
        for check in view.eligibility
    ]


async def _detail(
    request: Request,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    keyring: Keyring,
    actor: Actor,
    application_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    view = await service.read_for_agency(session, clock, settings, actor, keyring, application_id)
    thread = await messages.list_messages(session, clock, actor, keyring, application_id)
    names = await _district_names(
        session, [*view.avoid_district_codes, *view.needed_district_codes]
    )
    # The plain steps the agency takes here; offers, appeals and committee decisions have
    # their own actions (the JSON API) and are not offered in this select.
    steps = {s: TRANSITIONS[(view.status, s)] for s in view.next_statuses}
    blocked = {b.status: b for b in view.blocked_statuses}
    # Only the steps that can be taken now; the others are listed with what is missing.
    status_options = [s for s, step in steps.items() if step.via == Via.status and s not in blocked]
    not_yet = [
        (
            translate(request, labels.PRIORITY_STATUS[b.status.value]),
            translate(
                request,
                Blocker(b.code, tuple(b.checks)).error(),
            ),
        )
        for b in view.blocked_statuses
    ]
    reason_needed = [s for s in status_options if steps[s].needs_reason]
    done = request.query_params.get("done", "")
    assessed = view.criterion
    criterion_result = (
        "unknown" if not assessed.assessed else "passed" if assessed.met else "failed"
    )
    return render(
        request,
        "priority_detail.html",
        {
            "application": view,
            "messages": thread,
            "district_names": names,
            "checks": _checks(request, view, local_today(clock, settings)),
            "criterion_result": criterion_result,
            "criterion_result_label": translate(request, CRITERION_LABELS[criterion_result]),
            "criterion_badge": RESULT_BADGES[criterion_result],
            "can_assess": view.status in criterion.ASSESS_STATUSES,
            "status_options": status_options,
            "not_yet": not_yet,
            "waiting_for_certificate": view.status == S.certificate_requested,
            "reason_needed": reason_needed,
            "reason_needed_labels": ", ".join(
                translate(request, labels.PRIORITY_STATUS[s.value]) for s in reason_needed
            ),
            "status_badge": STATUS_BADGE,
            "offer_labels": OFFER_LABELS,
            "landlord_labels": LANDLORD_LABELS,
            "can_request_certificate": S.certificate_requested in steps,
            "errors": errors or {},
            "values": values or {},
            "flash": translate(request, DONE[done]) if done in DONE else None,
            "reason_max": REASON_MAX,
            "message_max": MESSAGE_MAX,
        },
        status_code=status_code,
    )


def _redirect(application_id: uuid.UUID, done: str, anchor: str = "") -> Response:
    return RedirectResponse(f"/priority/{application_id}?done={done}{anchor}", status_code=303)


@router.get("/priority")
async def priority_list(
    request: Request, session: SessionDep, clock: ClockDep, actor: Agency
) -> Response:
    raw = request.query_params.get("status", "")
    errors: dict[str, str] = {}
    status: PriorityStatus | None = None
    if raw:
        try:
            status = PriorityStatus(raw)
        except ValueError:
            errors["status"] = translate(request, N_("Choose a status from the list."))
    rows = await service.list_for_agency(session, clock, actor, status)
    certified = await service.with_certificate(session, [s.id for s in rows])
    items = [ListItem(s, s.id in certified) for s in rows]
    return render(
        request,
        "priority_list.html",
        {
            "items": items,
            "statuses": FILTER_STATUSES,
            "values": {"status": raw if status else ""},
            "errors": errors,
            "status_badge": STATUS_BADGE,
        },
    )


@router.get("/priority/{application_id}")
async def priority_detail(
    request: Request,
    application_id: str,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: Agency,
) -> Response:
    app_id = _application_id(application_id)
    return await _detail(request, session, clock, settings, keyring, actor, app_id)


@router.post("/priority/{application_id}/status")
async def priority_status(
    request: Request,
    application_id: str,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: Agency,
) -> Response:
    await check_csrf(request)
    app_id = _application_id(application_id)
    form = await request.form()
    values = {"to_status": str(form.get("to_status", "")), "reason": str(form.get("reason", ""))}
    try:
        if not values["to_status"]:
            raise InvalidInput(N_("Choose the new status."), field="to_status")
        try:
            target = PriorityStatus(values["to_status"])
        except ValueError:
            raise InvalidInput(N_("Choose a status from the list."), field="to_status") from None
        _too_long(values["reason"], REASON_MAX, "reason")
        await service.change_status(
            session, clock, settings, actor, app_id, target, values["reason"].strip() or None
        )
    except (InvalidInput, Conflict) as exc:
        field = "status_reason" if exc.field == "reason" else "to_status"
        return await _detail(
            request,
            session,
            clock,
            settings,
            keyring,
            actor,
            app_id,
            errors={field: translate(request, exc)},
            values={"to_status": values["to_status"], "status_reason": values["reason"]},
            status_code=exc.status_code,
        )
    return _redirect(app_id, "status", "#main")


@router.post("/priority/{application_id}/certificate-request")
async def priority_certificate_request(
    request: Request,
    application_id: str,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: Agency,
) -> Response:
    await check_csrf(request)
    app_id = _application_id(application_id)
    form = await request.form()
    reason = str(form.get("reason", ""))
    try:
        if not reason.strip():
            raise InvalidInput(
                N_("Say what the certificate should cover, for the handler."), field="reason"
            )
        _too_long(reason, REASON_MAX, "reason")
        await service.request_certificate(session, clock, actor, app_id, reason.strip())
    except (InvalidInput, Conflict) as exc:
        return await _detail(
            request,
            session,
            clock,
            settings,
            keyring,
            actor,
            app_id,
            errors={"certificate_reason": translate(request, exc)},
            values={"certificate_reason": reason},
            status_code=exc.status_code,
        )
    return _redirect(app_id, "certificate", "#main")


@router.post("/priority/{application_id}/offers/{offer_id}/landlord")
async def priority_landlord(
    request: Request,
    application_id: str,
    offer_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: Agency,
) -> Response:
    """The landlord's answer about the tenant (asked, approved or refused with a reason)."""
    await check_csrf(request)
    app_id = _application_id(application_id)
    form = await request.form()
    answer, reason = str(form.get("answer", "")), str(form.get("reason", ""))
    try:
        _too_long(reason, REASON_MAX, "reason")
        try:
            chosen = LandlordAnswer(answer)
        except ValueError:
            raise InvalidInput(flats.LANDLORD_CHOICE, field="answer") from None
        await flats.record_landlord(session, clock, actor, offer_id, chosen, reason)
    except (InvalidInput, Conflict, NotFound) as exc:
        return await _detail(
            request,
            session,
            clock,
            settings,
            keyring,
            actor,
            app_id,
            errors={f"landlord-{offer_id}": translate(request, exc)},
            values={"landlord_answer": answer, "landlord_reason": reason},
            status_code=exc.status_code,
        )
    return _redirect(app_id, "landlord", f"#landlord-{offer_id}")


@router.post("/priority/{application_id}/overrides")
async def priority_override(
    request: Request,
    application_id: str,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: Agency,
) -> Response:
    await check_csrf(request)
    app_id = _application_id(application_id)
    form = await request.form()
    check = str(form.get("check", ""))
    reason = str(form.get("reason", ""))
    key = f"override_{check}" if check in eligibility.CHECKS else "override"
    try:
        _too_long(reason, REASON_MAX, "reason")
        await service.override_check(session, clock, settings, actor, app_id, check, reason)
    except (InvalidInput, Conflict) as exc:
        return await _detail(
            request,
            session,
            clock,
            settings,
            keyring,
            actor,
            app_id,
            errors={key: translate(request, exc)},
            values={key: reason},
            status_code=exc.status_code,
        )
    return _redirect(app_id, "override", "#checks-h")


@router.post("/priority/{application_id}/criterion")
async def priority_criterion(
    request: Request,
    application_id: str,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: Agency,
) -> Response:
    """The agency's assessment of the priority criterion: met or not met, with a reason."""
    await check_csrf(request)
    app_id = _application_id(application_id)
    form = await request.form()
    met, reason = str(form.get("met", "")), str(form.get("reason", ""))
    try:
        _too_long(reason, REASON_MAX, "reason")
        if met not in ("yes", "no"):
            raise InvalidInput(CRITERION_CHOICE, field="met")
        await service.assess_criterion(session, clock, actor, app_id, met == "yes", reason)
    except (InvalidInput, Conflict) as exc:
        return await _detail(
            request,
            session,
            clock,
            settings,
            keyring,
            actor,
            app_id,
            # The choice's error beside the choice, the reason's beside the reason.
            errors={
                "criterion_met" if exc.field == "met" else "criterion": translate(request, exc)
            },
            values={"criterion_met": met, "criterion_reason": reason},
            status_code=exc.status_code,
        )
    return _redirect(app_id, "criterion", "#criterion-h")


@router.post("/priority/{application_id}/messages")
async def priority_message(
    request: Request,
    application_id: str,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: Agency,
) -> Response:
    await check_csrf(request)
    app_id = _application_id(application_id)
    form = await request.form()
    body = str(form.get("body", ""))
    try:
        _too_long(body, MESSAGE_MAX, "body")
        await messages.post(session, clock, actor, keyring, app_id, body)
    except (InvalidInput, Conflict) as exc:
        return await _detail(
            request,
            session,
            clock,
            settings,
            keyring,
            actor,
            app_id,
            errors={"body": translate(request, exc)},
            values={"body": body},
            status_code=exc.status_code,
        )
    return _redirect(app_id, "message", "#messages-h")
