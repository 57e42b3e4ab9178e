"""What both flavours share on the wire: reading a JSON body, checking its fields, and the
answer a scripted failure gives (an error status, a 502, or a connection dropped mid-answer)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from croupier.sandbox_psp.sandbox import AnswerLost, Broken

__all__ = [
    "BadRequest",
    "amount_of",
    "broken_response",
    "currency_of",
    "last4_of",
    "read_json",
    "reference_of",
]

_CURRENCY = re.compile(r"[A-Z]{3}")
_REFERENCE_LENGTH_MAX = 200
_AMOUNT_MINOR_MAX = 10**15


class BadRequest(ValueError):
    """A request the PSP refuses whole (each flavour renders it its own way, as a 400)."""


async def read_json(request: Request) -> Mapping[str, Any]:
    try:
        body = json.loads(await request.body())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadRequest("the body is not JSON") from error
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def reference_of(value: object, name: str) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= _REFERENCE_LENGTH_MAX:
        raise BadRequest(f"{name} must be a string of 1 to {_REFERENCE_LENGTH_MAX} characters")
    return value


def amount_of(value: object, name: str) -> int:
    # Integer minor units only: a float or a bool is refused, never rounded.
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{name} must be an integer of minor units")
    if not 0 < value <= _AMOUNT_MINOR_MAX:
        raise BadRequest(f"{name} must be positive and at most {_AMOUNT_MINOR_MAX}")
    return value


def currency_of(value: object, name: str) -> str:
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise BadRequest(f"{name} must be an ISO 4217 code such as EUR")
    return value


def last4_of(method: object) -> str:
    """The last four digits of a card number, the only part of it the sandbox keeps."""
    if isinstance(method, Mapping):
        number = method.get("number")
        if isinstance(number, str) and number.isdigit():
            return number[-4:]
    return ""


class _DroppedAnswer(Response):
    """Starts an answer, then fails: the server closes the connection mid-answer."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"status":', "more_body": True})
        raise AnswerLost("the sandbox drops this answer, as scripted")


def broken_response(broken: Broken) -> Response:
    if broken.status_code == 0:
        return _DroppedAnswer()
    return JSONResponse({"error": "scripted failure"}, status_code=broken.status_code)
