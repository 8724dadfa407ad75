"""The night flow (Socialjouren): an urgent request with only what is needed, ranked and
explained proposals with the freshness of each vacancy, a hold, the decisions for the adult
and each child, and a summary with the hand-over to the district.

Every step is one page and one form; defaults cover everything that can have one.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col, select

import optimizer as opt
from api.csrf import check_csrf
from api.deps import ClockDep, KeyringDep, SessionDep, SettingsDep
from api.i18n import pick_locale
from api.labels import N_
from api.pages.case_forms import start_over
from api.pages.common import page_require
from api.routing import UnitOfWorkRoute
from api.templating import render, translate
from optimizer.rules import NOT_OVERRIDABLE
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.cases import intake, languages
from placement.cases.risk import intake_assessment
from placement.cases.schemas import (
    CaseCreate,
    ChildCreate,
    ExclusionAreaIn,
    Needs,
    PersonIn,
    PlacementRequestCreate,
    RiskAssessmentIn,
)
from placement.cases.service import create_case, get_case
from placement.cases.upkeep import create_placement_request
from placement.decisions.schemas import ChildDecisionIn, GrantCreate
from placement.decisions.service import case_decisions, grant_placement
from placement.errors import DomainError, InvalidInput
from placement.inventory import bookings, contact, holds
from placement.matching import service as matching
from placement.matching.views import districts_for_choice, unit_briefs
from placement.models import Case, Child, District, PlacementRequest, Referral
from placement.models.enums import (
    BookingKind,
    BookingStatus,
    ConsentStatus,
    DeclineReason,
    ExclusionKind,
    Gender,
    LegalBasis,
    ProtectedIdentity,
    ReferralStatus,
    RiskLevel,
    SubstanceUse,
)
from placement.referrals import service as referrals
from placement.rulebook import Overrides, may_override

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
NightActor = Annotated[
    Actor,
    Depends(
        page_require(
            Permission.case_write, Permission.match, Permission.hold_manage, Permission.decide
        )
    ),
]
AGE_ITEM = re.compile(r"^\d{1,2}$")
# Each child's gender is asked plainly; left as it is, it is recorded as not stated.
CHILD_GENDERS = [
    (Gender.female.value, N_("Girl")),
    (Gender.male.value, N_("Boy")),
    (Gender.non_binary.value, N_("Other")),
    (Gender.not_stated.value, N_("Not stated")),
]
CHILD_GENDER_VALUES = frozenset(v for v, _label in CHILD_GENDERS)
MAX_CHILDREN = 12  # placement.cases.schemas.CaseCreate.children

CHILD_BASES = [
    (LegalBasis.lpsb_immediate.value, N_("LPSB, immediate decision (to the court within a week)")),
    (LegalBasis.sol_guardian_consent.value, N_("SoL, both guardians consent")),
    (LegalBasis.lpsb_court_application.value, N_("LPSB, after application to the court")),
]
CONSENTS = [
    (ConsentStatus.one_guardian.value, N_("One guardian consents")),
    (ConsentStatus.both_guardians.value, N_("Both guardians consent")),
    (ConsentStatus.none.value, N_("No guardian consents")),
]
DONE = {
    "released": N_("The hold was released; the places are free again."),
    "declined": N_("The unit declined the referral; the hold is released. Choose another place."),
}
DECLINE_LABELS = {
    DeclineReason.full.value: N_("Full"),
    DeclineReason.needs_unmet.value: N_("Needs we cannot meet"),
    DeclineReason.risk.value: N_("Risk"),
    DeclineReason.other.value: N_("Other"),
}
WARN_MINUTES = 10  # the hold page warns this long before the hold lapses
EXTEND_REASON = N_("Write why the hold needs more time (3 to 300 characters, no personal data).")
WAIT_FOR_ANSWER = N_(
    "Wait for the unit's answer, or record that you agreed the place with the unit by phone."
)


def parse_ages(text: str) -> list[int]:
    """The children's ages, in the order written ("4, 9")."""
    out: list[int] = []
    for item in (x for x in re.split(r"[,; ]+", text.strip()) if x):
        if not AGE_ITEM.match(item):
            raise InvalidInput(
                N_("Write the children's ages as numbers, for example 4, 9."),
                field="children_ages",
            )
        if int(item) > 17:
            raise InvalidInput(
                N_("A child is 17 or younger; older persons need a case of their own."),
                field="children_ages",
            )
        out.append(int(item))
    if len(out) > MAX_CHILDREN:
        raise InvalidInput(N_("At most 12 children in one request."), field="children_ages")
    return out


