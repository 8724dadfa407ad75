"""Use cases on the application itself: start, edit, read, certificate, review steps.

Services take an explicit session, clock, actor (and settings, keyring); they flush and never
commit. Every read and change is audit-logged in the same transaction (access.audit).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.auth.actor import Actor
from placement.clock import Clock
from placement.config import Settings
from placement.crypto import Keyring
from placement.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from placement.models import (
    Case,
    Certificate,
    Child,
    District,
    ExclusionArea,
    PriorityApplication,
    PriorityStatusChange,
    WatchedFlat,
)
from placement.models.enums import AuditAction, CaseStatus, PriorityStatus, ReminderKind
from placement.priority import criterion, eligibility, notify, steps, workflow
from placement.priority.access import Scoped, Side, audit, audit_many, load, load_many, side_of
from placement.priority.dates import local_today
from placement.priority.flats import AVAILABLE, OFFERED
from placement.priority.schemas import (
    AgencyApplicationRead,
    AgencyApplicationSummary,
    ApplicationCreate,
    ApplicationUpdate,
    HandlerApplicationRead,
    HandlerApplicationSummary,
)
from placement.priority.views import (
    agency_summary,
    agency_view,
    debt_note_context,
    handler_summary,
    handler_view,
)
from placement.priority.workflow import LABELS, LOCKED_FOR_EDITS, Via

S = PriorityStatus
# A certificate may be added or replaced until the agency has decided on an offer.
CERTIFICATE_STATUSES = frozenset(
    {S.draft, S.certificate_requested, S.submitted, S.under_review, S.rejected, S.appealed}
)
# The eligibility facts are fixed once the agency has decided; the household may still change.
ELIGIBILITY_FIELDS = frozenset(
    {"registered_in_city_since", "able_to_live_independently", "no_other_solution"}
)
BEFORE_DECISION = frozenset({S.draft, S.certificate_requested, S.submitted, S.under_review})
NOT_NULL = (
    "adults",
    "children_ages",
    "avoid_district_codes",
    "needed_district_codes",
    "needs_wheelchair",
    "debt_obstacle",
    "consent_to_share",
)
PLAIN_FIELDS = frozenset(
    {
        "adults",
        "children_ages",
        "needs_wheelchair",
        "max_rent_sek",
        "debt_obstacle",
        "consent_to_share",
        "registered_in_city_since",
        "able_to_live_independently",
        "no_other_solution",
    }
)


def _require_side(scoped: Scoped, side: Side, what: str) -> None:
    if scoped.side != side:
        raise Forbidden(
            N_("Only the case's handler can {what}.")
            if side == Side.social
            else N_("Only the housing agency can {what}."),
            params={"what": what},
        )


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


async def _known_codes(session: AsyncSession, codes: set[str]) -> set[str]:
    if not codes:
        return set()
    rows = await session.execute(select(col(District.code)).where(col(District.code).in_(codes)))
    return set(rows.scalars())


async def _check_areas(session: AsyncSession, avoid: list[str], needed: list[str]) -> None:
    unknown = {*avoid, *needed} - await _known_codes(session, {*avoid, *needed})
    if unknown:
        field = "avoid_district_codes" if unknown & set(avoid) else "needed_district_codes"
        raise InvalidInput(
            N_("Unknown district code: {codes}."), field=field, params={"codes": sorted(unknown)}
        )
    both = set(avoid) & set(needed)
    if both:
        raise InvalidInput(
            N_("An area cannot be both avoided and needed: {codes}."),
            field="needed_district_codes",
            params={"codes": sorted(both)},
        )


def _check_registration(since: date | None, today: date) -> None:
    if since is not None and since > today:
        raise InvalidInput(
            "The registration date cannot be in the future.", field="registered_in_city_since"
        )


async def _case_defaults(
    session: AsyncSession, case: Case, today: date
) -> tuple[list[int], list[str], list[str]]:
    """Children's ages, the exclusion areas and the children's school districts of the case."""
    children = (
        (await session.execute(select(Child).where(col(Child.case_id) == case.id))).scalars().all()
    )
    ages = sorted([_age(c.birth_date, today) for c in children], reverse=True)
    avoid = (
        await session.execute(
            select(col(District.code))
            .join(ExclusionArea, col(ExclusionArea.district_id) == col(District.id))
            .where(col(ExclusionArea.case_id) == case.id)
        )
    ).scalars()
    school_ids = {c.school_district_id for c in children if c.school_district_id is not None}
    needed: list[str] = []
    if school_ids:
        needed = list(
            (
                await session.execute(
                    select(col(District.code)).where(col(District.id).in_(school_ids))
                )
            ).scalars()
        )
    avoid_codes = sorted(set(avoid))
    return ages, avoid_codes, sorted(set(needed) - set(avoid_codes))


async def create_application(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    keyring: Keyring,
    data: ApplicationCreate,
) -> Scoped:
    """The handler starts a draft for one of the district's open cases."""
    if side_of(actor) != Side.social:
        raise Forbidden("Only the case's handler can start a priority application.")
    # The case row is locked so that two handlers cannot start two applications at once.
    case = await session.scalar(
        select(Case)
        .where(
            col(Case.id) == data.case_id,
            col(Case.responsible_district_id) == actor.district_id,
        )
        .with_for_update()
    )
    if case is None:
        raise NotFound("No such case.", field="case_id")
    if case.status != CaseStatus.open:
        raise Conflict("The case is closed; reopen it before applying for priority.")
    ongoing = await session.scalar(
        select(col(PriorityApplication.id)).where(
            col(PriorityApplication.case_id) == case.id,
            col(PriorityApplication.status) != S.closed,
        )
    )
    if ongoing is not None:
        raise Conflict("This case already has a priority application in progress.")
    today = local_today(clock, settings)
    ages, avoid, needed = await _case_defaults(session, case, today)
    avoid = data.avoid_district_codes if data.avoid_district_codes is not None else avoid
    needed = data.needed_district_codes if data.needed_district_codes is not None else needed
    await _check_areas(session, avoid, needed)
    _check_registration(data.registered_in_city_since, today)
    now = clock.now()
    app_id = uuid.uuid4()
    application = PriorityApplication(
        id=app_id,
        case_id=case.id,
        status=S.draft,
        adults=data.adults if data.adults is not None else case.adults,
        children_ages=data.children_ages if data.children_ages is not None else ages,
        avoid_district_codes=sorted(set(avoid)),
        needed_district_codes=sorted(set(needed)),
        needs_wheelchair=(
            data.needs_wheelchair if data.needs_wheelchair is not None else case.needs_wheelchair
        ),
        max_rent_sek=data.max_rent_sek,
        debt_obstacle=data.debt_obstacle,
        debt_note_ciphertext=(
            keyring.encrypt(data.debt_note, associated=debt_note_context(app_id))
            if data.debt_note
            else None
        ),
        consent_to_share=data.consent_to_share,
        registered_in_city_since=data.registered_in_city_since,
        able_to_live_independently=data.able_to_live_independently,
        no_other_solution=data.no_other_solution,
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(application)
    await session.flush()
    session.add(
        PriorityStatusChange(
            application_id=app_id,
            seq=1,
            from_status=None,
            to_status=S.draft,
            changed_by_id=actor.user_id,
            changed_role=actor.role,
            changed_at=now,
        )
    )
    await session.flush()
    scoped = await load(session, actor, app_id)
    await audit(session, clock, actor, scoped, AuditAction.create, "application started")
    return scoped


async def update_application(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    keyring: Keyring,
    application_id: uuid.UUID,
    data: ApplicationUpdate,
) -> Scoped:
    scoped = await load(session, actor, application_id, lock=True)
    _require_side(scoped, Side.social, N_("change the application"))
    app = scoped.application
    if app.status in LOCKED_FOR_EDITS:
        raise Conflict(
            N_("The application is {status}; the household details can no longer be changed."),
            params={"status": LABELS[app.status]},
        )
    sent = data.model_fields_set
    frozen = ELIGIBILITY_FIELDS & sent
    if frozen and app.status not in BEFORE_DECISION:
        raise Conflict(
            N_(
                "The application is {status}; the facts behind the eligibility checks "
                "can no longer be changed. Write to the housing agency instead."
            ),
            field=sorted(frozen)[0],
            params={"status": LABELS[app.status]},
        )
    for name in NOT_NULL:
        if name in sent and getattr(data, name) is None:
            raise InvalidInput("This field cannot be empty.", field=name)
    avoid = data.avoid_district_codes if "avoid_district_codes" in sent else None
    needed = data.needed_district_codes if "needed_district_codes" in sent else None
    await _check_areas(
        session,
        avoid if avoid is not None else list(app.avoid_district_codes),
        needed if needed is not None else list(app.needed_district_codes),
    )
    today = local_today(clock, settings)
    if "registered_in_city_since" in sent:
        _check_registration(data.registered_in_city_since, today)
    for name in PLAIN_FIELDS & sent:
        setattr(app, name, getattr(data, name))
    if avoid is not None:
        app.avoid_district_codes = sorted(set(avoid))
    if needed is not None:
        app.needed_district_codes = sorted(set(needed))
    if "debt_note" in sent:
        app.debt_note_ciphertext = (
            keyring.encrypt(data.debt_note, associated=debt_note_context(app.id))
            if data.debt_note
            else None
        )
    app.updated_at = clock.now()
    await session.flush()
    await audit(session, clock, actor, scoped, AuditAction.update, "application edited")
    if app.status != S.draft:
        await notify.notify_agency(session, scoped.case, kind="priority_edited", now=clock.now())
    return scoped


async def read_for_agency(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    keyring: Keyring,
    application_id: uuid.UUID,
) -> AgencyApplicationRead:
    scoped = await load(session, actor, application_id)
    _require_side(scoped, Side.agency, N_("use the housing agency's view"))
    await audit(session, clock, actor, scoped, AuditAction.read)
    return await agency_view(session, keyring, scoped, local_today(clock, settings))


async def read_for_handler(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    keyring: Keyring,
    application_id: uuid.UUID,
) -> HandlerApplicationRead:
    scoped = await load(session, actor, application_id)
    _require_side(scoped, Side.social, N_("use the handler's view"))
    await audit(session, clock, actor, scoped, AuditAction.read)
    return await handler_view(session, keyring, scoped, local_today(clock, settings))


async def list_for_agency(
    session: AsyncSession, clock: Clock, actor: Actor, status: PriorityStatus | None = None
) -> list[AgencyApplicationSummary]:
    if side_of(actor) != Side.agency:
        raise Forbidden("Only the housing agency can use the housing agency's list.")
    rows = await load_many(session, actor, statuses=frozenset({status}) if status else None)
    await audit_many(session, clock, actor, rows, AuditAction.read, "listed")
    return [agency_summary(s) for s in rows]


async def list_for_handler(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    *,
    status: PriorityStatus | None = None,
    case_id: uuid.UUID | None = None,
) -> list[HandlerApplicationSummary]:
    if side_of(actor) != Side.social:
        raise Forbidden("Only social services can use the handler's list.")
    rows = await load_many(
        session, actor, statuses=frozenset({status}) if status else None, case_id=case_id
    )
    await audit_many(session, clock, actor, rows, AuditAction.read, "listed")
    return [handler_summary(s) for s in rows]


async def has_certificate(session: AsyncSession, application_id: uuid.UUID) -> bool:
    return application_id in await with_certificate(session, [application_id])


async def with_certificate(
    session: AsyncSession, application_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of the applications have a certificate: one query for a whole list."""
    if not application_ids:
        return set()
    found = await session.execute(
        select(col(Certificate.application_id))
        .where(col(Certificate.application_id).in_(list(application_ids)))
        .distinct()
    )
    return set(found.scalars().all())


async def attach_certificate(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    application_id: uuid.UUID,
    supports: str,
) -> Scoped:
    """The handler's certificate (intyg); it answers an open certificate request."""
    scoped = await load(session, actor, application_id, lock=True)
    _require_side(scoped, Side.social, N_("write the certificate"))
    app = scoped.application
    if app.status not in CERTIFICATE_STATUSES:
        raise Conflict(
            N_("The application is {status}; no certificate is needed now."),
            params={"status": LABELS[app.status]},
        )
    if not supports.strip():
        raise InvalidInput("Say what the certificate supports.", field="supports")
    now = clock.now()
    session.add(
        Certificate(
            application_id=app.id,
            written_by_id=actor.user_id,
            written_at=now,
            supports=supports.strip(),
        )
    )
    app.updated_at = now
    await session.flush()
    await audit(session, clock, actor, scoped, AuditAction.create, "certificate attached")
    if app.status == S.certificate_requested:
        await workflow.transition(
            session,
            clock,
            actor,
            scoped,
            S.submitted,
            via=Via.certificate,
            system_reason=workflow.SystemReason(workflow.CERTIFICATE_ATTACHED, {}),
        )
        await notify.notify_agency(session, scoped.case, kind="priority_certificate", now=now)
    await notify.resolve_reminders(session, ReminderKind.certificate_requested, app.id, now)
    return scoped


async def request_certificate(
    session: AsyncSession, clock: Clock, actor: Actor, application_id: uuid.UUID, reason: str
) -> Scoped:
    """The agency asks social services for a certificate; the handler is notified."""
    scoped = await load(session, actor, application_id, lock=True)
    _require_side(scoped, Side.agency, N_("request a certificate"))
    change = await workflow.transition(
        session,
        clock,
        actor,
        scoped,
        S.certificate_requested,
        via=Via.certificate_request,
        reason=reason,
    )
    now = clock.now()
    reminder_id, _ = await notify.ensure_reminder(
        session,
        key=f"priority-certificate:{change.id}",
        kind=ReminderKind.certificate_requested,
        due_at=now,
        now=now,
        case_id=scoped.case.id,
        subject_id=scoped.application.id,
        district_id=scoped.case.responsible_district_id,
        user_id=scoped.case.handler_id,
    )
    await notify.notify_handler(
        session, scoped.case, kind="certificate_requested", now=now, reminder_id=reminder_id
    )
    return scoped


async def change_status(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    application_id: uuid.UUID,
    target: PriorityStatus,
    reason: str | None,
) -> Scoped:
    """Plain steps (submit, review, approve, reject, watch, close). Others have their own call."""
    scoped = await load(session, actor, application_id, lock=True)
    app = scoped.application
    workflow.check(app.status, target, scoped.side, Via.status, reason)
    found = await steps.blocker(session, app, target, local_today(clock, settings))
    if found is not None:
        raise found.error()
    if app.status == S.offer_accepted and target == S.watch_active:
        # The landlord refused the tenant: the flat is free for another household, the
        # refusal stays on the offer and its reason goes into the history.
        refusal = await steps.landlord_refusal(session, app)
        if refusal is not None:
            flat = await session.get(WatchedFlat, refusal.flat_id, with_for_update=True)
            if flat is not None and flat.status == OFFERED:
                flat.status = AVAILABLE
            reason = (reason or "").strip() or refusal.landlord_reason
    await workflow.transition(session, clock, actor, scoped, target, reason=reason)
    if target == S.submitted:
        await notify.notify_agency(session, scoped.case, kind="priority_submitted", now=clock.now())
    return scoped


async def override_check(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    application_id: uuid.UUID,
    check_code: str,
    reason: str,
) -> Scoped:
    scoped = await load(session, actor, application_id, lock=True)
    await eligibility.override(
        session, clock, actor, scoped, check_code, reason, local_today(clock, settings)
    )
    return scoped


async def assess_criterion(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    application_id: uuid.UUID,
    met: bool,
    reason: str | None,
) -> Scoped:
    """The agency's assessment of the priority criterion, met or not, with a reason."""
    scoped = await load(session, actor, application_id, lock=True)
    await criterion.assess(session, clock, actor, scoped, met, reason)
    return scoped
