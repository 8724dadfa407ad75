"""Users, sign-in sessions and API tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from placement.models.base import (
    UUIDModel,
    created_at_field,
    enum_field,
    fk,
    text_field,
    tz_field,
)
from placement.models.enums import Role


class UserAccount(UUIDModel, table=True):
    __tablename__ = "user_account"

    username: str = Field(max_length=80, unique=True, index=True)
    display_name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    role: Role = enum_field(Role)
    district_id: uuid.UUID | None = fk("district.id", nullable=True)
    operator_id: uuid.UUID | None = fk("operator.id", nullable=True)
    is_team_lead: bool = False
    email: str | None = Field(default=None, max_length=200)
    totp_secret_ciphertext: str | None = text_field()
    totp_enabled: bool = False
    totp_last_step: int | None = Field(default=None, sa_type=sa.BigInteger)  # no code reuse
    is_active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = tz_field(default=None, nullable=True)
    # Bumped on every role/scope change or deactivation; sessions issued earlier die.
    security_stamp: uuid.UUID = Field(default_factory=uuid.uuid4)
    calendar_token_hash: str | None = Field(default=None, max_length=128)
    created_at: datetime = created_at_field()


class UserSession(UUIDModel, table=True):
    __tablename__ = "user_session"

    user_id: uuid.UUID = fk("user_account.id", ondelete="CASCADE")
    token_hash: str = Field(max_length=128, unique=True, index=True)
    security_stamp: uuid.UUID
    second_factor_done: bool = False
    created_at: datetime = tz_field()
    last_seen_at: datetime = tz_field()
    revoked_at: datetime | None = tz_field(default=None, nullable=True)
    # Wrong second-factor codes in this sign-in session; at the limit the session ends.
    failed_codes: int = 0


class SignInFailure(UUIDModel, table=True):
    """One failed sign-in step (password or code), keyed by user name and client address.

    The throttle counts these in the database, so every app instance agrees. A stranger's
    failures from their own address never hold back the user signing in from another."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (
        sa.Index("ix_sign_in_failure_pair", "username_key", "client", "at"),
        sa.Index("ix_sign_in_failure_client", "client", "at"),
    )

    username_key: str = Field(max_length=80)
    client: str = Field(max_length=64)
    kind: str = Field(max_length=16)  # "password" or "code"
    at: datetime = tz_field()


class ApiToken(UUIDModel, table=True):
    """A revocable token for an operator's integration, scoped to its units."""

    __tablename__ = "api_token"

    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=128, unique=True, index=True)
    user_id: uuid.UUID = fk("user_account.id", ondelete="CASCADE")
    created_at: datetime = tz_field()
    last_used_at: datetime | None = tz_field(default=None, nullable=True)
    revoked_at: datetime | None = tz_field(default=None, nullable=True)
