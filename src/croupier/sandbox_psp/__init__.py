"""Sandbox payment service providers: real HTTP services (Starlette) that tests start on
loopback and script to approve, decline, answer slowly, hang, fail with 5xx, lose their
answer, settle later, and deliver webhooks duplicated, reordered or not at all.

Two flavours differ as real PSPs do: ``alpha`` (Stripe-like JSON, HMAC-SHA256 webhooks) and
``beta`` (Adyen-like JSON, Ed25519 webhooks). See docs/payments.md, "Sandbox providers".
"""

from croupier.sandbox_psp.app import FLAVOURS, SandboxSettings, create_app
from croupier.sandbox_psp.webhooks import DeliveryPolicy

__all__ = ["FLAVOURS", "DeliveryPolicy", "SandboxSettings", "create_app"]
