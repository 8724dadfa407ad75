"""The case page: the household, its risk and areas to avoid, every decision, follow-ups and
hand-overs, and the day's actions (renew in one step, move, end with the outcome, record a
follow-up, a hand-over, a child's schooling start, a court submission).

One audit entry per page read (``load_case``); showing the identity is a separate request
with a stated reason, audited as a reveal, and the identity appears on that answer only.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

import optimizer as opt
from api.csrf import check_csrf
from api.deps import ClockDep, KeyringDep, SessionDep, SettingsDep
from api.i18n import pick_locale
from api.labels import N_
from api.pages import case_labels
from api.pages.case_forms import flash_of, kept, model, nav_context, start_over, text
from api.pages.case_statistics_forms import end_outcome_fields, schooling_kind
from api.pages.case_views import moment_of, parse_day, parse_uuid
from api.pages.common import page_require
from api.routing import UnitOfWorkRoute
from api.templating import render, translate
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.cases.case_view import (
    CaseView,
    decision_end,
    load_case_view,
    local_today,
    reveal_case_view,
)
from placement.cases.schemas import ChildUpdate
from placement.cases.upkeep import update_child
from placement.clock import Clock
from placement.config import Settings
from placement.decisions import endings, followups, handovers, renewals, service
from placement.decisions.schemas import (
    CourtSubmissionIn,
    EndCreate,
    FollowUpDone,
    MoveCreate,
    RenewCreate,
)
from placement.errors import DomainError, InvalidInput
from placement.inventory.contact import current_unit_contact
from placement.models.enums import Outcome
from placement.rulebook import RuleBreach

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)

Reader = Annotated[Actor, Depends(page_require(Permission.case_read))]
Writer = Annotated[Actor, Depends(page_require(Permission.case_write))]
Decider = Annotated[Actor, Depends(page_require(Permission.decide))]

REASON_MAX = 500
ACTION_FORMS = ("renew", "move", "end")
NO_DECISION = N_("The household has no decision in force to act on.")
RUN_OUT = N_("The decision has run out. Give a day on or before its last day.")


def _page(
    request: Request,
    view: CaseView,
    nav: dict[str, object],
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
    renew_rules: tuple[str, ...] = (),
    unit_contact: object | None = None,
    confirm: bool = False,
) -> Response:
    locale = pick_locale(request, request.app.state.settings.default_locale)
    sv = locale == "sv"
    return render(
        request,
        "case.html",
        {
            "confirm_renewal": confirm and view.renewal is not None,
            "language_names": case_labels.language_names(locale),
            "renew_rules": renew_rules,
            "unit_contact": unit_contact,
            "arrival": view.arrival,
            "renew_rule_names": ", ".join(
                opt.RULE_LABELS.get(r, (r, r))[0 if sv else 1] for r in renew_rules
            ),
            "rule_labels": opt.RULE_LABELS,
            "view": view,
            "case_labels": case_labels,
            "outcomes": [o.value for o in Outcome],
            "notice": None if errors else flash_of(request),
            "errors": errors or {},
            "problems": [(_anchor(key), message) for key, message in (errors or {}).items()],
            "values": values or {},
            **nav,
        },
        status_code=status_code,
    )


def _anchor(key: str) -> str:
    """Where the error summary's link for an error goes (the field, or its section)."""
    if key in ("move", "end"):
        return f"{key}-heading"
    for prefix, section in (
        ("follow_up-", "followups-heading"),
        ("handover-", "handovers-heading"),
        ("court-", "decisions-heading"),
    ):
        if key.startswith(prefix):
            return section
    return "" if key == "form" else key


@router.get("/cases/{case_id}")
async def case_page(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: Reader,
) -> Response:
    view = await load_case_view(session, clock, settings, actor, case_id)
    contact = await current_unit_contact(session, clock, actor, keyring, case_id)
    confirm = request.query_params.get("confirm") == "renew"
    return _page(
        request,
        view,
        await nav_context(session, actor, "case"),
        unit_contact=contact,
        confirm=confirm,
    )


