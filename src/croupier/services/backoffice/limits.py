"""The back office's settings: the four-eyes and review thresholds, and its bounds.

Thresholds are amounts in the currency's major units (``100.00``), so one setting fits every
currency: :meth:`BackofficeLimits.minor_above` converts with each currency's exponent (EUR
100.00 is 10000 minor units, JPY 100 is 100).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from croupier.domain.money import currency

__all__ = ["BackofficeLimits", "parse_threshold"]

_THRESHOLD_MAX: Final = Decimal(10) ** 12


def parse_threshold(text: str, *, what: str) -> Decimal:
    """A non-negative decimal amount in major units (``ValueError`` names ``what``)."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"{what} must be a decimal amount such as 100.00, got {text!r}") from None
    if not value.is_finite() or value < 0 or value > _THRESHOLD_MAX:
        raise ValueError(f"{what} must be between 0 and {_THRESHOLD_MAX}, got {text!r}")
    return value


@dataclass(frozen=True, slots=True)
class BackofficeLimits:
    #: A manual adjustment above this amount needs a second staff member's approval.
    adjustment_approval_above: Decimal = Decimal("100.00")
    #: A withdrawal above this amount waits in the review queue (a flagged player's always).
    withdrawal_review_above: Decimal = Decimal("2000.00")
    #: The largest manual adjustment, in minor units, approved or not.
    adjustment_minor_max: int = 1_000_000_00
    #: The largest page of any back-office list.
    page_size_max: int = 100

    def __post_init__(self) -> None:
        for name in ("adjustment_approval_above", "withdrawal_review_above"):
            parse_threshold(str(getattr(self, name)), what=name)
        if not 1 <= self.page_size_max <= 1000:
            raise ValueError("page_size_max must be 1 to 1000")
        if self.adjustment_minor_max < 1:
            raise ValueError("adjustment_minor_max must be positive")

    @staticmethod
    def minor_above(threshold: Decimal, currency_code: str) -> int:
        """The threshold in ``currency_code``'s minor units (a fraction of a unit rounds down).

        >>> BackofficeLimits.minor_above(Decimal("100.00"), "EUR")
        10000
        >>> BackofficeLimits.minor_above(Decimal("100.00"), "JPY")
        100
        """
        return int(threshold.scaleb(currency(currency_code).exponent))
