"""Build each audience's read model from the rows. The only place rows become wire models."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.crypto import Keyring, decrypt_optional
from placement.models import (
    Certificate,
    District,
    FlatOffer,
    PriorityAppeal,
    PriorityApplication,
    PriorityCommitteeMeeting,
    PriorityCriterionAssessment,
    PriorityStatusChange,
    UserAccount,
    WatchedFlat,
)
from placement.priority import criterion, eligibility, steps
from placement.priority.access import Scoped
from placement.priority.schemas import (
    AgencyApplicationRead,
    AgencyApplicationSummary,
    AppealRead,
    BlockedStepRead,
    CertificateRead,
    CriterionRead,
    EligibilityCheckRead,
    FlatRead,
    HandlerApplicationRead,
    HandlerApplicationSummary,
    OfferRead,
    StatusChangeRead,
)
from placement.priority.workflow import TRANSITIONS, Via, next_statuses


def debt_note_context(application_id: uuid.UUID) -> str:
    """Associated data binding an encrypted debt note to its application."""
    return f"priority_application:{application_id}:debt_note"


async def display_names(
    session: AsyncSession, ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(
        select(col(UserAccount.id), col(UserAccount.display_name)).where(
            col(UserAccount.id).in_(wanted)
        )
    )
    return {uid: name for uid, name in rows.all()}


def flat_read(flat: WatchedFlat, district: District) -> FlatRead:
    return FlatRead(
        id=flat.id,
        reference=flat.reference,
        district_code=district.code,
        district_name=district.name,
        rooms=flat.rooms,
        size_sqm=flat.size_sqm,
        rent_sek=flat.rent_sek,
        wheelchair_accessible=flat.wheelchair_accessible,
        landlord=flat.landlord,
        available_from=flat.available_from,
        registered_at=flat.registered_at,
        status=flat.status,
    )


async def offers_of(session: AsyncSession, application_id: uuid.UUID) -> list[OfferRead]:
    rows = await session.execute(
        select(FlatOffer, WatchedFlat, District)
        .join(WatchedFlat, col(WatchedFlat.id) == col(FlatOffer.flat_id))
        .join(District, col(District.id) == col(WatchedFlat.district_id))
        .where(col(FlatOffer.application_id) == application_id)
        .order_by(col(FlatOffer.offered_at))
    )
    return [offer_read(offer, flat, district) for offer, flat, district in rows.all()]


def offer_read(offer: FlatOffer, flat: WatchedFlat, district: District) -> OfferRead:
    return OfferRead(
        id=offer.id,
        application_id=offer.application_id,
        flat=flat_read(flat, district),
        offered_at=offer.offered_at,
        response=offer.response,
        responded_at=offer.responded_at,
        decline_reason=offer.decline_reason,
        contract_signed_on=offer.contract_signed_on,
        landlord_answer=offer.landlord_answer,
        landlord_asked_at=offer.landlord_asked_at,
        landlord_answered_at=offer.landlord_answered_at,
        landlord_reason=offer.landlord_reason,
    )


def appeal_read(appeal: PriorityAppeal, meeting: PriorityCommitteeMeeting) -> AppealRead:
    return AppealRead(
        id=appeal.id,
        meeting_id=meeting.id,
        meets_on=meeting.meets_on,
        papers_due_on=meeting.papers_due_on,
        filed_at=appeal.filed_at,
        grounds=appeal.grounds,
        outcome=appeal.outcome,
        decided_at=appeal.decided_at,
    )


async def _blocked(session: AsyncSession, scoped: Scoped, today: date) -> list[BlockedStepRead]:
    app = scoped.application
    out = []
    for target in next_statuses(app.status, scoped.side):
        if TRANSITIONS[(app.status, target)].via != Via.status:
            continue
        for found in await steps.blockers(session, app, target, today):
            out.append(BlockedStepRead(status=target, code=found.code, checks=list(found.checks)))
    return out


def _criterion_read(
    row: PriorityCriterionAssessment | None, names: dict[uuid.UUID, str]
) -> CriterionRead:
    if row is None:
        return CriterionRead(code=criterion.CODE, label=criterion.LABEL, assessed=False)
    return CriterionRead(
        code=criterion.CODE,
        label=criterion.LABEL,
        assessed=True,
        met=row.met,
        reason=row.reason,
        assessed_by=names.get(row.assessed_by_id) if row.assessed_by_id else None,
        assessed_at=row.assessed_at,
        backfilled=row.backfilled,
    )


async def _common(session: AsyncSession, scoped: Scoped, today: date) -> dict[str, object]:
    """The fields both audiences see, from the application and its related rows."""
    app = scoped.application
    certificates = (
        (
            await session.execute(
                select(Certificate)
                .where(col(Certificate.application_id) == app.id)
                .order_by(col(Certificate.written_at))
            )
        )
        .scalars()
        .all()
    )
    history = (
        (
            await session.execute(
                select(PriorityStatusChange)
                .where(col(PriorityStatusChange.application_id) == app.id)
                .order_by(col(PriorityStatusChange.seq))
            )
        )
        .scalars()
        .all()
    )
    appeals = (
        await session.execute(
            select(PriorityAppeal, PriorityCommitteeMeeting)
            .join(
                PriorityCommitteeMeeting,
                col(PriorityCommitteeMeeting.id) == col(PriorityAppeal.meeting_id),
            )
            .where(col(PriorityAppeal.application_id) == app.id)
            .order_by(col(PriorityAppeal.filed_at))
        )
    ).all()
    overrides = await eligibility.overrides_of(session, app.id)
    assessment = await criterion.latest(session, app.id)
    names = await display_names(
        session,
        [c.written_by_id for c in certificates]
        + [h.changed_by_id for h in history]
        + [o.overridden_by_id for o in overrides.values()]
        + [assessment.assessed_by_id if assessment else None],
    )
    checks: list[EligibilityCheckRead] = []
    for result in eligibility.evaluate(app, today):
        o = overrides.get(result.code)
        checks.append(
            EligibilityCheckRead(
                code=result.code,
                label=result.label,
                result=result.result,
                detail=result.detail,
                overridden=o is not None,
                override_reason=o.reason if o else None,
                overridden_at=o.overridden_at if o else None,
                overridden_by=names.get(o.overridden_by_id) if o and o.overridden_by_id else None,
            )
        )
    return {
        "id": app.id,
        "case_number": scoped.case.case_number,
        "status": app.status,
        "adults": app.adults,
        "children_ages": list(app.children_ages),
        "household_size": app.household_size,
        "avoid_district_codes": list(app.avoid_district_codes),
        "needed_district_codes": list(app.needed_district_codes),
        "needs_wheelchair": app.needs_wheelchair,
        "max_rent_sek": app.max_rent_sek,
        "consent_to_share": app.consent_to_share,
        "registered_in_city_since": app.registered_in_city_since,
        "able_to_live_independently": app.able_to_live_independently,
        "no_other_solution": app.no_other_solution,
        "criterion": _criterion_read(assessment, names),
        "eligibility": checks,
        "certificates": [
            CertificateRead(
                id=c.id,
                written_by=names.get(c.written_by_id) if c.written_by_id else None,
                written_at=c.written_at,
                supports=c.supports,
            )
            for c in certificates
        ],
        "history": [
            StatusChangeRead(
                from_status=h.from_status,
                to_status=h.to_status,
                changed_by=names.get(h.changed_by_id) if h.changed_by_id else None,
                changed_role=h.changed_role,
                changed_at=h.changed_at,
                **_history_reason(h.reason, h.reason_params),
            )
            for h in history
        ],
        "appeals": [appeal_read(a, m) for a, m in appeals],
        "offers": await offers_of(session, app.id),
        "next_statuses": next_statuses(app.status, scoped.side),
        "blocked_statuses": await _blocked(session, scoped, today),
        "created_at": app.created_at,
        "updated_at": app.updated_at,
    }


def _debt_note(keyring: Keyring, app: PriorityApplication) -> str | None:
    return decrypt_optional(keyring, app.debt_note_ciphertext, associated=debt_note_context(app.id))


async def agency_view(
    session: AsyncSession, keyring: Keyring, scoped: Scoped, today: date
) -> AgencyApplicationRead:
    app = scoped.application
    shared = app.consent_to_share
    return AgencyApplicationRead.model_validate(
        {
            **await _common(session, scoped, today),
            "debt_obstacle": app.debt_obstacle if shared else None,
            "debt_note": _debt_note(keyring, app) if shared else None,
        }
    )


async def handler_view(
    session: AsyncSession, keyring: Keyring, scoped: Scoped, today: date
) -> HandlerApplicationRead:
    app = scoped.application
    return HandlerApplicationRead.model_validate(
        {
            **await _common(session, scoped, today),
            "case_id": app.case_id,
            "debt_obstacle": app.debt_obstacle,
            "debt_note": _debt_note(keyring, app),
        }
    )


def agency_summary(scoped: Scoped) -> AgencyApplicationSummary:
    app = scoped.application
    return AgencyApplicationSummary(
        id=app.id,
        case_number=scoped.case.case_number,
        status=app.status,
        household_size=app.household_size,
        adults=app.adults,
        children_ages=list(app.children_ages),
        avoid_district_codes=list(app.avoid_district_codes),
        needed_district_codes=list(app.needed_district_codes),
        needs_wheelchair=app.needs_wheelchair,
        created_at=app.created_at,
        updated_at=app.updated_at,
    )


def handler_summary(scoped: Scoped) -> HandlerApplicationSummary:
    app = scoped.application
    return HandlerApplicationSummary(
        id=app.id,
        case_id=app.case_id,
        case_number=scoped.case.case_number,
        status=app.status,
        household_size=app.household_size,
        created_at=app.created_at,
        updated_at=app.updated_at,
    )


def _history_reason(reason: str | None, params: dict[str, object] | None) -> dict[str, Any]:
    """A typed reason as typed; a system reason in English plus its message id and blanks."""
    if params is None or reason is None:
        return {"reason": reason}
    blanks = {str(k): str(v) for k, v in params.items()}
    try:
        english = reason.format(**blanks)
    except (KeyError, IndexError, ValueError):
        english = reason
    return {"reason": english, "reason_key": reason, "reason_params": blanks}
