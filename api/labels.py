"""Human labels for the domain vocabulary (English msgids; Swedish in the catalog)."""

from __future__ import annotations

from collections.abc import Callable


def N_(message: str) -> str:
    return message


ROLE = {
    "rvt_officer": N_("RVT officer"),
    "socialjour": N_("Social emergency service"),
    "housing_agency": N_("Housing agency, priority unit"),
    "operator": N_("Shelter operator"),
    "coordinator": N_("City-wide coordinator"),
    "auditor": N_("Auditor"),
    "admin": N_("Administrator"),
}

UNIT_KIND = {
    "protected_shelter": N_("Protected shelter"),
    "on_call_flat": N_("On-call flat"),
    "training_flat": N_("Training flat"),
    "hostel": N_("Hostel or hotel"),
    "shis_interim": N_("SHIS interim housing"),
    "shis_mellanbo": N_("SHIS mellanbo"),
    "trial_flat": N_("Trial flat"),
    "regional_pool_flat": N_("Regional pool flat (Nordväst)"),
}

RISK = {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High")}

SUBSTANCE_USE = {
    "none": N_("No substance use"),
    "active": N_("Active substance use"),
    "wants_drug_free": N_("Wants a drug-free place"),
}

OUTCOME = {
    "shis_interim": N_("SHIS interim housing"),
    "shis_mellanbo": N_("SHIS mellanbo"),
    "on_call_flat": N_("On-call flat"),
    "training_flat": N_("Training flat"),
    "trial_flat": N_("Trial flat"),
    "second_hand_lease": N_("Second-hand lease"),
    "lodger_contract": N_("Lodger contract"),
    "flat_via_priority": N_("Flat via housing-queue priority"),
    "other_municipality": N_("Moved to another municipality"),
    "back_home": N_("Back home"),
    "unknown": N_("Unknown"),
}

REMINDER = {
    "decision_ending": N_("Decision ends soon"),
    "decision_expired": N_("Decision expired without renewal"),
    "follow_up_overdue": N_("Follow-up overdue"),
    "follow_up_due": N_("Follow-up due"),
    "handover_due": N_("Hand-over from the social emergency service"),
    "court_deadline": N_("Court submission deadline for a child"),
    "hold_expired": N_("Hold expired"),
    "certificate_requested": N_("Certificate requested"),
    "committee_papers_due": N_("Papers due for the priority committee"),
    "ivo_permit_expiring": N_("IVO permit expiring"),
}

PRIORITY_STATUS = {
    "draft": N_("Draft"),
    "certificate_requested": N_("Certificate requested"),
    "submitted": N_("Submitted"),
    "under_review": N_("Under review"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "appealed": N_("Appealed"),
    "decided_by_committee": N_("Decided by the committee"),
    "watch_active": N_("Watch active"),
    "flat_offered": N_("Flat offered"),
    "offer_accepted": N_("Offer accepted"),
    "offer_declined": N_("Offer declined"),
    "contract_signed": N_("Contract signed"),
    "closed": N_("Closed"),
}

LEGAL_BASIS = {
    "sol": N_("SoL (Social Services Act)"),
    "sol_guardian_consent": N_("SoL, both guardians consent"),
    "lpsb_court_application": N_("LPSB, after application to the court"),
    "lpsb_immediate": N_("LPSB, immediate decision"),
}

LOGIN_REFUSED = {
    "invalid": N_("Wrong user name or password."),
    "throttled": N_(
        "Too many failed attempts from this device. Wait 15 minutes, or sign in from "
        "another device."
    ),
}

TOO_MANY_CODES = N_(
    "Too many wrong codes. The sign-in was ended; sign in again with your password."
)

# The menu (placement.navigation.ENTRIES).
MENU = {
    "night": N_("Night"),
    "desk": N_("Desk"),
    "due": N_("Due"),
    "inbox": N_("Inbox"),
    "board": N_("Board"),
    "statistics": N_("Statistics"),
    "priority": N_("Priority"),
    "operator": N_("My places"),
    "audit": N_("Audit"),
    "admin": N_("Administration"),
}
MENU_COUNT = {
    "due": N_("%(count)s due today or overdue"),
    "inbox": N_("%(count)s unread"),
}

# The audit log in words (placement.models.enums.AuditAction; entity types and reason codes
# the services write). A code not listed here is shown as it is.
AUDIT_ACTION = {
    "read": N_("Read"),
    "create": N_("Created"),
    "update": N_("Changed"),
    "delete": N_("Removed"),
    "reveal": N_("Identity shown"),
    "export": N_("Exported"),
    "login": N_("Signed in"),
    "logout": N_("Signed out"),
}
AUDIT_ENTITY = {
    "case": N_("Case"),
    "person": N_("Identity"),
    "child": N_("Child"),
    "decision": N_("Decision"),
    "exclusion_area": N_("Area to avoid"),
    "follow_up": N_("Follow-up"),
    "handover": N_("Hand-over"),
    "risk_assessment": N_("Risk assessment"),
    "placement_request": N_("Placement request"),
    "inventory": N_("Inventory"),
    "unit": N_("Unit"),
    "unit_address": N_("Unit address"),
    "operator": N_("Operator"),
    "place": N_("Place"),
    "block": N_("Block of places"),
    "vacancy_report": N_("Vacancy report"),
    "user": N_("User account"),
    "api_token": N_("API token"),
    "district_settings": N_("District settings"),
    "system_scope": N_("Access beyond own scope"),
    "priority_application": N_("Priority application"),
    "session": N_("Sign-in"),
    "referral": N_("Referral to a unit"),
    "stay": N_("Arrival and safety plan"),
    "unit_contact": N_("Unit's on-duty number"),
    "mellanbo_referral": N_("Referral to SHIS mellanbo"),
}
AUDIT_REASON = {
    "listed": N_("in a list"),
    "search": N_("found by search"),
    "second_factor_reset": N_("second factor reset"),
    "audit_case_numbers": N_("case numbers for the audit log"),
    "end": N_("placement ended"),
    "move": N_("household moved"),
    "renewal": N_("renewal"),
    "child decision": N_("decision for a child"),
    "court answer": N_("answer from the court"),
    "superseded": N_("replaced by a new decision"),
    "outcome": N_("outcome"),
    "override": N_("rules overridden"),
}
# Coded reasons with a value after "head: " (the district's office hours); words in the value.
AUDIT_REASON_HEADS = {
    "office_hours": N_("office hours"),
    "office_day_added": N_("day with other office hours added"),
    "office_day_removed": N_("day with other office hours removed"),
}
AUDIT_REASON_WORDS = {"city": N_("the city's hours"), "closed": N_("office closed")}


def audit_reason(reason: str, tr: Callable[[str], str], swedish: bool) -> str:
    """An audit entry's coded reason in words: "renewal; override: protection_level" reads
    "förnyelse; regler åsidosatta: skyddsnivå". Unknown parts are shown as they are."""
    from optimizer import RULE_LABELS

    out = []
    for part in reason.split("; "):
        head, sep, rest = part.partition(": ") if ": " in part else part.partition(" ")
        if part in AUDIT_REASON:
            out.append(tr(AUDIT_REASON[part]))
        elif head == "override" and sep:
            rules = [RULE_LABELS.get(r, (r, r))[0 if swedish else 1] for r in rest.split(",")]
            out.append(f"{tr(AUDIT_REASON['override'])}: {', '.join(rules)}")
        elif head == "outcome" and sep:
            out.append(f"{tr(AUDIT_REASON['outcome'])}: {tr(OUTCOME.get(rest, rest))}")
        elif head in AUDIT_REASON_HEADS and sep:
            words = [
                tr(AUDIT_REASON_WORDS[w]) if w in AUDIT_REASON_WORDS else w for w in rest.split()
            ]
            out.append(f"{tr(AUDIT_REASON_HEADS[head])}: {' '.join(words)}")
        else:
            out.append(part)
    return "; ".join(out)
