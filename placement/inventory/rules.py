"""Rules a unit must satisfy beyond its own fields: references, sharing, IVO, offer rules.

Pure functions over already loaded rows, so the API (one unit) and the bulk import (thousands
of rows against preloaded districts and operators) check exactly the same things.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from placement.errors import N_, InvalidInput
from placement.inventory.schemas import UnitFields
from placement.models import District, Operator, Unit
from placement.models.enums import OperatorKind, SharingPolicy, UnitKind

Problem = tuple[str, str]  # (field, message)


def needs_ivo_permit(kind: UnitKind, operator: Operator) -> bool:
    """Since 1 April 2024 a private operator's protected shelter needs an IVO permit."""
    return kind == UnitKind.protected_shelter and operator.kind == OperatorKind.private


def unit_problems(
    fields: UnitFields,
    operator: Operator | None,
    district: District | None,
    owner: District | None,
) -> list[Problem]:
    problems: list[Problem] = []
    if operator is None:
        problems.append(("operator_id", N_("Unknown operator.")))
    elif operator.retired_at is not None:
        problems.append(("operator_id", N_("The operator has been retired.")))
    if district is None:
        problems.append(("district_id", N_("Unknown district.")))
    if fields.owner_district_id is not None and owner is None:
        problems.append(("owner_district_id", N_("Unknown district.")))
    owning = owner if fields.owner_district_id is not None else district
    if (
        fields.sharing_policy == SharingPolicy.regional_pool
        and owning is not None
        and owning.pool is None
    ):
        problems.append(
            (
                "sharing_policy",
                N_(
                    "The owning district belongs to no regional pool; "
                    "choose another sharing policy."
                ),
            )
        )
    if (
        operator is not None
        and fields.ivo_permit_required is False
        and needs_ivo_permit(fields.kind, operator)
    ):
        problems.append(
            (
                "ivo_permit_required",
                N_("A protected shelter run by a private operator needs an IVO permit."),
            )
        )
    return problems


def resolved_ivo_required(fields: UnitFields, operator: Operator) -> bool:
    if fields.ivo_permit_required is not None:
        return fields.ivo_permit_required
    return needs_ivo_permit(fields.kind, operator)


def first_problem(problems: list[Problem]) -> InvalidInput | None:
    if not problems:
        return None
    field, message = problems[0]
    return InvalidInput(message, field=field)


def validation_problems(exc: ValidationError) -> list[Problem]:
    out: list[Problem] = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ())) or "request"
        message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        out.append((field, message[:1].upper() + message[1:]))
    return out


def invalid_from(exc: ValidationError) -> InvalidInput:
    field, message = validation_problems(exc)[0]
    return InvalidInput(
        N_("{field}: {message}"), field=field, params={"field": field, "message": message}
    )


def unit_field_values(unit: Unit) -> dict[str, object]:
    """The unit's current values in ``UnitFields`` shape (for merging a partial update)."""
    return {name: getattr(unit, name) for name in UnitFields.model_fields}


def local_date(at: datetime, timezone: str) -> date:
    return at.astimezone(ZoneInfo(timezone)).date()


def ivo_valid_on(unit: Unit, day: date) -> bool:
    """A unit that needs a permit is offered only if the permit is valid on ``day``."""
    if not unit.ivo_permit_required:
        return True
    return unit.ivo_permit_valid_until is not None and unit.ivo_permit_valid_until >= day


def owner_id(unit: Unit) -> object:
    return unit.owner_district_id or unit.district_id


def sharing_allows(policy: SharingPolicy, owner: District, requesting: District | None) -> bool:
    """Exactly what the owner's sharing policy allows; nothing favours a district's own units."""
    if policy == SharingPolicy.open:
        return True
    if requesting is None:
        return False
    if policy == SharingPolicy.own_district:
        return requesting.id == owner.id
    if policy == SharingPolicy.city_wide:
        return requesting.municipality == owner.municipality
    if policy == SharingPolicy.regional_pool:
        return requesting.pool is not None and requesting.pool == owner.pool
    return False