@router.post("/cases/{case_id}/identity")
async def show_identity(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: Reader,
) -> Response:
    """Show the name and personal number on this answer only, for a stated reason."""
    await check_csrf(request)
    form = await request.form()
    values = kept(form, ["reveal_reason"])
    reason = values["reveal_reason"]
    problem = None
    if not reason:
        problem = N_("Write why you need to see the identity.")
    elif len(reason) > REASON_MAX:
        problem = N_("The text is too long. Shorten it.")
    nav = await nav_context(session, actor, "case")
    if problem is not None:
        view = await load_case_view(session, clock, settings, actor, case_id)
        errors = {"reveal_reason": translate(request, problem)}
        return _page(request, view, nav, errors=errors, values=values, status_code=422)
    view = await reveal_case_view(session, clock, settings, actor, keyring, case_id, reason)
    return _page(request, view, nav)


Action = Callable[[FormData], Awaitable[object]]


async def _act(
    request: Request,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    case_id: uuid.UUID,
    action: Action,
    *,
    done: str,
    fields: dict[str, str],
    default: str,
    keep: list[str],
) -> Response:
    """Run one action; on a refusal re-render the case page with the message next to the
    field (``fields`` maps the service's field names to the form's) and what was typed."""
    await check_csrf(request)
    form = await request.form()
    try:
        await action(form)
    except DomainError as exc:
        await start_over(session, actor)
        view = await load_case_view(session, clock, settings, actor, case_id)
        key = fields.get(exc.field or "", default)
        if default in ACTION_FORMS and (view.placement is None or not view.is_open):
            key = "form"  # the form is gone (the case closed meanwhile): say it at the top
        # A renewal the rule book refused: offer the same renewal with exactly those rules
        # overridden (and a reason), beside the move and the ending.
        refused: tuple[str, ...] = ()
        if default == "renew" and isinstance(exc, RuleBreach):
            refused = exc.rules
        elif default == "renew" and exc.field == "override_reason":
            refused = tuple(str(v) for v in form.getlist("override"))
        return _page(
            request,
            view,
            await nav_context(session, actor, "case"),
            errors={key: translate(request, exc)},
            values=kept(form, keep),
            status_code=exc.status_code,
            renew_rules=refused,
        )
    return RedirectResponse(f"/cases/{case_id}?done={done}", status_code=303)


act = _act  # for the case page's other action modules (api.pages.case_statistics_forms)


def _decision_id(form: FormData) -> uuid.UUID:
    return parse_uuid(text(form, "decision_id"), "decision_id", NO_DECISION)


@router.post("/cases/{case_id}/renew")
async def renew(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Decider,
) -> Response:
    """Renew the household's decisions for the district's default length, in one step."""

    async def action(form: FormData) -> None:
        overridden = [str(v) for v in form.getlist("override")]
        data = model(
            RenewCreate,
            overridden_rules=overridden,
            override_reason=text(form, "override_reason") or None,
        )
        if text(form, "new_decision") == "1":
            await renewals.renew_after_run_out(
                session, clock, settings, actor, _decision_id(form), data
            )
        else:
            await renewals.renew(session, clock, settings, actor, _decision_id(form), data)

    return await _act(
        request, session, clock, settings, actor, case_id, action,
        done="renewed", fields={"override_reason": "override_reason"}, default="renew",
        keep=["override_reason"],
    )  # fmt: skip


@router.post("/cases/{case_id}/move")
async def move(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Decider,
) -> Response:
    """Move the household to another unit from a date (today: now)."""

    async def action(form: FormData) -> None:
        decision_id = _decision_id(form)
        unit = text(form, "move_unit_id")
        if not unit:
            raise InvalidInput(N_("Choose the unit the household moves to."), field="unit_id")
        unit_id = parse_uuid(unit, "unit_id", N_("Choose the unit the household moves to."))
        day = parse_day(text(form, "move_at"), "at")
        data = model(
            MoveCreate,
            unit_id=unit_id,
            at=moment_of(day, clock.now(), settings),
            reason=text(form, "move_reason") or None,
        )
        await renewals.move(session, clock, settings, actor, decision_id, data)

    return await _act(
        request, session, clock, settings, actor, case_id, action,
        done="moved",
        fields={
            "unit_id": "move_unit_id", "hold_group_id": "move_unit_id",
            "overridden_rules": "move_unit_id", "at": "move_at", "ends_at": "move_at",
            "starts_at": "move_at", "reason": "move_reason",
        },
        default="move", keep=["move_unit_id", "move_at", "move_reason"],
    )  # fmt: skip


