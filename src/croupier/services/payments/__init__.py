"""Payments: the provider port (``ports``), the workflow store (``store``), routing with
circuit breakers (``router``), the ledger steps (``book``) and the service that takes each
deposit, withdrawal and refund through the providers (``service``); docs/payments.md."""

from croupier.services.payments.ports import PaymentProvider

__all__ = ["PaymentProvider"]
