"""The quick intake's assumptions live in the domain: the age typed, or an adult of 30."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from placement.cases.intake import (
    UNKNOWN_AGE,
    birth_year,
    earlier_case_number,
    parse_age,
    rule_age,
)
from placement.cases.risk import intake_assessment
from placement.errors import InvalidInput
from placement.models.enums import RiskInstrument, RiskLevel

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def test_age() -> None:
    assert parse_age("") is None and parse_age(" 34 ") == 34
    # Unknown stays unknown (no guessed year); only the units' age rules read it as 30.
    assert birth_year(None, NOW) is None and birth_year(40, NOW) == 1986
    assert rule_age(None, NOW.year) == UNKNOWN_AGE == 30 and rule_age(1986, NOW.year) == 40
    assert earlier_case_number("  ") is None
    assert earlier_case_number(" RV-2025-ABC234 ") == "RV-2025-ABC234"
    for bad in ("ab", "RV 2025", "x" * 40):
        with pytest.raises(InvalidInput):
            earlier_case_number(bad)
    for bad in ("15", "111", "tre", "٣٤", "3.5"):
        with pytest.raises(InvalidInput):
            parse_age(bad)


def test_risk_instrument() -> None:
    assert intake_assessment("high", honour_context=True) == (
        RiskInstrument.patriark,
        RiskLevel.high,
    )
    assert intake_assessment("low", honour_context=False) == (RiskInstrument.freda, RiskLevel.low)
    # The instrument the officer chose is recorded as chosen, honour context or not.
    assert intake_assessment("high", honour_context=True, instrument="freda") == (
        RiskInstrument.freda,
        RiskLevel.high,
    )
    assert intake_assessment("medium", honour_context=False, instrument="patriark") == (
        RiskInstrument.patriark,
        RiskLevel.medium,
    )
    assert intake_assessment("not_assessed", honour_context=False) == (
        RiskInstrument.not_assessed,
        RiskLevel.high,
    )
    with pytest.raises(ValueError):
        intake_assessment("unknown", honour_context=False)
