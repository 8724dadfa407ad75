"""Interface language: Swedish by default, English available (Babel message catalogs).

Catalogs are the .po files in api/locale, compiled in memory at start-up (no binary files in
the repository, no build step). Source strings are English; a missing Swedish translation
falls back to English, and a test keeps the Swedish catalog complete.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.core import Locale
from babel.dates import format_date, format_datetime, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, get_decimal_symbol
from fastapi import Request

LOCALE_DIR = Path(__file__).parent / "locale"
LOCALES = ("sv", "en")
LANG_COOKIE = "bk_lang"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@lru_cache
def translations(locale: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def pick_locale(request: Request, default: str) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return asked if asked in LOCALES else default


@lru_cache
def _parsed(locale: str) -> Locale:
    return Locale.parse(locale)


_DECIMAL = re.compile(r"(\d)\.(\d)")


class Formatter:
    """Dates and durations in Stockholm time, in the reader's language."""

    def __init__(self, locale: str, now: dt.datetime) -> None:
        self.locale = locale
        self.now = now
        # Parsed once: Babel parses a locale given by name on every call (half its time).
        self._locale = _parsed(locale)

    def datetime(self, value: dt.datetime | None, fmt: str = "d MMM HH:mm") -> str:
        if value is None:
            return "–"
        return format_datetime(value, fmt, tzinfo=STOCKHOLM, locale=self._locale)

    def date(self, value: dt.datetime | None) -> str:
        return self.datetime(value, "EEE d MMM")

    def day(self, value: dt.date | None) -> str:
        """A calendar date (already a Stockholm date), e.g. a safety plan's day."""
        if value is None:
            return "–"
        return format_date(value, "EEE d MMM", locale=self._locale)

    def ago(self, value: dt.datetime | None) -> str:
        if value is None:
            return translations(self.locale).gettext("never")
        return format_timedelta(
            value - self.now, add_direction=True, threshold=1.1, locale=self._locale
        )

    def until(self, value: dt.datetime) -> str:
        return format_timedelta(value - self.now, add_direction=True, locale=self._locale)

    def delta(self, value: dt.timedelta) -> str:
        return format_timedelta(value, locale=self._locale)

    def figure(self, value: object) -> str:
        """A statistics figure in the reader's language: 47.1 reads "47,1" in Swedish, whether
        it comes as a number or inside a display text ("47.1 %", "+366.7 %"); "< 5" stays."""
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int):
            return format_decimal(value, locale=self.locale)
        if isinstance(value, float):
            return format_decimal(value, format="#,##0.0", locale=self.locale)
        text = str(value)
        mark = get_decimal_symbol(self.locale)
        return _DECIMAL.sub(lambda m: f"{m.group(1)}{mark}{m.group(2)}", text)
