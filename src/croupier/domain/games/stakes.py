"""Stake limits per currency, as a game file gives them: one ``[limits.<CODE>]`` table per
currency the game plays in, each in that currency's minor units (ISO 4217 exponents: cents
for EUR, yen for JPY, fils for KWD).

.. code-block:: toml

    [limits.EUR]
    stake_min_minor = 20        # 0.20 EUR
    stake_max_minor = 10000     # 100.00 EUR

    [limits.JPY]
    stake_min_minor = 20        # 20 JPY: the yen has no minor unit
    stake_max_minor = 10000

A game takes no bet in a currency it does not list (:class:`CurrencyNotOffered`): a limit in
one currency's minor units means nothing in another's.

>>> limits = parse_limits({"limits": {"EUR": {"stake_min_minor": 20, "stake_max_minor": 100}}})
>>> limits.check(40, "EUR")
40
>>> limits.check(40, "USD")
Traceback (most recent call last):
croupier.domain.errors.CurrencyNotOffered: this game plays in EUR, not USD
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from croupier.domain.errors import (
    CurrencyNotOffered,
    GameDefinitionError,
    InvalidBet,
    UnknownCurrency,
)
from croupier.domain.money import Money, currency, format_amount

__all__ = ["STAKE_LIMIT_MINOR", "CurrencyLimits", "StakeRange", "parse_limits"]

#: Upper bound on any stake limit: 10^12 minor units, well inside a JSON double.
STAKE_LIMIT_MINOR: Final = 10**12
#: Currencies one game may list: a bound on the file, the catalogue and every message.
CURRENCIES_MAX: Final = 64
_CODE: Final = re.compile(r"^[A-Z][A-Z0-9]{2,9}\Z")  # as croupier.domain.money.Currency
_KEYS: Final = frozenset({"stake_min_minor", "stake_max_minor"})


@dataclass(frozen=True, slots=True)
class StakeRange:
    """The smallest and largest stake, in minor units of one currency."""

    min_minor: int
    max_minor: int


@dataclass(frozen=True, slots=True)
class CurrencyLimits:
    """A game's stake limits by currency code (never empty)."""

    by_currency: Mapping[str, StakeRange]

    def __post_init__(self) -> None:
        if not self.by_currency:
            raise ValueError("a game lists the limits of at least one currency")

    @property
    def currencies(self) -> tuple[str, ...]:
        """The currencies the game plays in, sorted."""
        return tuple(sorted(self.by_currency))

    @property
    def envelope(self) -> StakeRange:
        """The smallest minimum and the largest maximum over every currency: the stakes the
        game's maths must hold for (a slot's PAR sheet is computed at both ends)."""
        ranges = self.by_currency.values()
        return StakeRange(min(r.min_minor for r in ranges), max(r.max_minor for r in ranges))

    def require_known(self) -> None:
        """Refuse a currency this process has no exponent for (neither ISO 4217 nor added
        with ``CROUPIER_CURRENCIES``): its minor units would mean nothing."""
        for code in self.currencies:
            try:
                currency(code)
            except UnknownCurrency:
                raise GameDefinitionError(
                    f"limits.{code}: unknown currency {code!r} (ISO 4217, or add it with "
                    "CROUPIER_CURRENCIES=CODE:EXPONENT)"
                ) from None

    def range_of(self, code: str) -> StakeRange:
        """The limits in ``code``; :class:`CurrencyNotOffered` if the game does not list it."""
        found = self.by_currency.get(code)
        if found is None:
            raise CurrencyNotOffered(f"this game plays in {', '.join(self.currencies)}, not {code}")
        return found

    def check(self, stake_minor: object, code: str, *, what: str = "the stake") -> int:
        """``stake_minor`` if it is an integer within the limits in ``code``; else
        :class:`~croupier.domain.errors.InvalidBet` naming the limits (nothing has moved)."""
        limits = self.range_of(code)
        if isinstance(stake_minor, bool) or not isinstance(stake_minor, int):
            raise InvalidBet(f"{what} must be an integer of minor units, got {stake_minor!r}")
        if not limits.min_minor <= stake_minor <= limits.max_minor:
            raise InvalidBet(
                f"{what} {stake_minor} is outside {limits.min_minor} to {limits.max_minor} "
                f"minor units of {code}{_as_amounts(limits, code)}"
            )
        return stake_minor


def _as_amounts(limits: StakeRange, code: str) -> str:
    """`` (0.20 to 100.00 EUR)``, or nothing for a currency this process does not know."""
    try:
        unit = currency(code)
    except UnknownCurrency:
        return ""
    low, high = (format_amount(Money(v, unit)) for v in (limits.min_minor, limits.max_minor))
    return f" ({low} to {high} {code})"


def parse_limits(data: Mapping[str, object], *, multiple_of: int = 1) -> CurrencyLimits:
    """The ``[limits.<CODE>]`` tables of a game file; :class:`GameDefinitionError` names the
    bad field (``limits.EUR.stake_max_minor: …``). Every limit must be a whole number of
    ``multiple_of`` (a slot's line count).

    Whether each currency is one this process knows (ISO 4217 or ``CROUPIER_CURRENCIES``) is
    checked where the server starts, once the configured currencies are registered."""
    table = data.get("limits")
    if not isinstance(table, Mapping) or not table:
        raise GameDefinitionError(
            "limits: expected a [limits.<CURRENCY>] table for each currency the game plays "
            "in, e.g. [limits.EUR] with stake_min_minor and stake_max_minor"
        )
    if len(table) > CURRENCIES_MAX:
        raise GameDefinitionError(f"limits: at most {CURRENCIES_MAX} currencies")
    return CurrencyLimits(
        {code: _range(code, limits, multiple_of) for code, limits in sorted(table.items())}
    )


def _range(code: object, limits: object, multiple_of: int) -> StakeRange:
    path = f"limits.{code}"
    if not isinstance(code, str) or not _CODE.match(code):
        raise GameDefinitionError(f"{path}: not a currency code like EUR")
    if not isinstance(limits, Mapping):
        raise GameDefinitionError(f"{path}: expected a table of stake_min_minor, stake_max_minor")
    unknown = sorted(set(limits) - _KEYS)
    if unknown:
        raise GameDefinitionError(f"{path}.{unknown[0]}: unknown field")
    low = _limit(limits, path, "stake_min_minor", 1, multiple_of)
    high = _limit(limits, path, "stake_max_minor", low, multiple_of)
    return StakeRange(low, high)


def _limit(limits: Mapping[str, object], path: str, key: str, low: int, multiple_of: int) -> int:
    value, where = limits.get(key), f"{path}.{key}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise GameDefinitionError(f"{where}: expected an integer of minor units, got {value!r}")
    if not low <= value <= STAKE_LIMIT_MINOR:
        raise GameDefinitionError(f"{where}: must be {low} to {STAKE_LIMIT_MINOR}, got {value}")
    if value % multiple_of:
        raise GameDefinitionError(f"{where}: must be a multiple of {multiple_of}, got {value}")
    return value
