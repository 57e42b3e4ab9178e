"""Payments: where a player's payment stands, and the providers' webhooks."""

from __future__ import annotations

import time

from fastapi import Request
from pydantic import BaseModel

from croupier.api.http.auth import CurrentPlayer, platform_of
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.domain.errors import AuthenticationFailed, NotFound
from croupier.services.payments.ports import WebhookRejected
from croupier.services.payments.service import PaymentService

__all__ = ["router"]

router = api_router(prefix="/v1/payments", tags=["payments"])

#: A webhook body is small; a larger one is refused before anything reads it.
_WEBHOOK_BYTES_MAX = 64 * 1024


class PaymentOut(BaseModel):
    id: str
    kind: str
    state: str
    amount: int
    currency: str
    created_ms: int
    updated_ms: int


class WebhookOut(BaseModel):
    result: str


def _payments(request: Request) -> PaymentService:
    payments = platform_of(request).payments
    if payments is None:
        raise NotFound("payments are not served here")
    return payments.service


@router.get("/{payment_id}", responses=PROBLEMS)
async def payment(payment_id: str, player: CurrentPlayer, request: Request) -> PaymentOut:
    """One of the player's payments (the id a ``202 pending`` answer gave): ``initiated``,
    ``sent``, ``pending``, ``unknown``, ``settled``, ``failed``, ``reversed`` or ``review``."""
    row = await _payments(request).get(payment_id)
    if row is None or row.player_id != player.player_id:
        raise NotFound("no such payment")
    return PaymentOut(
        id=row.id,
        kind=row.kind.value,
        state=row.state.value,
        amount=row.amount_minor,
        currency=row.currency,
        created_ms=row.created_ms,
        updated_ms=row.updated_ms,
    )


@router.post("/webhooks/{provider}", responses=PROBLEMS)
async def webhook(provider: str, request: Request) -> WebhookOut:
    """A provider's signed notice (docs/payments.md, "Webhook contract"). 401 when the
    signature or the timestamp does not verify, and nothing changes; a notice seen before
    answers ``duplicate``. Applied exactly once, in any order."""
    service = _payments(request)
    adapter = service.router.provider(provider)
    if adapter is None:
        raise NotFound("no such payment provider")
    body = await request.body()
    if len(body) > _WEBHOOK_BYTES_MAX:
        raise AuthenticationFailed("the webhook does not verify")
    try:
        event = adapter.verify_webhook(dict(request.headers), body, time.time_ns() // 1_000_000)
    except WebhookRejected:
        raise AuthenticationFailed("the webhook does not verify") from None
    if event.provider != provider:
        raise AuthenticationFailed("the webhook does not verify")
    return WebhookOut(result=await service.webhook(event))
