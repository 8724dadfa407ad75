"""The append-only audit log: every read and change of case data and shelter addresses."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field

from placement.models.base import UUIDModel, enum_field, text_field, tz_field
from placement.models.enums import AuditAction


class AuditEntry(UUIDModel, table=True):
    __tablename__ = "audit_entry"

    at: datetime = tz_field(index=True)
    user_id: uuid.UUID | None = Field(default=None, index=True)  # no FK: the log outlives users
    username: str | None = Field(default=None, max_length=80)
    role: str | None = Field(default=None, max_length=40)
    action: AuditAction = enum_field(AuditAction)
    entity_type: str = Field(max_length=40)
    entity_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = Field(default=None, index=True)
    protected_identity: bool = False
    flagged_for_review: bool = False
    reason: str | None = text_field()
    request_id: str | None = Field(default=None, max_length=64)
