"""Swedish and English words for every rule, preference, next step and input problem.

Texts never mention addresses, the requesting district or anything about the person beyond
what the social worker entered; unit names are the fictional display names.
"""

from __future__ import annotations

from datetime import date

from optimizer.language_names import NAMES
from optimizer.problem import NOT_STATED, Resource, Unit, persons_en, persons_sv
from optimizer.results import NextStep, Reason
from optimizer.rules import RuleContext
from optimizer.scoring import Term

RULE_LABELS: dict[str, tuple[str, str]] = {
    "protection_level": ("skyddsnivå", "protection level"),
    "exclusion_area": ("område som ska undvikas", "area to avoid"),
    "exclusion_buffer": ("grannområde till område som ska undvikas", "next to an area to avoid"),
    "gender": ("kön", "gender"),
    "age": ("ålder", "age"),
    "substance_policy": ("inriktning på missbruk", "substance-use policy"),
    "wheelchair": ("rullstolsanpassning", "wheelchair access"),
    "honour_competence": ("hederskompetens", "honour-violence competence"),
    "children_not_accepted": ("tar inte emot barn", "no children"),
    "too_many_children": ("antal barn", "number of children"),
    "child_age": ("barnens ålder", "children's ages"),
    "ivo_permit": ("IVO-tillstånd", "IVO permit"),
    "sharing_policy": ("delningsregel", "sharing policy"),
    "no_capacity_period": ("fullt under perioden", "full for the period"),
    "household_does_not_fit": ("hushållet får inte plats", "household does not fit"),
}

GENDER_WORDS: dict[str, tuple[str, str]] = {
    "female": ("kvinnor", "women"),
    "male": ("män", "men"),
    "non_binary": ("icke-binära personer", "non-binary people"),
}

RISK_WORDS: dict[str, tuple[str, str]] = {
    "low": ("låg", "low"),
    "medium": ("medel", "medium"),
    "high": ("hög", "high"),
}


def language_name(code: str, i: int) -> str:
    """A language's name in Swedish (i = 0) or English (i = 1); the code if none is known."""
    names = NAMES.get(code)
    return code if names is None else names[i]


def _langs(codes: frozenset[str], i: int) -> str:
    return ", ".join(language_name(c, i) for c in sorted(codes))


def _km(km: float) -> str:
    return "under 1" if km < 1 else f"{km:.0f}"


def _age_limits(u: Unit) -> tuple[str, str]:
    lo, hi = u.min_age, u.max_age
    if lo is not None and hi is not None:
        return f"{lo}–{hi} år", f"{lo}–{hi} years"
    if lo is not None:
        return f"från {lo} år", f"{lo} years and older"
    return f"upp till {hi} år", f"up to {hi} years"


# --- hard rules -------------------------------------------------------------------------------


def rule_reason(code: str, c: RuleContext, u: Unit) -> Reason:
    """Why this unit breaks the rule, in words."""
    sv, en = _rule_words(code, c, u)
    return Reason(code, 0, sv, en)