@router.post("/cases/{case_id}/end")
async def end(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Decider,
) -> Response:
    """End the placement with what the household moved on to."""

    async def action(form: FormData) -> None:
        decision_id = _decision_id(form)
        outcome = text(form, "end_outcome")
        if outcome not in {o.value for o in Outcome}:
            raise InvalidInput(N_("Choose what the household moved on to."), field="outcome")
        day = parse_day(text(form, "end_at"), "at")
        at = moment_of(day, clock.now(), settings)
        end = await decision_end(session, decision_id)
        if end is not None and at >= end:
            if day != local_today(end, settings):
                raise InvalidInput(RUN_OUT, field="at")
            at = end - timedelta(minutes=1)  # moved out on the decision's last day
        stay_end, months = end_outcome_fields(form)
        data = model(
            EndCreate,
            outcome=Outcome(outcome),
            at=at,
            reason=text(form, "end_reason") or None,
            stay_end=stay_end,
            contract_months=months,
        )
        await endings.end_placement(session, clock, settings, actor, decision_id, data)

    return await _act(
        request, session, clock, settings, actor, case_id, action,
        done="ended",
        fields={"outcome": "end_outcome", "at": "end_at", "reason": "end_reason",
                "contract_months": "end_contract_months"},
        default="end",
        keep=["end_outcome", "end_at", "end_reason", "end_stay", "end_contract_months"],
    )  # fmt: skip


@router.post("/cases/{case_id}/follow-ups/{follow_up_id}/done")
async def follow_up_done(
    request: Request,
    case_id: uuid.UUID,
    follow_up_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Writer,
) -> Response:
    async def action(form: FormData) -> None:
        data = model(FollowUpDone, note=text(form, "note") or None)
        await followups.record_follow_up(session, clock, actor, follow_up_id, data)

    key = f"follow_up-{follow_up_id}"
    return await _act(
        request, session, clock, settings, actor, case_id, action,
        done="follow_up", fields={}, default=key, keep=["note"],
    )  # fmt: skip


@router.post("/cases/{case_id}/handovers/{handover_id}/acknowledge")
async def handover_acknowledge(
    request: Request,
    case_id: uuid.UUID,
    handover_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Writer,
) -> Response:
    async def action(_: FormData) -> None:
        await handovers.acknowledge_handover(session, clock, actor, handover_id)

    key = f"handover-{handover_id}"
    return await _act(
        request, session, clock, settings, actor, case_id, action,
        done="acknowledged", fields={}, default=key, keep=[],
    )  # fmt: skip


@router.post("/cases/{case_id}/children/{child_id}/schooling")
async def schooling(
    request: Request,
    case_id: uuid.UUID,
    child_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Writer,
) -> Response:
    """Record the day the child's schooling (or preschool) started."""
    name = f"schooling-{child_id}"

    async def action(form: FormData) -> None:
        day = parse_day(text(form, name), "schooling_started_on")
        data = ChildUpdate(
            schooling_started_on=day,
            schooling_kind=schooling_kind(form, f"schooling-kind-{child_id}"),
        )
        await update_child(session, clock, actor, case_id, child_id, data)

    return await _act(
        request, session, clock, settings, actor, case_id, action,
        done="schooling", fields={}, default=name, keep=[name, f"schooling-kind-{child_id}"],
    )  # fmt: skip


@router.post("/cases/{case_id}/decisions/{decision_id}/court-submission")
async def court_submission(
    request: Request,
    case_id: uuid.UUID,
    decision_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Decider,
) -> Response:
    """An immediate LPSB decision was submitted to the administrative court today."""

    async def action(_: FormData) -> None:
        await service.record_court_submission(
            session, clock, actor, decision_id, CourtSubmissionIn()
        )

    key = f"court-{decision_id}"
    return await _act(
        request, session, clock, settings, actor, case_id, action,
        done="court", fields={}, default=key, keep=[],
    )  # fmt: skip
