"""The availability query's filters: capabilities, sharing policy, staleness.

Every filter is always present in the SQL, switched off by a bound flag when not asked for
(``unless``), and lists travel as single array parameters. So the statement has one shape for
every combination of filters: SQLAlchemy compiles it once and the driver prepares it once per
connection, instead of once per combination (which cost more than the query itself).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Boolean, ColumnElement, String, Uuid, and_, any_, bindparam, literal, or_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import col

from placement.inventory.booking_schemas import AvailabilityQuery
from placement.models import District, Unit
from placement.models.enums import Gender, SharingPolicy, SubstancePolicy, SubstanceUse

NOWHERE = uuid.UUID(int=0)


def unless(skip: bool, condition: Any) -> ColumnElement[bool]:
    """``condition``, or true when ``skip``: the same SQL either way."""
    return or_(literal(skip, Boolean), condition)


def strings(values: list[str]) -> Any:
    return bindparam(None, values, type_=ARRAY(String(64)))


def in_list(column: Any, values: list[str]) -> ColumnElement[bool]:
    result: ColumnElement[bool] = column == any_(strings(values))
    return result


def substance_policies(use: SubstanceUse | None) -> list[str]:
    """The matcher's rule: drug-free places are kept for those who ask for them."""
    if use is None:
        return [p.value for p in SubstancePolicy]
    if use == SubstanceUse.active:
        return [SubstancePolicy.active_use_accepted.value]
    if use == SubstanceUse.wants_drug_free:
        return [SubstancePolicy.drug_free.value]
    return [SubstancePolicy.active_use_accepted.value, SubstancePolicy.no_active_use.value]


def capability_conditions(q: AvailabilityQuery) -> list[ColumnElement[bool]]:
    ages = [c.age for c in q.children]
    # Children given as boys, or whose gender is not stated, count against a unit's age limit
    # for boys (as optimizer.rules does).
    boys = [c.age for c in q.children if c.gender in (Gender.male, Gender.not_stated)]
    age = q.age if q.age is not None else 0
    excluded = bindparam(None, list(q.exclude_district_ids), type_=ARRAY(Uuid()))
    return [
        unless(not q.kinds, in_list(col(Unit.kind), [k.value for k in q.kinds])),
        col(Unit.protection_level) >= (q.min_protection_level or 1),
        unless(not q.needs_wheelchair, col(Unit.wheelchair_accessible)),
        unless(not q.honour_context, col(Unit.honour_competence)),
        unless(not q.has_pets, col(Unit.pets_allowed)),
        in_list(col(Unit.substance_policy), substance_policies(q.substance_use)),
        unless(
            q.gender is None,
            col(Unit.accepted_genders).op("@>", return_type=Boolean)(
                strings([(q.gender or Gender.female).value])
            ),
        ),
        unless(
            q.age is None,
            and_(
                or_(col(Unit.min_age).is_(None), col(Unit.min_age) <= age),
                or_(col(Unit.max_age).is_(None), col(Unit.max_age) >= age),
            ),
        ),
        unless(
            not q.languages,
            col(Unit.languages).op("&&", return_type=Boolean)(strings(list(q.languages))),
        ),
        ~(col(Unit.district_id) == any_(excluded)),
        unless(
            not ages,
            and_(
                col(Unit.accepts_children).is_(True),
                col(Unit.max_children) >= len(ages),
                or_(
                    col(Unit.max_child_age).is_(None),
                    col(Unit.max_child_age) >= max(ages, default=0),
                ),
            ),
        ),
        unless(
            not boys,
            or_(col(Unit.max_boy_age).is_(None), col(Unit.max_boy_age) >= max(boys, default=0)),
        ),
    ]


def sharing_condition(owner: type[District], requesting: District | None) -> ColumnElement[bool]:
    """SQL form of ``rules.sharing_allows``; no requesting district: no sharing filter."""
    policy = col(Unit.sharing_policy)
    asking_id = requesting.id if requesting else NOWHERE
    municipality = requesting.municipality if requesting else ""
    pool = bindparam(None, requesting.pool if requesting else None, type_=String(64))
    return unless(
        requesting is None,
        or_(
            policy == SharingPolicy.open,
            and_(policy == SharingPolicy.own_district, col(owner.id) == asking_id),
            and_(policy == SharingPolicy.city_wide, col(owner.municipality) == municipality),
            # A pool of None compares as NULL: never true.
            and_(policy == SharingPolicy.regional_pool, col(owner.pool) == pool),
        ),
    )