def _lenient_ages(text: str) -> list[int]:
    """The ages that can be read so far (while the officer types): for the gender rows."""
    found = [int(x) for x in re.split(r"[,; ]+", text.strip()) if AGE_ITEM.match(x)]
    return [a for a in found if a <= 17][:MAX_CHILDREN]


def _child_rows(values: dict[str, Any], ages: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "index": i,
            "age": age,
            "gender": values["child_genders"].get(i, Gender.not_stated.value),
        }
        for i, age in enumerate(ages)
    ]


def _form_values(form: Any) -> dict[str, Any]:
    def many(name: str) -> list[str]:
        return [str(v) for v in form.getlist(name)] if hasattr(form, "getlist") else []

    return {
        "children_ages": str(form.get("children_ages", "")),
        "child_genders": {
            i: str(form.get(f"child_gender_{i}"))
            for i in range(MAX_CHILDREN)
            if form.get(f"child_gender_{i}") is not None
        },
        "adults": str(form.get("adults", "1")),
        "gender": str(form.get("gender", Gender.female.value)),
        "age": str(form.get("age", "")),
        "risk": str(form.get("risk", RiskLevel.high.value)),
        "instrument": str(form.get("instrument", "")),
        "substance_use": str(form.get("substance_use", SubstanceUse.none.value)),
        "needs_wheelchair": form.get("needs_wheelchair") == "1",
        "honour_context": form.get("honour_context") == "1",
        "has_pets": form.get("has_pets") == "1",
        "languages": [v for v in many("languages") if v],
        "avoid": many("avoid"),
        "responsible": str(form.get("responsible", "")),
        "protected_identity": str(form.get("protected_identity", ProtectedIdentity.none.value)),
        "earlier_case_number": str(form.get("earlier_case_number", "")).strip(),
    }


def _language_context(request: Request, chosen: list[str]) -> dict[str, Any]:
    lang = pick_locale(request, request.app.state.settings.default_locale)
    common = languages.common(lang)
    listed = {v for c in common for v in c.codes}
    picked = set(chosen) | {c for v in chosen for c in v.split(",")}
    return {
        "common_languages": common,
        "other_languages": languages.others(lang),
        "chosen_languages": picked,
        # A language chosen from "other" is shown as chosen there (one select).
        "other_language": next((c for c in chosen if c not in listed and "," not in c), ""),
    }


