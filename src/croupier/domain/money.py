"""Money: an integer of minor units with its currency. No float ever touches it.

>>> EUR = currency("EUR")
>>> parse_amount("12.34", EUR)
Money(amount_minor=1234, currency=Currency(code='EUR', exponent=2))
>>> format_amount(Money(5, EUR))
'0.05'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from croupier.domain.errors import CurrencyMismatch, InvalidAmount, UnknownCurrency

__all__ = [
    "AMOUNT_MAX",
    "AMOUNT_MIN",
    "Currency",
    "Money",
    "check_amount",
    "currency",
    "format_amount",
    "known_currencies",
    "parse_amount",
    "register_currency",
]

AMOUNT_MIN: Final = -(2**63)
AMOUNT_MAX: Final = 2**63 - 1

_CODE = re.compile(r"^[A-Z][A-Z0-9]{2,9}\Z")
_DECIMAL = re.compile(r"^(?P<sign>-)?(?P<whole>\d+)(?:\.(?P<fraction>\d+))?\Z")


@dataclass(frozen=True, slots=True)
class Currency:
    """A currency code and its exponent: the number of minor-unit digits (EUR 2, JPY 0)."""

    code: str
    exponent: int

    def __post_init__(self) -> None:
        if not _CODE.match(self.code):
            raise UnknownCurrency(
                f"currency code must be 3-10 upper-case letters/digits: {self.code!r}"
            )
        if isinstance(self.exponent, bool) or not isinstance(self.exponent, int):
            raise UnknownCurrency(f"currency exponent must be an integer: {self.exponent!r}")
        if not 0 <= self.exponent <= 18:
            raise UnknownCurrency(f"currency exponent must be 0..18: {self.exponent}")


# ISO 4217 exponents of the currencies an operator is likely to need. Custom (e.g. crypto)
# currencies are added with register_currency, usually from configuration.
_ISO_4217_EXPONENTS: Final = {
    "AED": 2,
    "ARS": 2,
    "AUD": 2,
    "BGN": 2,
    "BHD": 3,
    "BRL": 2,
    "CAD": 2,
    "CHF": 2,
    "CLP": 0,
    "CNY": 2,
    "COP": 2,
    "CZK": 2,
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "HKD": 2,
    "HUF": 2,
    "IDR": 2,
    "ILS": 2,
    "INR": 2,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "MXN": 2,
    "MYR": 2,
    "NOK": 2,
    "NZD": 2,
    "OMR": 3,
    "PEN": 2,
    "PHP": 2,
    "PLN": 2,
    "RON": 2,
    "RSD": 2,
    "SAR": 2,
    "SEK": 2,
    "SGD": 2,
    "THB": 2,
    "TND": 3,
    "TRY": 2,
    "TWD": 2,
    "UAH": 2,
    "USD": 2,
    "VND": 0,
    "ZAR": 2,
}

_registry: dict[str, Currency] = {
    code: Currency(code, e) for code, e in _ISO_4217_EXPONENTS.items()
}


def register_currency(code: str, exponent: int) -> Currency:
    """Add a custom currency (e.g. ``BTC`` with 8). Re-registering the same pair is a no-op."""
    new = Currency(code, exponent)
    existing = _registry.get(code)
    if existing is not None and existing != new:
        raise UnknownCurrency(f"{code} is already registered with exponent {existing.exponent}")
    _registry[code] = new
    return new


def known_currencies() -> frozenset[str]:
    """The codes of every registered currency (ISO 4217 and custom ones)."""
    return frozenset(_registry)


def currency(code: str) -> Currency:
    """The registered currency for ``code``; ``UnknownCurrency`` otherwise."""
    try:
        return _registry[code]
    except (KeyError, TypeError):
        raise UnknownCurrency(f"unknown currency {code!r}") from None


def check_amount(value: object, *, what: str = "amount") -> int:
    """``value`` if it is an ``int`` (not a bool) within signed 64 bits, else ``InvalidAmount``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAmount(f"{what} must be an integer of minor units, got {type(value).__name__}")
    if not AMOUNT_MIN <= value <= AMOUNT_MAX:
        raise InvalidAmount(f"{what} is outside signed 64-bit range: {value}")
    return value


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of minor units in one currency."""

    amount_minor: int
    currency: Currency

    def __post_init__(self) -> None:
        check_amount(self.amount_minor)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency.code} and {other.currency.code} do not mix")


def parse_amount(text: str, money_currency: Currency) -> Money:
    """Parse a decimal string such as ``"12.34"`` into minor units, exactly.

    Refuses floats and anything that is not a plain decimal string, and more fractional
    digits than the currency has (``"0.001"`` EUR is an error, not a rounding).
    """
    if not isinstance(text, str):
        raise InvalidAmount(f"amount must be a decimal string, got {type(text).__name__}")
    match = _DECIMAL.match(text.strip())
    if match is None:
        raise InvalidAmount(f"not a decimal amount: {text!r}")
    fraction = match["fraction"] or ""
    if len(fraction) > money_currency.exponent:
        raise InvalidAmount(
            f"{text!r} has more than {money_currency.exponent} decimal places "
            f"for {money_currency.code}"
        )
    digits = match["whole"] + fraction.ljust(money_currency.exponent, "0")
    if len(digits) > 40:  # far outside int64 already; don't build huge ints from hostile input
        raise InvalidAmount(f"amount is outside signed 64-bit range: {text!r}")
    amount = int(digits) * (-1 if match["sign"] else 1)
    return Money(check_amount(amount), money_currency)


def format_amount(money: Money) -> str:
    """The decimal string of ``money`` (``Money(5, EUR)`` → ``"0.05"``)."""
    exponent = money.currency.exponent
    sign = "-" if money.amount_minor < 0 else ""
    whole, fraction = divmod(abs(money.amount_minor), 10**exponent)
    return f"{sign}{whole}.{fraction:0{exponent}d}" if exponent else f"{sign}{whole}"
