"""The payments workflow store (migration 0017): one row per payment, its attempts and the
webhooks seen. The money is on the ledger; this says where each payment stands at which
provider. Every state change is a conditional update (``WHERE state = expected AND attempt =
expected``): of two workers racing on one payment, one applies and the other reads again."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from croupier.domain.payments.states import Kind, State
from croupier.services.payments.reconciliation_items import ReconciliationItem

__all__ = ["AttemptRow", "PaymentRow", "PaymentStore", "attempt_reference", "payment_id_of"]


def payment_id_of(intent_id: str) -> str:
    """Our reference for the payment whose ledger intent is ``intent_id``: derived, so the
    same request always names the same payment, and short and plain for any provider."""
    return "pay_" + hashlib.sha256(intent_id.encode()).hexdigest()[:24]


def attempt_reference(payment_id: str, attempt: int) -> str:
    """The provider's idempotency key for one attempt: distinct per provider, recorded first."""
    return f"{payment_id}-a{attempt}"


@dataclass(frozen=True, slots=True)
class PaymentRow:
    id: str
    player_id: str
    kind: Kind
    amount_minor: int
    currency: str
    idempotency_key: str
    instrument_kind: str
    instrument_token: str
    instrument_country: str
    state: State
    created_ms: int
    updated_ms: int
    parent_id: str | None = None
    provider: str | None = None
    attempt: int = 0
    flag: str = ""
    polls: int = 0
    next_poll_ms: int | None = None
    settled_ms: int | None = None

    @property
    def reference(self) -> str:
        """The current attempt's reference at :attr:`provider`."""
        return attempt_reference(self.id, self.attempt)

    def moved(self, state: State, now_ms: int, **changes: object) -> PaymentRow:
        return replace(self, state=state, updated_ms=now_ms, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class AttemptRow:
    payment_id: str
    attempt: int
    provider: str
    reference: str
    outcome: str
    at_ms: int


class PaymentStore(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def create(self, row: PaymentRow) -> bool:
        """Insert; ``False`` if a payment with this id exists (then read it)."""
        ...

    async def get(self, payment_id: str) -> PaymentRow | None: ...

    async def update(self, row: PaymentRow, *, state: State, attempt: int) -> bool:
        """Write ``row`` over the one that is in ``state`` at ``attempt``; ``False`` if it
        has moved since (another worker came first)."""
        ...

    async def add_attempt(self, attempt: AttemptRow) -> bool:
        """Record an attempt before its provider is called; ``False`` if it exists."""
        ...

    async def answer_attempt(self, payment_id: str, attempt: int, outcome: str) -> None: ...

    async def attempts(self, payment_id: str) -> list[AttemptRow]: ...

    async def due(self, now_ms: int, limit: int) -> list[PaymentRow]:
        """Payments whose outcome is open and whose next look-up is due, oldest first."""
        ...

    async def in_state(self, state: State, limit: int) -> list[PaymentRow]: ...

    async def children(self, parent_id: str) -> list[PaymentRow]:
        """A deposit's refunds."""
        ...

    async def last_settled_deposit(self, player_id: str, currency: str) -> PaymentRow | None:
        """The player's newest settled deposit in the currency (the closed loop's way back)."""
        ...

    async def settled_between(self, start_ms: int, end_ms: int) -> list[PaymentRow]:
        """Payments settled (then possibly reversed) in ``[start_ms, end_ms)``."""
        ...

    async def webhook_seen(self, provider: str, event_id: str) -> bool: ...

    async def add_webhook(
        self, provider: str, event_id: str, kind: str, reference: str, result: str, at_ms: int
    ) -> bool:
        """Record a webhook once applied (applying is idempotent, so a crash before this
        line only means the redelivery applies again, to no effect); ``False`` for one seen
        before."""
        ...

    # The reconciliation queue (migration 0022).

    async def open_items(self, items: Sequence[ReconciliationItem]) -> int:
        """Open each item not already open or resolved under its (day, provider, reference,
        kind); the number newly opened."""
        ...

    async def reconciliation_items(
        self, *, resolved: bool, limit: int, after: int | None = None
    ) -> list[ReconciliationItem]:
        """Open (or resolved) items in id order, those after the id ``after``."""
        ...

    async def reconciliation_item(self, item_id: int) -> ReconciliationItem | None: ...

    async def resolve_item(self, item_id: int, *, staff_id: str, note: str, now_ms: int) -> bool:
        """Resolve an open item; ``False`` if it is missing or resolved already."""
        ...
