"""The sandbox PSP's books: payments by our reference, adjustments, events, settlement lines.

In memory and single-threaded (the app's event loop owns it). The rule every real PSP keeps
and this one copies: a reference is received once; asking again with the same reference gives
the payment as it stands and never moves money twice; asking with another amount, currency
or operation is a conflict.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "Adjustment",
    "Book",
    "Conflict",
    "Event",
    "Operation",
    "Order",
    "Payment",
    "Status",
]


class Operation(StrEnum):
    CHARGE = "charge"
    PAYOUT = "payout"
    REFUND = "refund"


class Status(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class Order:
    """One request as the PSP understood it, whatever the flavour's JSON looked like."""

    operation: Operation
    reference: str
    amount_minor: int
    currency: str
    #: For a refund: the charge it gives back.
    charge_reference: str | None = None
    #: Last four digits only: the sandbox keeps no card number.
    card_last4: str = ""


@dataclass(slots=True)
class Payment:
    order: Order
    provider_ref: str
    status: Status
    created_at_ms: int
    reason: str = ""
    settled_at_ms: int | None = None
    refunded_minor: int = 0
    charged_back_minor: int = 0


@dataclass(frozen=True, slots=True)
class Adjustment:
    """Money the PSP moved on its own initiative: a chargeback or a dashboard refund."""

    kind: str  # "chargeback" or "refund"
    reference: str
    provider_ref: str
    amount_minor: int
    currency: str
    settled_at_ms: int


@dataclass(frozen=True, slots=True)
class Event:
    """A webhook notice before the flavour renders it; ``kind`` is a WebhookKind value."""

    event_id: str
    kind: str
    reference: str
    provider_ref: str
    amount_minor: int
    currency: str
    occurred_at_ms: int


class Conflict(Exception):
    """The reference is known with another operation, amount or currency (HTTP 409)."""


_EVENT_KINDS = {
    (Operation.CHARGE, Status.APPROVED): "charge.succeeded",
    (Operation.CHARGE, Status.DECLINED): "charge.failed",
    (Operation.PAYOUT, Status.APPROVED): "payout.succeeded",
    (Operation.PAYOUT, Status.DECLINED): "payout.failed",
    # A declined refund has no webhook (the port has no kind for it): its answer and the
    # status look-up tell.
    (Operation.REFUND, Status.APPROVED): "refund.succeeded",
}


