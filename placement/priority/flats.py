"""Watched flats and offers: register a flat, let the matcher propose, offer, answer, let.

A flat comes in through the agency's watch (bevakning). The matcher proposes which households
with an active watch it suits; the agency decides whom to offer it. An accepted offer with a
signed contract ends the case's housing chain: the outcome becomes "flat via priority", which
counts as secure permanent housing.
"""

from __future__ import annotations

import uuid
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.audit.service import record
from placement.auth.actor import Actor
from placement.auth.scope import elevated
from placement.clock import Clock
from placement.config import Settings
from placement.decisions.outcomes import is_secure_permanent
from placement.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from placement.models import Case, District, FlatOffer, WatchedFlat
from placement.models.enums import (
    AuditAction,
    LandlordAnswer,
    OfferResponse,
    Outcome,
    PriorityStatus,
)
from placement.priority import matching, notify, workflow
from placement.priority.access import Scoped, Side, audit, load, load_many, side_of
from placement.priority.dates import local_today
from placement.priority.rules import FlatFacts, HouseholdFacts
from placement.priority.schemas import (
    FlatCreate,
    FlatProposalsRead,
    FlatRead,
    ProposalRead,
    RuleRead,
)
from placement.priority.views import agency_summary, flat_read
from placement.priority.workflow import Via

FLAT_ENTITY = "watched_flat"
AVAILABLE, OFFERED, LET = "available", "offered", "let"
# Households the matcher considers: approved, with an active watch and no open offer.
MATCHABLE = frozenset({PriorityStatus.watch_active})


def _agency_only(actor: Actor, what: str) -> None:
    if side_of(actor) != Side.agency:
        raise Forbidden(N_("Only the housing agency can {what}."), params={"what": what})


async def _district_by_code(session: AsyncSession, code: str) -> District:
    district = await session.scalar(select(District).where(col(District.code) == code))
    if district is None:
        raise InvalidInput(
            N_("Unknown district code: {codes}."), field="district_code", params={"codes": code}
        )
    return district


async def _flat(
    session: AsyncSession, flat_id: uuid.UUID, *, lock: bool = False
) -> tuple[WatchedFlat, District]:
    stmt = (
        select(WatchedFlat, District)
        .join(District, col(District.id) == col(WatchedFlat.district_id))
        .where(col(WatchedFlat.id) == flat_id)
    )
    if lock:
        stmt = stmt.with_for_update(of=WatchedFlat)
    row = (await session.execute(stmt)).first()
    if row is None:
        raise NotFound("No such flat.", field="flat_id")
    return row[0], row[1]


async def register_flat(
    session: AsyncSession, clock: Clock, actor: Actor, data: FlatCreate
) -> FlatRead:
    _agency_only(actor, N_("register watched flats"))
    district = await _district_by_code(session, data.district_code)
    taken = await session.scalar(
        select(col(WatchedFlat.id)).where(col(WatchedFlat.reference) == data.reference)
    )
    if taken is not None:
        raise Conflict("A flat with this reference is already registered.", field="reference")
    flat = WatchedFlat(
        reference=data.reference,
        district_id=district.id,
        rooms=data.rooms,
        size_sqm=data.size_sqm,
        rent_sek=data.rent_sek,
        wheelchair_accessible=data.wheelchair_accessible,
        landlord=data.landlord,
        available_from=data.available_from,
        registered_at=clock.now(),
        status=AVAILABLE,
    )
    session.add(flat)
    await session.flush()
    await record(session, clock, actor, AuditAction.create, FLAT_ENTITY, flat.id)
    return flat_read(flat, district)


async def list_flats(
    session: AsyncSession, actor: Actor, status: str | None = None
) -> list[FlatRead]:
    _agency_only(actor, N_("list watched flats"))
    stmt = (
        select(WatchedFlat, District)
        .join(District, col(District.id) == col(WatchedFlat.district_id))
        .order_by(col(WatchedFlat.registered_at).desc())
    )
    if status is not None:
        stmt = stmt.where(col(WatchedFlat.status) == status)
    return [flat_read(f, d) for f, d in (await session.execute(stmt)).all()]