def _rule_words(code: str, c: RuleContext, u: Unit) -> tuple[str, str]:
    hh = c.household
    if code == "protection_level":
        rs, re_ = RISK_WORDS.get(hh.risk_level, (hh.risk_level, hh.risk_level))
        return (
            f"Skyddsnivå {u.protection_level} räcker inte: risknivå {rs} kräver nivå "
            f"{c.required_protection}",
            f"Protection level {u.protection_level} is too low: {re_} risk requires level "
            f"{c.required_protection}",
        )
    if code == "exclusion_area":
        return "Ligger i ett område som ska undvikas", "Lies in an area to avoid"
    if code == "exclusion_buffer":
        return (
            "Ligger i ett grannområde till ett område som ska undvikas",
            "Lies next to an area to avoid",
        )
    if code == "gender":
        gs, ge = GENDER_WORDS.get(hh.gender, (hh.gender, hh.gender))
        return f"Tar inte emot {gs}", f"Does not accept {ge}"
    if code == "age":
        ls, le = _age_limits(u)
        return (
            f"Åldersgräns {ls}; personen är {hh.age} år",
            f"Age limit {le}; the person is {hh.age}",
        )
    if code == "substance_policy":
        if hh.substance_use == "active":
            return (
                "Tar inte emot personer i aktivt missbruk",
                "Does not accept people in active substance use",
            )
        if hh.substance_use == "wants_drug_free":
            return "Är inte ett drogfritt boende", "Is not a drug-free place"
        return (
            "Drogfria platser är för dem som själva önskar ett drogfritt boende",
            "Drug-free places are kept for those who ask for a drug-free place",
        )
    if code == "wheelchair":
        return "Är inte anpassat för rullstol", "Is not wheelchair accessible"
    if code == "honour_competence":
        return (
            "Saknar kompetens om hedersrelaterat våld",
            "Lacks competence in honour-based violence",
        )
    if code == "children_not_accepted":
        return "Tar inte emot barn", "Does not accept children"
    if code == "too_many_children":
        return (
            f"Tar emot högst {u.max_children} barn; hushållet har {c.n_children}",
            f"Accepts at most {u.max_children} children; the household has {c.n_children}",
        )
    if code == "child_age":
        if u.max_child_age is not None and c.oldest_child > u.max_child_age:
            return (
                f"Tar inte emot barn över {u.max_child_age} år",
                f"Does not accept children older than {u.max_child_age}",
            )
        if any(k.gender == NOT_STATED for k in c.household.children):
            return (
                f"Tar inte emot pojkar över {u.max_boy_age} år (ett barns kön är inte angivet)",
                f"Does not accept boys older than {u.max_boy_age} (a child's gender is not given)",
            )
        return (
            f"Tar inte emot pojkar över {u.max_boy_age} år",
            f"Does not accept boys older than {u.max_boy_age}",
        )
    if code == "ivo_permit":
        if u.ivo_permit_valid_until is None:
            return "IVO-tillstånd saknas", "No IVO permit"
        d = u.ivo_permit_valid_until.isoformat()
        return (
            f"IVO-tillståndet gäller bara till {d}, inte hela perioden",
            f"The IVO permit is valid only until {d}, not for the whole period",
        )
    if code == "sharing_policy":
        if u.sharing_policy == "own_district":
            return (
                "Används bara av det distrikt som äger enheten",
                "Only the owning district may use it",
            )
        if u.sharing_policy == "regional_pool":
            return (
                "Delas bara inom en regional pool som ert distrikt inte ingår i",
                "Shared only within a regional pool your district is not part of",
            )
        return "Delas bara inom en annan kommun", "Shared only within another municipality"
    if code == "no_capacity_period":
        return "Inget ledigt under perioden", "Nothing free for the period"
    if code == "household_does_not_fit":
        room = max(u.free_family_rooms, default=0)
        return (
            f"Hushållet ({persons_sv(c.size)}) får inte plats: {u.free_places} lediga platser, "
            f"största lediga familjerum för {room}",
            f"The household ({persons_en(c.size)}) does not fit: {u.free_places} free places, "
            f"largest free family room for {room}",
        )
    return code, code


def override_reason(code: str) -> Reason:
    ls, le = RULE_LABELS.get(code, (code, code))
    return Reason(
        f"override_{code}",
        0,
        f"Regeln om {ls} är åsidosatt av behörig person med registrerat skäl",
        f"The rule on {le} is overridden by an authorised person with a recorded reason",
    )


def ivo_expiry_reason(valid_until: date) -> Reason:
    d = valid_until.isoformat()
    return Reason(
        "ivo_permit_expires",
        0,
        f"OBS: IVO-tillståndet gäller bara till {d}, före periodens slut",
        f"Note: the IVO permit is valid only until {d}, before the period ends",
    )


def resource_reason(r: Resource) -> Reason:
    return Reason("resource", 0, f"Använder {r.text_sv}", f"Uses {r.text_en}")


# --- soft preferences -------------------------------------------------------------------------


