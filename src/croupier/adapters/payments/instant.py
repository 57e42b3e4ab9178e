"""The bundled sandbox payment provider: approves (or declines) every request at once."""

from __future__ import annotations

import hashlib

from croupier.services.payments.legacy import PaymentResult

__all__ = ["SandboxPaymentProvider"]


class SandboxPaymentProvider:
    """Approves everything (or declines everything, for testing the refusal path)."""

    name = "sandbox"

    def __init__(self, *, approve: bool = True) -> None:
        self.approve = approve

    async def charge(
        self, *, player_id: str, amount_minor: int, currency: str, key: str
    ) -> PaymentResult:
        return self._answer("charge", player_id, key)

    async def payout(
        self, *, player_id: str, amount_minor: int, currency: str, key: str
    ) -> PaymentResult:
        return self._answer("payout", player_id, key)

    def _answer(self, operation: str, player_id: str, key: str) -> PaymentResult:
        # The same request always gets the same reference, as a real provider's would.
        reference = (
            "sbx_" + hashlib.sha256(f"{operation}:{player_id}:{key}".encode()).hexdigest()[:20]
        )
        if self.approve:
            return PaymentResult(True, reference)
        return PaymentResult(False, reference, "declined by the sandbox provider")