async def get_flat(session: AsyncSession, actor: Actor, flat_id: uuid.UUID) -> FlatRead:
    _agency_only(actor, N_("see watched flats"))
    flat, district = await _flat(session, flat_id)
    return flat_read(flat, district)


def _facts(flat: WatchedFlat, district: District) -> FlatFacts:
    return FlatFacts(
        district_code=district.code,
        district_name=district.name,
        rooms=flat.rooms,
        size_sqm=flat.size_sqm,
        rent_sek=flat.rent_sek,
        wheelchair_accessible=flat.wheelchair_accessible,
    )


def _household(scoped: Scoped) -> HouseholdFacts:
    app = scoped.application
    return HouseholdFacts(
        application_id=str(app.id),
        size=app.household_size,
        adults=app.adults,
        children_ages=tuple(app.children_ages),
        avoid_codes=frozenset(app.avoid_district_codes),
        needed_codes=frozenset(app.needed_district_codes),
        needs_wheelchair=app.needs_wheelchair,
        max_rent_sek=app.max_rent_sek,
    )


async def _districts(session: AsyncSession) -> list[matching.DistrictFacts]:
    rows = (await session.execute(select(District))).scalars()
    return [
        matching.DistrictFacts(
            code=d.code,
            name=d.name,
            municipality=d.municipality,
            pool=d.pool,
            lat=d.lat,
            lon=d.lon,
            neighbours=frozenset(d.neighbour_codes),
        )
        for d in rows
    ]


async def proposals(
    session: AsyncSession, clock: Clock, settings: Settings, actor: Actor, flat_id: uuid.UUID
) -> FlatProposalsRead:
    """Every household with an active watch, suitable ones ranked first, the rest with why not."""
    _agency_only(actor, N_("see proposals for a flat"))
    flat, district = await _flat(session, flat_id)
    candidates = await load_many(session, actor, statuses=MATCHABLE)
    by_id = {str(s.application.id): s for s in candidates}
    matches, engine = matching.match(
        _facts(flat, district),
        [_household(s) for s in candidates],
        await _districts(session),
        exclusion_buffer=settings.exclusion_buffer,
    )
    out: list[ProposalRead] = []
    for m in matches:
        scoped = by_id[m.application_id]
        await audit(session, clock, actor, scoped, AuditAction.read, "proposed for a flat")
        out.append(
            ProposalRead(
                application=agency_summary(scoped),
                eligible=m.eligible,
                rank=m.rank,
                score=m.score,
                failed_rules=[RuleRead(code=f.code, text=f.text) for f in m.failed],
                reasons=list(m.reasons),
            )
        )
    return FlatProposalsRead(flat=flat_read(flat, district), proposals=out, matcher=engine)


async def make_offer(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    flat_id: uuid.UUID,
    application_id: uuid.UUID,
) -> Scoped:
    _agency_only(actor, N_("offer flats"))
    flat, district = await _flat(session, flat_id, lock=True)
    if flat.status != AVAILABLE:
        raise Conflict("The flat is already offered or let.", field="flat_id")
    scoped = await load(session, actor, application_id, lock=True)
    workflow.check(
        scoped.application.status, PriorityStatus.flat_offered, scoped.side, Via.offer, None
    )
    verdict, _ = matching.match(
        _facts(flat, district),
        [_household(scoped)],
        await _districts(session),
        exclusion_buffer=settings.exclusion_buffer,
    )
    if not verdict[0].eligible:
        raise InvalidInput(
            N_("This flat does not suit the household: {rules}"),
            field="application_id",
            params={"rules": [f.msg or f.text for f in verdict[0].failed]},
        )
    now = clock.now()
    session.add(
        FlatOffer(
            flat_id=flat.id,
            application_id=scoped.application.id,
            offered_at=now,
            offered_by_id=actor.user_id,
        )
    )
    flat.status = OFFERED
    await session.flush()
    await workflow.transition(
        session,
        clock,
        actor,
        scoped,
        PriorityStatus.flat_offered,
        via=Via.offer,
        system_reason=workflow.SystemReason(workflow.FLAT_OFFERED, {"reference": flat.reference}),
    )
    await notify.notify_handler(session, scoped.case, kind="priority_flat_offered", now=now)
    return scoped


