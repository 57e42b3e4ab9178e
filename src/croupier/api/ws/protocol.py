"""The wire format of ``/v1/ws``: what a client may send, and the frames we answer with.

Parsing is strict and total: every malformed message becomes a :class:`BadMessage` with a
code the client can act on, never an exception from deep inside. A duplicate key is malformed
(:mod:`croupier.api.strict_json`), and every integer must fit a signed 64-bit column, as
``after_seq`` is compared in SQL: 2**70 would fail in the driver, after ``subscribed``.
"""

from __future__ import annotations

import json
import re
from enum import IntEnum
from typing import Any

from croupier.api import strict_json

__all__ = [
    "CHANNELS",
    "LEADERBOARD_CHANNEL",
    "BadMessage",
    "Close",
    "error_frame",
    "parse",
    "reply_frame",
]

#: Channels a client may subscribe to; ``player`` resolves to the client's own stream,
#: ``table`` to ``table:<table_id>`` (a live cash table's public events). Besides these,
#: ``leaderboard:<id>``: a board's live standings (docs/realtime.md).
CHANNELS = ("player", "lobby", "jackpots", "table", "tournament")
LEADERBOARD_CHANNEL = re.compile(r"^leaderboard:[a-z0-9][a-z0-9-]{0,63}\Z")
_TYPES = (
    "auth",
    "subscribe",
    "unsubscribe",
    "round.start",
    "round.action",
    "reality.ack",
    "ping",
    "table.join",
    "table.act",
    "table.sit_out",
    "table.leave",
    "table.top_up",
    "table.view",
    "tournament.register",
    "tournament.unregister",
    "tournament.rebuy",
    "tournament.add_on",
    "tournament.decline_rebuy",
    "tournament.view",
)
_REQUEST_ID_MAX = 64
_TABLE_ID_MAX = 80
_INTEGER_MAX = 2**63 - 1  # the largest a signed 64-bit column holds


class Close(IntEnum):
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    POLICY = 1008
    TOO_BIG = 1009
    INTERNAL = 1011
    UNAUTHENTICATED = 4401
    SLOW_CONSUMER = 4408
    RATE_LIMITED = 4429  # too many: messages, or connections of one player or address


class BadMessage(Exception):
    def __init__(self, code: str, detail: str, request_id: str | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.request_id = request_id


def parse(payload: bytes) -> dict[str, Any]:
    """A client message as a dict with a known ``type`` and, if any, a valid ``request_id``."""
    try:
        message = strict_json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):  # [[[[… nested past the stack
        raise BadMessage("malformed-json", "a message must be one JSON object") from None
    if not isinstance(message, dict):
        raise BadMessage("malformed-json", "a message must be one JSON object")
    request_id = message.get("request_id")
    if request_id is not None and (
        not isinstance(request_id, str) or not 1 <= len(request_id) <= _REQUEST_ID_MAX
    ):
        raise BadMessage("invalid-request", f"request_id must be 1 to {_REQUEST_ID_MAX} chars")
    if not _integers_in_range(message):
        raise BadMessage(
            "invalid-request", f"every integer must be between 0 and {_INTEGER_MAX}", request_id
        )
    kind = message.get("type")
    if kind not in _TYPES:
        raise BadMessage("unknown-type", f"type must be one of {', '.join(_TYPES)}", request_id)
    if kind in ("round.start", "round.action") and request_id is None:
        raise BadMessage("invalid-request", f"{kind} needs a request_id (its idempotency key)")
    if kind.startswith("table.") and request_id is None:
        raise BadMessage("invalid-request", f"{kind} needs a request_id (its answer names it)")
    if kind in ("subscribe", "unsubscribe"):
        channel = message.get("channel")
        if channel not in CHANNELS and not (
            isinstance(channel, str) and LEADERBOARD_CHANNEL.match(channel)
        ):
            raise BadMessage(
                "invalid-request",
                f"channel must be one of {', '.join(CHANNELS)} or leaderboard:<id>",
                request_id,
            )
        table_id = message.get("table_id")
        if (
            kind == "subscribe"
            and message["channel"] == "table"
            and (not isinstance(table_id, str) or not 1 <= len(table_id) <= _TABLE_ID_MAX)
        ):
            raise BadMessage("invalid-request", "the table channel needs a table_id", request_id)
        tournament_id = message.get("tournament_id")
        if (
            kind == "subscribe"
            and message["channel"] == "tournament"
            and (not isinstance(tournament_id, str) or not 1 <= len(tournament_id) <= _TABLE_ID_MAX)
        ):
            raise BadMessage(
                "invalid-request", "the tournament channel needs a tournament_id", request_id
            )
        after = message.get("after_seq")
        if after is not None and type(after) is not int:
            raise BadMessage("invalid-request", "after_seq must be an integer >= 0", request_id)
    if kind == "auth" and not isinstance(message.get("token"), str):
        raise BadMessage("invalid-request", "auth needs a token", request_id)
    return message


def _integers_in_range(message: dict[str, Any]) -> bool:
    """Whether every integer in the message, at any depth, is within 0 … ``_INTEGER_MAX``
    (a walk with its own stack: the parser allows deeper nesting than recursion would)."""
    pending: list[Any] = [message]
    while pending:
        value = pending.pop()
        if type(value) is int:
            if not 0 <= value <= _INTEGER_MAX:
                return False
        elif isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return True


_COMPACT = json.JSONEncoder(separators=(",", ":"))  # json.dumps would build one per call


def reply_frame(kind: str, request_id: str | None, **fields: Any) -> str:
    return _COMPACT.encode({"type": kind, "request_id": request_id, **fields})


def error_frame(
    code: str,
    status: int,
    detail: str,
    request_id: str | None = None,
    *,
    retry_after_s: int | None = None,
) -> str:
    """An ``error`` answer; ``retry_after_s`` (as HTTP's ``Retry-After``) for a refusal that
    says when to try again (429 ``spin-too-fast``)."""
    error: dict[str, object] = {"code": code, "status": status, "detail": detail}
    if retry_after_s is not None:
        error["retry_after_s"] = retry_after_s
    return reply_frame("error", request_id, error=error)
