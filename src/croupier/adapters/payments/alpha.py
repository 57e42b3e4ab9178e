"""The client of an "alpha" PSP (Stripe-like API; the sandbox in croupier.sandbox_psp.alpha).

Implements the ``PaymentProvider`` port over HTTP. Answers map as follows: ``succeeded`` →
APPROVED, ``failed`` → DECLINED, ``pending`` → PENDING; a 4xx refusal of the request (it
moved nothing) → DECLINED; a timeout, a connection error, a 5xx, a 409 (the reference is
known there with another amount: the look-up must say what moved), a 429 or an answer we
cannot read → UNKNOWN. Only the look-up's ``resource_missing`` 404 means NOT_FOUND: a 404 of
anything else could be a misrouted URL, and taking it for "never received" could pay twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

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

__all__ = ["AlphaProvider"]

_OUTCOMES = {"succeeded": Outcome.APPROVED, "failed": Outcome.DECLINED, "pending": Outcome.PENDING}
_UNKNOWN_STATUSES = frozenset({409, 429})


class AlphaProvider:
    """``PaymentProvider`` for an alpha PSP at ``base_url``."""

    def __init__(
        self,
        *,
        profile: ProviderProfile,
        base_url: str,
        api_key: str,
        webhook_secret: str,
        timeout_s: float = 5.0,
        webhook_window_s: int = WEBHOOK_WINDOW_S_DEFAULT,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.profile = profile
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._webhook_secret = webhook_secret.encode()
        self._timeout_s = timeout_s
        self._window_s = webhook_window_s
        # Made on first use: building one costs (TLS context) and binds it to a loop.
        self._client = client

    def __repr__(self) -> str:  # no key, no secret
        return f"AlphaProvider({self.profile.name!r}, {self._base_url!r})"

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
        body |= {"customer": request.player_id, "source": _source(request.instrument)}
        return await self._submit("/v1/charges", request.reference, body)

    async def payout(self, request: PayoutRequest) -> ProviderAnswer:
        body = _money(request.reference, request.amount_minor, request.currency)
        body |= {"customer": request.player_id, "source": _source(request.instrument)}
        return await self._submit("/v1/payouts", request.reference, body)

    async def refund(self, request: RefundRequest) -> ProviderAnswer:
        body = _money(request.reference, request.amount_minor, request.currency)
        body["charge"] = request.charge_reference
        return await self._submit("/v1/refunds", request.reference, body)

    async def status(self, reference: str) -> ProviderAnswer:
        answer = await request(
            self._http,
            "GET",
            f"{self._base_url}/v1/payments/{quote(reference, safe='')}",
            timeout_s=self._timeout_s,
            headers=self._headers(),
        )
        if isinstance(answer, Failure):
            return unknown(answer.reason)
        body = json_object(answer)
        if answer.status_code == 404 and body and _error_type(body) == "resource_missing":
            return ProviderAnswer(Outcome.NOT_FOUND, reason="the provider has no such reference")
        if answer.status_code != 200:
            return unknown(f"status look-up answered HTTP {answer.status_code}")
        return _payment_answer(body)

    async def _submit(self, path: str, reference: str, body: dict[str, Any]) -> ProviderAnswer:
        answer = await request(
            self._http,
            "POST",
            self._base_url + path,
            timeout_s=self._timeout_s,
            json_body=body,
            headers=self._headers() | {"Idempotency-Key": reference},
        )
        if isinstance(answer, Failure):
            return unknown(answer.reason)
        if answer.status_code >= 500 or answer.status_code in _UNKNOWN_STATUSES:
            return unknown(f"HTTP {answer.status_code}")
        parsed = json_object(answer)
        if 400 <= answer.status_code < 500:
            kind = _error_type(parsed) if parsed else "unreadable"
            reason = f"refused by the provider: HTTP {answer.status_code} {kind}"
            return ProviderAnswer(Outcome.DECLINED, reason=reason)
        return _payment_answer(parsed if answer.status_code == 200 else None)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"}

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, now_ms: int) -> WebhookEvent:
        timestamp, signatures = _signature_header(header(headers, "Alpha-Signature"))
        expected = hmac.new(
            self._webhook_secret, timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        if not any(hmac.compare_digest(expected, given) for given in signatures):
            raise WebhookRejected("the signature does not verify")
        within_window(int(timestamp) * 1000, now_ms, self._window_s)
        return self._event(webhook_json(body))

    def _event(self, body: dict[str, Any]) -> WebhookEvent:
        data = body.get("data")
        payment = data.get("object") if isinstance(data, dict) else None
        if not isinstance(payment, dict):
            raise WebhookRejected("the body has no data.object")
        try:
            kind = WebhookKind(str(body.get("type")))
        except ValueError as error:
            raise WebhookRejected("the event type is not one we know") from error
        return WebhookEvent(
            provider=self.profile.name,
            event_id=text(body.get("id")),
            kind=kind,
            reference=text(payment.get("reference")),
            amount_minor=minor_units(payment.get("amount")),
            currency=text(payment.get("currency")),
            occurred_at_ms=minor_units(body.get("created_ms")),
            provider_ref=text(payment.get("id")),
        )

    async def settlement_report(self, day: dt.date) -> list[SettlementLine]:
        answer = await request(
            self._http,
            "GET",
            f"{self._base_url}/v1/settlements/{day.isoformat()}",
            timeout_s=self._timeout_s,
            headers=self._headers(),
        )
        if isinstance(answer, Failure):
            raise ProviderError(f"{self.profile.name}: settlement report: {answer.reason}")
        if answer.status_code != 200:
            raise ProviderError(
                f"{self.profile.name}: settlement report answered HTTP {answer.status_code}"
            )
        return parse_settlement(answer.text, self.profile.name)


def parse_settlement(report: str, provider: str) -> list[SettlementLine]:
    """alpha's CSV (``reference,id,type,amount,currency,settled_at_ms``) as lines."""
    rows = csv.DictReader(io.StringIO(report))
    lines = []
    try:
        for row in rows:
            lines.append(
                SettlementLine(
                    reference=row["reference"],
                    provider_ref=row["id"],
                    kind=row["type"],
                    amount_minor=int(row["amount"]),
                    currency=row["currency"],
                    settled_at_ms=int(row["settled_at_ms"]),
                )
            )
    except (KeyError, TypeError, ValueError) as error:
        where = f"line {rows.line_num}"
        raise ProviderError(f"{provider}: unreadable settlement report, {where}") from error
    return lines


