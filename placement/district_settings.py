"""Per-district configuration the admin edits: the decision length, who may grant each
kind of unit (enforced by the rule book, ``placement.rulebook.may_grant``), and the office
hours (the district's own daily hours and dated exceptions, read by
``placement.office_hours.office_hours_for``). Every change is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.audit.service import record
from placement.auth.actor import Actor
from placement.calendar import is_working_day
from placement.clock import Clock
from placement.errors import N_, Conflict, InvalidInput, NotFound
from placement.models import District, DistrictOfficeDay
from placement.models.enums import AuditAction, Role, UnitKind
from placement.rulebook import DECIDING_ROLES

EMPTY_GRANTERS = N_(
    "At least one role must be able to grant each kind of unit (an RVT officer or Socialjouren)."
)


class DistrictSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision_days: int | None = Field(default=None, ge=1, le=365)
    # {unit kind: roles that may grant it}; a kind left out: the deciding roles.
    grant_roles: dict[UnitKind, list[Role]] = Field(default_factory=dict, max_length=20)


class DistrictSettingsRead(BaseModel):
    district_id: uuid.UUID
    code: str
    decision_days: int | None
    grant_roles: dict[str, list[str]]
    office_hours_start: time | None = None  # both None: the city's hours
    office_hours_end: time | None = None


def _read(d: District) -> DistrictSettingsRead:
    return DistrictSettingsRead(
        district_id=d.id,
        code=d.code,
        decision_days=d.decision_days,
        grant_roles={k: list(v) for k, v in (d.grant_roles or {}).items()},
        office_hours_start=d.office_hours_start,
        office_hours_end=d.office_hours_end,
    )


async def get_settings(session: AsyncSession, district_id: uuid.UUID) -> DistrictSettingsRead:
    district = await session.get(District, district_id)
    if district is None:
        raise NotFound("No such district.", field="district_id")
    return _read(district)


async def update_settings(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    district_id: uuid.UUID,
    data: DistrictSettingsIn,
) -> DistrictSettingsRead:
    district = await session.get(District, district_id, with_for_update=True)
    if district is None:
        raise NotFound("No such district.", field="district_id")
    grants: dict[str, Any] = {}
    for kind, roles in data.grant_roles.items():
        chosen = sorted({r.value for r in roles})
        if not chosen or any(r not in DECIDING_ROLES for r in chosen):
            raise InvalidInput(EMPTY_GRANTERS, field=f"grant_roles.{kind.value}")
        grants[kind.value] = chosen
    district.decision_days = data.decision_days
    district.grant_roles = grants
    # The older flag says the same as the table for SHIS mellanbo; keep the two in step.
    mellanbo = grants.get(UnitKind.shis_mellanbo.value)
    district.rvt_can_grant_mellanbo = mellanbo is None or Role.rvt_officer.value in mellanbo
    await session.flush()
    await record(
        session,
        clock,
        actor,
        AuditAction.update,
        "district_settings",
        district.id,
        reason=",".join(sorted(grants)) or "defaults",
    )
    return _read(district)


# --- office hours ---------------------------------------------------------------------

HOURS_PAIR = N_("Give both the opening and the closing time, or neither (the city's hours).")
HOURS_ORDER = N_("The closing time must be after the opening time.")
DAY_NOT_WORKING = N_(
    "That day is a weekend or a public holiday: the office is closed anyway. Choose a working day."
)
DAY_PASSED = N_("The day has passed. Choose today or a coming day.")
DAY_TAKEN = N_("That day already has an exception. Remove it first to change it.")
DAY_HOURS = N_("Mark the day as closed, or give its opening and closing time.")
NOTE_LONG = N_("Write at most 120 characters.")
NO_DAY = N_("The exception does not exist (it may already be removed).")


@dataclass(frozen=True, slots=True)
class OfficeDayRead:
    id: uuid.UUID
    day: date
    closed: bool
    opens: time | None
    closes: time | None
    note: str | None


def _check_pair(opens: time | None, closes: time | None, field: str) -> None:
    if (opens is None) != (closes is None):
        raise InvalidInput(HOURS_PAIR, field=field)
    if opens is not None and closes is not None and closes <= opens:
        raise InvalidInput(HOURS_ORDER, field=field)


async def _district(session: AsyncSession, district_id: uuid.UUID) -> District:
    district = await session.get(District, district_id, with_for_update=True)
    if district is None:
        raise NotFound("No such district.", field="district_id")
    return district


async def set_office_hours(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    district_id: uuid.UUID,
    opens: time | None,
    closes: time | None,
) -> DistrictSettingsRead:
    """The district's own daily office hours (both None: back to the city's). Audited."""
    _check_pair(opens, closes, "office_hours_start")
    district = await _district(session, district_id)
    district.office_hours_start, district.office_hours_end = opens, closes
    await session.flush()
    await record(
        session,
        clock,
        actor,
        AuditAction.update,
        "district_settings",
        district.id,
        reason=f"office_hours: {opens:%H:%M}-{closes:%H:%M}"
        if opens and closes
        else "office_hours: city",
    )
    return _read(district)


async def office_days(
    session: AsyncSession, district_id: uuid.UUID, since: date
) -> list[OfficeDayRead]:
    """The district's exceptions from ``since`` on, in date order."""
    rows = (
        await session.execute(
            select(DistrictOfficeDay)
            .where(
                col(DistrictOfficeDay.district_id) == district_id,
                col(DistrictOfficeDay.day) >= since,
            )
            .order_by(col(DistrictOfficeDay.day))
            .limit(500)
        )
    ).scalars()
    return [OfficeDayRead(r.id, r.day, r.closed, r.opens, r.closes, r.note) for r in rows]


