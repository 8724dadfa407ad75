"""Role × permission matrix. Scope (district, operator) is checked in the services."""

from __future__ import annotations

from enum import StrEnum

from placement.models.enums import Role


class Permission(StrEnum):
    inventory_read = "inventory_read"
    inventory_write = "inventory_write"
    unit_address_read = "unit_address_read"
    unit_contact_read = "unit_contact_read"  # the on-duty phone number
    vacancy_report = "vacancy_report"
    hold_manage = "hold_manage"
    case_read = "case_read"
    case_write = "case_write"
    decide = "decide"
    match = "match"
    plan_review = "plan_review"
    due_read = "due_read"
    priority_read = "priority_read"
    priority_write_social = "priority_write_social"
    priority_write_agency = "priority_write_agency"
    statistics_read = "statistics_read"
    audit_read = "audit_read"
    users_manage = "users_manage"


P = Permission

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.rvt_officer: frozenset(
        {
            P.inventory_read,
            P.unit_address_read,
            P.unit_contact_read,
            P.hold_manage,
            P.case_read,
            P.case_write,
            P.decide,
            P.match,
            P.due_read,
            P.priority_read,
            P.priority_write_social,
        }
    ),
    Role.socialjour: frozenset(
        {
            P.inventory_read,
            P.unit_address_read,
            P.unit_contact_read,
            P.hold_manage,
            P.case_read,
            P.case_write,
            P.decide,
            P.match,
            P.due_read,
        }
    ),
    Role.housing_agency: frozenset({P.priority_read, P.priority_write_agency}),
    Role.operator: frozenset({P.vacancy_report}),
    Role.coordinator: frozenset(
        {P.inventory_read, P.inventory_write, P.plan_review, P.statistics_read, P.match}
    ),
    Role.auditor: frozenset({P.audit_read}),
    Role.admin: frozenset({P.users_manage}),
}

# Roles that can see case data must sign in with a second factor.
SECOND_FACTOR_ROLES = frozenset({Role.rvt_officer, Role.socialjour, Role.housing_agency})


def has_permission(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
