"""The client of a "beta" PSP (Adyen-like API; the sandbox in croupier.sandbox_psp.beta).

Implements the ``PaymentProvider`` port over HTTP. ``resultCode`` maps ``Authorised`` →
APPROVED, ``Refused`` → DECLINED, ``Received`` → PENDING. A 4xx refusal (401, 422: nothing
moved) → DECLINED; a timeout, a connection error, a 5xx, a 409, a 429 or an answer we cannot
read → UNKNOWN. Only the look-up's ``unknownReference`` 404 means NOT_FOUND.

Webhooks are signed with Ed25519 (``Beta-Signature``: base64 of the signature of
``Beta-Timestamp + "\\n" + body``, the timestamp in Unix milliseconds); the adapter holds
the PSP's public key only.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import io
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from croupier.adapters.payments.psp_http import (
    WEBHOOK_WINDOW_S_DEFAULT,
    Failure,
    ProviderError,
    header,
    json_object,
    minor_units,
    request,
    text,
    unknown,
    webhook_json,
    within_window,
)
from croupier.services.payments.ports import (
    ChargeRequest,
    Instrument,
    Outcome,
    PayoutRequest,
    ProviderAnswer,
    ProviderProfile,
    RefundRequest,
    SettlementLine,
    WebhookEvent,
    WebhookKind,
    WebhookRejected,
)

__all__ = ["BetaProvider", "parse_settlement"]

_OUTCOMES = {
    "Authorised": Outcome.APPROVED,
    "Refused": Outcome.DECLINED,
    "Received": Outcome.PENDING,
}
_KINDS = {
    ("AUTHORISATION", True): WebhookKind.CHARGE_SUCCEEDED,
    ("AUTHORISATION", False): WebhookKind.CHARGE_FAILED,
    ("PAYOUT", True): WebhookKind.PAYOUT_SUCCEEDED,
    ("PAYOUT", False): WebhookKind.PAYOUT_FAILED,
    ("REFUND", True): WebhookKind.REFUND_SUCCEEDED,
    ("CHARGEBACK", True): WebhookKind.CHARGEBACK,
}
_RECORD_KINDS = {
    "Settled": "charge",
    "PaidOut": "payout",
    "Refunded": "refund",
    "Chargeback": "chargeback",
}
_UNKNOWN_STATUSES = frozenset({409, 429})


class BetaProvider:
    """``PaymentProvider`` for a beta PSP at ``base_url``."""

    def __init__(
        self,
        *,
        profile: ProviderProfile,
        base_url: str,
        api_key: str,
        public_key: str | Ed25519PublicKey,
        timeout_s: float = 5.0,
        webhook_window_s: int = WEBHOOK_WINDOW_S_DEFAULT,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.profile = profile
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._public_key = (
            public_key if isinstance(public_key, Ed25519PublicKey) else _public_key(public_key)
        )
        self._timeout_s = timeout_s
        self._window_s = webhook_window_s
        # Made on first use: building one costs (TLS context) and binds it to a loop.
        self._client = client

    def __repr__(self) -> str:  # no key
        return f"BetaProvider({self.profile.name!r}, {self._base_url!r})"

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    @property
    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient()
        return self._client

    async def charge(self, request: ChargeRequest) -> ProviderAnswer:
        body = _money(request.reference, request.amount_minor, request.currency)
        body |= {
            "shopperReference": request.player_id,
            "paymentMethod": _method(request.instrument),
        }
        return await self._submit("/api/v2/payments", body)

    async def payout(self, request: PayoutRequest) -> ProviderAnswer:
        body = _money(request.reference, request.amount_minor, request.currency)
        body |= {
            "shopperReference": request.player_id,
            "paymentMethod": _method(request.instrument),
        }
        return await self._submit("/api/v2/payouts", body)

    async def refund(self, request: RefundRequest) -> ProviderAnswer:
        body = _money(request.reference, request.amount_minor, request.currency)
        path = f"/api/v2/payments/{quote(request.charge_reference, safe='')}/refunds"
        return await self._submit(path, body)

    async def status(self, reference: str) -> ProviderAnswer:
        answer = await request(
            self._http,
            "POST",
            f"{self._base_url}/api/v2/payments/details",
            timeout_s=self._timeout_s,
            json_body={"merchantReference": reference},
            headers=self._headers(),
        )
        if isinstance(answer, Failure):
            return unknown(answer.reason)
        body = json_object(answer)
        if answer.status_code == 404 and body and body.get("errorType") == "unknownReference":
            return ProviderAnswer(Outcome.NOT_FOUND, reason="the provider has no such reference")
        if answer.status_code != 200:
            return unknown(f"status look-up answered HTTP {answer.status_code}")
        return _payment_answer(body)

    async def _submit(self, path: str, body: dict[str, Any]) -> ProviderAnswer:
        answer = await request(
            self._http,
            "POST",
            self._base_url + path,
            timeout_s=self._timeout_s,
            json_body=body,
            headers=self._headers(),
        )
        if isinstance(answer, Failure):
            return unknown(answer.reason)
        if answer.status_code >= 500 or answer.status_code in _UNKNOWN_STATUSES:
            return unknown(f"HTTP {answer.status_code}")
        parsed = json_object(answer)
        if 400 <= answer.status_code < 500:
            kind = parsed.get("errorType") if parsed else None
            reason = f"refused by the provider: HTTP {answer.status_code} {kind or 'unreadable'}"
            return ProviderAnswer(Outcome.DECLINED, reason=reason)
        return _payment_answer(parsed if answer.status_code == 200 else None)

    def _headers(self) -> dict[str, str]:
        return {"X-API-Key": self._api_key}

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, now_ms: int) -> WebhookEvent:
        timestamp = header(headers, "Beta-Timestamp")
        encoded = header(headers, "Beta-Signature")
        try:
            signature = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as error:
            raise WebhookRejected("the Beta-Signature header is not base64") from error
        # Canonical base64 only: another spelling of the same bytes is a tampered header.
        if base64.b64encode(signature).decode() != encoded:
            raise WebhookRejected("the Beta-Signature header is not canonical base64")
        if not timestamp.isdigit():
            raise WebhookRejected("the Beta-Timestamp header is not a Unix time in ms")
        try:
            self._public_key.verify(signature, timestamp.encode() + b"\n" + body)
        except InvalidSignature as error:
            raise WebhookRejected("the signature does not verify") from error
        within_window(int(timestamp), now_ms, self._window_s)
        return self._event(webhook_json(body))

    def _event(self, body: dict[str, Any]) -> WebhookEvent:
        kind = _KINDS.get((body.get("eventCode"), body.get("success")))  # type: ignore[arg-type]
        amount = body.get("amount")
        if kind is None or not isinstance(amount, dict):
            raise WebhookRejected("the event is not one we know")
        return WebhookEvent(
            provider=self.profile.name,
            event_id=text(body.get("eventId")),
            kind=kind,
            reference=text(body.get("merchantReference")),
            amount_minor=minor_units(amount.get("value")),
            currency=text(amount.get("currency")),
            occurred_at_ms=_iso_ms(text(body.get("eventDate"))),
            provider_ref=text(body.get("pspReference")),
        )

    async def settlement_report(self, day: dt.date) -> list[SettlementLine]:
        answer = await request(
            self._http,
            "GET",
            f"{self._base_url}/api/v2/reports/settlement",
            timeout_s=self._timeout_s,
            headers=self._headers(),
            params={"date": day.strftime("%Y%m%d")},
        )
        if isinstance(answer, Failure):
            raise ProviderError(f"{self.profile.name}: settlement report: {answer.reason}")
        if answer.status_code != 200:
            raise ProviderError(
                f"{self.profile.name}: settlement report answered HTTP {answer.status_code}"
            )
        return parse_settlement(answer.text, self.profile.name)


def parse_settlement(report: str, provider: str) -> list[SettlementLine]:
    """beta's semicolon CSV as lines (record types mapped to our kinds)."""
    rows = csv.DictReader(io.StringIO(report, newline=""), delimiter=";")
    lines = []
    try:
        for row in rows:
            lines.append(
                SettlementLine(
                    reference=row["Merchant Reference"],
                    provider_ref=row["Psp Reference"],
                    kind=_RECORD_KINDS[row["Record Type"]],
                    amount_minor=int(row["Value"]),
                    currency=row["Currency"],
                    settled_at_ms=_iso_ms(row["Booking Date"]),
                )
            )
    except (KeyError, TypeError, ValueError, WebhookRejected) as error:
        where = f"line {rows.line_num}"
        raise ProviderError(f"{provider}: unreadable settlement report, {where}") from error
    return lines


