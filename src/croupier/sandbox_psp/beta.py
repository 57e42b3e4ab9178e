"""The "beta" flavour: an Adyen-like API, shaped unlike alpha on purpose.

``POST /api/v2/payments`` · ``POST /api/v2/payouts`` ·
``POST /api/v2/payments/{charge reference}/refunds`` · ``POST /api/v2/payments/details``
(look-up by ``merchantReference``) · ``GET /api/v2/reports/settlement?date=YYYYMMDD``
(semicolon CSV), with ``X-API-Key``. Amounts are ``{"value": minor units, "currency"}``;
answers carry a ``resultCode`` (``Authorised``, ``Refused``, ``Received``). Webhooks carry
``Beta-Timestamp`` (Unix ms) and ``Beta-Signature``, the base64 Ed25519 signature of
``timestamp + "\\n" + body``.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hmac
import io
import json
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
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

__all__ = [
    "EVENT_CODES",
    "RECORD_TYPES",
    "SETTLEMENT_COLUMNS",
    "render_event",
    "render_settlement",
    "routes",
    "sign",
]

SETTLEMENT_COLUMNS = (
    "Merchant Reference",
    "Psp Reference",
    "Record Type",
    "Value",
    "Currency",
    "Booking Date",
)
#: Our settlement kinds as beta names them.
RECORD_TYPES = {
    "charge": "Settled",
    "payout": "PaidOut",
    "refund": "Refunded",
    "chargeback": "Chargeback",
}
#: WebhookKind values as beta's (eventCode, success).
EVENT_CODES = {
    "charge.succeeded": ("AUTHORISATION", True),
    "charge.failed": ("AUTHORISATION", False),
    "payout.succeeded": ("PAYOUT", True),
    "payout.failed": ("PAYOUT", False),
    "refund.succeeded": ("REFUND", True),
    "chargeback": ("CHARGEBACK", True),
}
_RESULT_CODES = {"approved": "Authorised", "declined": "Refused", "pending": "Received"}


def sign(key: Ed25519PrivateKey, body: bytes, now_ms: int) -> dict[str, str]:
    timestamp = str(now_ms)
    signature = key.sign(timestamp.encode() + b"\n" + body)
    return {"Beta-Timestamp": timestamp, "Beta-Signature": base64.b64encode(signature).decode()}


def iso_ms(at_ms: int) -> str:
    moment = dt.datetime.fromtimestamp(at_ms / 1000, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at_ms % 1000:03d}Z"


def render_event(event: Event) -> bytes:
    code, success = EVENT_CODES[event.kind]
    body = {
        "eventId": event.event_id,
        "eventCode": code,
        "success": success,
        "merchantReference": event.reference,
        "pspReference": event.provider_ref,
        "amount": {"value": event.amount_minor, "currency": event.currency},
        "eventDate": iso_ms(event.occurred_at_ms),
    }
    return json.dumps(body, separators=(",", ":")).encode()


def render_settlement(lines: list[Adjustment]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(SETTLEMENT_COLUMNS)
    for line in lines:
        writer.writerow(
            [
                line.reference,
                line.provider_ref,
                RECORD_TYPES[line.kind],
                line.amount_minor,
                line.currency,
                iso_ms(line.settled_at_ms),
            ]
        )
    return out.getvalue()


def _payment_json(payment: Payment) -> dict[str, Any]:
    order = payment.order
    answer: dict[str, Any] = {
        "pspReference": payment.provider_ref,
        "merchantReference": order.reference,
        "operation": str(order.operation),
        "resultCode": _RESULT_CODES[payment.status],
        "amount": {"value": order.amount_minor, "currency": order.currency},
    }
    if payment.reason:
        answer["refusalReason"] = payment.reason
    return answer


def _error(error_type: str, message: str, status_code: int) -> JSONResponse:
    return JSONResponse(
        {"status": status_code, "errorType": error_type, "message": message},
        status_code=status_code,
    )


def _order(operation: Operation, body: Mapping[str, Any], charge: str | None) -> Order:
    amount = body.get("amount")
    if not isinstance(amount, Mapping):
        raise BadRequest('amount must be {"value": minor units, "currency": "EUR"}')
    return Order(
        operation=operation,
        reference=reference_of(body.get("merchantReference"), "merchantReference"),
        amount_minor=amount_of(amount.get("value"), "amount.value"),
        currency=currency_of(amount.get("currency"), "amount.currency"),
        charge_reference=charge,
        card_last4=last4_of(body.get("paymentMethod")),
    )


def routes(sandbox: Sandbox, api_key: str) -> list[Route]:
    def authorised(request: Request) -> bool:
        given = request.headers.get("x-api-key", "")
        return hmac.compare_digest(given.encode(), api_key.encode())

    def submitting(operation: Operation) -> Any:
        async def endpoint(request: Request) -> Response:
            if not authorised(request):
                return _error("security", "invalid API key", 401)
            try:
                charge = request.path_params.get("charge")
                order = _order(operation, await read_json(request), charge)
                answer = await sandbox.submit(order)
            except BadRequest as error:
                return _error("validation", str(error), 422)
            except Conflict as error:
                return _error("idempotency", str(error), 409)
            if isinstance(answer, Broken):
                return broken_response(answer)
            return JSONResponse(_payment_json(answer))

        return endpoint

    async def details(request: Request) -> Response:
        if not authorised(request):
            return _error("security", "invalid API key", 401)
        try:
            reference = reference_of(
                (await read_json(request)).get("merchantReference"), "merchantReference"
            )
        except BadRequest as error:
            return _error("validation", str(error), 422)
        answer = await sandbox.lookup(reference)
        if isinstance(answer, Broken):
            return broken_response(answer)
        if answer is None:
            return _error("unknownReference", "no payment under this merchantReference", 404)
        return JSONResponse(_payment_json(answer))

    async def settlement(request: Request) -> Response:
        if not authorised(request):
            return _error("security", "invalid API key", 401)
        try:
            day = dt.datetime.strptime(request.query_params.get("date", ""), "%Y%m%d").date()
        except ValueError:
            return _error("validation", "date must be YYYYMMDD", 422)
        return PlainTextResponse(render_settlement(sandbox.settlement(day)), media_type="text/csv")

    return [
        Route("/api/v2/payments", submitting(Operation.CHARGE), methods=["POST"]),
        Route("/api/v2/payouts", submitting(Operation.PAYOUT), methods=["POST"]),
        Route("/api/v2/payments/details", details, methods=["POST"]),
        Route(
            "/api/v2/payments/{charge:path}/refunds", submitting(Operation.REFUND), methods=["POST"]
        ),
        Route("/api/v2/reports/settlement", settlement, methods=["GET"]),
    ]
