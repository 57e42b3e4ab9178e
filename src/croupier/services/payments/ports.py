"""The payment service provider (PSP) port: what the payments layer needs of a provider.

A real PSP times out, answers late through webhooks, declines, goes down and sends
chargebacks. The port says so in its types: every call answers an :class:`Outcome`, and
``UNKNOWN`` (a timeout, a 5xx, a lost connection) means the money *may* have moved. The rule
the payments service builds on: a payment whose outcome is unknown is never tried at another
provider until :meth:`PaymentProvider.status` proves it did not happen there (``NOT_FOUND``
or ``DECLINED``), so a player is never charged twice and a payout never sent twice.

Every call carries our ``reference`` (the payment's id), which the provider also takes as its
idempotency key: asking again with the same reference never moves money twice at a provider.

Card numbers reach a provider only inside :class:`Instrument` (``secret``, never in a repr),
handed over by the card vault for the one call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

__all__ = [
    "ChargeRequest",
    "Instrument",
    "Outcome",
    "PaymentProvider",
    "PayoutRequest",
    "ProviderAnswer",
    "ProviderProfile",
    "RefundRequest",
    "SettlementLine",
    "WebhookEvent",
    "WebhookKind",
    "WebhookRejected",
]


class Outcome(StrEnum):
    #: The money moved at the provider (a charge captured, a payout sent, a refund made).
    APPROVED = "approved"
    #: It did not move and never will under this reference.
    DECLINED = "declined"
    #: Accepted; the final answer comes by webhook or :meth:`PaymentProvider.status`.
    PENDING = "pending"
    #: No answer we can trust (timeout, 5xx, connection lost): it may or may not have moved.
    UNKNOWN = "unknown"
    #: (:meth:`PaymentProvider.status` only) the provider never received this reference.
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class ProviderAnswer:
    outcome: Outcome
    #: The provider's own id for the payment, once it has one.
    provider_ref: str | None = None
    #: Why (a decline's reason, or what went wrong for ``UNKNOWN``); never card data.
    reason: str = ""
    #: (:meth:`PaymentProvider.status`) the amount the provider holds for the reference.
    amount_minor: int | None = None


@dataclass(frozen=True, slots=True)
class Instrument:
    """The player's payment method for one provider call."""

    kind: str  # "card", or "sandbox" for the instant provider of make run
    #: The vault's token (``card_…``); the only name of a card outside the vault.
    token: str
    #: ISO 3166-1 alpha-2 of the issuer (a card's BIN country), for the compliance rules.
    country: str
    #: What the provider needs to charge it (card number and expiry), from the vault for this
    #: call only: never logged, never in a repr, never stored outside the vault.
    secret: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class ChargeRequest:
    """A deposit: take ``amount_minor`` from the instrument."""

    reference: str
    player_id: str
    amount_minor: int
    currency: str
    instrument: Instrument


@dataclass(frozen=True, slots=True)
class PayoutRequest:
    """A withdrawal: send ``amount_minor`` to the instrument."""

    reference: str
    player_id: str
    amount_minor: int
    currency: str
    instrument: Instrument


@dataclass(frozen=True, slots=True)
class RefundRequest:
    """Give back (part of) a settled charge; ``reference`` is the refund's own."""

    reference: str
    charge_reference: str
    amount_minor: int
    currency: str


class WebhookKind(StrEnum):
    CHARGE_SUCCEEDED = "charge.succeeded"
    CHARGE_FAILED = "charge.failed"
    PAYOUT_SUCCEEDED = "payout.succeeded"
    PAYOUT_FAILED = "payout.failed"
    REFUND_SUCCEEDED = "refund.succeeded"
    #: The card holder's bank took a settled charge back.
    CHARGEBACK = "chargeback"


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A provider's notice, verified (:meth:`PaymentProvider.verify_webhook`)."""

    provider: str
    #: Unique per provider: the key that de-duplicates deliveries.
    event_id: str
    kind: WebhookKind
    #: Our reference (the payment's id; for a chargeback, the charge's).
    reference: str
    amount_minor: int
    currency: str
    occurred_at_ms: int
    provider_ref: str | None = None


class WebhookRejected(Exception):
    """A webhook whose signature, timestamp or body does not verify: answered 401 (or 400)
    and applied to nothing."""


@dataclass(frozen=True, slots=True)
class SettlementLine:
    """One line of a provider's daily settlement report (the sandbox gives CSV)."""

    reference: str
    provider_ref: str
    kind: str  # "charge", "payout", "refund", "chargeback"
    amount_minor: int
    currency: str
    settled_at_ms: int


@dataclass(frozen=True, slots=True)
class ProviderProfile:
    """What a provider can do, for routing: a payment goes to a provider whose profile
    covers its method kind, the instrument's country and the currency."""

    name: str
    methods: frozenset[str]
    #: ISO 3166-1 alpha-2 countries served; empty: all.
    countries: frozenset[str]
    currencies: frozenset[str]
    #: Lower is tried first among healthy providers.
    priority: int = 100

    def covers(self, method: str, country: str, currency: str) -> bool:
        return (
            method in self.methods
            and currency in self.currencies
            and (not self.countries or country in self.countries)
        )


class PaymentProvider(Protocol):
    profile: ProviderProfile

    async def charge(self, request: ChargeRequest) -> ProviderAnswer: ...

    async def payout(self, request: PayoutRequest) -> ProviderAnswer: ...

    async def refund(self, request: RefundRequest) -> ProviderAnswer: ...

    async def status(self, reference: str) -> ProviderAnswer:
        """Where the payment under ``reference`` stands; ``NOT_FOUND`` if never received,
        ``UNKNOWN`` if the provider cannot be asked now."""
        ...

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, now_ms: int) -> WebhookEvent:
        """The notice in ``body`` if its signature verifies and its timestamp is within the
        replay window of ``now_ms``; else ``WebhookRejected``."""
        ...

    async def settlement_report(self, day: dt.date) -> list[SettlementLine]: ...