def _public_key(encoded: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError) as error:
        raise ValueError("public_key must be 32 raw Ed25519 bytes in base64") from error


def _iso_ms(value: str) -> int:
    """``2026-12-07T01:02:03.456Z`` as Unix milliseconds."""
    try:
        moment = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    except ValueError as error:
        raise WebhookRejected("a date is not ISO 8601 with milliseconds") from error
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (moment - epoch) // dt.timedelta(milliseconds=1)


def _money(reference: str, amount_minor: int, currency: str) -> dict[str, Any]:
    return {"merchantReference": reference, "amount": {"value": amount_minor, "currency": currency}}


def _method(instrument: Instrument) -> dict[str, str]:
    # The card data goes into the body and nowhere else (no log, no reason, no repr).
    return {"type": instrument.kind, "storedToken": instrument.token, **instrument.secret}


def _payment_answer(body: dict[str, Any] | None) -> ProviderAnswer:
    if body is None:
        return unknown("the provider's answer is unreadable")
    outcome = _OUTCOMES.get(str(body.get("resultCode")))
    amount = body.get("amount")
    value = amount.get("value") if isinstance(amount, dict) else None
    if outcome is None or isinstance(value, bool) or not isinstance(value, int):
        return unknown("the provider's answer is unreadable")
    reason = body.get("refusalReason", "")
    provider_ref = body.get("pspReference")
    return ProviderAnswer(
        outcome,
        provider_ref=provider_ref if isinstance(provider_ref, str) else None,
        reason=reason if isinstance(reason, str) else "",
        amount_minor=value,
    )