def preference_reason(t: Term, c: RuleContext, u: Unit) -> Reason:
    code, pts, detail = t
    sv, en = _preference_words(code, detail, c, u)
    return Reason(code, pts, sv, en)


def _preference_words(code: str, detail: float, c: RuleContext, u: Unit) -> tuple[str, str]:
    hh = c.household
    if code == "exclusion_distance":
        k = _km(detail)
        return f"Ligger {k} km från de områden som ska undvikas", f"{k} km from the areas to avoid"
    if code == "preferred_area":
        if detail < 1:
            return (
                "Ligger i eller intill ett önskat område (skola eller arbete)",
                "In or next to a preferred area (school or work)",
            )
        k = _km(detail)
        return (
            f"Ligger {k} km från önskat område (skola eller arbete)",
            f"{k} km from a preferred area (school or work)",
        )
    if code == "preferred_area_unsafe":
        return (
            "Nära önskat område men för nära de områden som ska undvikas: ger inga poäng",
            "Close to a preferred area but too close to the areas to avoid: no points",
        )
    if code == "language":
        common = hh.languages & u.languages
        return f"Personalen talar {_langs(common, 0)}", f"Staff speak {_langs(common, 1)}"
    if code == "no_common_language":
        return (
            f"Personalen talar inte {_langs(hh.languages, 0)}; tolk kan behövas",
            f"Staff do not speak {_langs(hh.languages, 1)}; an interpreter may be needed",
        )
    if code == "cost":
        return f"Kostar {int(detail)} kr per natt", f"Costs SEK {int(detail)} per night"
    if code == "stale_vacancy":
        if detail < 0:
            return (
                "Lediga platser har aldrig bekräftats: ring och kontrollera",
                "Free capacity has never been confirmed: call to check",
            )
        return (
            f"Lediga platser bekräftades för {detail:.0f} timmar sedan: ring och kontrollera",
            f"Free capacity was confirmed {detail:.0f} hours ago: call to check",
        )
    if code == "acute_place_for_post_acute":
        return (
            "Akut plats som bör sparas för akuta behov; hushållet är förbi akutfasen",
            "An acute place that should be kept for acute needs; the household is past the "
            "acute phase",
        )
    if code == "interim_for_post_acute":
        return (
            "Boende för tiden efter akutfasen",
            "Housing meant for the time after the acute phase",
        )
    if code == "continuity":
        return "Hushållet bor redan här", "The household already lives here"
    if code == "active_use_unit":
        return (
            "Boendet tar emot personer i aktivt missbruk",
            "The place accepts people in active substance use",
        )
    if code == "pets_not_allowed":
        return (
            "Husdjur är inte tillåtna: djurpassning behöver ordnas",
            "Pets are not allowed: pet care must be arranged",
        )
    if code == "family_room_spare_beds":
        n = int(detail)
        return (
            f"Familjerummet har {n} {'plats' if n == 1 else 'platser'} fler än hushållet behöver",
            f"The family room has {n} more {'bed' if n == 1 else 'beds'} than the household needs",
        )
    return code, code


# --- next steps -------------------------------------------------------------------------------

