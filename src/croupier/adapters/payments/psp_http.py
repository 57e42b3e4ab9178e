"""What the HTTP adapters of PSPs share: one call that never raises for a failure of the
network or of the provider, and the checks every webhook goes through.

The rule (services/payments/ports.py): a timeout, a connection error, a 5xx or an answer we
cannot read means the money *may* have moved, so it becomes ``Outcome.UNKNOWN`` with a reason,
never an exception. Reasons and errors name the failure, never the request's body: that body
carries card data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from croupier.services.payments.ports import Outcome, ProviderAnswer, WebhookRejected

__all__ = [
    "WEBHOOK_WINDOW_S_DEFAULT",
    "Failure",
    "ProviderError",
    "header",
    "json_object",
    "minor_units",
    "request",
    "text",
    "unknown",
    "webhook_json",
    "within_window",
]

#: The replay window of webhook timestamps by default (as Stripe's).
WEBHOOK_WINDOW_S_DEFAULT = 300


class ProviderError(RuntimeError):
    """A provider call that has no :class:`Outcome` to fall back on failed (the settlement
    report could not be fetched or read)."""


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a call has no usable answer (timeout, connection lost, …)."""

    reason: str


async def request(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    timeout_s: float,
    json_body: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str] | None = None,
) -> httpx.Response | Failure:
    """The provider's answer, or a :class:`Failure` for anything that kept it from us."""
    try:
        return await client.request(
            method, url, json=json_body, headers=headers, params=params, timeout=timeout_s
        )
    except httpx.TimeoutException:
        return Failure(f"no answer within {timeout_s:g} s")
    except httpx.HTTPError as error:
        # The class name only: an httpx message can quote the request.
        return Failure(f"connection failed ({type(error).__name__})")


def unknown(reason: str) -> ProviderAnswer:
    return ProviderAnswer(Outcome.UNKNOWN, reason=reason)


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def header(headers: Mapping[str, str], name: str) -> str:
    """``name``'s value whatever the case of the keys (a plain dict or Starlette's Headers)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    raise WebhookRejected(f"the {name} header is missing")


def within_window(signed_at_ms: int, now_ms: int, window_s: int) -> None:
    if abs(now_ms - signed_at_ms) > window_s * 1000:
        raise WebhookRejected(f"the signature's timestamp is outside the {window_s} s window")


def webhook_json(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise WebhookRejected("the body is not JSON") from error
    if not isinstance(parsed, dict):
        raise WebhookRejected("the body is not a JSON object")
    return parsed


def minor_units(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise WebhookRejected("an amount is not an integer of minor units")
    return value


def text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise WebhookRejected("a field that must be a non-empty string is not")
    return value