async def _request_form(
    request: Request,
    session: SessionDep,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    districts = await districts_for_choice(session)
    return render(
        request,
        "night_request.html",
        {
            "values": values,
            "errors": errors,
            "districts": districts,
            "child_rows": _child_rows(values, _lenient_ages(values["children_ages"])),
            "child_genders": CHILD_GENDERS,
            **_language_context(request, values["languages"]),
        },
        status_code=status,
    )


@router.get("/night")
async def night_form(request: Request, session: SessionDep, actor: NightActor) -> Response:
    return await _request_form(request, session, _form_values({}), {})


@router.get("/night/children")
async def night_children(request: Request, actor: NightActor) -> Response:
    """The gender question for each child typed so far (htmx, while the ages are typed)."""
    values = _form_values(request.query_params)
    return render(
        request,
        "night_children.html",
        {
            "child_rows": _child_rows(values, _lenient_ages(values["children_ages"])),
            "child_genders": CHILD_GENDERS,
        },
    )


@router.post("/night")
async def night_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: NightActor,
) -> Response:
    await check_csrf(request)
    form = await request.form()
    values = _form_values(form)
    errors: dict[str, str] = {}
    try:
        ages = parse_ages(values["children_ages"])
    except InvalidInput as exc:
        errors["children_ages"] = translate(request, exc)
        ages = []
    genders = [values["child_genders"].get(i, Gender.not_stated.value) for i in range(len(ages))]
    if any(g not in CHILD_GENDER_VALUES for g in genders):
        errors["child_genders"] = translate(request, N_("Choose each child's gender."))
    try:
        chosen_languages = languages.parse(values["languages"])
    except InvalidInput as exc:
        errors["languages"] = translate(request, exc)
        chosen_languages = []
    earlier = None
    try:
        earlier = intake.earlier_case_number(values["earlier_case_number"])
    except InvalidInput as exc:
        errors["earlier_case_number"] = translate(request, exc)
    districts = {str(d.id): d for d in await districts_for_choice(session)}
    avoid = [districts[v] for v in values["avoid"] if v in districts]
    # Chosen explicitly: never guessed from the areas to avoid.
    responsible = districts.get(values["responsible"])
    if responsible is None:
        errors["responsible"] = translate(
            request, N_("Choose the responsible district (where the household lives).")
        )
    age = None
    try:
        age = intake.parse_age(values["age"])
    except InvalidInput as exc:
        errors["age"] = translate(request, exc)
    if values["risk"] not in RISK_CHOICES:
        errors["risk"] = translate(request, N_("Choose the current risk."))
    if values["instrument"] not in ("", *INSTRUMENTS):
        errors["instrument"] = translate(
            request, N_("Choose the instrument the risk was assessed with.")
        )
    if errors:
        return await _request_form(request, session, values, errors, 422)
    if responsible is None:  # pragma: no cover - handled with the errors above
        return await _request_form(request, session, values, errors, 422)
    now = clock.now()
    try:
        data = CaseCreate(
            responsible_district_id=responsible.id,
            protected_identity=ProtectedIdentity(values["protected_identity"]),
            adults=int(values["adults"]) if values["adults"] in ("1", "2") else 1,
            person=PersonIn(
                gender=Gender(values["gender"]),
                birth_year=intake.birth_year(age, now),
            ),
            needs=Needs(
                substance_use=SubstanceUse(values["substance_use"]),
                needs_wheelchair=values["needs_wheelchair"],
                honour_context=values["honour_context"],
                has_pets=values["has_pets"],
                languages=chosen_languages,
            ),
            children=[
                ChildCreate(gender=Gender(g), age=a) for a, g in zip(ages, genders, strict=True)
            ],
            exclusion_areas=[
                ExclusionAreaIn(district_code=d.code, kind=ExclusionKind.perpetrator_home)
                for d in avoid
            ],
            risk_assessments=[
                RiskAssessmentIn(instrument=instrument, level=level)
                for instrument, level in [
                    intake_assessment(
                        values["risk"], bool(values["honour_context"]), values["instrument"]
                    )
                ]
            ],
            earlier_case_number=earlier,
        )
    except (ValidationError, ValueError):  # pragma: no cover - every field is checked above
        errors["form"] = translate(request, N_("Check the values and try again."))
        return await _request_form(request, session, values, errors, 422)
    try:
        case = await create_case(session, clock, actor, keyring, data)
        nights = responsible.decision_days or settings.default_decision_days
        placement_request = await create_placement_request(
            session, clock, actor, case.id, PlacementRequestCreate(starts_at=now, nights=nights)
        )
    except DomainError as exc:
        # A field the form does not show (e.g. case_id) is reported at the top of the form.
        key = exc.field if exc.field in values else "form"
        errors[key] = translate(request, exc)
        return await _request_form(request, session, values, errors, exc.status_code)
    return RedirectResponse(f"/night/requests/{placement_request.id}", status_code=303)


