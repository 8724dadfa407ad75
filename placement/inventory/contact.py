"""A unit's on-duty phone number, guarded like its street address.

The number is stored encrypted; the app role cannot select the column (migration 0011) and
bk_unit_contact_phone() returns it only under an RVT, Socialjouren or system scope. It is shown
only to the roles that place people (Permission.unit_contact_read), every read is audited, and
it is never logged, exported or put into a referral.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.audit.service import record
from placement.auth.actor import Actor
from placement.auth.permissions import Permission, has_permission
from placement.clock import Clock
from placement.crypto import Keyring
from placement.errors import N_, InvalidInput
from placement.models import Booking, Unit
from placement.models.enums import AuditAction, BookingKind, BookingStatus

PHONE_AD = "unit_contact_phone"  # AES-GCM associated data: decrypts only as a unit's number
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()-]{4,30}[0-9]$")
BAD_PHONE = N_("Write a phone number with digits, spaces or dashes, for example 08-465 004 10.")


@dataclass(frozen=True)
class UnitContact:
    phone: str
    hours: str | None

    @property
    def tel(self) -> str:
        """The number for a tel: link (digits and a leading +)."""
        digits = re.sub(r"[^0-9+]", "", self.phone)
        return digits


def check_phone(phone: str | None, field: str = "contact_phone") -> str | None:
    if phone is None:
        return None
    cleaned = " ".join(phone.split())
    if not cleaned:
        return None
    if not PHONE_PATTERN.match(cleaned):
        raise InvalidInput(BAD_PHONE, field=field)
    return cleaned


def encrypt_phone(keyring: Keyring, phone: str | None) -> str | None:
    cleaned = check_phone(phone)
    return keyring.encrypt(cleaned, associated=PHONE_AD) if cleaned else None


def may_see_contact(actor: Actor) -> bool:
    return has_permission(actor.role, Permission.unit_contact_read)


async def unit_contacts(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    keyring: Keyring,
    unit_ids: Sequence[uuid.UUID],
) -> dict[uuid.UUID, UnitContact]:
    """The on-duty numbers of these units, for the roles that place people (else nothing).
    The database decides again: under any other scope the function returns no number."""
    if not may_see_contact(actor) or not unit_ids:
        return {}
    ids = list(dict.fromkeys(unit_ids))
    hours: dict[uuid.UUID, str | None] = dict(
        (
            await session.execute(select(Unit.id, Unit.contact_hours).where(col(Unit.id).in_(ids)))
        ).all()
    )
    out: dict[uuid.UUID, UnitContact] = {}
    for unit_id in ids:
        stored = await session.scalar(text("SELECT bk_unit_contact_phone(:id)"), {"id": unit_id})
        if not stored:
            continue
        out[unit_id] = UnitContact(
            phone=keyring.decrypt(stored, associated=PHONE_AD), hours=hours.get(unit_id)
        )
        await record(session, clock, actor, AuditAction.read, "unit_contact", unit_id)
    return out


async def current_unit_contact(
    session: AsyncSession, clock: Clock, actor: Actor, keyring: Keyring, case_id: uuid.UUID
) -> UnitContact | None:
    """The on-duty number of the unit the case's household lives in now (placing roles)."""
    if not may_see_contact(actor):
        return None
    now = clock.now()
    unit_id = await session.scalar(
        select(Booking.unit_id)
        .where(
            col(Booking.case_id) == case_id,
            col(Booking.kind) == BookingKind.placement,
            col(Booking.status) == BookingStatus.active,
            col(Booking.starts_at) <= now,
            col(Booking.ends_at) > now,
        )
        .limit(1)
    )
    if unit_id is None:
        return None
    return (await unit_contacts(session, clock, actor, keyring, [unit_id])).get(unit_id)
