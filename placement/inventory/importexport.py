"""The inventory as a file: export to CSV or JSON, and parse an import into typed rows.

Districts and operators are named by their human keys (district code, operator name), so a
file can be edited by hand and moved between installations. Addresses are never exported and
never imported: they are entered on the unit itself. Lists in CSV cells are separated by "|".
Applying an import is ``import_plan.py``'s job.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import Field, ValidationError, field_validator
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from placement.audit.service import record
from placement.auth.actor import Actor
from placement.clock import Clock
from placement.inventory.rules import validation_problems
from placement.inventory.schemas import Language, Name, OperatorCreate, Wire
from placement.models import District, Operator, Place, Unit
from placement.models.enums import (
    AuditAction,
    Gender,
    OperatorKind,
    PlaceKind,
    SharingPolicy,
    SubstancePolicy,
    UnitKind,
)

MAX_ROWS = 10_000
LIST_SEPARATOR = "|"


class UnitRow(Wire):
    """One unit in an import or export file."""

    id: uuid.UUID | None = None  # empty: a new unit; otherwise the unit to update
    name: Name
    kind: UnitKind
    operator: Name
    operator_kind: OperatorKind | None = None  # creates the operator if it does not exist
    district: str = Field(min_length=1, max_length=64)
    owner_district: str | None = Field(default=None, max_length=64)
    sharing_policy: SharingPolicy
    protection_level: int = Field(ge=1, le=3)
    staffed_24_7: bool = False
    secret_address: bool = False
    accepted_genders: list[Gender] = Field(min_length=1)
    min_age: int | None = Field(default=18, ge=0, le=120)
    max_age: int | None = Field(default=None, ge=0, le=120)
    accepts_children: bool = False
    max_children: int = Field(default=0, ge=0, le=20)
    max_child_age: int | None = Field(default=None, ge=0, le=25)
    max_boy_age: int | None = Field(default=None, ge=0, le=25)
    substance_policy: SubstancePolicy
    wheelchair_accessible: bool = False
    honour_competence: bool = False
    languages: list[Language] = Field(default_factory=list, max_length=30)
    pets_allowed: bool = False
    nightly_cost_sek: int = Field(default=0, ge=0, le=100_000)
    ivo_permit_required: bool | None = None
    ivo_permit_valid_until: date | None = None
    activity_code: str | None = Field(default=None, pattern=r"^[0-9]{2,6}$")
    single_places: int = Field(default=0, ge=0, le=200)
    family_rooms: list[int] = Field(default_factory=list, max_length=100)

    @field_validator("family_rooms")
    @classmethod
    def _room_sizes(cls, value: list[int]) -> list[int]:
        if any(c < 2 or c > 12 for c in value):
            raise ValueError("a family room holds between 2 and 12 persons")
        return sorted(value, reverse=True)


COLUMNS: list[str] = list(UnitRow.model_fields)
LIST_COLUMNS = {"accepted_genders", "languages", "family_rooms"}
REQUIRED_COLUMNS = {n for n, f in UnitRow.model_fields.items() if f.is_required()}


@dataclass(frozen=True, slots=True)
class RowError:
    line: int  # CSV: the line in the file (header is line 1); JSON: the item number in "units"
    field: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass(frozen=True, slots=True)
class ParsedRow:
    line: int
    row: UnitRow


@dataclass
class Parsed:
    rows: list[ParsedRow]
    operators: list[tuple[int, OperatorCreate]]
    errors: list[RowError]


# --- export -------------------------------------------------------------------------------------

_FILE_ONLY = {
    "operator",
    "operator_kind",
    "district",
    "owner_district",
    "single_places",
    "family_rooms",
}


async def export_rows(session: AsyncSession) -> tuple[list[Operator], list[UnitRow]]:
    districts = {d.id: d.code for d in (await session.execute(select(District))).scalars()}
    operators = list(
        (
            await session.execute(
                select(Operator)
                .where(col(Operator.retired_at).is_(None))
                .order_by(col(Operator.name))
            )
        ).scalars()
    )
    names = {o.id: o for o in operators}
    units = (
        (
            await session.execute(
                select(Unit)
                .where(col(Unit.retired_at).is_(None))
                .order_by(col(Unit.name), col(Unit.id))
            )
        )
        .scalars()
        .all()
    )
    places: dict[uuid.UUID, list[Place]] = {}
    for p in (
        await session.execute(select(Place).where(col(Place.retired_at).is_(None)))
    ).scalars():
        places.setdefault(p.unit_id, []).append(p)
    rows = []
    for u in units:
        op = names.get(u.operator_id)
        if op is None:  # a live unit of a retired operator: export the operator's name anyway
            op = await session.get(Operator, u.operator_id)
            assert op is not None  # noqa: S101 - foreign key
        own = places.get(u.id, [])
        values = dict(
            id=u.id,
            operator=op.name,
            operator_kind=op.kind,
            district=districts[u.district_id],
            owner_district=districts[u.owner_district_id] if u.owner_district_id else None,
            single_places=sum(1 for p in own if p.kind == PlaceKind.place),
            family_rooms=[p.capacity for p in own if p.kind == PlaceKind.family_room],
            **{
                name: getattr(u, name)
                for name in COLUMNS
                if name not in _FILE_ONLY and name != "id"
            },
        )
        try:
            rows.append(UnitRow(**values))
        except ValidationError:
            # Stored data the import rules would now refuse (e.g. a one-bed family room from
            # older data) is written out as it is: the export never fails on it, and
            # re-importing it names the row and the field instead.
            rows.append(UnitRow.model_construct(**values))
    return operators, rows


async def export_inventory(session: AsyncSession, clock: Clock, actor: Actor, fmt: str) -> str:
    operators, rows = await export_rows(session)
    await record(
        session, clock, actor, AuditAction.export, "inventory", reason=f"{len(rows)} units, {fmt}"
    )
    if fmt == "csv":
        return to_csv(rows)
    return json.dumps(
        {
            "operators": [
                {"name": o.name, "kind": o.kind.value, "phone": o.phone} for o in operators
            ],
            "units": [r.model_dump(mode="json") for r in rows],
        },
        ensure_ascii=False,
        indent=1,
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_csv(rows: list[UnitRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        data = r.model_dump(mode="json")
        writer.writerow([_cell(data[c]) for c in COLUMNS])
    return out.getvalue()


# --- parsing ------------------------------------------------------------------------------------


def _typed(line: int, raw: dict[str, Any], errors: list[RowError]) -> UnitRow | None:
    try:
        return UnitRow.model_validate(raw)
    except ValidationError as exc:
        errors.extend(RowError(line, f, m) for f, m in validation_problems(exc))
        return None


def parse_csv(text: str) -> Parsed:
    parsed = Parsed([], [], [])
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    unknown = [h for h in header if h not in COLUMNS]
    missing = sorted(REQUIRED_COLUMNS - set(header))
    for h in unknown:
        hint = " Addresses are entered on the unit, not imported." if "address" in h else ""
        parsed.errors.append(RowError(1, h, f"Unknown column '{h}'.{hint}"))
    for h in missing:
        parsed.errors.append(RowError(1, h, f"The column '{h}' is missing."))
    if unknown or missing:
        return parsed
    for raw in reader:
        line = reader.line_num
        if len(parsed.rows) + len(parsed.errors) >= MAX_ROWS:
            parsed.errors.append(RowError(line, None, f"At most {MAX_ROWS} rows per import."))
            break
        if None in raw:
            parsed.errors.append(RowError(line, None, "The row has more cells than the header."))
            continue
        if not any((v or "").strip() for v in raw.values()):
            continue  # blank line
        cleaned: dict[str, Any] = {}
        for key, value in raw.items():
            value = (value or "").strip()
            if value == "":
                continue
            if key in LIST_COLUMNS:
                cleaned[key] = [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]
            else:
                cleaned[key] = value
        row = _typed(line, cleaned, parsed.errors)
        if row is not None:
            parsed.rows.append(ParsedRow(line, row))
    return parsed


def parse_json(text: str) -> Parsed:
    parsed = Parsed([], [], [])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        parsed.errors.append(RowError(exc.lineno, None, f"Not valid JSON: {exc.msg}."))
        return parsed
    if not isinstance(data, dict) or not isinstance(data.get("units", []), list):
        parsed.errors.append(
            RowError(
                1, None, 'Expected an object with a "units" list (and optionally "operators").'
            )
        )
        return parsed
    for i, raw in enumerate(data.get("operators") or [], start=1):
        try:
            parsed.operators.append((i, OperatorCreate.model_validate(raw)))
        except ValidationError as exc:
            parsed.errors.extend(
                RowError(i, f"operators.{f}", m) for f, m in validation_problems(exc)
            )
    units = data.get("units") or []
    if len(units) > MAX_ROWS:
        parsed.errors.append(RowError(1, None, f"At most {MAX_ROWS} units per import."))
        return parsed
    for i, raw in enumerate(units, start=1):
        if not isinstance(raw, dict):
            parsed.errors.append(RowError(i, None, "Each unit must be an object."))
            continue
        row = _typed(i, raw, parsed.errors)
        if row is not None:
            parsed.rows.append(ParsedRow(i, row))
    return parsed
