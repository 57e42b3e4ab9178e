from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from croupier.domain.errors import CurrencyMismatch, InvalidAmount, UnknownCurrency
from croupier.domain.money import (
    AMOUNT_MAX,
    AMOUNT_MIN,
    Money,
    check_amount,
    currency,
    format_amount,
    parse_amount,
    register_currency,
)

EUR, JPY, KWD = currency("EUR"), currency("JPY"), currency("KWD")


@pytest.mark.parametrize(
    ("text", "unit", "minor"),
    [
        ("12.34", EUR, 1234),
        ("12", EUR, 1200),
        ("0.5", EUR, 50),
        ("-3.01", EUR, -301),
        ("1500", JPY, 1500),
        ("1.234", KWD, 1234),
        (" 7.00 ", EUR, 700),
    ],
)
def test_decimal_strings_parse_exactly(text: str, unit: object, minor: int) -> None:
    assert parse_amount(text, unit).amount_minor == minor  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["0.001", "1.5", "abc", "", "1e3", "NaN", "inf", "1,00", "+-1", ".5"]
)
def test_bad_or_too_precise_strings_are_refused(text: str) -> None:
    unit = JPY if text == "1.5" else EUR
    with pytest.raises(InvalidAmount):
        parse_amount(text, unit)


@pytest.mark.parametrize(
    "value", [1.0, math.nan, math.inf, True, False, "5", None, 2**63, -(2**63) - 1]
)
def test_amounts_must_be_int64_integers(value: object) -> None:
    with pytest.raises(InvalidAmount):
        check_amount(value)
    with pytest.raises(InvalidAmount):
        Money(value, EUR)  # type: ignore[arg-type]


def test_parse_refuses_floats_and_out_of_range() -> None:
    with pytest.raises(InvalidAmount):
        parse_amount(12.34, EUR)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        parse_amount("92233720368547758.08", EUR)
    assert parse_amount("92233720368547758.07", EUR).amount_minor == AMOUNT_MAX
    assert parse_amount("-92233720368547758.08", EUR).amount_minor == AMOUNT_MIN


def test_currencies_do_not_mix() -> None:
    with pytest.raises(CurrencyMismatch):
        Money(1, EUR) + Money(1, currency("USD"))
    assert Money(5, EUR) - Money(7, EUR) == Money(-2, EUR)


def test_unknown_and_custom_currencies() -> None:
    with pytest.raises(UnknownCurrency):
        currency("XYZ")
    btc = register_currency("BTCX", 8)
    assert currency("BTCX") == btc
    assert parse_amount("0.00000001", btc).amount_minor == 1
    with pytest.raises(UnknownCurrency):
        register_currency("BTCX", 6)
    with pytest.raises(UnknownCurrency):
        register_currency("eur", 2)


@given(st.integers(AMOUNT_MIN, AMOUNT_MAX), st.sampled_from([EUR, JPY, KWD]))
def test_format_then_parse_is_identity(minor: int, unit: object) -> None:
    money = Money(minor, unit)  # type: ignore[arg-type]
    assert parse_amount(format_amount(money), unit) == money  # type: ignore[arg-type]
