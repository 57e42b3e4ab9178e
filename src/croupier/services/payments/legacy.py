"""The payment provider port (the bundled sandbox is ``croupier.adapters.payments``).

A provider call carries the client's idempotency key, so asking twice for the same payment
never moves money twice at the provider either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["PaymentProvider", "PaymentResult"]


@dataclass(frozen=True, slots=True)
class PaymentResult:
    approved: bool
    reference: str
    reason: str = ""


class PaymentProvider(Protocol):
    name: str

    async def charge(
        self, *, player_id: str, amount_minor: int, currency: str, key: str
    ) -> PaymentResult:
        """Take money from the player's payment method (a deposit)."""
        ...

    async def payout(
        self, *, player_id: str, amount_minor: int, currency: str, key: str
    ) -> PaymentResult:
        """Send money to the player's payment method (a withdrawal)."""
        ...
