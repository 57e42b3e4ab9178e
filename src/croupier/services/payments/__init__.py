"""Payments: the provider port (``ports``), and the wallet's first, synchronous port
(``legacy``) that the payments layer replaces (docs/payments.md)."""

from croupier.services.payments.legacy import PaymentProvider, PaymentResult

__all__ = ["PaymentProvider", "PaymentResult"]
