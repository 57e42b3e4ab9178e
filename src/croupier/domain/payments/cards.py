"""Payment card numbers (PANs): normalise, check (Luhn, length, scheme), mask, and expiry.

A :class:`CardNumber` holds the digits and shows only the masked form (first 6, last 4:
PCI DSS 3.4.1) in its ``repr``, ``str`` and f-strings; :meth:`CardNumber.reveal` is the one
way to the digits, called by the card vault alone. Refusals (:class:`CardInvalid`) never
carry the number, not even masked: an error may end up in a log.

>>> card = CardNumber.parse("4242 4242 4242 4242")
>>> card, str(card), card.brand.value
(CardNumber('424242******4242'), '424242******4242', 'visa')
>>> luhn_valid("79927398713"), luhn_valid("79927398710")
(True, False)
>>> check_expiry(12, 2030, today=dt.date(2030, 12, 31))
>>> try:
...     check_expiry(11, 2030, today=dt.date(2030, 12, 1))
... except CardInvalid as refused:
...     print(refused.code, refused)
card-invalid the card expired at the end of 11/2030
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from enum import StrEnum
from typing import Final

from croupier.domain.errors import CardInvalid

__all__ = [
    "PAN_DIGITS_MAX",
    "PAN_DIGITS_MIN",
    "Brand",
    "CardInvalid",
    "CardNumber",
    "brand_of",
    "check_expiry",
    "luhn_check_digit",
    "luhn_valid",
    "mask",
    "normalise_holder_name",
    "normalise_pan",
]

#: ISO/IEC 7812: a PAN is 12 to 19 digits, the last one the Luhn check digit.
PAN_DIGITS_MIN: Final = 12
PAN_DIGITS_MAX: Final = 19
#: What may be shown of a PAN (PCI DSS 3.4.1): the BIN's first 6 and the last 4.
SHOWN_FIRST: Final = 6
SHOWN_LAST: Final = 4
#: A card valid for longer than this is a typing error, not a card.
EXPIRY_YEARS_AHEAD_MAX: Final = 20
HOLDER_NAME_CHARS_MAX: Final = 64
_SEPARATORS: Final = frozenset(" -")


class Brand(StrEnum):
    VISA = "visa"
    MASTERCARD = "mastercard"
    AMEX = "amex"
    DISCOVER = "discover"
    DINERS = "diners"
    JCB = "jcb"
    UNIONPAY = "unionpay"
    MAESTRO = "maestro"


# (brand, IIN ranges as inclusive (low, high) prefixes of equal length, allowed lengths).
# Most specific first: the first match wins (Discover's 6011 before Maestro's 6).
_SCHEMES: Final[tuple[tuple[Brand, tuple[tuple[str, str], ...], frozenset[int]], ...]] = (
    (Brand.AMEX, (("34", "34"), ("37", "37")), frozenset({15})),
    (Brand.MASTERCARD, (("51", "55"), ("2221", "2720")), frozenset({16})),
    (Brand.VISA, (("4", "4"),), frozenset({13, 16, 19})),
    (Brand.DISCOVER, (("6011", "6011"), ("644", "649"), ("65", "65")), frozenset(range(16, 20))),
    (Brand.JCB, (("3528", "3589"),), frozenset(range(16, 20))),
    (Brand.DINERS, (("300", "305"), ("36", "36"), ("38", "39")), frozenset(range(14, 20))),
    (Brand.UNIONPAY, (("62", "62"),), frozenset(range(16, 20))),
    (Brand.MAESTRO, (("50", "50"), ("56", "58"), ("6", "6")), frozenset(range(12, 20))),
)


def luhn_check_digit(body: str) -> str:
    """The Luhn digit that completes ``body`` (digits without their check digit).

    >>> luhn_check_digit("7992739871")
    '3'
    """
    total = 0
    # From the right of the body, every other digit (starting with the rightmost) doubles.
    for position, char in enumerate(reversed(body)):
        digit = ord(char) - 48
        if position % 2 == 0:
            digit = digit * 2 - 9 if digit >= 5 else digit * 2
        total += digit
    return str(-total % 10)


def luhn_valid(digits: str) -> bool:
    """Whether the last digit of ``digits`` is the Luhn check digit of the rest."""
    if len(digits) < 2 or not digits.isascii() or not digits.isdigit():
        return False
    return luhn_check_digit(digits[:-1]) == digits[-1]


def normalise_pan(text: object) -> str:
    """The digits of a card number as typed (spaces and dashes between groups allowed):
    12 to 19 ASCII digits with a valid Luhn check digit, else :class:`CardInvalid`."""
    if not isinstance(text, str):
        raise CardInvalid("a card number is a string of digits")
    digits = "".join(char for char in text if char not in _SEPARATORS)
    if not digits.isascii() or not digits.isdigit():
        raise CardInvalid("a card number has digits only (spaces or dashes between groups)")
    if not PAN_DIGITS_MIN <= len(digits) <= PAN_DIGITS_MAX:
        raise CardInvalid(f"a card number has {PAN_DIGITS_MIN} to {PAN_DIGITS_MAX} digits")
    if not luhn_valid(digits):
        raise CardInvalid("the card number is mistyped: its check digit does not match")
    return digits


def brand_of(digits: str) -> Brand | None:
    """The card scheme whose IIN ranges hold ``digits`` (a PAN), or ``None``."""
    for brand, ranges, _lengths in _SCHEMES:
        for low, high in ranges:
            if low <= digits[: len(low)] <= high:
                return brand
    return None


def _checked_brand(digits: str) -> Brand:
    brand = brand_of(digits)
    if brand is None:
        raise CardInvalid("the card number belongs to no card scheme taken here")
    lengths = next(lengths for known, _ranges, lengths in _SCHEMES if known is brand)
    if len(digits) not in lengths:
        raise CardInvalid(f"a {brand.value} card number does not have {len(digits)} digits")
    return brand


def mask(digits: str) -> str:
    """The first 6 and last 4 digits, the others as ``*`` (PCI DSS 3.4.1).

    >>> mask("378282246310005")
    '378282*****0005'
    """
    hidden = len(digits) - SHOWN_FIRST - SHOWN_LAST
    if hidden < 1:
        raise CardInvalid(f"a card number has at least {PAN_DIGITS_MIN} digits")
    return digits[:SHOWN_FIRST] + "*" * hidden + digits[-SHOWN_LAST:]


def _whole(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CardInvalid(f"{name} is a whole number")
    return value


def check_expiry(exp_month: object, exp_year: object, *, today: dt.date) -> None:
    """:class:`CardInvalid` unless ``exp_month``/``exp_year`` (1-12, four digits) is this
    month or later: a card is good through the last day of its expiry month."""
    month, year = _whole("exp_month", exp_month), _whole("exp_year", exp_year)
    if not 1 <= month <= 12:
        raise CardInvalid("exp_month is 1 to 12")
    if not 1000 <= year <= 9999:
        raise CardInvalid("exp_year has four digits (2031, not 31)")
    if (year, month) < (today.year, today.month):
        raise CardInvalid(f"the card expired at the end of {month:02d}/{year}")
    if year > today.year + EXPIRY_YEARS_AHEAD_MAX:
        raise CardInvalid(f"exp_year is at most {EXPIRY_YEARS_AHEAD_MAX} years ahead")


def normalise_holder_name(text: object) -> str:
    """The card holder's name as printed on the card: 1 to 64 characters, spaces trimmed
    and runs of them made one, no control characters."""
    if not isinstance(text, str):
        raise CardInvalid("holder_name is text")
    name = " ".join(text.split())
    if not 1 <= len(name) <= HOLDER_NAME_CHARS_MAX:
        raise CardInvalid(f"holder_name has 1 to {HOLDER_NAME_CHARS_MAX} characters")
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise CardInvalid("holder_name has no control characters")
    return name


class CardNumber:
    """A checked card number (Luhn, 12-19 digits, a known scheme with its lengths) that
    never shows its digits: ``repr``, ``str`` and f-strings give the masked form."""

    __slots__ = ("_digits", "brand")

    _digits: str
    brand: Brand

    def __init__(self, digits: str) -> None:
        checked = normalise_pan(digits)
        object.__setattr__(self, "brand", _checked_brand(checked))
        object.__setattr__(self, "_digits", checked)

    @classmethod
    def parse(cls, text: object) -> CardNumber:
        """A card number as typed (:class:`CardInvalid` for anything else)."""
        if not isinstance(text, str):
            raise CardInvalid("a card number is a string of digits")
        return cls(text)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a CardNumber does not change")

    @property
    def masked(self) -> str:
        return mask(self._digits)

    @property
    def iin(self) -> str:
        """The first 8 digits: the issuer identification number (ISO/IEC 7812-1:2017) that
        a BIN directory looks up. Never more of the number leaves for a look-up."""
        return self._digits[:8]

    @property
    def last4(self) -> str:
        return self._digits[-SHOWN_LAST:]

    def reveal(self) -> str:
        """The digits. For the card vault's sealing and its hand-over to a provider only."""
        return self._digits

    def __repr__(self) -> str:
        return f"CardNumber({self.masked!r})"

    def __str__(self) -> str:
        return self.masked

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CardNumber) and other._digits == self._digits

    def __hash__(self) -> int:
        return hash(("CardNumber", self._digits))

    def __reduce__(self) -> tuple[object, ...]:  # no pickle, no copy: it would carry the PAN
        raise TypeError("a CardNumber is not pickled")
