"""What a ``round.start`` or ``round.action`` message must hold, checked before anything is
played: the same body rules as the HTTP API's (:mod:`croupier.api.requests`), refused as a
:class:`BadMessage` the client can act on."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from croupier.api.requests import ActionIn, RoundIn
from croupier.api.ws.protocol import BadMessage
from croupier.services.wallet import IDEMPOTENCY_KEY

__all__ = ["round_action", "round_start"]

_GAME_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def round_start(message: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """Its idempotency key, the game's id, and the body as the HTTP API takes it."""
    request_id, game_id = _idempotency_key(message), message.get("game_id")
    if not isinstance(game_id, str) or not 1 <= len(game_id) <= 64:
        raise BadMessage("invalid-request", "game_id must be a game's id", request_id)
    if not set(game_id) <= _GAME_ID_CHARS:
        raise BadMessage("invalid-request", "game_id must be a game's id", request_id)
    body = {k: v for k, v in message.items() if k not in ("type", "request_id", "game_id")}
    try:
        request = RoundIn.model_validate(body).model_dump(exclude_none=True)
    except ValidationError as error:
        raise BadMessage("invalid-request", _first_problem(error), request_id) from None
    return request_id, game_id, request


def round_action(message: dict[str, Any]) -> tuple[str, str, str]:
    """Its idempotency key, the round's id, and the decision."""
    request_id, round_id = _idempotency_key(message), message.get("round_id")
    if not isinstance(round_id, str) or len(round_id) != 25 or round_id[0] != "r":
        raise BadMessage("invalid-request", "round_id must be a round's id", request_id)
    try:
        action = ActionIn.model_validate({"action": message.get("action")}).action
    except ValidationError as error:
        raise BadMessage("invalid-request", _first_problem(error), request_id) from None
    return request_id, round_id, action


def _idempotency_key(message: dict[str, Any]) -> str:
    request_id: str = message["request_id"]
    if not IDEMPOTENCY_KEY.match(request_id):
        raise BadMessage(
            "invalid-request",
            "request_id must be 8 to 64 of A-Z a-z 0-9 . _ : - (it is the idempotency key)",
            request_id,
        )
    return request_id


def _first_problem(error: ValidationError) -> str:
    problem = error.errors()[0]
    where = ".".join(str(part) for part in problem.get("loc", ()))
    return f"{where}: {problem.get('msg', 'invalid')}" if where else problem.get("msg", "invalid")
