"""The office hours that apply in a district: its own daily hours (or the city's, from
settings) and its dated exceptions, as one ``calendar.OfficeHours`` for the pure calendar.
Every hand-over, decision flag and ending warning that knows its district asks here."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.calendar import OfficeHours, city_hours
from placement.config import Settings
from placement.models import District, DistrictOfficeDay

# The exceptions loaded around a day: enough for any run of closed days and the warnings.
BEHIND = timedelta(days=45)
AHEAD = timedelta(days=75)


async def office_hours_for(
    session: AsyncSession, settings: Settings, district_id: uuid.UUID | None, day: date
) -> OfficeHours:
    """The district's effective office hours around the local date ``day`` (its exceptions
    from 45 days before to 75 days after); no district: the city's hours."""
    if district_id is None:
        return city_hours(settings)
    row = (
        await session.execute(
            select(col(District.office_hours_start), col(District.office_hours_end)).where(
                col(District.id) == district_id
            )
        )
    ).first()
    start, end = settings.office_hours_start, settings.office_hours_end
    if row is not None and row[0] is not None and row[1] is not None:
        start, end = row[0], row[1]
    days = (
        await session.execute(
            select(DistrictOfficeDay).where(
                col(DistrictOfficeDay.district_id) == district_id,
                col(DistrictOfficeDay.day) >= day - BEHIND,
                col(DistrictOfficeDay.day) <= day + AHEAD,
            )
        )
    ).scalars()
    exceptions = {
        d.day: None if d.closed or d.opens is None or d.closes is None else (d.opens, d.closes)
        for d in days
    }
    return OfficeHours(start, end, exceptions)