@dataclass(slots=True)
class Book:
    flavour: str
    clock_ms: Callable[[], int]
    payments: dict[str, Payment] = field(default_factory=dict)
    adjustments: list[Adjustment] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def new_id(self, prefix: str) -> str:
        # A counter keeps ids ordered for a reader; the random tail keeps two sandboxes apart.
        return f"{prefix}_{next(self._counter):06d}{secrets.token_hex(4)}"

    def find(self, reference: str) -> Payment | None:
        return self.payments.get(reference)

    def check_repeat(self, order: Order) -> Payment | None:
        """The payment already under ``order.reference``, if any; ``Conflict`` if it differs."""
        known = self.payments.get(order.reference)
        if known is None:
            return None
        first = known.order
        if (first.operation, first.amount_minor, first.currency, first.charge_reference) != (
            order.operation,
            order.amount_minor,
            order.currency,
            order.charge_reference,
        ):
            raise Conflict(
                f"reference {order.reference} was received as a {first.operation} of "
                f"{first.amount_minor} {first.currency}"
            )
        return known

    def receive(
        self, order: Order, status: Status, reason: str = ""
    ) -> tuple[Payment, Event | None]:
        """Record a new order with its first status (the caller checked it is new), and the
        event its final status sends, if any."""
        if order.reference in self.payments:
            raise Conflict(f"reference {order.reference} is already received")
        if order.operation is Operation.REFUND and status is not Status.DECLINED:
            refusal = self._refund_refusal(order)
            if refusal:
                status, reason = Status.DECLINED, refusal
        prefix = {"charge": "ch", "payout": "po", "refund": "re"}[order.operation]
        payment = Payment(
            order=order,
            provider_ref=self.new_id(f"{self.flavour}_{prefix}"),
            status=Status.PENDING,
            created_at_ms=self.clock_ms(),
        )
        self.payments[order.reference] = payment
        if status is Status.PENDING:
            return payment, None
        return payment, self.settle(order.reference, status, reason)

    def _refund_refusal(self, order: Order) -> str:
        charge = self.payments.get(order.charge_reference or "")
        if charge is None or charge.order.operation is not Operation.CHARGE:
            return "no such charge"
        if charge.status is not Status.APPROVED:
            return "the charge is not settled"
        if charge.order.currency != order.currency:
            return "currency differs from the charge's"
        if order.amount_minor > self.refundable_minor(charge):
            return "more than the charge has left"
        return ""

    @staticmethod
    def refundable_minor(charge: Payment) -> int:
        return charge.order.amount_minor - charge.refunded_minor - charge.charged_back_minor

    def settle(self, reference: str, status: Status, reason: str = "") -> Event | None:
        """Give a pending payment its final status; the event to deliver, if any. A payment
        already final stays as it is (settling twice is a no-op, never a second movement)."""
        payment = self.payments[reference]
        if payment.status is not Status.PENDING or status is Status.PENDING:
            return None
        if payment.order.operation is Operation.REFUND and status is Status.APPROVED:
            refusal = self._refund_refusal(payment.order)
            if refusal:
                status, reason = Status.DECLINED, refusal
            else:
                self.payments[
                    payment.order.charge_reference or ""
                ].refunded_minor += payment.order.amount_minor
        payment.status = status
        payment.reason = reason
        payment.settled_at_ms = self.clock_ms()
        kind = _EVENT_KINDS.get((payment.order.operation, status))
        if kind is None:
            return None
        return self._event(
            kind,
            reference,
            payment.provider_ref,
            payment.order.amount_minor,
            payment.order.currency,
        )

    def adjust(self, kind: str, charge_reference: str, amount_minor: int | None) -> Event:
        """A chargeback or a dashboard refund of a settled charge; ``ValueError`` if it
        cannot be (no such settled charge, or more than it has left)."""
        charge = self.payments.get(charge_reference)
        if (
            charge is None
            or charge.order.operation is not Operation.CHARGE
            or charge.status is not Status.APPROVED
        ):
            raise ValueError(f"no settled charge under {charge_reference}")
        left = self.refundable_minor(charge)
        amount = left if amount_minor is None else amount_minor
        if not 0 < amount <= left:
            raise ValueError(f"{kind} of {amount} but the charge has {left} left")
        if kind == "chargeback":
            charge.charged_back_minor += amount
        else:
            charge.refunded_minor += amount
        adjustment = Adjustment(
            kind=kind,
            reference=charge_reference,
            provider_ref=self.new_id(f"{self.flavour}_{'cb' if kind == 'chargeback' else 're'}"),
            amount_minor=amount,
            currency=charge.order.currency,
            settled_at_ms=self.clock_ms(),
        )
        self.adjustments.append(adjustment)
        event_kind = "chargeback" if kind == "chargeback" else "refund.succeeded"
        return self._event(
            event_kind, charge_reference, adjustment.provider_ref, amount, adjustment.currency
        )

    def _event(
        self, kind: str, reference: str, provider_ref: str, amount_minor: int, currency: str
    ) -> Event:
        event = Event(
            event_id=self.new_id(f"evt_{self.flavour}"),
            kind=kind,
            reference=reference,
            provider_ref=provider_ref,
            amount_minor=amount_minor,
            currency=currency,
            occurred_at_ms=self.clock_ms(),
        )
        self.events.append(event)
        return event

    def settlement(self, day: dt.date) -> list[Adjustment]:
        """Every movement settled on ``day`` (UTC), oldest first, as settlement lines."""
        lines: list[Adjustment] = []
        for payment in self.payments.values():
            if payment.status is Status.APPROVED and payment.settled_at_ms is not None:
                lines.append(
                    Adjustment(
                        kind=str(payment.order.operation),
                        reference=payment.order.reference,
                        provider_ref=payment.provider_ref,
                        amount_minor=payment.order.amount_minor,
                        currency=payment.order.currency,
                        settled_at_ms=payment.settled_at_ms,
                    )
                )
        lines.extend(self.adjustments)
        on_day = [line for line in lines if _utc_day(line.settled_at_ms) == day]
        return sorted(on_day, key=lambda line: (line.settled_at_ms, line.provider_ref))


def _utc_day(at_ms: int) -> dt.date:
    return dt.datetime.fromtimestamp(at_ms / 1000, tz=dt.UTC).date()
