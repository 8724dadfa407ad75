"""Statistics figures read in the reader's language: a decimal comma in Swedish."""

from __future__ import annotations

from datetime import UTC, datetime

from api.i18n import Formatter

NOW = datetime(2026, 12, 2, tzinfo=UTC)


def test_swedish_figures_use_a_decimal_comma() -> None:
    sv = Formatter("sv", NOW)
    assert sv.figure(47.1) == "47,1"
    assert sv.figure("+366.7 %") == "+366,7 %"
    assert sv.figure("3.4 %") == "3,4 %"
    assert sv.figure("< 5") == "< 5"
    assert sv.figure("Södermalm 2026") == "Södermalm 2026"
    assert sv.figure(12345).replace("\xa0", " ") == "12 345"


def test_english_figures_keep_the_point() -> None:
    en = Formatter("en", NOW)
    assert en.figure(47.1) == "47.1"
    assert en.figure("+366.7 %") == "+366.7 %"
    assert en.figure(12345) == "12,345"
