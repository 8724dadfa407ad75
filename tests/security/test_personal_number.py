from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placement.errors import InvalidInput
from placement.personal_number import luhn_ok, parse

TODAY = date(2026, 11, 24)


def _with_check(nine: str) -> str:
    for c in "0123456789":
        if luhn_ok(nine + c):
            return nine + c
    raise AssertionError


def test_valid_forms_normalise_the_same() -> None:
    ten = _with_check("811218987")  # a made-up number with a correct check digit
    for form in (f"19{ten[:6]}-{ten[6:]}", f"{ten[:6]}-{ten[6:]}", ten, f"19{ten}"):
        pn = parse(form, TODAY)
        assert pn.normalised == f"19{ten}"
        assert pn.birth_date == date(1981, 12, 18)
        assert not pn.is_coordination_number


def test_coordination_number() -> None:
    ten = _with_check("811278987")  # day 18 + 60
    pn = parse(ten, TODAY)
    assert pn.is_coordination_number and pn.birth_date == date(1981, 12, 18)


def test_plus_means_a_hundred_years_or_more() -> None:
    ten = _with_check("201218987")
    assert parse(f"{ten[:6]}+{ten[6:]}", TODAY).birth_date.year == 1920
    assert parse(f"{ten[:6]}-{ten[6:]}", TODAY).birth_date.year == 2020


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("hello", "YYYYMMDD-NNNN"),
        ("19811318-9870", "date"),  # month 13
        ("19810230-1234", "date"),  # 30 February
        ("20300101-1234", "future"),
    ],
)
def test_bad_numbers_have_clear_messages(value: str, message: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse(value, TODAY)
    assert message in err.value.message
    assert err.value.field == "personal_number"


def test_wrong_check_digit() -> None:
    ten = _with_check("811218987")
    wrong = ten[:-1] + str((int(ten[-1]) + 1) % 10)
    with pytest.raises(InvalidInput, match="check digit"):
        parse(wrong, TODAY)


@given(st.from_regex(r"\d{9}", fullmatch=True))
def test_exactly_one_check_digit_is_valid(nine: str) -> None:
    assert sum(luhn_ok(nine + c) for c in "0123456789") == 1
