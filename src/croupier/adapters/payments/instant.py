"""The instant sandbox provider (``make run``'s default): answers every call at once, in
process, approving (or declining everything, to try the refusal path). It remembers what it
did by reference, so a look-up answers as a real provider's would, and sends no webhooks."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Mapping

from croupier.domain.money import known_currencies
from croupier.services.payments.ports import (
    ChargeRequest,
    Outcome,
    PayoutRequest,
    ProviderAnswer,
    ProviderProfile,
    RefundRequest,
    SettlementLine,
    WebhookEvent,
    WebhookRejected,
)

__all__ = ["SANDBOX_METHOD", "SandboxPaymentProvider"]

#: The method kind of the embedded sandbox instrument (no card: the sandbox needs none).
SANDBOX_METHOD = "sandbox"


class SandboxPaymentProvider:
    """Implements ``croupier.services.payments.ports.PaymentProvider``."""

    def __init__(self, *, approve: bool = True, name: str = "sandbox") -> None:
        self.approve = approve
        self.profile = ProviderProfile(
            name,
            frozenset({SANDBOX_METHOD, "card"}),  # a vault card too: make run takes cards
            frozenset(),
            known_currencies(),
            priority=1_000,
        )
        self._done: dict[str, tuple[ProviderAnswer, SettlementLine | None]] = {}

    async def charge(self, request: ChargeRequest) -> ProviderAnswer:
        return self._answer("charge", request.reference, request.amount_minor, request.currency)

    async def payout(self, request: PayoutRequest) -> ProviderAnswer:
        return self._answer("payout", request.reference, request.amount_minor, request.currency)

    async def refund(self, request: RefundRequest) -> ProviderAnswer:
        return self._answer("refund", request.reference, request.amount_minor, request.currency)

    async def status(self, reference: str) -> ProviderAnswer:
        done = self._done.get(reference)
        return ProviderAnswer(Outcome.NOT_FOUND) if done is None else done[0]

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, now_ms: int) -> WebhookEvent:
        raise WebhookRejected("the instant sandbox sends no webhooks")

    async def settlement_report(self, day: dt.date) -> list[SettlementLine]:
        start = int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp() * 1000)
        return [
            line
            for _, line in self._done.values()
            if line is not None and start <= line.settled_at_ms < start + 86_400_000
        ]

    def _answer(self, kind: str, reference: str, amount: int, currency: str) -> ProviderAnswer:
        done = self._done.get(reference)  # the reference is the idempotency key
        if done is not None:
            return done[0]
        provider_ref = "sbx_" + hashlib.sha256(f"{kind}:{reference}".encode()).hexdigest()[:20]
        if not self.approve:
            answer = ProviderAnswer(
                Outcome.DECLINED, provider_ref, "declined by the sandbox provider"
            )
            self._done[reference] = (answer, None)
            return answer
        answer = ProviderAnswer(Outcome.APPROVED, provider_ref, amount_minor=amount)
        line = SettlementLine(
            reference, provider_ref, kind, amount, currency, time.time_ns() // 1_000_000
        )
        self._done[reference] = (answer, line)
        return answer
