"""The "alpha" flavour: a Stripe-like API.

``POST /v1/charges`` · ``POST /v1/payouts`` · ``POST /v1/refunds`` ·
``GET /v1/payments/{reference}`` · ``GET /v1/settlements/{YYYY-MM-DD}`` (CSV), with
``Authorization: Bearer <api key>``. Webhooks carry ``Alpha-Signature: t=<unix s>,v1=<hex>``,
the HMAC-SHA256 under the webhook secret of ``f"{t}.{body}"``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from croupier.sandbox_psp.book import Adjustment, Conflict, Event, Operation, Order, Payment
from croupier.sandbox_psp.sandbox import Broken, Sandbox
from croupier.sandbox_psp.wire import (
    BadRequest,
    amount_of,
    broken_response,
    currency_of,
    last4_of,
    read_json,
    reference_of,
)

__all__ = ["SETTLEMENT_COLUMNS", "render_event", "render_settlement", "routes", "sign"]

SETTLEMENT_COLUMNS = ("reference", "id", "type", "amount", "currency", "settled_at_ms")
_STATUS = {"approved": "succeeded", "declined": "failed", "pending": "pending"}


def sign(secret: str, body: bytes, now_ms: int) -> dict[str, str]:
    timestamp = str(now_ms // 1000)
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return {"Alpha-Signature": f"t={timestamp},v1={digest.hexdigest()}"}


def render_event(event: Event) -> bytes:
    body = {
        "id": event.event_id,
        "type": event.kind,
        "created_ms": event.occurred_at_ms,
        "data": {
            "object": {
                "id": event.provider_ref,
                "reference": event.reference,
                "amount": event.amount_minor,
                "currency": event.currency,
            }
        },
    }
    return json.dumps(body, separators=(",", ":")).encode()


def render_settlement(lines: list[Adjustment]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SETTLEMENT_COLUMNS)
    for line in lines:
        writer.writerow(
            [
                line.reference,
                line.provider_ref,
                line.kind,
                line.amount_minor,
                line.currency,
                line.settled_at_ms,
            ]
        )
    return out.getvalue()


def _payment_json(payment: Payment) -> dict[str, Any]:
    order = payment.order
    return {
        "id": payment.provider_ref,
        "object": str(order.operation),
        "reference": order.reference,
        "amount": order.amount_minor,
        "currency": order.currency,
        "status": _STATUS[payment.status],
        "failure_message": payment.reason or None,
        "charge": order.charge_reference,
        "created_ms": payment.created_at_ms,
        "settled_ms": payment.settled_at_ms,
    }


def _error(kind: str, message: str, status_code: int) -> JSONResponse:
    return JSONResponse({"error": {"type": kind, "message": message}}, status_code=status_code)


def _order(operation: Operation, body: Mapping[str, Any]) -> Order:
    charge = None
    if operation is Operation.REFUND:
        charge = reference_of(body.get("charge"), "charge")
    return Order(
        operation=operation,
        reference=reference_of(body.get("reference"), "reference"),
        amount_minor=amount_of(body.get("amount"), "amount"),
        currency=currency_of(body.get("currency"), "currency"),
        charge_reference=charge,
        card_last4=last4_of(body.get("source")),
    )


def routes(sandbox: Sandbox, api_key: str) -> list[Route]:
    def authorised(request: Request) -> bool:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {api_key}".encode())

    def submitting(operation: Operation) -> Any:
        async def endpoint(request: Request) -> Response:
            if not authorised(request):
                return _error("authentication_error", "invalid API key", 401)
            try:
                order = _order(operation, await read_json(request))
                answer = await sandbox.submit(order)
            except BadRequest as error:
                return _error("invalid_request_error", str(error), 400)
            except Conflict as error:
                return _error("idempotency_error", str(error), 409)
            if isinstance(answer, Broken):
                return broken_response(answer)
            return JSONResponse(_payment_json(answer))

        return endpoint

    async def status(request: Request) -> Response:
        if not authorised(request):
            return _error("authentication_error", "invalid API key", 401)
        answer = await sandbox.lookup(request.path_params["reference"])
        if isinstance(answer, Broken):
            return broken_response(answer)
        if answer is None:
            return _error("resource_missing", "no payment under this reference", 404)
        return JSONResponse(_payment_json(answer))

    async def settlement(request: Request) -> Response:
        if not authorised(request):
            return _error("authentication_error", "invalid API key", 401)
        try:
            day = dt.date.fromisoformat(request.path_params["day"])
        except ValueError:
            return _error("invalid_request_error", "the day must be YYYY-MM-DD", 400)
        return PlainTextResponse(render_settlement(sandbox.settlement(day)), media_type="text/csv")

    return [
        Route("/v1/charges", submitting(Operation.CHARGE), methods=["POST"]),
        Route("/v1/payouts", submitting(Operation.PAYOUT), methods=["POST"]),
        Route("/v1/refunds", submitting(Operation.REFUND), methods=["POST"]),
        Route("/v1/payments/{reference:path}", status, methods=["GET"]),
        Route("/v1/settlements/{day}", settlement, methods=["GET"]),
    ]