async def add_office_day(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    district_id: uuid.UUID,
    *,
    day: date,
    today: date,
    closed: bool,
    opens: time | None,
    closes: time | None,
    note: str | None,
) -> OfficeDayRead:
    """A dated exception: closed that day, or other (usually shortened) hours. Audited."""
    if day < today:
        raise InvalidInput(DAY_PASSED, field="day")
    if not is_working_day(day):
        raise InvalidInput(DAY_NOT_WORKING, field="day")
    if closed:
        opens = closes = None
    elif opens is None or closes is None:
        raise InvalidInput(DAY_HOURS, field="opens")
    _check_pair(opens, closes, "opens")
    text = (note or "").strip() or None
    if text is not None and len(text) > 120:
        raise InvalidInput(NOTE_LONG, field="note")
    district = await _district(session, district_id)
    taken = await session.scalar(
        select(col(DistrictOfficeDay.id)).where(
            col(DistrictOfficeDay.district_id) == district.id, col(DistrictOfficeDay.day) == day
        )
    )
    if taken is not None:
        raise Conflict(DAY_TAKEN, field="day")
    row = DistrictOfficeDay(
        district_id=district.id,
        day=day,
        closed=closed,
        opens=opens,
        closes=closes,
        note=text,
        created_by_id=actor.user_id,
        created_at=clock.now(),
    )
    session.add(row)
    await session.flush()
    what = "closed" if closed else f"{opens:%H:%M}-{closes:%H:%M}"
    await record(
        session,
        clock,
        actor,
        AuditAction.create,
        "district_settings",
        district.id,
        reason=f"office_day_added: {day.isoformat()} {what}",
    )
    return OfficeDayRead(row.id, row.day, row.closed, row.opens, row.closes, row.note)


async def remove_office_day(
    session: AsyncSession, clock: Clock, actor: Actor, district_id: uuid.UUID, day_id: uuid.UUID
) -> None:
    district = await _district(session, district_id)
    row = await session.get(DistrictOfficeDay, day_id, with_for_update=True)
    if row is None or row.district_id != district.id:
        raise NotFound(NO_DAY, field="day_id")
    day = row.day
    await session.delete(row)
    await session.flush()
    await record(
        session,
        clock,
        actor,
        AuditAction.delete,
        "district_settings",
        district.id,
        reason=f"office_day_removed: {day.isoformat()}",
    )
