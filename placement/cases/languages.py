"""The languages a household speaks, chosen from a list by name and stored as the ISO 639 codes
the matcher compares with the units' staff languages (``optimizer.rules``: language scoring).

Names come from the CLDR data in babel, in Swedish or English. The languages most often
needed in Stockholm come first; every other language with a two-letter code follows by name.
Bosnian, Croatian and Serbian (BCS) are one choice that stores all three codes, so that a unit
whose staff speak any of them is found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from babel import Locale

from placement.errors import N_, InvalidInput

CODE = re.compile(r"^[a-z]{2,3}$")
MAX_LANGUAGES = 10  # placement.cases.schemas.Needs.languages
BCS = ("bs", "hr", "sr")
# Stockholm's most common languages besides Swedish (the city's interpreter bookings and the
# seed documents' target groups), in the order the night form shows them.
COMMON: tuple[tuple[str, ...], ...] = (
    ("sv",),
    ("ar",),
    ("so",),
    ("ti",),
    ("fa",),
    ("prs",),
    ("en",),
    ("ku",),
    ("pl",),
    ("fi",),
    ("es",),
    BCS,
    ("tr",),
    ("ru",),
    ("uk",),
)
# Codes CLDR names under another key (Dari is "fa_AF" there).
ALIASES = {"prs": "fa_AF"}
UNKNOWN_LANGUAGE = N_("Choose the languages from the list.")
TOO_MANY = N_("Choose at most 10 languages.")
SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "u"})


@dataclass(frozen=True)
class LanguageChoice:
    value: str  # what the form sends: one code, or "bs,hr,sr"
    codes: tuple[str, ...]
    name: str


def _locale(lang: str) -> Locale:
    return Locale("en" if lang.startswith("en") else "sv")


def name(code: str, lang: str = "sv") -> str:
    """The language's name in the interface language ("arabiska", "Arabic"); the code if
    CLDR has none."""
    names = _locale(lang).languages
    return str(names.get(ALIASES.get(code, code)) or code)


def _choice(codes: tuple[str, ...], lang: str) -> LanguageChoice:
    if codes == BCS:
        label = ", ".join(name(c, lang) for c in codes)
        return LanguageChoice(",".join(codes), codes, f"{label} (BCS)")
    return LanguageChoice(codes[0], codes, name(codes[0], lang))


@cache
def common(lang: str = "sv") -> tuple[LanguageChoice, ...]:
    return tuple(_choice(codes, _locale(lang).language) for codes in COMMON)


@cache
def others(lang: str = "sv") -> tuple[LanguageChoice, ...]:
    """Every other language with a two-letter code, by name."""
    taken = {c for codes in COMMON for c in codes}
    names = _locale(lang).languages
    found = [
        LanguageChoice(code, (code,), str(label))
        for code, label in names.items()
        if len(code) == 2 and CODE.fullmatch(code) and code not in taken
    ]
    return tuple(sorted(found, key=lambda c: c.name.casefold().translate(SWEDISH_ORDER)))


@cache
def known_codes() -> frozenset[str]:
    return frozenset(c for choice in (*common(), *others()) for c in choice.codes)


def parse(values: list[str]) -> list[str]:
    """The codes of the chosen languages (a choice may stand for several codes), in order,
    without repeats; an unknown value is refused."""
    out: list[str] = []
    known = known_codes()
    for value in values:
        for code in (x.strip().lower() for x in value.split(",") if x.strip()):
            if code not in known:
                raise InvalidInput(UNKNOWN_LANGUAGE, field="languages")
            if code not in out:
                out.append(code)
    if len(out) > MAX_LANGUAGES:
        raise InvalidInput(TOO_MANY, field="languages")
    return out
