"""Build the optimizer's plain inputs from the database (one set-based query per table)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, and_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

import optimizer as opt
from placement.cases import intake
from placement.cases.risk import levels_in_force
from placement.config import Settings
from placement.inventory.capacity import busy_subquery, capacity_aggregates
from placement.models import (
    Booking,
    Case,
    Child,
    District,
    ExclusionArea,
    Person,
    Place,
    PlacementRequest,
    Unit,
)
from placement.models.enums import BookingKind, BookingStatus, PlaceKind

# Without a recorded risk assessment the matcher assumes the highest risk: a high-protection
# place is never wrong for safety, a low one might be.
DEFAULT_RISK = "high"


def local_date(at: datetime, settings: Settings) -> date:
    return at.astimezone(ZoneInfo(settings.timezone)).date()


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


async def load_districts(session: AsyncSession) -> dict[str, opt.DistrictInfo]:
    rows = (await session.execute(select(District))).scalars().all()
    by_code = {d.code: str(d.id) for d in rows}
    return {
        str(d.id): opt.DistrictInfo(
            district_id=str(d.id),
            name=d.name,
            municipality=d.municipality,
            pool=d.pool,
            lat=d.lat,
            lon=d.lon,
            neighbours=frozenset(by_code[c] for c in d.neighbour_codes if c in by_code),
        )
        for d in rows
    }


# The unit columns the optimizer and the rule book read (``opt_unit``); never the address.
UNIT_FIELDS = (
    "id",
    "name",
    "kind",
    "district_id",
    "owner_district_id",
    "sharing_policy",
    "protection_level",
    "accepted_genders",
    "min_age",
    "max_age",
    "accepts_children",
    "max_children",
    "max_child_age",
    "max_boy_age",
    "substance_policy",
    "staffed_24_7",
    "secret_address",
    "wheelchair_accessible",
    "honour_competence",
    "languages",
    "pets_allowed",
    "nightly_cost_sek",
    "vacancy_confirmed_at",
    "ivo_permit_required",
    "ivo_permit_valid_until",
)


async def load_units(
    session: AsyncSession,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    *,
    kinds: Iterable[str] | None = None,
) -> list[opt.Unit]:
    """Every unit in service with its free capacity over [starts_at, ends_at).

    One query, plain rows (no ORM objects, no list of ids sent back): at national size
    (5,000 units) loading ORM units and then their capacity by id took most of a second."""
    busy = busy_subquery(starts_at, ends_at, now)
    aggs = capacity_aggregates(busy)
    stmt = (
        select(*(getattr(Unit, name) for name in UNIT_FIELDS), *aggs)
        .select_from(Unit)
        .outerjoin(Place, and_(col(Place.unit_id) == col(Unit.id), col(Place.retired_at).is_(None)))
        .outerjoin(busy, busy.c.place_id == col(Place.id))
        .where(col(Unit.retired_at).is_(None))
        .group_by(col(Unit.id))
        .order_by(col(Unit.id))
    )
    if kinds is not None:
        stmt = stmt.where(col(Unit.kind).in_(list(kinds)))
    rows = (await session.execute(stmt)).all()
    return [opt_unit(row, now, row.free_places, tuple(row.free_rooms or ())) for row in rows]


def opt_unit(
    u: Unit | Row[Any], now: datetime, free_places: int, free_family_rooms: tuple[int, ...]
) -> opt.Unit:
    """A unit (or a row of its ``UNIT_FIELDS``) as the optimizer and the rule book see it,
    with the given free capacity."""
    age = (now - u.vacancy_confirmed_at).total_seconds() / 3600 if u.vacancy_confirmed_at else None
    return opt.Unit(
        unit_id=str(u.id),
        name=u.name,
        kind=u.kind.value,
        district_id=str(u.district_id),
        owner_district_id=str(u.owner_district_id) if u.owner_district_id else None,
        sharing_policy=u.sharing_policy.value,
        protection_level=u.protection_level,
        accepted_genders=frozenset(u.accepted_genders),
        min_age=u.min_age,
        max_age=u.max_age,
        accepts_children=u.accepts_children,
        max_children=u.max_children,
        max_child_age=u.max_child_age,
        max_boy_age=u.max_boy_age,
        substance_policy=u.substance_policy.value,
        staffed_24_7=u.staffed_24_7,
        secret_address=u.secret_address,
        wheelchair_accessible=u.wheelchair_accessible,
        honour_competence=u.honour_competence,
        languages=frozenset(u.languages),
        pets_allowed=u.pets_allowed,
        nightly_cost=u.nightly_cost_sek,
        vacancy_age_hours=age,
        ivo_permit_required=u.ivo_permit_required,
        ivo_permit_valid_until=u.ivo_permit_valid_until,
        free_places=free_places,
        free_family_rooms=tuple(free_family_rooms),
    )


async def households_for_cases(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    items: Sequence[tuple[str, Case, datetime, int, datetime, uuid.UUID]],
    *,
    overridden: dict[str, frozenset[str]] | None = None,
) -> list[opt.Household]:
    """``items``: (key, case, starts_at, nights, waiting_since, requesting_district_id)."""
    case_ids = [c.id for _, c, *_ in items]
    if not case_ids:
        return []
    persons = {
        p.id: p
        for p in (
            await session.execute(
                select(Person).where(col(Person.id).in_([c.person_id for _, c, *_ in items]))
            )
        ).scalars()
    }
    children: dict[uuid.UUID, list[Child]] = defaultdict(list)
    for ch in (
        await session.execute(select(Child).where(col(Child.case_id).in_(case_ids)))
    ).scalars():
        children[ch.case_id].append(ch)
    risk = {cid: level.value for cid, level in (await levels_in_force(session, case_ids)).items()}
    excluded: dict[uuid.UUID, set[str]] = defaultdict(set)
    for ea in (
        await session.execute(select(ExclusionArea).where(col(ExclusionArea.case_id).in_(case_ids)))
    ).scalars():
        excluded[ea.case_id].add(str(ea.district_id))
    codes = {
        code: str(did)
        for code, did in (await session.execute(select(District.code, District.id))).all()
    }
    current: dict[uuid.UUID, str] = {}
    for b in (
        await session.execute(
            select(Booking).where(
                col(Booking.case_id).in_(case_ids),
                col(Booking.kind) == BookingKind.placement,
                col(Booking.status) == BookingStatus.active,
                col(Booking.starts_at) <= now,
                col(Booking.ends_at) > now,
            )
        )
    ).scalars():
        if b.case_id is not None:
            current[b.case_id] = str(b.unit_id)
    out = []
    for key, case, starts_at, nights, waiting_since, requesting in items:
        person = persons.get(case.person_id)
        start = local_date(starts_at, settings)
        preferred = {codes[c] for c in case.preferred_district_codes if c in codes}
        preferred |= {
            str(ch.school_district_id) for ch in children[case.id] if ch.school_district_id
        }
        out.append(
            opt.Household(
                request_id=key,
                requesting_district_id=str(requesting),
                gender=person.gender.value if person else "female",
                age=intake.rule_age(person.birth_year if person else None, start.year),
                start=start,
                adults=case.adults,
                children=tuple(
                    opt.Child(age=max(0, age_on(ch.birth_date, start)), gender=ch.gender.value)
                    for ch in sorted(children[case.id], key=lambda c: c.pseudonym)
                ),
                risk_level=risk.get(case.id, DEFAULT_RISK),
                substance_use=case.substance_use.value,
                needs_wheelchair=case.needs_wheelchair,
                honour_context=case.honour_context,
                languages=frozenset(case.languages),
                has_pets=case.has_pets,
                exclusion_district_ids=frozenset(excluded[case.id]),
                preferred_district_ids=frozenset(preferred - excluded[case.id]),
                phase=case.phase.value,
                waiting_hours=max(0.0, (now - waiting_since).total_seconds() / 3600),
                current_unit_id=current.get(case.id),
                nights=nights,
                overridden_rules=(overridden or {}).get(key, frozenset()),
            )
        )
    return out


async def open_requests(session: AsyncSession) -> list[tuple[PlacementRequest, Case]]:
    from placement.models.enums import RequestStatus

    rows = (
        await session.execute(
            select(PlacementRequest, Case)
            .join(Case, col(Case.id) == col(PlacementRequest.case_id))
            .where(col(PlacementRequest.status) == RequestStatus.open)
            .order_by(col(PlacementRequest.requested_at), col(PlacementRequest.id))
        )
    ).all()
    return [(r, c) for r, c in rows]


async def current_resources(
    session: AsyncSession, case_ids: Sequence[uuid.UUID], now: datetime
) -> dict[uuid.UUID, opt.Resource]:
    """What each case's active placement occupies now (for move-on)."""
    rows = (
        await session.execute(
            select(Booking.case_id, Place.kind, Place.capacity)
            .join(Place, col(Place.id) == col(Booking.place_id))
            .where(
                col(Booking.case_id).in_(list(case_ids)),
                col(Booking.kind) == BookingKind.placement,
                col(Booking.status) == BookingStatus.active,
                col(Booking.starts_at) <= now,
                col(Booking.ends_at) > now,
            )
        )
    ).all()
    places: dict[uuid.UUID, int] = defaultdict(int)
    rooms: dict[uuid.UUID, int] = {}
    for case_id, kind, capacity in rows:
        if case_id is None:
            continue
        if kind == PlaceKind.family_room:
            rooms[case_id] = capacity
        else:
            places[case_id] += 1
    out: dict[uuid.UUID, opt.Resource] = {
        cid: opt.Resource(kind="family_room", persons=cap) for cid, cap in rooms.items()
    }
    for cid, n in places.items():
        out.setdefault(cid, opt.Resource(kind="places", persons=n))
    return out


def window(starts: Iterable[datetime], nights: Iterable[int]) -> tuple[datetime, datetime]:
    """One capacity window for many requests: from the earliest start to the latest end.

    Conservative: a place free for the whole window is free for every request in it.
    """
    pairs = list(zip(starts, nights, strict=True))
    start = min(s for s, _ in pairs)
    end = max(s + timedelta(days=n) for s, n in pairs)
    return start, end
