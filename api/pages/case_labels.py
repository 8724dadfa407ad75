"""Human labels for the case vocabulary the desk and case pages show (English msgids)."""

from __future__ import annotations

from api.labels import N_

LEGAL_BASIS = {
    "sol": N_("SoL (Social Services Act)"),
    "sol_guardian_consent": N_("SoL, both guardians consent"),
    "lpsb_court_application": N_("LPSB, after application to the court"),
    "lpsb_immediate": N_("LPSB, immediate decision (to the court within a week)"),
}

CONSENT = {
    "not_applicable": N_("Not applicable"),
    "both_guardians": N_("Both guardians consent"),
    "one_guardian": N_("One guardian consents"),
    "none": N_("No guardian consents"),
}

DECISION_STATUS = {
    "active": N_("In force"),
    "superseded": N_("Renewed or replaced"),
    "ended": N_("Ended"),
    "cancelled": N_("Cancelled"),
    "lapsed": N_("Lapsed"),
}

EXCLUSION_KIND = {
    "perpetrator_home": N_("Where the person who used violence lives"),
    "perpetrator_work": N_("Where the person who used violence works"),
    "extended_family": N_("Extended family's area"),
    "other": N_("Other area to avoid"),
}

FOLLOW_UP_KIND = {
    "phone": N_("Phone contact"),
    "physical": N_("Meeting in person"),
}

PROTECTED_IDENTITY = {
    "none": N_("No protected identity"),
    "confidentiality_marking": N_("Confidentiality marking"),
    "protected_registration": N_("Protected registration"),
    "fictitious_identity": N_("Fictitious identity"),
}

GENDER = {
    "female": N_("Woman"),
    "male": N_("Man"),
    "non_binary": N_("Non-binary"),
}

CHILD_GENDER = {
    "female": N_("Girl"),
    "male": N_("Boy"),
    "non_binary": N_("Non-binary"),
}

INSTRUMENT = {
    "freda": N_("FREDA"),
    "patriark": N_("PATRIARK"),
    "other": N_("Other assessment"),
    "not_assessed": N_("Not yet assessed, treated as high"),
}

PHASE = {
    "acute": N_("Acute"),
    "post_acute": N_("Past the acute phase"),
}

CASE_STATUS = {
    "open": N_("Open"),
    "closed": N_("Closed"),
}

RISK_BADGE = {"high": "bad", "medium": "warn", "low": "ok"}
