"""An in-process scripted payment provider (our port, our fake) and a helper to put
providers on a platform: for unit and integration tests of the payments layer. The chaos
test uses the real HTTP sandboxes instead."""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from croupier.bootstrap import Platform
from croupier.domain.money import known_currencies
from croupier.services.payments.ports import (
    ChargeRequest,
    Outcome,
    PaymentProvider,
    PayoutRequest,
    ProviderAnswer,
    ProviderProfile,
    RefundRequest,
    SettlementLine,
    WebhookEvent,
    WebhookKind,
    WebhookRejected,
)
from croupier.services.payments.router import PaymentRouter


class Act(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    #: Accepted; approved later by :meth:`ScriptedProvider.resolve`.
    PEND = "pend"
    #: Approved, but the answer is lost: the caller sees UNKNOWN.
    LOSE_ANSWER = "lose-answer"
    #: A 5xx before anything happened: UNKNOWN, and a look-up says NOT_FOUND.
    FAIL = "fail"
    #: The call dies (a connection reset): nothing happened.
    RAISE = "raise"


@dataclass
class ScriptedProvider:
    """Answers each call as the next act in ``script`` says (``default`` when it is empty).
    ``moved`` is what really happened here, by reference: the truth the tests check."""

    name: str = "sandbox"
    methods: frozenset[str] = frozenset({"sandbox", "card"})
    default: Act = Act.APPROVE
    script: deque[Act] = field(default_factory=deque)
    priority: int = 100
    down: bool = False
    moved: dict[str, tuple[str, int]] = field(default_factory=dict)
    declined: set[str] = field(default_factory=set)
    pending: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    calls: list[tuple[str, str, int]] = field(default_factory=list)
    lines: list[SettlementLine] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.profile = ProviderProfile(
            self.name, self.methods, frozenset(), known_currencies(), self.priority
        )

    async def charge(self, request: ChargeRequest) -> ProviderAnswer:
        return self._act("charge", request.reference, request.amount_minor, request.currency)

    async def payout(self, request: PayoutRequest) -> ProviderAnswer:
        return self._act("payout", request.reference, request.amount_minor, request.currency)

    async def refund(self, request: RefundRequest) -> ProviderAnswer:
        return self._act("refund", request.reference, request.amount_minor, request.currency)

    async def status(self, reference: str) -> ProviderAnswer:
        if self.down:
            return ProviderAnswer(Outcome.UNKNOWN, reason="down")
        if reference in self.moved:
            return ProviderAnswer(Outcome.APPROVED, amount_minor=self.moved[reference][1])
        if reference in self.declined:
            return ProviderAnswer(Outcome.DECLINED)
        if reference in self.pending:
            return ProviderAnswer(Outcome.PENDING)
        return ProviderAnswer(Outcome.NOT_FOUND)

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, now_ms: int) -> WebhookEvent:
        raise WebhookRejected("the scripted provider's notices are given in process")

    async def settlement_report(self, day: dt.date) -> list[SettlementLine]:
        return list(self.lines)

    def resolve(self, reference: str, approve: bool = True) -> WebhookEvent:
        """Finish a pending payment; the notice a webhook would carry."""
        kind, amount, currency = self.pending.pop(reference)
        if approve:
            self._move(kind, reference, amount, currency)
        else:
            self.declined.add(reference)
        return self.notice(kind, reference, amount, currency, approve)

    def notice(
        self, kind: str, reference: str, amount: int, currency: str, approve: bool
    ) -> WebhookEvent:
        suffix = "succeeded" if approve else "failed"
        return WebhookEvent(
            self.name,
            f"evt-{reference}-{suffix}",
            WebhookKind(f"{kind}.{suffix}"),
            reference,
            amount,
            currency,
            time.time_ns() // 1_000_000,
        )

    def _act(self, kind: str, reference: str, amount: int, currency: str) -> ProviderAnswer:
        if self.down:
            raise ConnectionRefusedError(f"{self.name} is down")
        self.calls.append((kind, reference, amount))
        if reference in self.moved:  # the reference is the idempotency key
            return ProviderAnswer(Outcome.APPROVED, amount_minor=amount)
        if reference in self.declined:
            return ProviderAnswer(Outcome.DECLINED, reason=f"declined by {self.name}")
        if reference in self.pending:
            return ProviderAnswer(Outcome.PENDING)
        act = self.script.popleft() if self.script else self.default
        if act is Act.RAISE:
            raise ConnectionResetError("the connection died during the call")
        if act is Act.FAIL:
            return ProviderAnswer(Outcome.UNKNOWN, reason="HTTP 503")
        if act is Act.DECLINE:
            self.declined.add(reference)
            return ProviderAnswer(Outcome.DECLINED, reason=f"declined by {self.name}")
        if act is Act.PEND:
            self.pending[reference] = (kind, amount, currency)
            return ProviderAnswer(Outcome.PENDING)
        self._move(kind, reference, amount, currency)
        if act is Act.LOSE_ANSWER:
            return ProviderAnswer(Outcome.UNKNOWN, reason="timeout")
        return ProviderAnswer(Outcome.APPROVED, amount_minor=amount)

    def _move(self, kind: str, reference: str, amount: int, currency: str) -> None:
        if reference in self.moved:
            raise AssertionError(f"{reference} moved twice at {self.name}")
        self.moved[reference] = (kind, amount)
        self.lines.append(
            SettlementLine(reference, f"{self.name}-{reference}", kind, amount, currency, 0)
        )

    def count(self, kind: str) -> int:
        return sum(1 for k, _ in self.moved.values() if k == kind)


def use_providers(
    platform: Platform, *providers: PaymentProvider, failures_max: int = 3, open_ms: int = 30_000
) -> None:
    """Route the platform's payments to ``providers`` (instead of the instant sandbox)."""
    platform.wallet.payments.router = PaymentRouter(
        list(providers),
        clock_ms=lambda: time.time_ns() // 1_000_000,
        failures_max=failures_max,
        open_ms=open_ms,
    )


def pass_the_grace(platform: Platform) -> None:
    """Move the payments' clock past the look-up grace: a ``NOT_FOUND`` is believed from now
    on (a call that died cannot still arrive at its provider)."""
    service = platform.wallet.payments
    later = service.limits.sent_grace_ms
    service.clock_ms = lambda: time.time_ns() // 1_000_000 + later