@router.get("/night/requests/{request_id}")
async def proposals_page(
    request_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: NightActor,
) -> Response:
    result, run = await matching.propose_for_request(session, clock, actor, settings, request_id)
    ids = [uuid.UUID(p.unit_id) for p in result.proposals]
    ids += [uuid.UUID(m.unit_id) for m in result.near_misses]
    briefs = await unit_briefs(session, ids, clock.now(), settings.vacancy_stale_hours)
    placement_request = await session.get(PlacementRequest, request_id)
    case = await session.get(Case, placement_request.case_id) if placement_request else None
    done = request.query_params.get("done")
    contacts = await contact.unit_contacts(session, clock, actor, keyring, ids)
    declined = await referrals.declined_units(session, request_id)
    # A unit that declined this request is still shown, marked, after the others.
    ordered = sorted(result.proposals, key=lambda p: p.unit_id in declined)
    tz = ZoneInfo(settings.timezone)
    arrival = (clock.now() + timedelta(minutes=60)).astimezone(tz)
    return render(
        request,
        "night_proposals.html",
        {
            "proposals": ordered,
            "contacts": {str(k): v for k, v in contacts.items()},
            "declined": declined,
            "decline_labels": DECLINE_LABELS,
            "callback_phone": await _last_callback(session, actor),
            "arrival": f"{arrival.hour:02d}:{arrival.minute:02d}",
            "result": result,
            "run_id": run.id,
            "briefs": {str(k): v for k, v in briefs.items()},
            "rule_labels": opt.RULE_LABELS,
            "request_id": request_id,
            "case_number": case.case_number if case else "",
            "flash": translate(request, DONE[done]) if done in DONE else None,
            "hold_minutes": settings.hold_minutes,
            "may_override": may_override(actor.role, settings),
            "not_overridable": NOT_OVERRIDABLE,
        },
    )


@router.post("/night/requests/{request_id}/hold")
async def hold_submit(
    request_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: NightActor,
) -> Response:
    await check_csrf(request)
    form = await request.form()
    overridden = tuple(str(v) for v in form.getlist("override"))
    reason = str(form.get("override_reason", "")).strip() or None
    try:
        unit_id = uuid.UUID(str(form.get("unit_id", "")))
    except ValueError:
        raise InvalidInput(N_("Choose a place from the list."), field="unit_id") from None
    callback = str(form.get("callback_phone", "")).strip() or await _last_callback(session, actor)
    await matching.load_request(session, clock, actor, request_id)
    hold = await matching.hold_for_request(
        session,
        clock,
        actor,
        settings,
        request_id,
        unit_id,
        Overrides(overridden, reason) if overridden else None,
        expected_arrival_at=_arrival(str(form.get("arrival", "")), clock, settings),
        callback_phone=callback,
    )
    return RedirectResponse(f"/night/holds/{hold.group_id}", status_code=303)


async def _last_callback(session: SessionDep, actor: Actor) -> str | None:
    """The call-back number this officer gave last (a staff number, never a client's)."""
    return await session.scalar(
        select(Referral.callback_phone)
        .where(
            col(Referral.created_by_id) == actor.user_id,
            col(Referral.callback_phone).is_not(None),
        )
        .order_by(col(Referral.created_at).desc())
        .limit(1)
    )