async def _offer(
    session: AsyncSession, actor: Actor, offer_id: uuid.UUID
) -> tuple[FlatOffer, Scoped, WatchedFlat]:
    offer = await session.scalar(
        select(FlatOffer).where(col(FlatOffer.id) == offer_id).with_for_update()
    )
    if offer is None:
        raise NotFound("No such offer.", field="offer_id")
    try:
        scoped = await load(session, actor, offer.application_id, lock=True)
    except NotFound as exc:  # an offer on someone else's case does not exist for this actor
        raise NotFound("No such offer.", field="offer_id") from exc
    flat, _ = await _flat(session, offer.flat_id, lock=True)
    return offer, scoped, flat


async def respond(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    offer_id: uuid.UUID,
    *,
    accepted: bool,
    reason: str | None,
    application_id: uuid.UUID | None = None,
) -> Scoped:
    """The household's answer, recorded by the agency or by the handler."""
    offer, scoped, flat = await _offer(session, actor, offer_id)
    if application_id is not None and offer.application_id != application_id:
        raise NotFound("No such offer.", field="offer_id")
    if offer.response != OfferResponse.pending:
        raise Conflict("The household has already answered this offer.")
    target = PriorityStatus.offer_accepted if accepted else PriorityStatus.offer_declined
    workflow.check(scoped.application.status, target, scoped.side, Via.response, reason)
    now = clock.now()
    offer.response = OfferResponse.accepted if accepted else OfferResponse.declined
    offer.responded_at = now
    if not accepted:
        offer.decline_reason = (reason or "").strip()
        flat.status = AVAILABLE
    await session.flush()
    await workflow.transition(
        session, clock, actor, scoped, target, via=Via.response, reason=reason
    )
    if scoped.side == Side.social:
        await notify.notify_agency(session, scoped.case, kind="priority_offer_answered", now=now)
    else:
        await notify.notify_handler(session, scoped.case, kind="priority_offer_answered", now=now)
    return scoped


LANDLORD_FIRST = N_(
    "The landlord has not approved the household as tenant yet. Ask the landlord and record "
    "the approval before the contract."
)
LANDLORD_REFUSED = N_(
    "The landlord refused the household as tenant, so the offer cannot become a contract."
)
LANDLORD_NOT_ACCEPTED = N_("Ask the landlord once the household has accepted the offer.")
LANDLORD_ANSWERED = N_("The landlord has already answered about this offer.")
LANDLORD_ASKED = N_("The landlord has already been asked.")
LANDLORD_NOT_ASKED = N_("Record that the landlord was asked before recording the answer.")
LANDLORD_REASON = N_("Give the landlord's reason for refusing (debt is the usual one).")
LANDLORD_CHOICE = N_("Choose: asked, approved or refused.")


