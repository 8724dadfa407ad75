"""Base mixins and column helpers shared by every table."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from placement.db import NAMING_CONVENTION

SQLModel.metadata.naming_convention = NAMING_CONVENTION


class UUIDModel(SQLModel):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)


def enum_field(
    enum: type[Enum],
    *,
    default: Any = ...,
    nullable: bool = False,
    index: bool = False,
    name: str | None = None,
) -> Any:
    """A VARCHAR column with a CHECK constraint (no native PG enum: migrations stay simple)."""
    column: sa.Column[Any] = sa.Column(
        sa.Enum(
            enum,
            native_enum=False,
            create_constraint=True,
            name=name or enum.__name__.lower(),
            length=40,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        nullable=nullable,
        index=index,
    )
    return Field(default=default, sa_column=column)


def tz_field(*, default: Any = ..., nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=default,
        sa_column=sa.Column(sa.DateTime(timezone=True), nullable=nullable, index=index),
    )


def str_array_field() -> Any:
    return Field(
        default_factory=list,
        sa_column=sa.Column(ARRAY(sa.String(64)), nullable=False, server_default="{}"),
    )


def int_array_field() -> Any:
    return Field(
        default_factory=list,
        sa_column=sa.Column(ARRAY(sa.Integer), nullable=False, server_default="{}"),
    )


def jsonb_field(*, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=sa.Column(JSONB, nullable=nullable))


def fk(
    target: str, *, nullable: bool = False, index: bool = True, ondelete: str | None = None
) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=sa.Column(
            sa.Uuid, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index
        ),
    )


def created_at_field() -> Any:
    return Field(
        default=None,
        sa_column=sa.Column(
            sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )


def text_field(*, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=sa.Column(sa.Text, nullable=nullable))


__all__ = [
    "UUIDModel",
    "created_at_field",
    "datetime",
    "enum_field",
    "fk",
    "int_array_field",
    "jsonb_field",
    "str_array_field",
    "text_field",
    "tz_field",
]