def _arrival(raw: str, clock: ClockDep, settings: SettingsDep) -> datetime | None:
    """ "HH:MM" in Stockholm time: today, or tomorrow if that time has passed."""
    match = re.match(r"^(\d{1,2}):(\d{2})$", raw.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    tz = ZoneInfo(settings.timezone)
    now = clock.now().astimezone(tz)
    at = now.replace(hour=int(match.group(1)), minute=int(match.group(2)), second=0, microsecond=0)
    if at < now - timedelta(minutes=5):
        at += timedelta(days=1)
    return at


@dataclass
class HoldView:
    """The hold page's state: live (waiting for or with the unit's answer), decided, gone."""

    hold: Any
    case: Any
    state: str  # "live", "decided" or "gone"
    referral: Referral | None
    minutes_left: int
    warn: bool
    contact: contact.UnitContact | None


async def _hold_context(
    session: SessionDep,
    clock: ClockDep,
    actor: Actor,
    group_id: uuid.UUID,
    keyring: Any = None,
) -> HoldView:
    rows = await bookings.group_bookings(session, group_id, lock=False)
    case_id = rows[0].case_id
    if case_id is None:
        raise InvalidInput(N_("This hold is not for a case."), field="group_id")
    case = await get_case(session, clock, actor, case_id)
    hold_rows = [b for b in rows if b.kind == BookingKind.hold]
    described = await holds.describe_holds(session, clock, hold_rows or rows)
    now = clock.now()
    if any(b.kind == BookingKind.placement for b in rows):
        state = "decided"
    elif hold_rows and all(
        b.status == BookingStatus.active and b.expires_at and b.expires_at > now for b in hold_rows
    ):
        state = "live"
    else:
        state = "gone"
    expires = described[0].expires_at
    left = max(0, math.ceil((expires - now).total_seconds() / 60)) if expires else 0
    found = (
        await contact.unit_contacts(session, clock, actor, keyring, [rows[0].unit_id])
        if keyring is not None and state == "live"
        else {}
    )
    return HoldView(
        hold=described[0],
        case=case,
        state=state,
        referral=await referrals.for_group(session, group_id),
        minutes_left=left,
        warn=state == "live" and left <= WARN_MINUTES,
        contact=found.get(rows[0].unit_id),
    )


RISK_CHOICES = ("high", "medium", "low", "not_assessed")
INSTRUMENTS = ("freda", "patriark")
NIGHT_CHILD_NOTE = N_(
    "Placed at night together with the parent; school or preschool and other needs are "
    "assessed by the district on the next working day."
)


def _decision_values(form: Any, children: list[Any], note: str = "") -> dict[str, Any]:
    return {
        "reason": str(form.get("reason", "")) if form else "",
        "days": str(form.get("days", "")) if form else "",
        **{
            f"basis_{c.id}": str(form.get(f"basis_{c.id}", CHILD_BASES[0][0]))
            if form
            else CHILD_BASES[0][0]
            for c in children
        },
        **{
            f"consent_{c.id}": str(form.get(f"consent_{c.id}", CONSENTS[0][0]))
            if form
            else CONSENTS[0][0]
            for c in children
        },
        # At night the child's needs are rarely known: the note says the district assesses
        # them the next working day (the officer may write more).
        **{f"note_{c.id}": str(form.get(f"note_{c.id}", "")) if form else note for c in children},
    }


async def _decision_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: Any,
    actor: Actor,
    group_id: uuid.UUID,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    template: str = "night_decide.html",
) -> Response:
    view = await _hold_context(session, clock, actor, group_id, keyring)
    referral = view.referral
    if (
        view.state == "gone"
        and referral is not None
        and referral.status == ReferralStatus.declined
        and referral.request_id
    ):
        # The unit said no: back to the proposals, the declining unit marked.
        target = f"/night/requests/{referral.request_id}?done=declined"
        if request.headers.get("HX-Request"):
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    case = view.case
    district = await session.get(District, case.responsible_district_id)
    days = (district.decision_days if district else None) or settings.default_decision_days
    return render(
        request,
        template,
        {
            "view": view,
            "hold": view.hold,
            "case": case,
            "group_id": group_id,
            "settled": referrals.is_settled(referral),
            "decline_labels": DECLINE_LABELS,
            "default_days": days,
            "values": values
            or _decision_values(None, case.children, translate(request, NIGHT_CHILD_NOTE)),
            "errors": errors or {},
            "child_bases": CHILD_BASES,
            "consents": CONSENTS,
            "court_days": settings.court_submission_days,
        },
        status_code=status,
    )


@router.get("/night/holds/{group_id}")
async def decide_page(
    group_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: NightActor,
) -> Response:
    return await _decision_page(request, session, clock, settings, keyring, actor, group_id)


@router.get("/night/holds/{group_id}/live")
async def hold_live(
    group_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: NightActor,
) -> Response:
    """The part of the hold page that follows the unit's answer and the clock (htmx)."""
    return await _decision_page(
        request, session, clock, settings, keyring, actor, group_id, template="night_hold_live.html"
    )


@router.post("/night/holds/{group_id}/phone")
async def phone_confirmed(
    group_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    actor: NightActor,
) -> Response:
    await check_csrf(request)
    rows = await bookings.group_bookings(session, group_id, lock=False)
    if rows[0].case_id is not None:
        await get_case(session, clock, actor, rows[0].case_id)  # the holder's scope, audited
    await referrals.confirm_by_phone(session, clock, actor, group_id)
    return RedirectResponse(f"/night/holds/{group_id}", status_code=303)


@router.post("/night/holds/{group_id}/extend")
async def extend_submit(
    group_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: NightActor,
) -> Response:
    await check_csrf(request)
    form = await request.form()
    reason = " ".join(str(form.get("extend_reason", "")).split())
    if not 3 <= len(reason) <= 300:
        return await _decision_page(
            request,
            session,
            clock,
            settings,
            keyring,
            actor,
            group_id,
            errors={"extend_reason": translate(request, EXTEND_REASON)},
            status=422,
        )
    await holds.extend_hold(session, clock, settings, actor, group_id, reason)
    return RedirectResponse(f"/night/holds/{group_id}", status_code=303)