async def record_landlord(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    offer_id: uuid.UUID,
    answer: LandlordAnswer,
    reason: str | None = None,
) -> Scoped:
    """The landlord's approval of the tenant, step by step: asked, then approved or refused
    (with the reason; debt is the usual obstacle). A contract needs the approval."""
    _agency_only(actor, N_("record the landlord's answer"))
    offer, scoped, _flat = await _offer(session, actor, offer_id)
    if offer.response != OfferResponse.accepted:
        raise Conflict(LANDLORD_NOT_ACCEPTED, field="answer")
    if offer.landlord_answer in (LandlordAnswer.approved, LandlordAnswer.refused):
        raise Conflict(LANDLORD_ANSWERED, field="answer")
    now = clock.now()
    if answer == LandlordAnswer.asked:
        if offer.landlord_answer == LandlordAnswer.asked:
            raise Conflict(LANDLORD_ASKED, field="answer")
        offer.landlord_asked_at = now
    elif answer in (LandlordAnswer.approved, LandlordAnswer.refused):
        if offer.landlord_answer != LandlordAnswer.asked:
            raise Conflict(LANDLORD_NOT_ASKED, field="answer")
        text = (reason or "").strip()
        if answer == LandlordAnswer.refused and not text:
            raise InvalidInput(LANDLORD_REASON, field="reason")
        offer.landlord_answered_at = now
        offer.landlord_reason = text or None
    else:
        raise InvalidInput(LANDLORD_CHOICE, field="answer")
    offer.landlord_answer = answer
    await session.flush()
    await audit(session, clock, actor, scoped, AuditAction.update, f"landlord {answer.value}")
    return scoped


async def record_contract(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    offer_id: uuid.UUID,
    signed_on: date,
) -> Scoped:
    """The signed lease: the flat is let and the case's chain ends in secure housing."""
    _agency_only(actor, N_("record contracts"))
    offer, scoped, flat = await _offer(session, actor, offer_id)
    if offer.response != OfferResponse.accepted:
        raise Conflict("Only an accepted offer can lead to a contract.")
    if signed_on > local_today(clock, settings):
        raise InvalidInput("The contract date cannot be in the future.", field="signed_on")
    if signed_on < offer.offered_at.astimezone(ZoneInfo(settings.timezone)).date():
        raise InvalidInput("The contract cannot be signed before the offer.", field="signed_on")
    if offer.landlord_answer == LandlordAnswer.refused:
        raise Conflict(LANDLORD_REFUSED, field="signed_on")
    if offer.landlord_answer != LandlordAnswer.approved:
        raise Conflict(LANDLORD_FIRST, field="signed_on")
    workflow.check(
        scoped.application.status, PriorityStatus.contract_signed, scoped.side, Via.contract, None
    )
    offer.contract_signed_on = signed_on
    flat.status = LET
    await session.flush()
    await workflow.transition(
        session,
        clock,
        actor,
        scoped,
        PriorityStatus.contract_signed,
        via=Via.contract,
        system_reason=workflow.SystemReason(
            workflow.CONTRACT_SIGNED,
            {"reference": flat.reference, "date": signed_on.isoformat()},
        ),
    )
    await end_chain_with_priority_flat(session, clock, actor, scoped.case)
    await notify.notify_handler(session, scoped.case, kind="priority_contract", now=clock.now())
    return scoped


async def end_chain_with_priority_flat(
    session: AsyncSession, clock: Clock, actor: Actor, case: Case
) -> None:
    """Record the chain's outcome on the case. Shelter decisions and bookings are left to the
    handler to end on the moving day (the decisions service owns them).

    The housing agency may not write case rows (row-level security); this one field pair is
    the agreed hand-back from the agency, so it is written under the system scope, for this
    statement only, and audited under the agency user's name."""
    async with elevated(session, clock, actor, "priority: flat outcome on the case"):
        locked = await session.scalar(select(Case).where(col(Case.id) == case.id).with_for_update())
        if locked is None:  # pragma: no cover - the case was loaded in this transaction
            raise NotFound("No such case.")
        locked.outcome = Outcome.flat_via_priority
        locked.secure_permanent_housing = is_secure_permanent(Outcome.flat_via_priority, None)
        await session.flush()
    await record(
        session,
        clock,
        actor,
        AuditAction.update,
        "case",
        locked.id,
        case_id=locked.id,
        reason="outcome flat_via_priority",
    )
