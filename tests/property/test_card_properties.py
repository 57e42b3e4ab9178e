"""Card-number invariants (domain/payments/cards.py), for any digits Hypothesis finds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from croupier.domain.payments.cards import (
    PAN_DIGITS_MAX,
    PAN_DIGITS_MIN,
    luhn_check_digit,
    luhn_valid,
    mask,
)

_bodies = st.text(alphabet="0123456789", min_size=1, max_size=PAN_DIGITS_MAX - 1)
_pans = st.text(alphabet="0123456789", min_size=PAN_DIGITS_MIN, max_size=PAN_DIGITS_MAX)


def _luhn_sum_by_definition(digits: str) -> int:
    """The Luhn sum as ISO/IEC 7812-1 Annex B states it, independently of the code under
    test: from the right, double every second digit, add the digits of each product."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 1 else 1)
        total += sum(int(d) for d in str(value))
    return total


@given(_bodies)
def test_exactly_one_check_digit_completes_any_body(body: str) -> None:
    accepted = [d for d in "0123456789" if luhn_valid(body + d)]
    assert accepted == [luhn_check_digit(body)]


@given(st.text(alphabet="0123456789", min_size=2, max_size=PAN_DIGITS_MAX))
def test_luhn_accepts_exactly_the_numbers_whose_sum_is_a_multiple_of_ten(digits: str) -> None:
    assert luhn_valid(digits) == (_luhn_sum_by_definition(digits) % 10 == 0)


@given(_bodies, st.integers(0, PAN_DIGITS_MAX - 1), st.integers(1, 9))
def test_any_single_mistyped_digit_is_caught(body: str, index: int, shift: int) -> None:
    number = body + luhn_check_digit(body)
    index %= len(number)
    typo = number[:index] + str((int(number[index]) + shift) % 10) + number[index + 1 :]
    assert luhn_valid(number) and not luhn_valid(typo)


@given(_pans)
def test_masking_never_leaks_a_middle_digit(pan: str) -> None:
    masked = mask(pan)
    assert len(masked) == len(pan)
    assert masked[:6] == pan[:6] and masked[-4:] == pan[-4:]
    assert set(masked[6:-4]) == {"*"}  # every middle position hidden, whatever it held