@router.post("/night/holds/{group_id}/decide")
async def decide_submit(
    group_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    actor: NightActor,
) -> Response:
    await check_csrf(request)
    form = await request.form()
    view = await _hold_context(session, clock, actor, group_id)
    hold, case = view.hold, view.case
    if view.state == "decided":
        return RedirectResponse(f"/night/done/{case.id}", status_code=303)
    values = _decision_values(form, case.children)
    errors: dict[str, str] = {}
    if view.state == "live" and not referrals.is_settled(view.referral):
        errors["form"] = translate(request, WAIT_FOR_ANSWER)
    days = None
    if values["days"].strip():
        if not values["days"].strip().isdigit() or not 1 <= int(values["days"]) <= 365:
            errors["days"] = translate(request, N_("Write the length in days (1 to 365)."))
        else:
            days = int(values["days"])
    try:
        children = [
            ChildDecisionIn(
                child_id=c.id,
                legal_basis=LegalBasis(values[f"basis_{c.id}"]),
                consent_status=ConsentStatus(values[f"consent_{c.id}"]),
                assessment_note=values[f"note_{c.id}"].strip()[:2000] or None,
            )
            for c in case.children
        ]
    except ValueError:
        errors["form"] = translate(request, N_("Choose a legal basis for each child."))
        children = []
    if errors:
        return await _decision_page(
            request, session, clock, settings, keyring, actor, group_id, values, errors, 422
        )
    placement_request_id = next(
        (r.id for r in case.placement_requests if r.status.value in ("held", "open")), None
    )
    starts = max(hold.starts_at, clock.now())
    try:
        await grant_placement(
            session,
            clock,
            settings,
            actor,
            case.id,
            GrantCreate(
                hold_group_id=group_id,
                starts_at=starts,
                ends_at=starts + timedelta(days=days) if days else None,
                children=children,
                request_id=placement_request_id,
                reason=values["reason"].strip() or None,
            ),
        )
    except DomainError as exc:
        await start_over(session, actor)  # nothing of the try is kept; scope set again
        key = exc.field if exc.field in ("days", "reason") else "form"
        if exc.field and exc.field.endswith(".assessment_note"):
            index = int(exc.field.split(".")[1])
            key = f"note_{case.children[index].id}"
        return await _decision_page(
            request,
            session,
            clock,
            settings,
            keyring,
            actor,
            group_id,
            values,
            {key: translate(request, exc)},
            exc.status_code,
        )
    return RedirectResponse(f"/night/done/{case.id}", status_code=303)


@router.post("/night/holds/{group_id}/release")
async def release_submit(
    group_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    actor: NightActor,
) -> Response:
    await check_csrf(request)
    request_id = await matching.release_hold_for_request(session, clock, actor, group_id)
    if request_id is not None:
        return RedirectResponse(f"/night/requests/{request_id}?done=released", status_code=303)
    return RedirectResponse("/night", status_code=303)


@router.get("/night/done/{case_id}")
async def summary_page(
    case_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    actor: NightActor,
) -> Response:
    decided = await case_decisions(session, clock, actor, case_id)  # the one audited read
    case = await session.get(Case, case_id)
    district = await session.get(District, case.responsible_district_id) if case else None
    child_ids = [d.child_id for d in decided.decisions if d.child_id]
    child_names = {
        c.id: c.pseudonym
        for c in (await session.execute(select(Child).where(col(Child.id).in_(child_ids))))
        .scalars()
        .all()
    }
    child_ids = [d.child_id for d in decided.decisions if d.child_id]
    child_names = {
        c.id: c.pseudonym
        for c in (await session.execute(select(Child).where(col(Child.id).in_(child_ids))))
        .scalars()
        .all()
    }
    briefs = await unit_briefs(
        session, [d.unit_id for d in decided.decisions if d.unit_id], clock.now(), 10**6
    )
    return render(
        request,
        "night_done.html",
        {
            "decided": decided,
            "case_number": case.case_number if case else "",
            "district": district,
            "briefs": briefs,
            "child_names": child_names,
        },
    )
