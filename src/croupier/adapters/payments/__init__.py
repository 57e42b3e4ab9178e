"""Payment provider adapters: the instant in-process sandbox (``make run``'s default) and,
for the payments layer, HTTP clients of the sandbox PSPs (docs/payments.md)."""

from croupier.adapters.payments.instant import SandboxPaymentProvider

__all__ = ["SandboxPaymentProvider"]