def _money(reference: str, amount_minor: int, currency: str) -> dict[str, Any]:
    return {"reference": reference, "amount": amount_minor, "currency": currency}


def _source(instrument: Instrument) -> dict[str, str]:
    # The card data goes into the body and nowhere else (no log, no reason, no repr).
    return {"type": instrument.kind, "token": instrument.token, **instrument.secret}


def _error_type(body: dict[str, Any]) -> str:
    error = body.get("error")
    kind = error.get("type") if isinstance(error, dict) else None
    return kind if isinstance(kind, str) else "unknown error"


def _payment_answer(body: dict[str, Any] | None) -> ProviderAnswer:
    if body is None:
        return unknown("the provider's answer is unreadable")
    outcome = _OUTCOMES.get(str(body.get("status")))
    amount = body.get("amount")
    provider_ref = body.get("id")
    if outcome is None or isinstance(amount, bool) or not isinstance(amount, int):
        return unknown("the provider's answer is unreadable")
    reason = body.get("failure_message") or ""
    return ProviderAnswer(
        outcome,
        provider_ref=provider_ref if isinstance(provider_ref, str) else None,
        reason=reason if isinstance(reason, str) else "",
        amount_minor=amount,
    )


def _signature_header(value: str) -> tuple[str, list[str]]:
    timestamp = ""
    signatures: list[str] = []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t":
            timestamp = item
        elif key == "v1":
            signatures.append(item)
    if not timestamp.isdigit() or not signatures:
        raise WebhookRejected("the Alpha-Signature header is malformed")
    return timestamp, signatures
