"""Human labels for the case vocabulary the desk and case pages show (English msgids)."""

from __future__ import annotations

import re
from collections.abc import Callable

from babel import Locale

from api.labels import N_
from placement.cases import languages

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
    "not_stated": N_("Not stated"),
}

CHILD_GENDER = {
    "female": N_("Girl"),
    "male": N_("Boy"),
    "non_binary": N_("Other"),
    "not_stated": N_("Not stated"),
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


def language_names(locale: str) -> Callable[[str], str]:
    """A language code (ISO 639, as recorded at intake: "ar", "so") as its name in the
    reader's language, from Babel's locale data; an unknown code is shown as it is."""
    lang = str(Locale.parse(locale).language)

    def name(code: str) -> str:
        return languages.name(code.strip().lower(), lang)

    return name


DEFAULT_PSEUDONYM = re.compile(r"^Barn (\d+)$")  # what intake names a child (cases/service)


def child_label(pseudonym: str, gettext: Callable[[str], str]) -> str:
    """A child's pseudonym for the reader: the default "Barn 2" becomes "Child 2" in English;
    a pseudonym someone chose is shown as written."""
    found = DEFAULT_PSEUDONYM.match(pseudonym)
    if found is None:
        return pseudonym
    return gettext("Child %(number)s") % {"number": found.group(1)}
