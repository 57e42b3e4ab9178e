"""Card numbers (domain/payments/cards.py): normalisation, Luhn, schemes, masking, expiry,
and a CardNumber that never shows its digits. Known-answer vectors are the schemes' public
test numbers."""

from __future__ import annotations

import copy
import datetime as dt
import doctest
import pickle

import pytest

from croupier.domain.errors import CardInvalid
from croupier.domain.payments import cards
from croupier.domain.payments.cards import (
    Brand,
    CardNumber,
    check_expiry,
    luhn_check_digit,
    luhn_valid,
    mask,
    normalise_holder_name,
    normalise_pan,
)

TODAY = dt.date(2026, 12, 7)


def test_the_doctests_hold() -> None:
    assert doctest.testmod(cards).failed == 0


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4111111111111111", Brand.VISA),
        ("4242 4242 4242 4242", Brand.VISA),
        ("5555-5555-5555-4444", Brand.MASTERCARD),
        ("2223003122003222", Brand.MASTERCARD),
        ("378282246310005", Brand.AMEX),
        ("6011111111111117", Brand.DISCOVER),
        ("3566002020360505", Brand.JCB),
        ("36227206271667", Brand.DINERS),
    ],
)
def test_the_schemes_test_numbers_are_taken_with_their_brand(number: str, brand: Brand) -> None:
    card = CardNumber.parse(number)
    assert card.brand is brand
    assert card.reveal() == number.replace(" ", "").replace("-", "")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("4111111111111112", "check digit"),  # one digit off
        ("4111 1111 1111", "check digit"),  # 12 digits, wrong check digit
        ("41111111111", "12 to 19"),
        ("4" * 20, "12 to 19"),
        ("4111a11111111111", "digits only"),
        ("４１１１１１１１１１１１１１１１", "digits only"),  # full-width digits are not ASCII
        ("", "digits only"),
    ],
)
def test_malformed_numbers_are_refused_without_echoing_them(text: str, why: str) -> None:
    with pytest.raises(CardInvalid, match=why) as refused:
        normalise_pan(text)
    assert refused.value.code == "card-invalid"
    digits = "".join(c for c in text if c.isdigit())
    assert not digits or digits not in str(refused.value)


def test_a_valid_luhn_number_of_no_scheme_or_the_wrong_length_is_refused() -> None:
    with pytest.raises(CardInvalid, match="no card scheme"):
        CardNumber.parse("9999999999999995")  # Luhn-valid, 9 is no scheme's
    sixteen = "378282246310000" + luhn_check_digit("378282246310000")  # an amex IIN
    assert luhn_valid(sixteen)
    with pytest.raises(CardInvalid, match="amex card number does not have 16"):
        CardNumber.parse(sixteen)


def test_a_card_number_shows_only_its_mask() -> None:
    card = CardNumber.parse("4000 0082 6000 0000")
    assert repr(card) == "CardNumber('400000******0000')"
    assert str(card) == f"{card}" == "400000******0000" == card.masked
    assert card.iin == "40000082" and card.last4 == "0000"
    assert "4000008260000000" not in repr([card]) + repr({"card": card})
    with pytest.raises(TypeError):
        pickle.dumps(card)
    with pytest.raises(TypeError):
        copy.copy(card)
    with pytest.raises(AttributeError):
        card.brand = Brand.AMEX  # type: ignore[misc]
    assert card == CardNumber.parse("4000008260000000") and card != "4000008260000000"


def test_masking_keeps_the_first_six_and_last_four() -> None:
    assert mask("4000008260000000") == "400000******0000"
    assert mask("378282246310005") == "378282*****0005"
    assert mask("123456789012") == "123456**9012"


@pytest.mark.parametrize(
    ("month", "year", "ok"),
    [
        (12, 2026, True),  # this month: good through its last day
        (1, 2027, True),
        (11, 2026, False),
        (12, 2025, False),
        (12, 2046, True),
        (1, 2047, False),  # more than 20 years ahead
    ],
)
def test_expiry_against_the_given_day(month: int, year: int, ok: bool) -> None:
    if ok:
        check_expiry(month, year, today=TODAY)
    else:
        with pytest.raises(CardInvalid):
            check_expiry(month, year, today=TODAY)


@pytest.mark.parametrize(
    ("month", "year", "why"),
    [
        (0, 2030, "1 to 12"),
        (13, 2030, "1 to 12"),
        (12, 30, "four digits"),
        (True, 2030, "whole number"),
        ("12", 2030, "whole number"),
        (12, 2030.0, "whole number"),
    ],
)
def test_impossible_expiries_are_refused(month: object, year: object, why: str) -> None:
    with pytest.raises(CardInvalid, match=why):
        check_expiry(month, year, today=TODAY)


def test_holder_names_are_trimmed_and_bounded() -> None:
    assert normalise_holder_name("  Ada   LOVELACE ") == "Ada LOVELACE"
    for bad in ("", "   ", "x" * 65, "Ada\x00Lovelace", 42):
        with pytest.raises(CardInvalid):
            normalise_holder_name(bad)