NEXT_STEPS: dict[str, tuple[str, str]] = {
    "ask_owner_district": (
        "Fråga det distrikt som äger en passande enhet om ni får använda platsen",
        "Ask the district that owns a suitable unit whether you may use the place",
    ),
    "regional_pool": (
        "Sök i den regionala poolen (t.ex. Boendekedjan Nordväst) om kommunen ingår",
        "Look in the regional pool (e.g. Boendekedjan Nordväst) if the municipality takes part",
    ),
    "kompotten": (
        "Ta kontakt om placering i en annan kommun via Kompotten",
        "Contact Kompotten about a placement in another municipality",
    ),
    "hostel_fallback": (
        "Vandrarhem eller hotell som tillfällig nödlösning (lågt skydd, följ upp nästa vardag)",
        "A hostel or hotel as a temporary fallback (little protection; follow up next working day)",
    ),
    "hostel_not_for_high_risk": (
        "Vandrarhem eller hotell ger för lite skydd vid hög risk: använd bara med beslut om "
        "åsidosättande",
        "A hostel or hotel gives too little protection at high risk: use only with an override "
        "decision",
    ),
    "relax_exclusion_buffer": (
        "Överväg att släppa kravet på avstånd till grannområden (policyinställning), "
        "efter ny riskbedömning",
        "Consider relaxing the neighbouring-area buffer (a policy setting) after a new risk "
        "assessment",
    ),
    "refresh_vacancies": (
        "Ring boenden vars lediga platser inte bekräftats nyligen: uppgifterna kan vara gamla",
        "Call places whose free capacity has not been confirmed recently: the data may be old",
    ),
    "split_household": (
        "Hushållet är större än alla lediga familjerum: fråga boendet om extra sängar",
        "The household is larger than every free family room: ask the place about extra beds",
    ),
    "check_needs": (
        "Inget boende i registret uppfyller alla behov samtidigt: se över behoven med handläggaren",
        "No place in the inventory meets all needs together: review the needs with the case "
        "officer",
    ),
}


def next_step(code: str) -> NextStep:
    sv, en = NEXT_STEPS[code]
    return NextStep(code, sv, en)


def override_step(rule: str) -> NextStep:
    ls, le = RULE_LABELS.get(rule, (rule, rule))
    return NextStep(
        f"override_{rule}",
        f"Närmaste alternativ bryter bara regeln om {ls}: en behörig person kan åsidosätta den "
        "med registrerat skäl",
        f"The nearest option only breaks the rule on {le}: an authorised person may override "
        "it with a recorded reason",
    )


def nothing_fits_message(top_rule: str | None, count: int) -> tuple[str, str]:
    if top_rule is None:
        return (
            "Ingen enhet uppfyller alla krav just nu.",
            "No unit meets every requirement right now.",
        )
    ls, le = RULE_LABELS.get(top_rule, (top_rule, top_rule))
    return (
        f"Ingen enhet uppfyller alla krav just nu. Vanligaste hindret: {ls} ({count} enheter).",
        f"No unit meets every requirement right now. Most common obstacle: {le} ({count} units).",
    )


# --- joint plan status --------------------------------------------------------------------------


def _pct(gap: float, decimal: str) -> str:
    return f"{gap * 100:.1f}".replace(".", decimal) + " %"


def plan_summary(
    status: str, placed_gap: float, fit_gap: float, not_considered: int = 0
) -> tuple[str, str]:
    """What the joint plan reached, honestly: proven, a solver plan and how far from the best
    possible it may be, or only the fast plan; and how many requests were not considered."""
    sv, en = _plan_summary(status, placed_gap, fit_gap)
    if not_considered:
        sv += f". {not_considered} ärenden hann inte prövas inom tidsgränsen"
        en += f". {not_considered} requests could not be considered within the time limit"
    return sv, en


def _plan_summary(status: str, placed_gap: float, fit_gap: float) -> tuple[str, str]:
    if status == "OPTIMAL":
        return (
            "Optimal plan: ingen plan placerar fler efter prioritet eller passar bättre",
            "Optimal plan: no plan places more by priority or fits better",
        )
    gaps_sv = (
        f"högst {_pct(placed_gap, ',')} från bästa möjliga placering efter prioritet och "
        f"{_pct(fit_gap, ',')} från bästa passform"
    )
    gaps_en = (
        f"at most {_pct(placed_gap, '.')} from the best possible placement by priority and "
        f"{_pct(fit_gap, '.')} from the best fit"
    )
    if status == "FEASIBLE":
        return (
            f"Genomförbar plan från lösaren, inte bevisat bäst inom tidsgränsen: {gaps_sv}",
            f"Feasible plan from the solver, not proven best within the time limit: {gaps_en}",
        )
    return (
        f"Bara en snabb plan (girig): lösaren hann inte förbättra den: {gaps_sv}",
        f"Fast (greedy) plan only: the solver had no time to improve it: {gaps_en}",
    )
